#include "base/random.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>

namespace tinyloop {
namespace {

TEST(RandomTest, SplitMix64MatchesReferenceOutput) {
  // First outputs of the reference splitmix64.c for state 0.
  uint64_t state = 0;
  EXPECT_EQ(SplitMix64Next(&state), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(SplitMix64Next(&state), 0x6e789e6aa1b965f4ULL);
}

TEST(RandomTest, SameSeedSameSequenceDifferentSeedDifferent) {
  Rng a(7), b(7), c(8);
  bool any_difference = false;
  for (int i = 0; i < 100; ++i) {
    const uint64_t va = a.NextU64();
    EXPECT_EQ(va, b.NextU64());
    any_difference |= va != c.NextU64();
  }
  EXPECT_TRUE(any_difference);
}

TEST(RandomTest, DeriveSeedSeparatesIndicesAndSeeds) {
  std::set<uint64_t> seen;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    for (uint64_t index = 0; index < 50; ++index) seen.insert(DeriveSeed(seed, index));
  }
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_EQ(DeriveSeed(3, 4), DeriveSeed(3, 4));
}

TEST(RandomTest, UniformAndGaussianMoments) {
  Rng rng(123);
  constexpr int kN = 200000;
  double u_sum = 0, u_min = 1, u_max = 0, g_sum = 0, g_sq = 0;
  for (int i = 0; i < kN; ++i) {
    const double u = rng.Uniform();
    u_sum += u;
    u_min = std::min(u_min, u);
    u_max = std::max(u_max, u);
    const double g = rng.Gaussian();
    g_sum += g;
    g_sq += g * g;
  }
  EXPECT_GE(u_min, 0.0);
  EXPECT_LT(u_max, 1.0);
  EXPECT_NEAR(u_sum / kN, 0.5, 0.005);
  EXPECT_NEAR(g_sum / kN, 0.0, 0.01);
  EXPECT_NEAR(g_sq / kN, 1.0, 0.01);
}

}  // namespace
}  // namespace tinyloop
