// Test files whose every 512-byte sector describes itself, so a read can be checked against what
// was written without keeping a copy, and a buffer used at the wrong moment (freed, reused for
// another op, filled for another block) shows up as a sector that names the wrong place.
//
// Sector layout (kSectorSize bytes), for a key (seed, generation):
//   bytes 0..7    kSectorMagic ^ seed
//   bytes 8..15   the sector's index in the file (its byte offset / 512)
//   bytes 16..23  generation (0: as laid out; 1: rewritten by a write workload)
//   bytes 24..511 a body derived from (seed, generation), the same in every sector
// A file of the pattern is a run of such sectors; any byte range of it can be produced or
// checked, so block sizes need not be multiples of 512 (O_DIRECT's rule is checked elsewhere).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "system_error.h"

namespace iob {

inline constexpr size_t kSectorSize = 512;

// Generations: what the tool lays out, and what its write workloads write over it.
inline constexpr uint64_t kLaidOutGeneration = 0;
inline constexpr uint64_t kWrittenGeneration = 1;

class Pattern {
 public:
  Pattern(uint64_t seed, uint64_t generation);

  // Writes the bytes at [offset, offset + size) of a file of this pattern into `out`.
  void fill(uint64_t offset, std::byte* out, size_t size) const;
  // Whether `data` holds exactly the bytes at [offset, offset + size).
  bool matches(uint64_t offset, const std::byte* data, size_t size) const;

 private:
  void sector(uint64_t index, std::byte* out) const;

  const uint64_t seed_;
  const uint64_t generation_;
  std::array<std::byte, kSectorSize> image_{};  // a sector with its header fields zeroed
};

// A failed system call on a test file: which call, its errno, and the path (as the detail).
using FileError = SystemError;

// Creates `path` (which must not exist) holding `size` bytes of Pattern(seed, laid-out), and
// syncs it, so write-back of the layout does not run during the measurement and the pages stay
// in the page cache (hot). Removes what it created if it fails, and if `cancel` is set (checked
// after every MiB written; a GiB takes seconds): that error is ECANCELED.
std::optional<FileError> lay_out_test_file(const std::string& path, uint64_t size, uint64_t seed,
                                           const std::atomic<bool>* cancel = nullptr);

// The size of a regular file or block device, for reading.
std::optional<FileError> readable_size(const std::string& path, uint64_t& size);

// Whether `path` can be read with O_DIRECT in `block_size` blocks: opens it O_DIRECT and reads
// its first block. The error names the refused call.
std::optional<FileError> probe_direct_read(const std::string& path, uint32_t block_size);

// The share (0..1) of the file's first `size` bytes resident in the page cache (mincore).
std::optional<FileError> page_cache_residency(const std::string& path, uint64_t size,
                                              double& share);

// The name of the file system holding `path` (statfs f_type), e.g. "ext4", "tmpfs"; a hex
// magic number when it is not one this table knows.
std::string filesystem_name(const std::string& path);

}  // namespace iob
