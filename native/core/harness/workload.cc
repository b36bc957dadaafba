#include "harness/workload.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <utility>

#include "harness/buffer_ring.h"
#include "harness/ops.h"
#include "harness/random.h"
#include "harness/test_file.h"
#include "invariant.h"

namespace iob {

WorkloadError::WorkloadError(std::string call_, int error_, std::string detail_)
    : std::runtime_error(call_ + ": " + std::strerror(error_) +
                         (detail_.empty() ? "" : " (" + detail_ + ")")),
      SystemError{std::move(call_), error_, std::move(detail_)} {}

namespace {

// A source of one kind of op, named after it.
class SingleKindSource : public OpSource {
 public:
  explicit SingleKindSource(OpKind kind) : kinds_{op_kind_name(kind)} {}
  const std::vector<std::string>& kinds() const override { return kinds_; }

 private:
  const std::vector<std::string> kinds_;
};

Judged judged_if(bool expected, int32_t result) {
  return Judged{expected ? Verdict::kExpected : Verdict::kUnexpected,
                result > 0 ? static_cast<uint32_t>(result) : 0};
}

class NopSource final : public SingleKindSource {
 public:
  NopSource() : SingleKindSource(OpKind::kNop) {}
  uint32_t prepare(uint32_t, io_uring_sqe& sqe, Resources&) override {
    io_uring_prep_nop(&sqe);
    return 0;
  }
  Judged judge(uint32_t, uint32_t, int32_t result, const OpResources*) override {
    return judged_if(result == 0, 0);
  }
};

class TimerSource final : public SingleKindSource {
 public:
  explicit TimerSource(std::chrono::nanoseconds duration)
      : SingleKindSource(OpKind::kTimer), duration_(duration) {}

  uint32_t prepare(uint32_t, io_uring_sqe& sqe, Resources& resources) override {
    prep_timer(sqe, resources, duration_);
    return 0;
  }
  Judged judge(uint32_t, uint32_t, int32_t result, const OpResources*) override {
    return judged_if(result == -ETIME, 0);
  }

 private:
  const std::chrono::nanoseconds duration_;
};

SharedFd open_or_throw(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) {
    throw WorkloadError((flags & O_DIRECT) ? "open(O_DIRECT)" : "open", errno, path);
  }
  return share_fd(fd);
}

// file-read and file-write: one block per op at a sequential or random block-aligned offset.
class FileSource final : public OpSource {
 public:
  FileSource(const FileSpec& spec, bool write, uint64_t seed, const SourceContext& context)
      : spec_(spec),
        write_(write),
        kinds_(!write                 ? std::vector<std::string>{"file-read"}
               : spec.fsync_every > 0 ? std::vector<std::string>{"file-write", "fsync"}
                                      : std::vector<std::string>{"file-write"}),
        fd_(open_or_throw(spec.path, (write ? O_RDWR : O_RDONLY) | (spec.direct ? O_DIRECT : 0))),
        blocks_(spec.size / spec.block_size),
        // Each thread starts its sequential pass at its own share of the file, as fio's jobs
        // each own an offset.
        cursor_(blocks_ * context.index / context.count),
        random_(seed ^ (0x5851f42d4c957f2dULL * (context.index + 1))),
        laid_out_(seed, kLaidOutGeneration),
        written_(seed, kWrittenGeneration),
        slot_block_(context.slots, 0),
        written_blocks_(write ? blocks_ : 0, false) {
    if (spec.fixed_buffers) {
      for (uint32_t slot = 0; slot < context.slots; ++slot) {
        slot_buffers_.emplace_back(spec.block_size);
      }
    }
    if (blocks_ == 0) {
      throw WorkloadError("file size", EINVAL, spec.path + " holds no whole block");
    }
  }

  const std::vector<std::string>& kinds() const override { return kinds_; }

  std::vector<int> files() const override { return {fd_->get()}; }
  void use_fixed_files(uint32_t first) override { fixed_index_ = first; }

  std::vector<iovec> buffers() const override {
    std::vector<iovec> all;
    for (const Buffer& buffer : slot_buffers_) {
      all.push_back(iovec{const_cast<std::byte*>(buffer.data()), buffer.size()});
    }
    return all;
  }
  void use_fixed_buffers(uint32_t first) override { first_buffer_ = first; }

  uint32_t prepare(uint32_t slot, io_uring_sqe& sqe, Resources& resources) override {
    const uint32_t kind = prepare_op(slot, sqe, resources);
    if (fixed_index_) {
      // The op keeps its fd handle in its resources all the same: the table holds its own
      // reference.
      sqe.fd = static_cast<int>(*fixed_index_);
      sqe.flags |= IOSQE_FIXED_FILE;
    }
    return kind;
  }

  Judged judge(uint32_t slot, uint32_t kind, int32_t result,
               const OpResources* resources) override {
    if (kind == kFsync) {
      return judged_if(result == 0, 0);
    }
    if (result != static_cast<int32_t>(spec_.block_size)) {
      return judged_if(false, result);
    }
    const uint64_t block = slot_block_[slot];
    Judged judged = judged_if(true, result);
    if (write_) {
      written_blocks_[block] = true;
    } else if (spec_.verify) {
      const uint64_t offset = block * spec_.block_size;
      const std::byte* data = first_buffer_ ? slot_buffers_[slot].data() : resources->buffer.data();
      // A block written during this run (a mix with writes) holds the written generation, or,
      // read while a write of it was in flight, some words of each: Linux does not make a read
      // and a write of the same page atomic with respect to each other.
      if (!laid_out_.matches(offset, data, spec_.block_size) &&
          !written_.matches(offset, data, spec_.block_size) &&
          !torn_between_generations(offset, data)) {
        judged.verdict = Verdict::kCorrupt;
      }
    }
    return judged;
  }

  // Whether every 8-byte word of the block is the laid-out or the written generation's word at
  // its offset. Data of another block, or garbage, is neither (each sector names its index).
  bool torn_between_generations(uint64_t offset, const std::byte* data) const {
    Buffer laid_out(spec_.block_size);
    Buffer written(spec_.block_size);
    laid_out_.fill(offset, laid_out.data(), spec_.block_size);
    written_.fill(offset, written.data(), spec_.block_size);
    for (size_t at = 0; at < spec_.block_size; at += sizeof(uint64_t)) {
      const size_t size = std::min(sizeof(uint64_t), spec_.block_size - at);
      if (std::memcmp(data + at, laid_out.data() + at, size) != 0 &&
          std::memcmp(data + at, written.data() + at, size) != 0) {
        return false;
      }
    }
    return true;
  }

  ReadBack read_back() override {
    ReadBack found;
    Buffer block(spec_.block_size);
    for (uint64_t index = 0; index < written_blocks_.size(); ++index) {
      if (!written_blocks_[index]) {
        continue;
      }
      const uint64_t offset = index * spec_.block_size;
      const ssize_t got =
          ::pread(fd_->get(), block.data(), spec_.block_size, static_cast<off_t>(offset));
      if (got < 0) {
        found.error = errno;
        return found;
      }
      ++found.blocks;
      if (got != static_cast<ssize_t>(spec_.block_size) ||
          !written_.matches(offset, block.data(), spec_.block_size)) {
        if (found.corrupt++ == 0) {
          found.first_corrupt_offset = static_cast<int64_t>(offset);
        }
      }
    }
    return found;
  }

 private:
  static constexpr uint32_t kData = 0;
  static constexpr uint32_t kFsync = 1;

  uint32_t prepare_op(uint32_t slot, io_uring_sqe& sqe, Resources& resources) {
    if (write_ && spec_.fsync_every > 0 && writes_since_fsync_ == spec_.fsync_every) {
      writes_since_fsync_ = 0;
      prep_fsync(sqe, resources, fd_);
      return kFsync;
    }
    const uint64_t block = spec_.random ? random_.below(blocks_) : cursor_++ % blocks_;
    slot_block_[slot] = block;
    const uint64_t offset = block * spec_.block_size;
    if (!write_) {
      if (first_buffer_) {
        prep_read_fixed(sqe, resources, fd_, slot_buffers_[slot], *first_buffer_ + slot,
                        spec_.block_size, offset);
      } else {
        prep_read(sqe, resources, fd_, spec_.block_size, offset);
      }
      return kData;
    }
    ++writes_since_fsync_;
    if (spec_.writev_buffers > 1) {
      const size_t each = spec_.block_size / spec_.writev_buffers;
      std::vector<Buffer>& buffers = vectored_for(resources, fd_, spec_.writev_buffers, each);
      for (size_t i = 0; i < buffers.size(); ++i) {
        written_.fill(offset + i * each, buffers[i].data(), each);
      }
      prep_writev(sqe, resources, fd_, offset);
    } else if (first_buffer_) {
      written_.fill(offset, slot_buffers_[slot].data(), spec_.block_size);
      prep_write_fixed(sqe, resources, fd_, slot_buffers_[slot], *first_buffer_ + slot,
                       spec_.block_size, offset);
    } else {
      written_.fill(offset, buffer_for(resources, fd_, spec_.block_size).data(), spec_.block_size);
      prep_write(sqe, resources, fd_, spec_.block_size, offset);
    }
    return kData;
  }

  const FileSpec spec_;
  const bool write_;
  const std::vector<std::string> kinds_;
  const SharedFd fd_;
  const uint64_t blocks_;
  uint64_t cursor_;
  Random random_;
  const Pattern laid_out_;
  const Pattern written_;
  std::vector<uint64_t> slot_block_;
  uint32_t writes_since_fsync_ = 0;
  std::vector<bool> written_blocks_;
  // Set by use_fixed_files(): the file's index in the ring's table.
  std::optional<uint32_t> fixed_index_;
  // With fixed buffers: one per slot, registered with the ring from index first_buffer_ (set by
  // use_fixed_buffers()); a slot's op reads into or writes from its own.
  std::vector<Buffer> slot_buffers_;
  std::optional<uint32_t> first_buffer_;
};

UniqueFd socket_or_throw(int domain, int type) {
  UniqueFd fd(::socket(domain, type | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    throw WorkloadError("socket", errno, "");
  }
  return fd;
}

struct SocketEnds {
  SharedFd sender;
  SharedFd receiver;
};

// A listening TCP socket on an ephemeral loopback port.
UniqueFd loopback_listener(uint32_t backlog) {
  UniqueFd listener = socket_or_throw(AF_INET, SOCK_STREAM);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listener.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    throw WorkloadError("bind", errno, "127.0.0.1");
  }
  if (::listen(listener.get(), static_cast<int>(backlog)) != 0) {
    throw WorkloadError("listen", errno, "127.0.0.1");
  }
  return listener;
}

// Two connected ends: a Unix socket pair, or a TCP connection over loopback through `listener`.
SocketEnds connected_pair(Transport transport, const UniqueFd& listener) {
  if (transport == Transport::kUnix) {
    int ends[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) {
      throw WorkloadError("socketpair", errno, "");
    }
    return {share_fd(ends[0]), share_fd(ends[1])};
  }
  sockaddr_in address{};
  socklen_t length = sizeof address;
  if (::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw WorkloadError("getsockname", errno, "");
  }
  UniqueFd client = socket_or_throw(AF_INET, SOCK_STREAM);
  if (::connect(client.get(), reinterpret_cast<sockaddr*>(&address), length) != 0) {
    throw WorkloadError("connect", errno, "127.0.0.1");
  }
  UniqueFd server(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (!server.valid()) {
    throw WorkloadError("accept", errno, "127.0.0.1");
  }
  // Each message is sent whole and waited for: Nagle's delay would only add latency.
  const int one = 1;
  ::setsockopt(client.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ::setsockopt(server.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return {share_fd(std::move(client)), share_fd(std::move(server))};
}

// socket: slot s owns connection s and alternates SEND of message k on one end with RECV of it
// on the other. One message at a time per connection keeps each byte stream in order, so every
// received message can be checked against the one sent; and a RECV is only issued once its SEND
// has completed, so no in-flight op ever waits on one still queued (the loop's liveness caveat).
//
// With receive streams (recv_buffers), the receiving end of each connection has one multishot
// RECV and a buffer ring of its own. The data of message k comes in chunks, each in a buffer the
// kernel picked; each chunk is checked at its place in the stream and its buffer given back at
// once, so a ring of a few small buffers still carries any message. When it runs dry the RECV
// ends with ENOBUFS and the driver arms it again: the bytes wait in the socket, none is lost.
class SocketSource final : public SingleKindSource {
 public:
  SocketSource(const SocketSpec& spec, uint64_t seed, const SourceContext& context)
      : SingleKindSource(OpKind::kSocket),
        spec_(spec),
        seed_(seed ^ (uint64_t{context.index} << 32)) {
    UniqueFd listener;
    if (spec.transport == Transport::kTcp) {
      listener = loopback_listener(context.slots);
    }
    for (uint32_t slot = 0; slot < context.slots; ++slot) {
      SocketEnds ends = connected_pair(spec.transport, listener);
      connections_.push_back(Connection{std::move(ends), Pattern(seed_ + slot, 0)});
      if (streams()) {
        connections_.back().buffers =
            std::make_unique<BufferRing>(spec.recv_buffers, spec.recv_buffer_size);
      }
    }
  }

  uint32_t prepare(uint32_t slot, io_uring_sqe& sqe, Resources& resources) override {
    Connection& connection = connections_[slot];
    const size_t size = spec_.message_size;
    if (connection.awaiting_receipt) {
      // Cleared first: a RECV that wrote nothing must not find the sent message still there
      // (a slot sends and receives through the same buffer).
      std::memset(buffer_for(resources, connection.ends.receiver, size).data(), 0, size);
      prep_recv(sqe, resources, connection.ends.receiver, size);
    } else {
      connection.message.fill(connection.sequence * size,
                              buffer_for(resources, connection.ends.sender, size).data(), size);
      if (spec_.send_zc) {
        prep_send_zc(sqe, resources, connection.ends.sender, size, report_usage_);
      } else {
        prep_send(sqe, resources, connection.ends.sender, size);
      }
    }
    return 0;
  }

  Judged judge(uint32_t slot, uint32_t, int32_t result, const OpResources* resources) override {
    Connection& connection = connections_[slot];
    const size_t size = spec_.message_size;
    const bool whole = result == static_cast<int32_t>(size);
    if (!connection.awaiting_receipt) {
      connection.awaiting_receipt = whole;  // a failed SEND is sent again
      return judged_if(whole, result);
    }
    if (result == -ETIMEDOUT) {
      return judged_if(false, result);  // the message is still on its way: receive it again
    }
    connection.awaiting_receipt = false;
    const uint64_t offset = connection.sequence++ * size;
    Judged judged = judged_if(whole, result);
    const bool intact = streams()
                            ? !std::exchange(connection.corrupt, false)
                            : connection.message.matches(offset, resources->buffer.data(), size);
    connection.arrived = 0;
    if (whole && !intact) {
      judged.verdict = Verdict::kCorrupt;
    }
    return judged;
  }

  bool has_streams() const override { return streams(); }

  std::vector<BufferRingRegistration> buffer_rings() const override {
    std::vector<BufferRingRegistration> rings;
    for (const Connection& connection : connections_) {
      if (connection.buffers) {
        rings.push_back(
            connection.buffers->registration(static_cast<uint16_t>(first_group_ + rings.size())));
      }
    }
    return rings;
  }
  void use_buffer_groups(uint16_t first) override { first_group_ = first; }

  void prepare_stream(uint32_t slot, io_uring_sqe& sqe, Resources& resources) override {
    const SharedFd& receiver = connections_[slot].ends.receiver;
    resources_of(resources).fd = receiver;
    io_uring_prep_recv_multishot(&sqe, receiver->get(), nullptr, 0, 0);
    sqe.flags |= IOSQE_BUFFER_SELECT;
    sqe.buf_group = static_cast<uint16_t>(first_group_ + slot);
  }

  bool awaits_stream(uint32_t slot) const override {
    return streams() && connections_[slot].awaiting_receipt;
  }

  std::optional<int32_t> receipt(uint32_t slot) const override {
    const Connection& connection = connections_[slot];
    if (connection.failure) {
      return connection.failure;
    }
    if (connection.arrived >= spec_.message_size) {
      return static_cast<int32_t>(connection.arrived);
    }
    return std::nullopt;
  }

  StreamNext stream_result(uint32_t slot, int32_t result, uint32_t flags, bool more) override {
    Connection& connection = connections_[slot];
    if (result > 0) {
      check_invariant((flags & IORING_CQE_F_BUFFER) != 0,
                      "a multishot RECV's data CQE without the buffer it used");
      const auto id = static_cast<uint16_t>(flags >> IORING_CQE_BUFFER_SHIFT);
      const uint64_t offset = connection.sequence * spec_.message_size + connection.arrived;
      // Bytes past the message would belong to one not sent yet: the stream is wrong.
      connection.corrupt |=
          connection.arrived + static_cast<uint32_t>(result) > spec_.message_size ||
          !connection.message.matches(offset, connection.buffers->data(id),
                                      static_cast<size_t>(result));
      connection.arrived += static_cast<uint32_t>(result);
      connection.buffers->give_back(id);
    }
    if (more) {
      return StreamNext::kGoesOn;
    }
    // Data without F_MORE: the kernel stopped the RECV as it posted it (a full CQ can do that).
    if (result > 0 || result == -ENOBUFS) {
      return StreamNext::kRearm;
    }
    if (result == 0 && ending_) {
      return StreamNext::kEnded;
    }
    connection.failure = result;  // 0: the peer closed mid-run
    return StreamNext::kFailed;
  }

  void end_streams() override {
    ending_ = true;
    for (Connection& connection : connections_) {
      ::shutdown(connection.ends.sender->get(), SHUT_WR);
    }
  }

 private:
  struct Connection {
    SocketEnds ends;
    Pattern message;  // message k is bytes [k * size, (k + 1) * size) of this stream
    uint64_t sequence = 0;
    bool awaiting_receipt = false;
    // Receive streams: the connection's buffer ring, the bytes of message `sequence` arrived so
    // far, whether any of them was not what was sent, and how the stream failed, if it did.
    std::unique_ptr<BufferRing> buffers;
    uint32_t arrived = 0;
    bool corrupt = false;
    std::optional<int32_t> failure;
  };

  bool streams() const { return spec_.recv_buffers > 0; }

  const SocketSpec spec_;
  const uint64_t seed_;
  // Zero-copy sends ask whether the kernel copied after all, where it can tell (6.2+).
  const bool report_usage_ = spec_.send_zc && send_zc_reports_usage();
  std::vector<Connection> connections_;
  uint16_t first_group_ = 0;
  bool ending_ = false;
};

// stall: RECV on a socket whose peer never sends; only an op timeout (or shutdown) ends it.
class StallSource final : public SingleKindSource {
 public:
  StallSource() : SingleKindSource(OpKind::kStall) {
    SocketEnds ends = connected_pair(Transport::kUnix, UniqueFd());
    idle_ = std::move(ends.receiver);
    // Kept open: a closed peer would end the RECV with 0 (end of stream).
    silent_peer_ = std::move(ends.sender);
  }

  uint32_t prepare(uint32_t, io_uring_sqe& sqe, Resources& resources) override {
    prep_recv(sqe, resources, idle_, 1);
    return 0;
  }
  // The only normal end of an op that never completes is its timeout.
  Judged judge(uint32_t, uint32_t, int32_t result, const OpResources*) override {
    return judged_if(result == -ETIMEDOUT, 0);
  }

 private:
  SharedFd idle_;
  SharedFd silent_peer_;
};

std::unique_ptr<OpSource> make_single(OpKind kind, const WorkloadSpec& spec,
                                      const SourceContext& context) {
  switch (kind) {
    case OpKind::kNop:
      return std::make_unique<NopSource>();
    case OpKind::kTimer:
      return std::make_unique<TimerSource>(spec.timer);
    case OpKind::kFileRead:
    case OpKind::kFileWrite:
      return std::make_unique<FileSource>(spec.file, kind == OpKind::kFileWrite, spec.seed,
                                          context);
    case OpKind::kSocket:
      return std::make_unique<SocketSource>(spec.socket, spec.seed, context);
    case OpKind::kStall:
      return std::make_unique<StallSource>();
  }
  return nullptr;
}

// mix: each op comes from one of several sources, chosen by weight. Kinds are the sources'
// kinds in order; each slot remembers which source made its op so that source judges it.
class MixSource final : public OpSource {
 public:
  MixSource(const WorkloadSpec& spec, const SourceContext& context)
      : random_(spec.seed ^ 0x2545f4914f6cdd1d ^ context.index), slot_part_(context.slots, 0) {
    for (const MixEntry& entry : spec.mix) {
      Part part{make_single(entry.op, spec, context), static_cast<uint32_t>(kinds_.size()),
                total_weight_ += entry.weight};
      kinds_.insert(kinds_.end(), part.source->kinds().begin(), part.source->kinds().end());
      parts_.push_back(std::move(part));
    }
  }

  const std::vector<std::string>& kinds() const override { return kinds_; }

  uint32_t prepare(uint32_t slot, io_uring_sqe& sqe, Resources& resources) override {
    const uint64_t pick = random_.below(total_weight_);
    uint32_t index = 0;
    while (pick >= parts_[index].weight_below) {
      ++index;
    }
    slot_part_[slot] = index;
    Part& part = parts_[index];
    return part.first_kind + part.source->prepare(slot, sqe, resources);
  }

  Judged judge(uint32_t slot, uint32_t kind, int32_t result,
               const OpResources* resources) override {
    Part& part = parts_[slot_part_[slot]];
    return part.source->judge(slot, kind - part.first_kind, result, resources);
  }

  std::vector<int> files() const override { return every_part(&OpSource::files); }
  void use_fixed_files(uint32_t first) override {
    number_parts(first, &OpSource::use_fixed_files, &OpSource::files);
  }
  std::vector<iovec> buffers() const override { return every_part(&OpSource::buffers); }
  void use_fixed_buffers(uint32_t first) override {
    number_parts(first, &OpSource::use_fixed_buffers, &OpSource::buffers);
  }

  ReadBack read_back() override {
    ReadBack total;
    for (Part& part : parts_) {
      const ReadBack found = part.source->read_back();
      if (total.first_corrupt_offset < 0) {
        total.first_corrupt_offset = found.first_corrupt_offset;
      }
      total.blocks += found.blocks;
      total.corrupt += found.corrupt;
      total.error = total.error != 0 ? total.error : found.error;
    }
    return total;
  }

 private:
  // Each part's files() or buffers(), in turn.
  template <typename T>
  std::vector<T> every_part(std::vector<T> (OpSource::*list)() const) const {
    std::vector<T> all;
    for (const Part& part : parts_) {
      const std::vector<T> items = ((*part.source).*list)();
      all.insert(all.end(), items.begin(), items.end());
    }
    return all;
  }

  // Tells each part the index of its first file or buffer, the parts' following on.
  template <typename T>
  void number_parts(uint32_t first, void (OpSource::*use)(uint32_t),
                    std::vector<T> (OpSource::*list)() const) {
    for (Part& part : parts_) {
      ((*part.source).*use)(first);
      first += static_cast<uint32_t>(((*part.source).*list)().size());
    }
  }

  struct Part {
    std::unique_ptr<OpSource> source;
    uint32_t first_kind;
    uint64_t weight_below;  // cumulative weight up to and including this part
  };

  Random random_;
  std::vector<Part> parts_;
  std::vector<std::string> kinds_;
  uint64_t total_weight_ = 0;
  std::vector<uint32_t> slot_part_;
};

}  // namespace

std::unique_ptr<OpSource> make_op_source(const WorkloadSpec& spec, const SourceContext& context) {
  if (!spec.mix.empty()) {
    // A mix issues each slot's ops from any part, so a connection has no stream of its own.
    check_invariant(spec.socket.recv_buffers == 0, "receive streams in a mix");
    return std::make_unique<MixSource>(spec, context);
  }
  return make_single(spec.op, spec, context);
}

const char* op_kind_name(OpKind kind) {
  switch (kind) {
#define IOB_NAME_CASE(enumerator, name) \
  case OpKind::enumerator:              \
    return name;
    IOB_OP_KINDS(IOB_NAME_CASE)
#undef IOB_NAME_CASE
  }
  return "unknown";
}

std::optional<OpKind> op_kind_from_name(std::string_view name) {
#define IOB_MATCH(enumerator, kind_name) \
  if (name == kind_name) return OpKind::enumerator;
  IOB_OP_KINDS(IOB_MATCH)
#undef IOB_MATCH
  return std::nullopt;
}

}  // namespace iob
