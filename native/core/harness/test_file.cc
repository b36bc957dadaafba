#include "harness/test_file.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <vector>

#include "fd.h"
#include "harness/random.h"
#include "loop/op.h"

namespace iob {

namespace {

constexpr uint64_t kSectorMagic = 0x696f622d73656374;  // "iob-sect"

void store64(std::byte* at, uint64_t value) { std::memcpy(at, &value, sizeof value); }

FileError error_of(const char* call, const std::string& path) {
  return FileError{call, errno, path};
}

}  // namespace

Pattern::Pattern(uint64_t seed, uint64_t generation) : seed_(seed), generation_(generation) {
  Random body(seed ^ (generation * 0xd1b54a32d192ed03));
  for (size_t at = 24; at < kSectorSize; at += 8) {
    store64(&image_[at], body.next());
  }
}

void Pattern::sector(uint64_t index, std::byte* out) const {
  std::memcpy(out, image_.data(), kSectorSize);
  store64(out, kSectorMagic ^ seed_);
  store64(out + 8, index);
  store64(out + 16, generation_);
}

void Pattern::fill(uint64_t offset, std::byte* out, size_t size) const {
  while (size > 0) {
    const uint64_t index = offset / kSectorSize;
    const size_t skip = offset % kSectorSize;
    const size_t take = std::min(size, kSectorSize - skip);
    if (skip == 0 && take == kSectorSize) {
      sector(index, out);
    } else {
      std::byte whole[kSectorSize];
      sector(index, whole);
      std::memcpy(out, whole + skip, take);
    }
    out += take;
    offset += take;
    size -= take;
  }
}

bool Pattern::matches(uint64_t offset, const std::byte* data, size_t size) const {
  std::byte whole[kSectorSize];
  while (size > 0) {
    const uint64_t index = offset / kSectorSize;
    const size_t skip = offset % kSectorSize;
    const size_t take = std::min(size, kSectorSize - skip);
    if (take == kSectorSize) {
      // The common case (whole sectors) without building the sector: header fields, then body.
      const uint64_t header[3] = {kSectorMagic ^ seed_, index, generation_};
      if (std::memcmp(data, header, sizeof header) != 0 ||
          std::memcmp(data + sizeof header, image_.data() + sizeof header,
                      kSectorSize - sizeof header) != 0) {
        return false;
      }
    } else {
      sector(index, whole);
      if (std::memcmp(data, whole + skip, take) != 0) {
        return false;
      }
    }
    data += take;
    offset += take;
    size -= take;
  }
  return true;
}

std::optional<FileError> lay_out_test_file(const std::string& path, uint64_t size, uint64_t seed,
                                           const std::atomic<bool>* cancel) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd.valid()) {
    return error_of("open", path);
  }
  auto fail = [&](const char* call) {
    FileError error = error_of(call, path);
    ::unlink(path.c_str());
    return error;
  };
  const Pattern pattern(seed, kLaidOutGeneration);
  constexpr size_t kChunk = 1 << 20;
  Buffer chunk(kChunk);
  for (uint64_t offset = 0; offset < size;) {
    if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) {
      errno = ECANCELED;
      return fail("write");
    }
    const size_t length = static_cast<size_t>(std::min<uint64_t>(kChunk, size - offset));
    pattern.fill(offset, chunk.data(), length);
    const ssize_t written = ::pwrite(fd.get(), chunk.data(), length, static_cast<off_t>(offset));
    if (written < 0) {
      if (errno == EINTR) {
        continue;
      }
      return fail("pwrite");
    }
    offset += static_cast<uint64_t>(written);
  }
  if (::fsync(fd.get()) != 0) {
    return fail("fsync");
  }
  return std::nullopt;
}

std::optional<FileError> readable_size(const std::string& path, uint64_t& size) {
  // O_NONBLOCK: opening a FIFO with no writer would otherwise wait for one for ever, before the
  // fstat below could refuse it.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd.valid()) {
    return error_of("open", path);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return error_of("fstat", path);
  }
  if (S_ISBLK(st.st_mode)) {
    if (::ioctl(fd.get(), BLKGETSIZE64, &size) != 0) {
      return error_of("ioctl(BLKGETSIZE64)", path);
    }
    return std::nullopt;
  }
  if (!S_ISREG(st.st_mode)) {
    errno = EINVAL;
    return error_of("a regular file or block device", path);
  }
  size = static_cast<uint64_t>(st.st_size);
  return std::nullopt;
}

std::optional<FileError> probe_direct_read(const std::string& path, uint32_t block_size) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC));
  if (!fd.valid()) {
    return error_of("open(O_DIRECT)", path);
  }
  Buffer block(block_size);
  if (::pread(fd.get(), block.data(), block_size, 0) < 0) {
    return error_of("pread(O_DIRECT)", path);
  }
  return std::nullopt;
}

std::optional<FileError> page_cache_residency(const std::string& path, uint64_t size,
                                              double& share) {
  share = 0;
  if (size == 0) {
    return std::nullopt;
  }
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    return error_of("open", path);
  }
  // Mapping a file reads none of it; mincore only reports which pages are cached.
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd.get(), 0);
  if (map == MAP_FAILED) {
    return error_of("mmap", path);
  }
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> resident((size + page - 1) / page);
  const int ret = ::mincore(map, size, resident.data());
  const int saved = errno;
  ::munmap(map, size);
  if (ret != 0) {
    errno = saved;
    return error_of("mincore", path);
  }
  const auto cached =
      std::count_if(resident.begin(), resident.end(), [](unsigned char r) { return r & 1; });
  share = static_cast<double>(cached) / static_cast<double>(resident.size());
  return std::nullopt;
}

std::string filesystem_name(const std::string& path) {
  struct statfs fs {};
  if (::statfs(path.c_str(), &fs) != 0) {
    return "unknown";
  }
  struct Known {
    unsigned long magic;
    const char* name;
  };
  static constexpr Known kKnown[] = {
      {EXT4_SUPER_MAGIC, "ext4"},
      {TMPFS_MAGIC, "tmpfs"},
      {XFS_SUPER_MAGIC, "xfs"},
      {BTRFS_SUPER_MAGIC, "btrfs"},
      {OVERLAYFS_SUPER_MAGIC, "overlayfs"},
      {NFS_SUPER_MAGIC, "nfs"},
      {0x2fc12fc1, "zfs"},
      {0x65735546, "fuse"},
      {0x01021997, "9p"},
      {0x6a656a63, "virtiofs"},
      {SQUASHFS_MAGIC, "squashfs"},
      {RAMFS_MAGIC, "ramfs"},
      {0xf2f52010, "f2fs"},
      {0x5346544e, "ntfs"},
      {MSDOS_SUPER_MAGIC, "vfat"},
      {BDEVFS_MAGIC, "bdev"},
  };
  for (const Known& known : kKnown) {
    if (static_cast<unsigned long>(fs.f_type) == known.magic) {
      return known.name;
    }
  }
  char hex[32];
  std::snprintf(hex, sizeof hex, "0x%lx", static_cast<unsigned long>(fs.f_type));
  return hex;
}

}  // namespace iob
