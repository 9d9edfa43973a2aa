#include "runtime/kernels/reference/softmax.h"

#include <cmath>

#include "runtime/kernels/reference/fixed_point.h"
#include "runtime/kernels/reference/quantization.h"

namespace tinyloop::runtime::reference {
namespace {

constexpr int kScaledDiffIntegerBits = 5;
constexpr int kAccumulationIntegerBits = 12;

}  // namespace

bool PrepareSoftmaxInt8(float beta, float input_scale, SoftmaxParams* p) {
  const double max_real = static_cast<double>((int64_t{1} << 31) - 1);
  double real = static_cast<double>(beta) * static_cast<double>(input_scale) *
                static_cast<double>(1 << (31 - kScaledDiffIntegerBits));
  if (real > max_real) real = max_real;
  if (!(real > 1.0)) return false;  // TFLite requires a multiplier greater than one
  int32_t multiplier = 0;
  int shift = 0;
  if (QuantizeMultiplier(real, &multiplier, &shift) != Status::kOk || shift < 0) return false;
  p->input_multiplier = multiplier;
  p->input_left_shift = shift;
  const double max_input_rescaled =
      1.0 * ((1 << kScaledDiffIntegerBits) - 1) *
      static_cast<double>(int64_t{1} << (31 - kScaledDiffIntegerBits)) /
      static_cast<double>(int64_t{1} << shift);
  p->diff_min = -static_cast<int32_t>(std::floor(max_input_rescaled));
  return true;
}

void SoftmaxInt8(const SoftmaxParams& p, const int8_t* input, int8_t* output) {
  for (int32_t i = 0; i < p.outer; ++i) {
    const int8_t* in = input + i * p.depth;
    int8_t* out = output + i * p.depth;
    int32_t max_in_row = -128;
    for (int32_t c = 0; c < p.depth; ++c) max_in_row = in[c] > max_in_row ? in[c] : max_in_row;

    int32_t sum_of_exps = 0;  // Q12.19
    for (int32_t c = 0; c < p.depth; ++c) {
      const int32_t diff = in[c] - max_in_row;
      if (diff >= p.diff_min) {
        const int32_t rescaled =
            SaturatingRoundingDoublingHighMul(diff * (1 << p.input_left_shift), p.input_multiplier);
        const int32_t e = ExpOnNegativeValues(rescaled, kScaledDiffIntegerBits);
        sum_of_exps = WrappingAdd(sum_of_exps,
                                  SaturatingRoundingMultiplyByPOT(e, 0 - kAccumulationIntegerBits));
      }
    }
    int num_bits_over_unit = 0;
    const int32_t shifted_scale =
        GetReciprocal(sum_of_exps, kAccumulationIntegerBits, &num_bits_over_unit);
    int exponent = num_bits_over_unit + 31 - 8;
    if (exponent < 0) exponent = 0;  // cannot happen for a non-empty row; keeps the shift valid
    if (exponent > 31) exponent = 31;
    for (int32_t c = 0; c < p.depth; ++c) {
      const int32_t diff = in[c] - max_in_row;
      if (diff >= p.diff_min) {
        const int32_t rescaled =
            SaturatingRoundingDoublingHighMul(diff * (1 << p.input_left_shift), p.input_multiplier);
        const int32_t e = ExpOnNegativeValues(rescaled, kScaledDiffIntegerBits);
        const int32_t unsat =
            RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(shifted_scale, e), exponent);
        int32_t v = unsat - 128;
        v = v < -128 ? -128 : (v > 127 ? 127 : v);
        out[c] = static_cast<int8_t>(v);
      } else {
        out[c] = -128;
      }
    }
  }
}

void SoftmaxFloat(const SoftmaxParams& p, const float* input, float* output) {
  for (int32_t i = 0; i < p.outer; ++i) {
    const float* in = input + i * p.depth;
    float* out = output + i * p.depth;
    float max = -3.402823466e38f;
    for (int32_t c = 0; c < p.depth; ++c) max = in[c] > max ? in[c] : max;
    float sum = 0.0f;
    for (int32_t c = 0; c < p.depth; ++c) {
      out[c] = std::exp((in[c] - max) * p.beta);
      sum += out[c];
    }
    for (int32_t c = 0; c < p.depth; ++c) out[c] = out[c] / sum;
  }
}

}  // namespace tinyloop::runtime::reference
