#include "loop/loop_thread.h"

#include <system_error>

namespace iob {

std::optional<LoopError> LoopThread::start(std::optional<LoopThread>& slot, LoopConfig config,
                                           ExitFn on_exit) {
  std::optional<std::pair<Submitter, std::unique_ptr<Loop>>> created;
  try {
    created.emplace(Loop::create(std::move(config)));
  } catch (const std::system_error& error) {
    // Out of descriptors or memory: a limit of this machine, reported like a refused ring.
    return LoopError{"eventfd", error.code().value(), "creating the loop's wake source"};
  }
  try {
    slot.emplace(std::move(*created), std::move(on_exit));
  } catch (const std::system_error&) {
    // The loop never ran: dropping the handle and the loop is all there is to undo.
    return resource_error(std::current_exception(), "the loop's thread");
  }
  if (auto error = slot->wait_until_running()) {
    slot->stop();
    return error;
  }
  return std::nullopt;
}

LoopThread::LoopThread(LoopConfig config, ExitFn on_exit)
    : LoopThread(Loop::create(std::move(config)), std::move(on_exit)) {}

LoopThread::LoopThread(std::pair<Submitter, std::unique_ptr<Loop>> created, ExitFn on_exit)
    : submitter_(std::move(created.first)),
      running_(std::make_shared<Running>(Running{std::move(created.second), std::nullopt})),
      loop_(running_->loop.get()),
      thread_([running = running_, on_exit = std::move(on_exit)] {
        running->exit = running->loop->run();
        if (on_exit) {
          on_exit(running->exit);
        }
      }) {}

LoopThread::~LoopThread() {
  if (thread_.joinable()) {
    stop();
  }
}

std::optional<LoopError> LoopThread::stop() {
  submitter_.reset();
  if (thread_.joinable()) {
    thread_.join();
  }
  return running_->exit;
}

void LoopThread::leave_running() {
  submitter_.reset();
  thread_.detach();
}

}  // namespace iob
