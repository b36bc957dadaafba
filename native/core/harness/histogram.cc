#include "harness/histogram.h"

#include <algorithm>
#include <cmath>

namespace iob {

namespace {

// HdrHistogram's derived constants for 3 significant digits and a 1 ns unit.
constexpr int kSubBucketHalfCountMagnitude = 10;
constexpr uint64_t kSubBucketHalfCount = uint64_t{1} << kSubBucketHalfCountMagnitude;  // 1024
constexpr uint64_t kSubBucketMask = (kSubBucketHalfCount << 1) - 1;                    // 2047
constexpr int kLeadingZeroCountBase = 64 - kSubBucketHalfCountMagnitude - 1;           // 53

int bucket_of(uint64_t value) {
  return kLeadingZeroCountBase - __builtin_clzll(value | kSubBucketMask);
}

}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(index_of(kHighestTrackable) + 1, 0) {}

size_t LatencyHistogram::index_of(uint64_t value) {
  const int bucket = bucket_of(value);
  const uint64_t sub_bucket = value >> bucket;
  return (static_cast<size_t>(bucket + 1) << kSubBucketHalfCountMagnitude) +
         (sub_bucket - kSubBucketHalfCount);
}

uint64_t LatencyHistogram::value_from_index(size_t index) {
  int bucket = static_cast<int>(index >> kSubBucketHalfCountMagnitude) - 1;
  uint64_t sub_bucket = (index & (kSubBucketHalfCount - 1)) + kSubBucketHalfCount;
  if (bucket < 0) {
    sub_bucket -= kSubBucketHalfCount;
    bucket = 0;
  }
  return sub_bucket << bucket;
}

uint64_t LatencyHistogram::highest_equivalent(uint64_t value) {
  const int bucket = bucket_of(value);
  const uint64_t lowest = (value >> bucket) << bucket;
  return lowest + (uint64_t{1} << bucket) - 1;
}

void LatencyHistogram::record(uint64_t value, uint64_t count) {
  value = std::min(value, kHighestTrackable);
  counts_[index_of(value)] += count;
  total_count_ += count;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < counts_.size(); ++i) {
    counts_[i] += other.counts_[i];
  }
  total_count_ += other.total_count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

uint64_t LatencyHistogram::value_at_percentile(double percentile) const {
  if (total_count_ == 0) {
    return 0;
  }
  percentile = std::clamp(percentile, 0.0, 100.0);
  const uint64_t wanted = std::max<uint64_t>(
      1, static_cast<uint64_t>(std::ceil(percentile / 100.0 * static_cast<double>(total_count_))));
  uint64_t running = 0;
  for (size_t index = 0; index < counts_.size(); ++index) {
    running += counts_[index];
    if (running >= wanted) {
      return highest_equivalent(value_from_index(index));
    }
  }
  return max_;
}

}  // namespace iob
