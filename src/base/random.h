// Deterministic pseudo-random numbers (simulator, k-means seeding): xoshiro256** seeded through
// splitmix64,
// with uniform and Box-Muller Gaussian draws built on top. Unlike <random>'s distributions, the
// integer and uniform sequences are identical on every platform; Gaussian draws go through
// std::log/std::cos and may differ in the last bit between math libraries.
#pragma once

#include <array>
#include <cstdint>

namespace tinyloop {

// One step of splitmix64 (Steele, Lea, Flood 2014): advances `*state` and returns the output.
uint64_t SplitMix64Next(uint64_t* state);

// A seed for child `index` of `seed` (e.g. one per sample of a dataset). Distinct indices give
// statistically independent streams; pure function.
uint64_t DeriveSeed(uint64_t seed, uint64_t index);

// xoshiro256** (Blackman, Vigna 2018). Not cryptographic. Not thread-safe: one per thread.
class Rng {
 public:
  // Any seed is valid, 0 included (the state is expanded with splitmix64).
  explicit Rng(uint64_t seed);

  // Next raw 64-bit output.
  uint64_t NextU64();
  // Uniform double in [0, 1) with 53 random bits.
  double Uniform();
  // Uniform integer in [0, n), n >= 1; the modulo bias is below 2^-40 for n < 2^24.
  int64_t Below(int64_t n);
  // Standard normal draw N(0, 1) by the Box-Muller transform (pairs cached).
  double Gaussian();

 private:
  std::array<uint64_t, 4> s_{};
  bool has_spare_ = false;
  double spare_ = 0.0;
};

}  // namespace tinyloop
