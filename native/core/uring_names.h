// Names for io_uring constants, including those newer than the system headers (Debian's
// liburing 2.3 stops at Linux 6.1), so messages and reports can say "SINGLE_ISSUER" instead of
// "0x1000" and still name numbers this build has never heard of ("bit21", "op65").
//
// These tables are the only place the native code spells io_uring names. The same names, with
// the kernel release that first had each one, are in src/probe/kernel-table.json for the
// TypeScript side; native/tests/uring_names_test.cc fails if the two ever differ.
#pragma once

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
  std::string name(uint32_t number) const;

  // Names of the set bits of `mask`, lowest first.
  std::vector<std::string> bit_names(uint64_t mask) const;

  // "IOPOLL|SINGLE_ISSUER", or "none" for an empty mask.
  std::string describe_bits(uint64_t mask) const;

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
std::string describe_setup_flags(uint32_t flags);

// "EINVAL", "EPERM", ...; "E123" if unnamed.
std::string errno_name(int error);

}  // namespace iob
