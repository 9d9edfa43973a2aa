// The reference kernels of the ops tinyloop's learning blocks emit beyond the MLPerf Tiny set:
// int8/float MEAN over H and W, MUL (batch norm), LOGISTIC and TANH, against float64
// computations and TFLite's documented integer behaviour (truncating mean when input and output
// quantization agree, saturation outside the input radius, fixed output quantization).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "runtime/kernels/reference/activations.h"
#include "runtime/kernels/reference/fixed_point.h"
#include "runtime/kernels/reference/mul.h"
#include "runtime/kernels/reference/pooling.h"
#include "runtime/kernels/reference/quantization.h"

namespace tinyloop::runtime::reference {
namespace {

int32_t QuantizeDouble(double real, double scale, int32_t zp) {
  return static_cast<int32_t>(std::fmin(127, std::fmax(-128, std::round(real / scale) + zp)));
}

// Deterministic int8 values covering the whole range.
std::vector<int8_t> Int8Pattern(size_t n, uint32_t seed) {
  std::vector<int8_t> v(n);
  for (size_t i = 0; i < n; ++i) {
    seed = seed * 1664525u + 1013904223u;
    v[i] = static_cast<int8_t>(static_cast<int32_t>(seed >> 24) - 128);
  }
  return v;
}

MeanParams MeanOf(int32_t h, int32_t w, int32_t c, float in_scale, int32_t in_zp, float out_scale,
                  int32_t out_zp) {
  MeanParams p;
  p.input_h = h;
  p.input_w = w;
  p.channels = c;
  p.same_quantization = in_scale == out_scale && in_zp == out_zp;
  p.output_zero_point = out_zp;
  p.scale = in_scale / out_scale;
  p.bias = static_cast<float>(-in_zp) * p.scale;
  return p;
}

TEST(LearningOpsTest, MeanInt8RequantizesWithinOneStepOfDouble) {
  const int32_t h = 1, w = 49, c = 8;
  const float in_scale = 0.037f, out_scale = 0.011f;
  const int32_t in_zp = -17, out_zp = 23;
  const std::vector<int8_t> input = Int8Pattern(h * w * c, 7);
  std::vector<int8_t> out(c);
  MeanHwInt8(MeanOf(h, w, c, in_scale, in_zp, out_scale, out_zp), input.data(), out.data());
  int exact = 0;
  for (int32_t ch = 0; ch < c; ++ch) {
    double real = 0;
    for (int32_t x = 0; x < w; ++x) real += in_scale * (input[x * c + ch] - in_zp);
    real /= w;
    const int32_t expected = QuantizeDouble(real, out_scale, out_zp);
    EXPECT_NEAR(out[ch], expected, 1) << "channel " << ch;
    exact += out[ch] == expected;
  }
  EXPECT_GE(exact, c - 1);  // float rounding may move at most an exact tie
}

TEST(LearningOpsTest, MeanInt8SameQuantizationTruncatesTowardZero) {
  // TFLite's reference_ops::Mean divides the int32 sum by the count in C++ integer division.
  const int8_t input[4] = {-3, -2, 3, 2};  // [1, 1, 2, 2]: channel 0 holds -3, 3; channel 1 -2, 2
  MeanParams p = MeanOf(1, 2, 2, 0.5f, 0, 0.5f, 0);
  int8_t out[2];
  MeanHwInt8(p, input, out);
  EXPECT_EQ(out[0], 0);                 // (-3 + 3) / 2
  EXPECT_EQ(out[1], 0);                 // (-2 + 2) / 2
  const int8_t negative[2] = {-3, -2};  // one channel, two positions: -5 / 2
  p = MeanOf(1, 2, 1, 0.5f, 0, 0.5f, 0);
  MeanHwInt8(p, negative, out);
  EXPECT_EQ(out[0], -2);  // truncation, not round-half-away (-3)
  // A different zero point takes the float path, which rounds half away from zero:
  // round(-2.5) + 1 = -2.
  p = MeanOf(1, 2, 1, 0.5f, 0, 0.5f, 1);
  MeanHwInt8(p, negative, out);
  EXPECT_EQ(out[0], -2);
  p = MeanOf(1, 2, 1, 0.5f, 0, 0.5f, -1);
  MeanHwInt8(p, negative, out);
  EXPECT_EQ(out[0], -4);  // round(-2.5) = -3, minus 1
}

TEST(LearningOpsTest, MeanInt8ClampsToInt8) {
  const int8_t input[2] = {127, 127};
  MeanParams p = MeanOf(1, 2, 1, 1.0f, 0, 0.25f, 0);  // 127 / 0.25 = 508 -> 127
  int8_t out[1];
  MeanHwInt8(p, input, out);
  EXPECT_EQ(out[0], 127);
}

TEST(LearningOpsTest, MeanFloatMatchesDouble) {
  const float input[6] = {1.5f, -2.0f, 0.25f, 4.0f, -1.0f, 8.0f};  // [1, 3, 1, 2]
  MeanParams p;
  p.input_h = 3;
  p.input_w = 1;
  p.channels = 2;
  float out[2];
  MeanHwFloat(p, input, out);
  EXPECT_FLOAT_EQ(out[0], (1.5 + 0.25 - 1.0) / 3);
  EXPECT_FLOAT_EQ(out[1], (-2.0 + 4.0 + 8.0) / 3);
}

TEST(LearningOpsTest, MulInt8BroadcastMatchesDouble) {
  // [1, 2, 3] x [3] (a batch-norm scale per channel), fused RELU6.
  const float s1 = 0.05f, s2 = 0.02f, so = 0.03f;
  const int32_t z1 = 10, z2 = -5, zo = -128;
  const std::vector<int8_t> a = Int8Pattern(6, 3);
  const int8_t b[3] = {-100, 40, 127};
  MulParams p;
  p.dims[2] = 2;
  p.dims[3] = 3;
  p.strides1[2] = 3;
  p.strides1[3] = 1;
  p.strides2[3] = 1;
  p.input1_offset = -z1;
  p.input2_offset = -z2;
  p.output_offset = zo;
  int shift = 0;
  ASSERT_EQ(QuantizeMultiplier(double(s1) * s2 / so, &p.output_multiplier, &shift), Status::kOk);
  p.output_shift = shift;
  ASSERT_EQ(ActivationRangeInt8(FusedActivation::kRelu6, so, zo, &p.act_min, &p.act_max),
            Status::kOk);
  std::vector<int8_t> out(6);
  MulInt8(p, a.data(), b, out.data());
  for (int i = 0; i < 6; ++i) {
    double real = double(s1) * (a[i] - z1) * double(s2) * (b[i % 3] - z2);
    real = std::fmin(6.0, std::fmax(0.0, real));
    EXPECT_NEAR(out[i], QuantizeDouble(real, so, zo), 1) << i;
  }
}

TEST(LearningOpsTest, MulFloatBroadcastsAndClamps) {
  const float a[4] = {1, -2, 3, -4};
  const float b[2] = {2, 0.5f};
  MulParams p;
  p.dims[2] = 2;
  p.dims[3] = 2;
  p.strides1[2] = 2;
  p.strides1[3] = 1;
  p.strides2[3] = 1;
  ActivationRangeFloat(FusedActivation::kRelu, &p.float_min, &p.float_max);
  float out[4];
  MulFloat(p, a, b, out);
  EXPECT_EQ(out[0], 2.0f);
  EXPECT_EQ(out[1], 0.0f);
  EXPECT_EQ(out[2], 6.0f);
  EXPECT_EQ(out[3], 0.0f);
}

TEST(LearningOpsTest, FixedPointLogisticAndTanhMatchDouble) {
  for (double x = -15.5; x <= 15.5; x += 0.0625) {
    const int32_t q4 = static_cast<int32_t>(std::llround(x * (1 << 27)));
    EXPECT_NEAR(FixedPointLogisticQ4(q4) / 2147483648.0, 1 / (1 + std::exp(-x)), 2e-7) << x;
    EXPECT_NEAR(FixedPointTanhQ4(q4) / 2147483648.0, std::tanh(x), 2e-7) << x;
  }
  EXPECT_EQ(FixedPointLogisticQ4(0), 1 << 30);
  EXPECT_EQ(FixedPointTanhQ4(0), 0);
}

TEST(LearningOpsTest, LogisticAndTanhInt8MatchDoubleOverAllInputs) {
  for (const float scale : {0.01f, 0.1f, 0.0625f, 0.5f}) {
    const int32_t zp = 7;
    LogisticTanhParams p;
    ASSERT_TRUE(PrepareLogisticTanhInt8(scale, zp, &p)) << scale;
    p.count = 256;
    std::vector<int8_t> input(256), logistic(256), tanh_out(256);
    for (int i = 0; i < 256; ++i) input[i] = static_cast<int8_t>(i - 128);
    LogisticInt8(p, input.data(), logistic.data());
    TanhInt8(p, input.data(), tanh_out.data());
    for (int i = 0; i < 256; ++i) {
      const double x = double(scale) * (input[i] - zp);
      EXPECT_NEAR(logistic[i], QuantizeDouble(1 / (1 + std::exp(-x)), 1.0 / 256, -128), 1)
          << "scale " << scale << " x " << x;
      EXPECT_NEAR(tanh_out[i], QuantizeDouble(std::tanh(x), 1.0 / 128, 0), 1)
          << "scale " << scale << " x " << x;
    }
  }
}

TEST(LearningOpsTest, LogisticAndTanhInt8SaturateOutsideTheRadius) {
  LogisticTanhParams p;
  // Scale 0.5: multiplier 0.5, left shift 27. TFLite's radius 15 * 2^27 / 2^27 ignores the 0.5 of
  // the multiplier, so inputs saturate from 15 steps (7.5) on, where both functions are already
  // saturated in int8.
  ASSERT_TRUE(PrepareLogisticTanhInt8(0.5f, 0, &p));
  EXPECT_EQ(p.input_range_radius, 15);
  p.count = 4;
  const int8_t input[4] = {-128, -15, 15, 127};
  int8_t out[4];
  LogisticInt8(p, input, out);
  EXPECT_EQ(out[0], -128);
  EXPECT_EQ(out[1], -128);
  EXPECT_EQ(out[2], 127);
  EXPECT_EQ(out[3], 127);
  TanhInt8(p, input, out);
  EXPECT_EQ(out[0], -128);
  EXPECT_EQ(out[3], 127);
  EXPECT_FALSE(PrepareLogisticTanhInt8(0.0f, 0, &p));
  EXPECT_FALSE(PrepareLogisticTanhInt8(std::nanf(""), 0, &p));
}

TEST(LearningOpsTest, LogisticAndTanhFloatMatchDouble) {
  const float input[5] = {-20.0f, -2.0f, 0.0f, 3.0f, 17.0f};
  float logistic[5], tanh_out[5];
  LogisticFloat(5, input, logistic);
  TanhFloat(5, input, tanh_out);
  for (int i = 0; i < 5; ++i) {
    EXPECT_NEAR(logistic[i], 1 / (1 + std::exp(-double(input[i]))), 1e-7);
    EXPECT_NEAR(tanh_out[i], std::tanh(double(input[i])), 1e-7);
  }
  EXPECT_EQ(logistic[4], 1.0f);  // TFLite's upper cut-off
}

}  // namespace
}  // namespace tinyloop::runtime::reference
