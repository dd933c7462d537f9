//===- Sampler.h - Next-token choice for --generate -------------*- C++ -*-===//
//
// Greedy (temperature 0) or temperature + top-k sampling with a PRNG of our
// own (splitmix64), so that a seed gives the same draws on every machine and
// standard library.
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_RUN_SAMPLER_H
#define SLMC_RUN_SAMPLER_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace slmc_run {

/// splitmix64 (Steele, Lea, Flood 2014): one 64-bit state, full period.
class SplitMix64 {
public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, 1), 53 random bits.
  double nextDouble() { return double(next() >> 11) * 0x1.0p-53; }

private:
  uint64_t state_;
};

/// Index of the largest value; the lowest index among equal ones.
size_t argmax(const double *values, size_t n);

class Sampler {
public:
  /// temperature 0: greedy. topK 0: no limit.
  Sampler(double temperature, int64_t topK, uint64_t seed)
      : temperature_(temperature), topK_(topK), rng_(seed) {}
  /// Picks a class from one position's logits (n of them).
  size_t pick(const double *logits, size_t n);

private:
  double temperature_;
  int64_t topK_;
  SplitMix64 rng_;
  std::vector<size_t> order_;
  std::vector<double> weights_;
};

} // namespace slmc_run

#endif // SLMC_RUN_SAMPLER_H
