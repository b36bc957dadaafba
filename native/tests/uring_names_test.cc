// The io_uring name tables: unknown numbers are named by number, and the tables match
// src/probe/kernel-table.json (names and numbers), which the TypeScript side reads for the
// first kernel of each, so the two can never drift apart.
#include <fstream>
#include <sstream>

#include "helpers.h"
#include "json_lite.h"
#include "uring_names.h"

namespace iob {
namespace {

using json_lite::Value;

TEST(UringNames, NamesUnknownNumbersByNumber) {
  EXPECT_EQ(opcode_names().name(0), "NOP");
  EXPECT_EQ(opcode_names().name(62), "PIPE");
  EXPECT_EQ(opcode_names().name(200), "op200");
  EXPECT_EQ(feature_names().name(17), "NO_IOWAIT");
  EXPECT_EQ(feature_names().name(25), "bit25");
  EXPECT_EQ(register_op_names().name(35), "REGISTER_QUERY");
  EXPECT_EQ(register_op_names().name(99), "register_op99");
  EXPECT_EQ(describe_setup_flags(0), "none");
  EXPECT_EQ(describe_setup_flags((1u << 12) | (1u << 13)), "SINGLE_ISSUER|DEFER_TASKRUN");
  EXPECT_EQ(describe_setup_flags(1u | (1u << 27)), "IOPOLL|bit27");
  EXPECT_EQ(feature_names().bit_names((uint64_t{1} << 8) | (uint64_t{1} << 40)),
            (std::vector<std::string>{"EXT_ARG", "bit40"}));
}

Value read_kernel_table() {
  std::ifstream file(IOB_SOURCE_ROOT "/src/probe/kernel-table.json");
  std::stringstream text;
  text << file.rdbuf();
  return json_lite::parse(text.str());
}

// Each section of the JSON table lists every name of the C++ table, in order, under its
// number, with a first kernel.
void expect_same_table(const Value& section, const NameTable& table, const char* number_key) {
  const auto& entries = section["entries"].array();
  ASSERT_EQ(entries.size(), table.names().size());
  for (size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(entries[i][number_key].integer(), static_cast<int64_t>(i));
    EXPECT_EQ(entries[i]["name"].string(), table.names()[i]) << "number " << i;
    EXPECT_FALSE(entries[i]["firstKernel"].string().empty()) << table.names()[i];
  }
}

TEST(UringNames, MatchTheSharedKernelTable) {
  Value table;
  ASSERT_NO_THROW(table = read_kernel_table()) << "src/probe/kernel-table.json";
  expect_same_table(table["setupFlags"], setup_flag_names(), "bit");
  expect_same_table(table["features"], feature_names(), "bit");
  expect_same_table(table["opcodes"], opcode_names(), "op");
  expect_same_table(table["registerOps"], register_op_names(), "op");
}

// "major.minor" as a comparable number.
int kernel_order(const std::string& version) {
  const auto dot = version.find('.');
  return std::stoi(version.substr(0, dot)) * 1000 + std::stoi(version.substr(dot + 1));
}

// Opcodes are appended to the enum as kernels add them, so their first kernels never go down
// (the rule that caught the man page's 6.5 for WAITID).
TEST(UringNames, OpcodeFirstKernelsFollowTheEnumOrder) {
  const Value table = read_kernel_table();
  int previous = 0;
  for (const Value& entry : table["opcodes"]["entries"].array()) {
    const int order = kernel_order(entry["firstKernel"].string());
    EXPECT_GE(order, previous) << entry["name"].string();
    previous = order;
  }
}

}  // namespace
}  // namespace iob
