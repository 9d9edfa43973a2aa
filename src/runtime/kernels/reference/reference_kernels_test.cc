// Reference kernels against hand-computed values and double-precision expectations.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "runtime/kernels/reference/add.h"
#include "runtime/kernels/reference/conv.h"
#include "runtime/kernels/reference/elementwise.h"
#include "runtime/kernels/reference/fully_connected.h"
#include "runtime/kernels/reference/pooling.h"
#include "runtime/kernels/reference/quantization.h"
#include "runtime/kernels/reference/softmax.h"

namespace tinyloop::runtime::reference {
namespace {

int8_t QuantizeDouble(double real, double scale, int32_t zp) {
  return static_cast<int8_t>(std::fmin(127, std::fmax(-128, std::round(real / scale) + zp)));
}

TEST(ReferenceKernelsTest, ConvPerChannelInt8MatchesDouble) {
  // input [1,3,3,2] scale 0.5 zp 1; filter [2,2,2,2] per-channel 0.1 / 0.2; output 0.25 zp -3.
  const std::vector<int8_t> input = {1,  2,  -3, 4,   5,  -6, 7,  8, -9,
                                     10, 11, 12, -13, 14, 15, 16, 0, -1};
  const std::vector<int8_t> filter = {1, -2, 3, 4, -5, 6, 7, -8, 2, 2, -1, -1, 3, 0, 1, 5};
  const std::vector<int32_t> bias = {10, -30};
  const float fscale[2] = {0.1f, 0.2f};
  ConvParams p;
  p.input_h = p.input_w = 3;
  p.input_c = 2;
  p.output_h = p.output_w = 2;
  p.output_c = 2;
  p.filter_h = p.filter_w = 2;
  p.filter_c = 2;
  p.input_offset = -1;
  p.output_offset = -3;
  int32_t mult[2];
  int8_t shift[2];
  for (int c = 0; c < 2; ++c) {
    int s = 0;
    ASSERT_EQ(QuantizeMultiplier(0.5 * static_cast<double>(fscale[c]) / 0.25, &mult[c], &s),
              Status::kOk);
    shift[c] = static_cast<int8_t>(s);
  }
  p.multipliers = mult;
  p.shifts = shift;
  std::vector<int8_t> out(8);
  ConvPerChannelInt8(p, input.data(), filter.data(), bias.data(), out.data());
  for (int oy = 0; oy < 2; ++oy) {
    for (int ox = 0; ox < 2; ++ox) {
      for (int oc = 0; oc < 2; ++oc) {
        double acc = bias[oc];
        for (int fy = 0; fy < 2; ++fy) {
          for (int fx = 0; fx < 2; ++fx) {
            for (int ic = 0; ic < 2; ++ic) {
              acc += filter[((oc * 2 + fy) * 2 + fx) * 2 + ic] *
                     (input[((oy + fy) * 3 + ox + fx) * 2 + ic] - 1);
            }
          }
        }
        const double real = acc * 0.5 * fscale[oc];
        EXPECT_NEAR(out[(oy * 2 + ox) * 2 + oc], QuantizeDouble(real, 0.25, -3), 1);
      }
    }
  }
}

TEST(ReferenceKernelsTest, DepthwiseFloatHandComputed) {
  // input [1,2,2,1] = 1 2 3 4, filter [1,2,2,2] (depth multiplier 2), SAME-free VALID 2x2.
  const float input[4] = {1, 2, 3, 4};
  const float filter[8] = {1, 0, 1, 0, 1, 0, 1, 1};  // channel 0: all ones; channel 1: last only
  const float bias[2] = {0.5f, -1.0f};
  ConvParams p;
  p.input_h = p.input_w = 2;
  p.input_c = 1;
  p.output_h = p.output_w = 1;
  p.output_c = 2;
  p.filter_h = p.filter_w = 2;
  p.depth_multiplier = 2;
  ActivationRangeFloat(FusedActivation::kNone, &p.float_min, &p.float_max);
  float out[2];
  DepthwiseConvFloat(p, input, filter, bias, out);
  EXPECT_FLOAT_EQ(out[0], 10.5f);
  EXPECT_FLOAT_EQ(out[1], 3.0f);
}

TEST(ReferenceKernelsTest, FullyConnectedInt8MatchesDouble) {
  const std::vector<int8_t> input = {-128, -50, 0, 60, 127};
  const std::vector<int8_t> weights = {1, 2, 3, 4, 5, -5, -4, -3, -2, -1, 100, -100, 50, -50, 0};
  const std::vector<int32_t> bias = {100, -200, 0};
  FullyConnectedParams p;
  p.units = 3;
  p.accum_depth = 5;
  p.input_offset = 7;  // input zp -7
  p.output_offset = 2;
  int s = 0;
  const double real = 0.02 * 0.01 / 0.05;
  ASSERT_EQ(QuantizeMultiplier(real, &p.multiplier, &s), Status::kOk);
  p.shift = s;
  std::vector<int8_t> out(3);
  FullyConnectedInt8(p, input.data(), weights.data(), bias.data(), out.data());
  for (int u = 0; u < 3; ++u) {
    double acc = bias[u];
    for (int d = 0; d < 5; ++d) acc += weights[u * 5 + d] * (input[d] + 7);
    EXPECT_NEAR(out[u], QuantizeDouble(acc * 0.02 * 0.01, 0.05, 2), 1) << u;
  }
}

TEST(ReferenceKernelsTest, AveragePoolInt8RoundsHalfAwayFromZero) {
  PoolParams p;
  p.input_h = p.input_w = 2;
  p.channels = 2;
  p.output_h = p.output_w = 1;
  p.filter_h = p.filter_w = 2;
  const int8_t input[8] = {1, -1, 2, -2, 2, -2, 1, -1};  // sums 6 and -6 over 4: 1.5 / -1.5
  int8_t out[2];
  AveragePoolInt8(p, input, out);
  EXPECT_EQ(out[0], 2);
  EXPECT_EQ(out[1], -2);
  MaxPoolInt8(p, input, out);
  EXPECT_EQ(out[0], 2);
  EXPECT_EQ(out[1], -1);
}

TEST(ReferenceKernelsTest, AddInt8MatchesDoubleWithBroadcast) {
  AddParams p;
  p.dims[3] = 4;
  p.strides1[3] = 1;
  p.strides2[3] = 0;  // input 2 is a single value broadcast along the last axis
  const double s1 = 0.1, s2 = 0.3, so = 0.2;
  p.input1_offset = -5;
  p.input2_offset = 3;
  p.output_offset = 1;
  const double twice_max = 2 * std::fmax(s1, s2);
  int s = 0;
  ASSERT_EQ(QuantizeMultiplier(s1 / twice_max, &p.input1_multiplier, &s), Status::kOk);
  p.input1_shift = s;
  ASSERT_EQ(QuantizeMultiplier(s2 / twice_max, &p.input2_multiplier, &s), Status::kOk);
  p.input2_shift = s;
  ASSERT_EQ(QuantizeMultiplier(twice_max / ((1 << 20) * so), &p.output_multiplier, &s),
            Status::kOk);
  p.output_shift = s;
  const int8_t a[4] = {-100, 0, 50, 127};
  const int8_t b[1] = {-20};
  int8_t out[4];
  AddInt8(p, a, b, out);
  for (int i = 0; i < 4; ++i) {
    const double real = (a[i] - 5) * s1 + (b[0] + 3) * s2;
    EXPECT_NEAR(out[i], QuantizeDouble(real, so, 1), 1) << i;
  }
}

TEST(ReferenceKernelsTest, SoftmaxInt8MatchesDouble) {
  SoftmaxParams p;
  p.depth = 6;
  const float input_scale = 0.1f;
  ASSERT_TRUE(PrepareSoftmaxInt8(1.0f, input_scale, &p));
  const int8_t input[6] = {-128, -20, 0, 10, 60, 61};
  int8_t out[6];
  SoftmaxInt8(p, input, out);
  double sum = 0;
  for (int8_t v : input) sum += std::exp((v - 61) * 0.1);
  for (int i = 0; i < 6; ++i) {
    const double prob = std::exp((input[i] - 61) * 0.1) / sum;
    EXPECT_NEAR(out[i], QuantizeDouble(prob, 1.0 / 256, -128), 1) << i;
  }
}

TEST(ReferenceKernelsTest, QuantizeDequantizeFloat) {
  QuantizeParams q;
  q.count = 5;
  q.scale = 0.5f;
  q.zero_point = -10;
  const float in[5] = {0.0f, 0.25f, -0.25f, 1000.0f, -3.0f};
  int8_t quantized[5];
  QuantizeFloatToInt8(q, in, quantized);
  const int8_t expected[5] = {-10, -9, -11, 127, -16};  // ties away from zero; clamped
  for (int i = 0; i < 5; ++i) EXPECT_EQ(quantized[i], expected[i]) << i;
  float back[5];
  DequantizeInt8(q, quantized, back);
  EXPECT_FLOAT_EQ(back[4], -3.0f);
  EXPECT_FLOAT_EQ(back[1], 0.5f);
}

}  // namespace
}  // namespace tinyloop::runtime::reference
