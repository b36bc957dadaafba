// The cache line size the hot path's shared state is laid out by.
//
// Data written by different threads on the hot path (the MPSC queue's producer and consumer
// positions, the waker word, the loop's counters) starts a line of its own, so one thread's
// stores never invalidate a line another thread keeps writing (false sharing).
#pragma once

#include <cstddef>

namespace iob {

// 64 bytes on x86-64 and on the arm64 cores this runs on. Not
// std::hardware_destructive_interference_size: g++ 12 warns that its value may differ between
// compilers and flags (-Winterference-size), and the layout must not.
inline constexpr size_t kCacheLineSize = 64;

}  // namespace iob
