// The Cortex-M4 output stage's requantization (requantize.h) against the reference
// MultiplyByQuantizedMultiplier: every shift the quantizer produces, multipliers at the ends of
// their range and random ones, accumulators at the int32 extremes, around rounding ties and random.
#include "runtime/kernels/cortex_m4/requantize.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "runtime/kernels/reference/fixed_point.h"

namespace tinyloop::runtime::cortex_m4 {
namespace {

TEST(CortexM4RequantizeTest, MatchesReferenceForEveryShift) {
  std::mt19937 rng(4);
  std::uniform_int_distribution<int32_t> any_int32(INT32_MIN, INT32_MAX);
  std::uniform_int_distribution<int32_t> any_multiplier(1 << 30, INT32_MAX);
  std::uniform_int_distribution<int32_t> small(-70000, 70000);
  int64_t checked = 0;
  for (int shift = -31; shift <= 30; ++shift) {
    std::vector<int32_t> multipliers = {0, 1 << 30, INT32_MAX, (1 << 30) + 1};
    for (int i = 0; i < 8; ++i) multipliers.push_back(any_multiplier(rng));
    for (const int32_t m : multipliers) {
      const ChannelRequant q = MakeChannelRequant(m, shift);
      EXPECT_EQ(q.Fast(), shift < 0);
      std::vector<int32_t> accs = {0, 1, -1, INT32_MAX, INT32_MIN, INT32_MIN + 1, INT32_MAX - 1};
      // Accumulators whose scaled value lands on a rounding tie of either rounding step.
      if (shift < 0 && m != 0) {
        for (int32_t k = -3; k <= 3; ++k) {
          const double tie = (k + 0.5) * static_cast<double>(int64_t{1} << -shift);
          const double acc = tie * 2147483648.0 / m;
          for (int32_t d = -2; d <= 2; ++d) {
            const double near = acc + d;
            if (near > INT32_MIN && near < INT32_MAX) accs.push_back(static_cast<int32_t>(near));
          }
        }
      }
      for (int i = 0; i < 200; ++i) accs.push_back(any_int32(rng));
      for (int i = 0; i < 200; ++i) accs.push_back(small(rng));
      for (const int32_t acc : accs) {
        ASSERT_EQ(Requant(acc, q), reference::MultiplyByQuantizedMultiplier(acc, m, shift))
            << "acc " << acc << " multiplier " << m << " shift " << shift;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 62 * 12 * 400);
}

TEST(CortexM4RequantizeTest, OutputStageKnowsTheFullInt8Range) {
  EXPECT_TRUE((OutputStage{0, -128, 127}.FullRange()));
  EXPECT_FALSE((OutputStage{0, -100, 127}.FullRange()));
  EXPECT_FALSE((OutputStage{0, -128, 6}.FullRange()));
}

}  // namespace
}  // namespace tinyloop::runtime::cortex_m4
