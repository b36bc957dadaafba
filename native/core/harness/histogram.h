// Latency histogram with HdrHistogram's bucket layout (lowest discernible value 1 ns,
// 3 significant digits), so every count it holds lands in the same bucket when re-recorded
// into an hdr-histogram-js histogram of that configuration: the JS side can encode, merge and
// report it without loss.
//
// Layout (HdrHistogram with unitMagnitude 0, subBucketHalfCountMagnitude 10): values below 2048
// are exact; above, each power-of-two range is split into 1024 linear sub-buckets (0.1 %
// resolution). Values above kHighestTrackable (about 18 minutes in ns) are clamped to it.
//
// Each recording thread owns its histogram; they are merged once at the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace iob {

class LatencyHistogram {
 public:
  static constexpr uint64_t kHighestTrackable = uint64_t{1} << 40;

  LatencyHistogram();

  void record(uint64_t value) { record(value, 1); }
  void record(uint64_t value, uint64_t count);
  void merge(const LatencyHistogram& other);

  uint64_t total_count() const { return total_count_; }
  uint64_t min() const { return total_count_ == 0 ? 0 : min_; }
  // Exact extremes of what was recorded (percentiles are bucket-resolution).
  uint64_t max() const { return max_; }
  // The value at `percentile` (0..100), as HdrHistogram reports it: the highest value
  // equivalent to the bucket where the running count reaches that percentile.
  uint64_t value_at_percentile(double percentile) const;

  // Calls visit(lowest equivalent value, count) for every non-empty bucket, in value order.
  template <typename Visit>
  void for_each_bucket(Visit&& visit) const {
    for (size_t index = 0; index < counts_.size(); ++index) {
      if (counts_[index] != 0) {
        visit(value_from_index(index), counts_[index]);
      }
    }
  }

 private:
  static size_t index_of(uint64_t value);
  static uint64_t value_from_index(size_t index);
  static uint64_t highest_equivalent(uint64_t value);

  std::vector<uint64_t> counts_;
  uint64_t total_count_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
};

}  // namespace iob
