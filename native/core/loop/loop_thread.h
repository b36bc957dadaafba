// A loop running on a thread of its own: the one way the harness (bench, shutdown drill,
// liveness) and the tests run a loop.
//
//   std::optional<LoopThread> running;
//   if (auto error = LoopThread::start(running, config)) { ... }  // no eventfd, thread or ring
//   ... copies of running->submitter() send ops from any thread ...
//   running->stop();  // drops the first handle: the loop drains and exits; joins; its error
//
// The thread shares ownership of the loop, so a caller that gives up on a loop that never ends
// (a drill's hung round) may leave it running and still destroy this object.
#pragma once

#include <pthread.h>

#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <utility>

#include "loop/loop.h"

namespace iob {

class LoopThread {
 public:
  // Called on the loop's thread once run() has returned, with its result: for what must be
  // measured on that thread (its CPU time) or signalled the moment the loop is gone.
  using ExitFn = std::function<void(const std::optional<LoopError>&)>;

  // Starts a LoopThread in `slot` and waits until its ring exists. Returns why it could not: the
  // eventfd or the thread could not be made (a limit of this process, slot left empty), or the
  // ring was refused (the thread is joined; `slot` keeps the loop, its counters and ring flags).
  static std::optional<LoopError> start(std::optional<LoopThread>& slot, LoopConfig config,
                                        ExitFn on_exit = {});

  // Creates the loop and starts running it without waiting for its ring. Throws std::system_error
  // when the eventfd or the thread cannot be made.
  explicit LoopThread(LoopConfig config, ExitFn on_exit = {});
  // Runs a loop made by Loop::create. Throws std::system_error when the thread cannot be made.
  LoopThread(std::pair<Submitter, std::unique_ptr<Loop>> created, ExitFn on_exit = {});
  // Stops the loop and joins its thread, unless that was done or it was left running.
  ~LoopThread();
  LoopThread(const LoopThread&) = delete;
  LoopThread& operator=(const LoopThread&) = delete;

  // Blocks until the loop has created its ring; the error if it could not.
  std::optional<LoopError> wait_until_running() { return loop_->wait_until_started(); }

  // The first handle; valid until release_submitter(), stop() or leave_running().
  Submitter& submitter() { return *submitter_; }
  Loop& loop() { return *loop_; }
  const Loop& loop() const { return *loop_; }
  pthread_t native_handle() { return thread_.native_handle(); }

  // Drops the first handle: once every copy is gone too, the loop drains and exits.
  void release_submitter() { submitter_.reset(); }
  // Drops the first handle, waits for the loop to exit and returns its error, if any.
  std::optional<LoopError> stop();
  // Drops the first handle and lets a loop that does not end run on by itself; the thread keeps
  // the loop alive until it exits.
  void leave_running();

 private:
  // Owned jointly with the thread, which writes `exit` as run() returns.
  struct Running {
    std::unique_ptr<Loop> loop;
    std::optional<LoopError> exit;
  };

  std::optional<Submitter> submitter_;
  std::shared_ptr<Running> running_;
  Loop* loop_;
  std::thread thread_;
};

}  // namespace iob
