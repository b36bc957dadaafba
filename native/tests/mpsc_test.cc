// The bounded MPSC channel between submitters and the loop.
#include <atomic>
#include <map>
#include <set>
#include <span>
#include <vector>

#include "helpers.h"

namespace iob {
namespace {

TEST(BoundedMpsc, KeepsFifoOrderAndReportsFull) {
  BoundedMpsc<int> queue(4);
  for (int i = 0; i < 4; ++i) {
    int value = i;
    ASSERT_EQ(queue.try_push(value), BoundedMpsc<int>::Push::kOk);
  }
  int extra = 99;
  EXPECT_FALSE(queue.has_space_or_closed());
  EXPECT_EQ(queue.try_push(extra), BoundedMpsc<int>::Push::kFull);
  EXPECT_EQ(extra, 99);  // left untouched
  int out = -1;
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(queue.try_pop(out));
    EXPECT_EQ(out, i);
  }
  EXPECT_FALSE(queue.try_pop(out));
  EXPECT_TRUE(queue.has_space_or_closed());
}

// A loop of size 1 has a queue of one cell. Found by the exactly-once property test: with whole
// sequence steps the second push overwrote the first op, which then never ended.
TEST(BoundedMpsc, ACapacityOfOneRefusesASecondPushUntilThePop) {
  BoundedMpsc<int> queue(1);
  int first = 1, second = 2;
  ASSERT_EQ(queue.try_push(first), BoundedMpsc<int>::Push::kOk);
  EXPECT_FALSE(queue.has_space_or_closed());
  EXPECT_EQ(queue.try_push(second), BoundedMpsc<int>::Push::kFull);
  int out = 0;
  ASSERT_TRUE(queue.try_pop(out));
  EXPECT_EQ(out, 1);
  EXPECT_FALSE(queue.try_pop(out));
  ASSERT_EQ(queue.try_push(second), BoundedMpsc<int>::Push::kOk);
  ASSERT_TRUE(queue.try_pop(out));
  EXPECT_EQ(out, 2);
}

// The loop stages an op straight from its cell: the cell stays the consumer's until `use`
// returns, so no producer can overwrite the value while it is being read.
TEST(BoundedMpsc, PopWithUsesTheValueInItsCellAndFreesTheCellAfter) {
  BoundedMpsc<int> queue(1);
  int value = 5;
  ASSERT_EQ(queue.try_push(value), BoundedMpsc<int>::Push::kOk);
  int used = 0;
  ASSERT_TRUE(queue.try_pop_with([&](int& in_cell) {
    used = in_cell;
    EXPECT_FALSE(queue.has_space_or_closed());
  }));
  EXPECT_EQ(used, 5);
  EXPECT_TRUE(queue.has_space_or_closed());
  EXPECT_FALSE(queue.try_pop_with([&](int&) { ADD_FAILURE() << "popped an empty queue"; }));
}

TEST(BoundedMpsc, CloseHandsBackEveryClaimedValueAndRefusesLaterPushes) {
  BoundedMpsc<int> queue(8);
  for (int i = 0; i < 5; ++i) {
    int value = i;
    queue.try_push(value);
  }
  std::vector<int> taken;
  queue.close_receiver([&](int&& value) { taken.push_back(value); });
  EXPECT_EQ(taken, (std::vector<int>{0, 1, 2, 3, 4}));
  int late = 7;
  EXPECT_EQ(queue.try_push(late), BoundedMpsc<int>::Push::kClosed);
  EXPECT_TRUE(queue.receiver_closed());
  EXPECT_TRUE(queue.has_space_or_closed());
}

using Pushed = BoundedMpsc<int>::Pushed;

// A burst is claimed in one CAS, but only as far as cells are free: the rest stay with the
// caller, untouched, for its next try once the loop has drained.
TEST(BoundedMpsc, PushNTakesOnlyTheFreeCellsAtTheCapacityEdge) {
  BoundedMpsc<int> queue(4);
  std::vector<int> first{0, 1, 2};
  Pushed pushed = queue.try_push_n(std::span<int>(first));
  ASSERT_EQ(pushed.result, BoundedMpsc<int>::Push::kOk);
  EXPECT_EQ(pushed.count, 3u);
  std::vector<int> burst{10, 11, 12};
  pushed = queue.try_push_n(std::span<int>(burst));
  ASSERT_EQ(pushed.result, BoundedMpsc<int>::Push::kOk);
  EXPECT_EQ(pushed.count, 1u);
  pushed = queue.try_push_n(std::span<int>(burst).subspan(1));
  EXPECT_EQ(pushed.result, BoundedMpsc<int>::Push::kFull);
  EXPECT_EQ(pushed.count, 0u);
  EXPECT_EQ(burst[1], 11);
  EXPECT_EQ(burst[2], 12);
  int out = -1;
  for (int expected : {0, 1, 2, 10}) {
    ASSERT_TRUE(queue.try_pop(out));
    EXPECT_EQ(out, expected);
  }
  pushed = queue.try_push_n(std::span<int>(burst).subspan(1));
  EXPECT_EQ(pushed.count, 2u);
  for (int expected : {11, 12}) {
    ASSERT_TRUE(queue.try_pop(out));
    EXPECT_EQ(out, expected);
  }
  EXPECT_FALSE(queue.try_pop(out));
}

// With one cell the free run is one long: the cell after it is the same cell, not yet popped.
TEST(BoundedMpsc, PushNOnACapacityOfOneTakesOneAtATime) {
  BoundedMpsc<int> queue(1);
  std::vector<int> burst{1, 2};
  Pushed pushed = queue.try_push_n(std::span<int>(burst));
  ASSERT_EQ(pushed.result, BoundedMpsc<int>::Push::kOk);
  EXPECT_EQ(pushed.count, 1u);
  EXPECT_EQ(queue.try_push_n(std::span<int>(burst).subspan(1)).result,
            BoundedMpsc<int>::Push::kFull);
  int out = 0;
  ASSERT_TRUE(queue.try_pop(out));
  EXPECT_EQ(out, 1);
  EXPECT_EQ(queue.try_push_n(std::span<int>(burst).subspan(1)).count, 1u);
  ASSERT_TRUE(queue.try_pop(out));
  EXPECT_EQ(out, 2);
  EXPECT_FALSE(queue.try_pop(out));
}

// A value whose move into a cell waits for a go: it holds a producer between its claim and
// its writes.
struct HeldMove {
  struct Gate {
    std::atomic<bool> writing{false};
    std::atomic<bool> go{false};
  };
  int value = 0;
  Gate* gate = nullptr;

  HeldMove() = default;
  HeldMove(int v, Gate* g) : value(v), gate(g) {}
  HeldMove(HeldMove&& other) noexcept : value(other.value) {}
  HeldMove& operator=(HeldMove&& other) noexcept {
    if (other.gate != nullptr) {
      other.gate->writing.store(true);
      while (!other.gate->go.load()) {
        std::this_thread::yield();
      }
    }
    value = other.value;
    gate = nullptr;
    return *this;
  }
};

// The receiver closes while a producer has claimed a burst and not written it yet: the close
// waits for the claimed cells and hands back every value of the burst.
TEST(BoundedMpsc, CloseWhileABurstIsClaimedHandsBackAllOfIt) {
  BoundedMpsc<HeldMove> queue(4);
  HeldMove::Gate gate;
  std::vector<HeldMove> burst;
  burst.reserve(2);  // no reallocation: it would move the gate away
  burst.emplace_back(1, &gate);
  burst.emplace_back(2, nullptr);
  BoundedMpsc<HeldMove>::Pushed pushed{BoundedMpsc<HeldMove>::Push::kFull, 0};
  std::thread producer([&] { pushed = queue.try_push_n(std::span<HeldMove>(burst)); });
  while (!gate.writing.load()) {
    std::this_thread::yield();
  }
  std::vector<int> taken;
  std::thread receiver(
      [&] { queue.close_receiver([&](HeldMove&& value) { taken.push_back(value.value); }); });
  while (!queue.receiver_closed()) {
    std::this_thread::yield();
  }
  gate.go.store(true);
  producer.join();
  receiver.join();
  EXPECT_EQ(pushed.result, BoundedMpsc<HeldMove>::Push::kOk);
  EXPECT_EQ(pushed.count, 2u);
  EXPECT_EQ(taken, (std::vector<int>{1, 2}));
  HeldMove late(3, nullptr);
  EXPECT_EQ(queue.try_push_n(std::span<HeldMove>(&late, 1)).result,
            BoundedMpsc<HeldMove>::Push::kClosed);
}

// Producers push bursts while the consumer pops, then closes: every value a producer was told
// it pushed comes out exactly once, popped or handed back by the close, in its producer's
// order; none it was refused does.
TEST(BoundedMpsc, BurstsRacingAPopAndACloseLoseAndDuplicateNothing) {
  BoundedMpsc<int> queue(16);
  constexpr int kProducers = 3;
  constexpr size_t kBurst = 5;
  const int kPerProducer = scaled_count(20000);
  std::vector<int> accepted(kProducers, 0);
  std::atomic<bool> stop{false};
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      std::vector<int> burst(kBurst);
      int next = 0;
      while (next < kPerProducer && !stop.load(std::memory_order_relaxed)) {
        const size_t n = std::min<size_t>(kBurst, kPerProducer - next);
        for (size_t i = 0; i < n; ++i) {
          burst[i] = p * kPerProducer + next + static_cast<int>(i);
        }
        const Pushed pushed = queue.try_push_n(std::span<int>(burst.data(), n));
        if (pushed.result == BoundedMpsc<int>::Push::kClosed) {
          break;
        }
        next += static_cast<int>(pushed.count);
        if (pushed.result == BoundedMpsc<int>::Push::kFull) {
          std::this_thread::yield();
        }
      }
      accepted[p] = next;
    });
  }
  std::map<int, int> last_of;  // producer -> last value seen from it
  int seen = 0;
  auto see = [&](int value) {
    const int producer = value / kPerProducer;
    const auto last = last_of.find(producer);
    EXPECT_EQ(value, last == last_of.end() ? producer * kPerProducer : last->second + 1);
    last_of[producer] = value;
    ++seen;
  };
  int value = 0;
  while (seen < kProducers * kPerProducer / 2) {
    if (queue.try_pop(value)) {
      see(value);
    }
  }
  queue.close_receiver([&](int&& closed_value) { see(closed_value); });
  stop.store(true);
  for (auto& producer : producers) {
    producer.join();
  }
  int total = 0;
  for (int p = 0; p < kProducers; ++p) {
    total += accepted[p];
    const auto last = last_of.find(p);
    EXPECT_EQ(last == last_of.end() ? 0 : last->second - p * kPerProducer + 1, accepted[p]);
  }
  EXPECT_EQ(seen, total);
}

TEST(BoundedMpsc, ManyProducersLoseAndDuplicateNothing) {
  BoundedMpsc<int> queue(64);
  constexpr int kProducers = 4;
  const int kPerProducer = scaled_count(20000);
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) {
        int value = p * kPerProducer + i;
        while (queue.try_push(value) != BoundedMpsc<int>::Push::kOk) {
          std::this_thread::yield();
        }
      }
    });
  }
  std::set<int> seen;
  int value = 0;
  while (seen.size() < static_cast<size_t>(kProducers * kPerProducer)) {
    if (queue.try_pop(value)) {
      EXPECT_TRUE(seen.insert(value).second) << "duplicate " << value;
    }
  }
  for (auto& producer : producers) {
    producer.join();
  }
  EXPECT_FALSE(queue.try_pop(value));
}

}  // namespace
}  // namespace iob
