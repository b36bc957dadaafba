// The waiter store (contract point 2), and the seed's waiter tests.
#include <unistd.h>

#include <cstring>

#include "helpers.h"

namespace iob {
namespace {

// Stands for the op's requester: the store keeps a pointer to it and never calls it.
OneShot sink;

uint64_t insert_with_buffer(Waiters& waiters, const char* text) {
  Resources resources;
  Buffer& buffer = resources_of(resources).buffer;
  buffer = Buffer(std::strlen(text));
  std::memcpy(buffer.data(), text, std::strlen(text));
  return waiters.insert(&sink, 0, std::move(resources), 0, false);
}

uint64_t insert_empty(Waiters& waiters) { return waiters.insert(&sink, 0, nullptr, 0, false); }

std::string text_of(const Buffer& buffer) {
  return std::string(reinterpret_cast<const char*>(buffer.data()), buffer.size());
}

TEST(Waiters, InsertRemoveAndLifoReuse) {
  Waiters waiters(3);
  EXPECT_EQ(waiters.size(), 0u);
  EXPECT_TRUE(waiters.empty());

  const uint64_t index0 = insert_with_buffer(waiters, "hello");
  const uint64_t index1 = insert_with_buffer(waiters, "world");
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
  const uint64_t index2 = insert_empty(waiters);
  EXPECT_EQ(index2, index1);

  waiters.remove(index0);
  waiters.remove(index2);
  EXPECT_TRUE(waiters.empty());
}

TEST(Waiters, ReleaseFreesTheSlotInPlaceAndWhatTheCallerLeftInIt) {
  Waiters waiters(2);
  // The op's fd handle: the caller takes nothing from the waiter, so release must drop it.
  const SharedFd fd = share_fd(UniqueFd(::dup(0)));
  Resources resources;
  resources_of(resources).fd = fd;
  const uint64_t slot = waiters.insert(&sink, 7, std::move(resources), 0, false);
  EXPECT_EQ(fd.use_count(), 2);
  waiters.release(slot);
  EXPECT_EQ(fd.use_count(), 1);
  EXPECT_TRUE(waiters.empty());
}

TEST(Waiters, ASlotsNextOccupantStartsClean) {
  Waiters waiters(1);
  const uint64_t slot = waiters.insert(&sink, 1, nullptr, 5, true);
  waiters.get(slot).first_result = 42;  // a zero-copy send's first CQE came
  waiters.release(slot);

  ASSERT_EQ(waiters.insert(&sink, 2, nullptr, 9, false), slot);
  const Waiter& next = waiters.get(slot);
  EXPECT_EQ(next.cookie, 2u);
  EXPECT_EQ(next.staged_ns, 9);
  EXPECT_FALSE(next.first_result.has_value());
  EXPECT_FALSE(next.multishot);
}

TEST(Waiters, SlotIndicesNeverReachReservedUserData) {
  Waiters waiters(kMaxRingEntries);
  uint64_t highest = 0;
  for (uint32_t i = 0; i < kMaxRingEntries; ++i) {
    highest = std::max(highest, insert_empty(waiters));
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

TEST(WaitersDeathTest, ReleasingAFreeSlotIsCaught) {
  Waiters waiters(2);
  waiters.release(insert_empty(waiters));
  EXPECT_DEATH(waiters.release(0), "missing waiter");
}

TEST(WaitersDeathTest, InsertingPastCapacityIsCaught) {
  Waiters waiters(1);
  insert_empty(waiters);
  EXPECT_DEATH(insert_empty(waiters), "waiters should not exceed configured capacity");
}

}  // namespace
}  // namespace iob
