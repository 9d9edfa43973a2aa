// Bit-exactness of the optimized int8 kernels: each runs beside its reference function on many
// random shapes and quantization parameters (per-tensor and per-channel multipliers, SAME/VALID
// padding, strides, dilation, depth multipliers, fused activation ranges, with and without bias)
// and must produce identical bytes.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "runtime/kernels/optimized/optimized.h"
#include "runtime/kernels/reference/quantization.h"

namespace tinyloop::runtime {
namespace {

using reference::ConvParams;
using reference::FullyConnectedParams;

class RandomCase {
 public:
  explicit RandomCase(uint32_t seed) : rng_(seed) {}
  int32_t Int(int32_t lo, int32_t hi) {
    return std::uniform_int_distribution<int32_t>(lo, hi)(rng_);
  }
  std::vector<int8_t> Bytes(size_t n) {
    std::vector<int8_t> v(n);
    for (auto& x : v) x = static_cast<int8_t>(Int(-128, 127));
    return v;
  }
  std::vector<int32_t> Bias(size_t n) {
    std::vector<int32_t> v(n);
    for (auto& x : v) x = Int(-40000, 40000);
    return v;
  }
  // Per-channel (or broadcast) multipliers for effective scales around 2^-14 .. 2^-4.
  void Multipliers(int32_t channels, bool per_channel, std::vector<int32_t>* mult,
                   std::vector<int8_t>* shift) {
    mult->resize(channels);
    shift->resize(channels);
    double scale = std::ldexp(1.0 + Int(0, 999) / 1000.0, -Int(4, 14));
    for (int32_t c = 0; c < channels; ++c) {
      if (per_channel) scale = std::ldexp(1.0 + Int(0, 999) / 1000.0, -Int(4, 14));
      int s = 0;
      ASSERT_EQ(reference::QuantizeMultiplier(scale, &(*mult)[c], &s), Status::kOk);
      (*shift)[c] = static_cast<int8_t>(s);
    }
  }
  void Quantization(int32_t* input_offset, int32_t* output_offset, int32_t* act_min,
                    int32_t* act_max) {
    *input_offset = -Int(-128, 127);
    *output_offset = Int(-128, 127);
    const int32_t kind = Int(0, 2);  // none, relu-like, relu6-like range
    *act_min = kind == 0 ? -128 : Int(-128, 0);
    *act_max = kind == 2 ? Int(*act_min, 127) : 127;
  }

 private:
  std::mt19937 rng_;
};

// Fills the window/padding fields of `p`; false when the output would be empty.
bool RandomWindow(RandomCase& r, ConvParams* p) {
  p->batches = r.Int(1, 2);
  p->input_h = r.Int(1, 12);
  p->input_w = r.Int(1, 12);
  p->filter_h = r.Int(1, 5);
  p->filter_w = r.Int(1, 5);
  p->stride_h = r.Int(1, 3);
  p->stride_w = r.Int(1, 3);
  p->dilation_h = r.Int(0, 3) == 0 ? 2 : 1;
  p->dilation_w = r.Int(0, 3) == 0 ? r.Int(2, 3) : 1;
  const PaddingType padding = r.Int(0, 1) ? PaddingType::kSame : PaddingType::kValid;
  p->output_h =
      reference::ComputeOutputSize(padding, p->input_h, p->filter_h, p->stride_h, p->dilation_h);
  p->output_w =
      reference::ComputeOutputSize(padding, p->input_w, p->filter_w, p->stride_w, p->dilation_w);
  if (p->output_h <= 0 || p->output_w <= 0) return false;
  p->pad_h =
      reference::ComputePadding(p->stride_h, p->dilation_h, p->input_h, p->filter_h, p->output_h);
  p->pad_w =
      reference::ComputePadding(p->stride_w, p->dilation_w, p->input_w, p->filter_w, p->output_w);
  return true;
}

TEST(OptimizedKernelsTest, ConvMatchesReference) {
  int checked = 0;
  for (uint32_t seed = 0; seed < 400; ++seed) {
    RandomCase r(seed);
    ConvParams p;
    if (!RandomWindow(r, &p)) continue;
    p.input_c = r.Int(0, 3) == 0 ? r.Int(30, 70) : r.Int(1, 20);
    p.filter_c = p.input_c;
    p.output_c = r.Int(1, 19);
    if (seed % 50 == 0) {  // patch above kMaxPatch: reference fallback
      p.filter_h = p.filter_w = 1;
      p.input_c = p.filter_c = 1100;
      p.input_h = p.input_w = 2;
      p.output_h = p.output_w = 2;
      p.stride_h = p.stride_w = 1;
      p.dilation_h = p.dilation_w = 1;
      p.pad_h = p.pad_w = 0;
    }
    r.Quantization(&p.input_offset, &p.output_offset, &p.act_min, &p.act_max);
    std::vector<int32_t> mult;
    std::vector<int8_t> shift;
    r.Multipliers(p.output_c, r.Int(0, 1) == 1, &mult, &shift);
    p.multipliers = mult.data();
    p.shifts = shift.data();
    const auto input = r.Bytes(static_cast<size_t>(p.batches) * p.input_h * p.input_w * p.input_c);
    const auto filter =
        r.Bytes(static_cast<size_t>(p.output_c) * p.filter_h * p.filter_w * p.filter_c);
    const auto bias = r.Bias(p.output_c);
    const bool with_bias = r.Int(0, 3) != 0;
    const size_t out_size = static_cast<size_t>(p.batches) * p.output_h * p.output_w * p.output_c;
    std::vector<int8_t> expected(out_size, 1), actual(out_size, 2);
    reference::ConvPerChannelInt8(p, input.data(), filter.data(), with_bias ? bias.data() : nullptr,
                                  expected.data());
    optimized::ConvPerChannelInt8(p, input.data(), filter.data(), with_bias ? bias.data() : nullptr,
                                  actual.data());
    ASSERT_EQ(expected, actual) << "seed " << seed;
    ++checked;
  }
  EXPECT_GT(checked, 200);
}

TEST(OptimizedKernelsTest, DepthwiseMatchesReference) {
  int checked = 0;
  for (uint32_t seed = 1000; seed < 1400; ++seed) {
    RandomCase r(seed);
    ConvParams p;
    if (!RandomWindow(r, &p)) continue;
    p.input_c = r.Int(0, 3) == 0 ? r.Int(60, 140) : r.Int(1, 20);
    p.depth_multiplier = r.Int(0, 3) == 0 ? r.Int(2, 3) : 1;
    p.output_c = p.input_c * p.depth_multiplier;
    p.filter_c = 1;
    r.Quantization(&p.input_offset, &p.output_offset, &p.act_min, &p.act_max);
    std::vector<int32_t> mult;
    std::vector<int8_t> shift;
    r.Multipliers(p.output_c, r.Int(0, 1) == 1, &mult, &shift);
    p.multipliers = mult.data();
    p.shifts = shift.data();
    const auto input = r.Bytes(static_cast<size_t>(p.batches) * p.input_h * p.input_w * p.input_c);
    const auto filter = r.Bytes(static_cast<size_t>(p.filter_h) * p.filter_w * p.output_c);
    const auto bias = r.Bias(p.output_c);
    const bool with_bias = r.Int(0, 3) != 0;
    const size_t out_size = static_cast<size_t>(p.batches) * p.output_h * p.output_w * p.output_c;
    std::vector<int8_t> expected(out_size, 1), actual(out_size, 2);
    reference::DepthwiseConvPerChannelInt8(p, input.data(), filter.data(),
                                           with_bias ? bias.data() : nullptr, expected.data());
    optimized::DepthwiseConvPerChannelInt8(p, input.data(), filter.data(),
                                           with_bias ? bias.data() : nullptr, actual.data());
    ASSERT_EQ(expected, actual) << "seed " << seed;
    ++checked;
  }
  EXPECT_GT(checked, 200);
}

TEST(OptimizedKernelsTest, FullyConnectedMatchesReference) {
  for (uint32_t seed = 2000; seed < 2300; ++seed) {
    RandomCase r(seed);
    FullyConnectedParams p;
    p.batches = r.Int(1, 3);
    p.units = r.Int(1, 40);
    p.accum_depth = seed % 37 == 0 ? r.Int(1025, 1500) : r.Int(1, 700);
    r.Quantization(&p.input_offset, &p.output_offset, &p.act_min, &p.act_max);
    std::vector<int32_t> mult;
    std::vector<int8_t> shift;
    const bool per_channel = r.Int(0, 1) == 1;
    r.Multipliers(p.units, per_channel, &mult, &shift);
    if (per_channel) {
      p.multipliers = mult.data();
      p.shifts = shift.data();
    } else {
      p.multiplier = mult[0];
      p.shift = shift[0];
    }
    const auto input = r.Bytes(static_cast<size_t>(p.batches) * p.accum_depth);
    const auto weights = r.Bytes(static_cast<size_t>(p.units) * p.accum_depth);
    const auto bias = r.Bias(p.units);
    const bool with_bias = r.Int(0, 3) != 0;
    const size_t out_size = static_cast<size_t>(p.batches) * p.units;
    std::vector<int8_t> expected(out_size, 1), actual(out_size, 2);
    reference::FullyConnectedInt8(p, input.data(), weights.data(),
                                  with_bias ? bias.data() : nullptr, expected.data());
    optimized::FullyConnectedInt8(p, input.data(), weights.data(),
                                  with_bias ? bias.data() : nullptr, actual.data());
    ASSERT_EQ(expected, actual) << "seed " << seed;
  }
}

}  // namespace
}  // namespace tinyloop::runtime
