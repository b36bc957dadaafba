// Names for io_uring constants, including those newer than the system headers (Debian's
// liburing 2.3 stops at Linux 6.1), so messages and reports can say "SINGLE_ISSUER" instead of
// "0x1000" and still name numbers this build has never heard of ("bit21", "op65").
//
// These tables are the only place the native code spells io_uring names. uring_names.cc is
// generated (scripts/gen/generate.mjs) from src/probe/kernel-table.json, which also gives the
// TypeScript side the kernel release that first had each name.
#pragma once

#include <string.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace iob {

// Names indexed by bit (flags, features) or by number (opcodes, register opcodes), without
// the common prefix (IORING_SETUP_, IORING_FEAT_, IORING_OP_, IORING_).
class NameTable {
 public:
  constexpr NameTable(std::span<const std::string_view> names, std::string_view unknown_prefix)
      : names_(names), unknown_prefix_(unknown_prefix) {}

  std::span<const std::string_view> names() const { return names_; }
  bool known(uint32_t number) const { return number < names_.size(); }

  // The table's name, or the unknown prefix and the number ("bit21", "op65").
  std::string name(uint32_t number) const {
    if (known(number)) {
      return std::string(names_[number]);
    }
    return std::string(unknown_prefix_) + std::to_string(number);
  }

  // Names of the set bits of `mask`, lowest first.
  std::vector<std::string> bit_names(uint64_t mask) const {
    std::vector<std::string> out;
    for (uint32_t bit = 0; bit < 64; ++bit) {
      if ((mask & (uint64_t{1} << bit)) != 0) {
        out.push_back(name(bit));
      }
    }
    return out;
  }

  // "IOPOLL|SINGLE_ISSUER", or "none" for an empty mask.
  std::string describe_bits(uint64_t mask) const {
    if (mask == 0) {
      return "none";
    }
    std::string out;
    for (const std::string& bit_name : bit_names(mask)) {
      if (!out.empty()) {
        out += '|';
      }
      out += bit_name;
    }
    return out;
  }

 private:
  std::span<const std::string_view> names_;
  std::string_view unknown_prefix_;
};

// IORING_SETUP_* by bit.
const NameTable& setup_flag_names();
// IORING_FEAT_* by bit.
const NameTable& feature_names();
// IORING_OP_* by opcode.
const NameTable& opcode_names();
// IORING_REGISTER_* / IORING_UNREGISTER_* by opcode.
const NameTable& register_op_names();

// "IOPOLL|SINGLE_ISSUER|DEFER_TASKRUN", or "none". Unknown bits appear as "bit21".
inline std::string describe_setup_flags(uint32_t flags) {
  return setup_flag_names().describe_bits(flags);
}

// "EINVAL", "EPERM", ...; "E123" if unnamed.
inline std::string errno_name(int error) {
  const char* name = strerrorname_np(error);
  return name != nullptr ? name : "E" + std::to_string(error);
}

}  // namespace iob
