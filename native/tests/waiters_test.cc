// The waiter store (contract point 2), and the seed's waiter tests.
#include <cstring>

#include "helpers.h"

namespace iob {
namespace {

Waiter waiter_with_buffer(const char* text) {
  Waiter waiter;
  Buffer& buffer = resources_of(waiter.resources).buffer;
  buffer = Buffer(std::strlen(text));
  std::memcpy(buffer.data(), text, std::strlen(text));
  return waiter;
}

std::string text_of(const Buffer& buffer) {
  return std::string(reinterpret_cast<const char*>(buffer.data()), buffer.size());
}

TEST(Waiters, InsertRemoveAndLifoReuse) {
  Waiters waiters(3);
  EXPECT_EQ(waiters.size(), 0u);
  EXPECT_TRUE(waiters.empty());

  const uint64_t index0 = waiters.insert(waiter_with_buffer("hello"));
  const uint64_t index1 = waiters.insert(waiter_with_buffer("world"));
  EXPECT_EQ(index0, 0u);
  EXPECT_EQ(index1, 1u);
  EXPECT_EQ(waiters.size(), 2u);
  EXPECT_FALSE(waiters.empty());

  EXPECT_EQ(text_of(waiters.get(index0).resources->buffer), "hello");

  // Removing the newest slot gives back that waiter...
  Waiter removed = waiters.remove(index1);
  EXPECT_EQ(text_of(removed.resources->buffer), "world");
  EXPECT_EQ(waiters.size(), 1u);

  // ...and the next insert reuses that slot (LIFO).
  const uint64_t index2 = waiters.insert(Waiter{});
  EXPECT_EQ(index2, index1);

  waiters.remove(index0);
  waiters.remove(index2);
  EXPECT_TRUE(waiters.empty());
}

TEST(Waiters, SlotIndicesNeverReachReservedUserData) {
  Waiters waiters(kMaxRingEntries);
  uint64_t highest = 0;
  for (uint32_t i = 0; i < kMaxRingEntries; ++i) {
    highest = std::max(highest, waiters.insert(Waiter{}));
  }
  EXPECT_EQ(highest, kMaxRingEntries - 1);
  EXPECT_LT(highest, kWakeUserData);
  EXPECT_LT(highest, kTimeoutUserData);
  EXPECT_NE(kWakeUserData, kTimeoutUserData);
}

TEST(WaitersDeathTest, RemovingAMissingSlotIsCaught) {
  Waiters waiters(1);
  EXPECT_DEATH(waiters.remove(0), "missing waiter");
}

TEST(WaitersDeathTest, RemovingAnOutOfRangeSlotIsCaught) {
  Waiters waiters(1);
  EXPECT_DEATH(waiters.remove(5), "missing waiter");
}

TEST(WaitersDeathTest, InsertingPastCapacityIsCaught) {
  Waiters waiters(1);
  waiters.insert(Waiter{});
  EXPECT_DEATH(waiters.insert(Waiter{}), "waiters should not exceed configured capacity");
}

}  // namespace
}  // namespace iob
