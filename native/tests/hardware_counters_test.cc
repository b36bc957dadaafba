// HardwareCounters counts instructions and cycles of the calling thread and the threads it starts
// afterwards, or says why the CPU gives none (a VM without a PMU, as on the CI machine).
#include "harness/hardware_counters.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <thread>

namespace iob {
namespace {

// Work the compiler cannot drop: about `rounds` multiply-adds.
uint64_t busy(uint64_t rounds) {
  volatile uint64_t value = 1;
  for (uint64_t i = 0; i < rounds; ++i) {
    value = value * 6364136223846793005ULL + 1442695040888963407ULL;
  }
  return value;
}

TEST(HardwareCounters, CountsAStartedThreadOrSaysWhyNot) {
  const HardwareCounters counters;
  if (counters.error() != 0) {
    // The reasons a kernel gives: no such event here, or not allowed.
    EXPECT_TRUE(counters.error() == ENOENT || counters.error() == EOPNOTSUPP ||
                counters.error() == ENODEV || counters.error() == EACCES ||
                counters.error() == EPERM)
        << "perf_event_open errno " << counters.error();
    EXPECT_FALSE(counters.read().has_value());
    GTEST_SKIP() << "no hardware counters here (errno " << counters.error() << ")";
  }
  busy(1'000'000);
  const auto alone = counters.read();
  ASSERT_TRUE(alone.has_value());
  EXPECT_GT(alone->instructions, 1'000'000u);
  EXPECT_GT(alone->cycles, 0u);
  // A thread started afterwards adds its count once it is joined (inherit).
  std::thread worker([] { busy(10'000'000); });
  worker.join();
  const auto with_thread = counters.read();
  ASSERT_TRUE(with_thread.has_value());
  EXPECT_GT(with_thread->instructions, alone->instructions + 10'000'000u);
}

}  // namespace
}  // namespace iob
