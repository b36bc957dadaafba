// A small, fast, seeded random stream (splitmix64) for test data, offsets, mix choices and
// arrival times: reproducible from one seed, cheap enough for the per-op path.
#pragma once

#include <cmath>
#include <cstdint>

namespace iob {

class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}

  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return z ^ (z >> 31);
  }

  // Uniform in [0, bound) (bound > 0), by a multiply instead of a division.
  uint64_t below(uint64_t bound) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(next()) * bound) >> 64);
  }

  // Uniform in (0, 1].
  double unit() { return static_cast<double>((next() >> 11) + 1) * 0x1.0p-53; }

  // Exponentially distributed with the given mean (Poisson process gaps).
  double exponential(double mean) { return -std::log(unit()) * mean; }

 private:
  uint64_t state_;
};

}  // namespace iob
