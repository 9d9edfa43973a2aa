// Fixed-point primitives against exact arithmetic and double-precision expectations.
#include "runtime/kernels/reference/fixed_point.h"

#include <gtest/gtest.h>

#include <cmath>

#include "runtime/kernels/reference/quantization.h"

namespace tinyloop::runtime::reference {
namespace {

TEST(FixedPointTest, SaturatingRoundingDoublingHighMul) {
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(INT32_MIN, INT32_MIN), INT32_MAX);
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(1 << 30, 1 << 30), 1 << 29);  // 0.5 * 0.5
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(3, 1 << 30), 2);              // 1.5 rounds up
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(-3, 1 << 30), -1);            // -1.5 rounds up too
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(-5, 1 << 30), -2);
}

TEST(FixedPointTest, RoundingDivideByPOTRoundsHalfAwayFromZero) {
  EXPECT_EQ(RoundingDivideByPOT(5, 1), 3);
  EXPECT_EQ(RoundingDivideByPOT(-5, 1), -3);
  EXPECT_EQ(RoundingDivideByPOT(6, 2), 2);
  EXPECT_EQ(RoundingDivideByPOT(-6, 2), -2);
  EXPECT_EQ(RoundingDivideByPOT(-7, 2), -2);
  EXPECT_EQ(RoundingDivideByPOT(1000, 0), 1000);
}

TEST(FixedPointTest, QuantizeMultiplierMatchesFrexp) {
  int32_t m = 0;
  int s = 0;
  ASSERT_EQ(QuantizeMultiplier(0.5, &m, &s), Status::kOk);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(s, 0);
  ASSERT_EQ(QuantizeMultiplier(1.0, &m, &s), Status::kOk);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(s, 1);
  ASSERT_EQ(QuantizeMultiplier(0.0, &m, &s), Status::kOk);
  EXPECT_EQ(m, 0);
  ASSERT_EQ(QuantizeMultiplier(1e-12, &m, &s), Status::kOk);  // flushed to zero below 2^-31
  EXPECT_EQ(m, 0);
  EXPECT_EQ(QuantizeMultiplier(-1.0, &m, &s), Status::kInvalidQuantization);
  EXPECT_EQ(QuantizeMultiplier(NAN, &m, &s), Status::kInvalidQuantization);
  // Rounding up to 2^31 renormalizes.
  ASSERT_EQ(QuantizeMultiplier(0.99999999999, &m, &s), Status::kOk);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(s, 1);
}

TEST(FixedPointTest, MultiplyByQuantizedMultiplierApproximatesDouble) {
  uint64_t state = 1;
  for (int i = 0; i < 20000; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    const int32_t x = static_cast<int32_t>((state >> 33) % 2000001) - 1000000;
    const double real = std::ldexp(1.0 + static_cast<double>((state >> 12) % 1000) / 1000.0,
                                   -static_cast<int>((state >> 40) % 20));
    int32_t m = 0;
    int s = 0;
    ASSERT_EQ(QuantizeMultiplier(real, &m, &s), Status::kOk);
    EXPECT_NEAR(MultiplyByQuantizedMultiplier(x, m, s), x * real, 1.0) << x << " * " << real;
  }
}

TEST(FixedPointTest, ExpOnNegativeValuesApproximatesExp) {
  for (double x = -31.0; x <= 0.0; x += 0.01) {
    const int32_t raw = static_cast<int32_t>(std::lround(x * (1 << 26)));  // Q5.26
    const double got = ExpOnNegativeValues(raw, 5) / 2147483648.0;
    EXPECT_NEAR(got, std::exp(raw / 67108864.0), 2e-6) << x;
  }
  EXPECT_EQ(ExpOnNegativeValues(0, 5), INT32_MAX);
}

TEST(FixedPointTest, OneOverOnePlusXApproximatesReciprocal) {
  for (double x = 0.0; x < 1.0; x += 0.001) {
    const int32_t raw = static_cast<int32_t>(x * 2147483648.0);
    EXPECT_NEAR(OneOverOnePlusX(raw) / 2147483648.0, 1.0 / (1.0 + x), 1e-8) << x;
  }
}

TEST(QuantizationTest, ActivationRangesAndPadding) {
  int32_t lo = 0, hi = 0;
  ASSERT_EQ(ActivationRangeInt8(FusedActivation::kRelu6, 0.05f, -10, &lo, &hi), Status::kOk);
  EXPECT_EQ(lo, -10);
  EXPECT_EQ(hi, 110);
  ASSERT_EQ(ActivationRangeInt8(FusedActivation::kNone, 0.05f, -10, &lo, &hi), Status::kOk);
  EXPECT_EQ(lo, -128);
  EXPECT_EQ(hi, 127);
  EXPECT_EQ(ActivationRangeInt8(FusedActivation::kRelu, 0.0f, 0, &lo, &hi),
            Status::kInvalidQuantization);
  EXPECT_EQ(ComputeOutputSize(PaddingType::kSame, 49, 10, 2, 1), 25);
  EXPECT_EQ(ComputeOutputSize(PaddingType::kValid, 49, 10, 2, 1), 20);
  EXPECT_EQ(ComputeOutputSize(PaddingType::kValid, 3, 5, 1, 1), -1);
  EXPECT_EQ(ComputePadding(2, 1, 49, 10, 25), 4);  // total 9 -> 4 before, 5 after
}

}  // namespace
}  // namespace tinyloop::runtime::reference
