#include "runtime/kernels/reference/activations.h"

#include <cmath>

#include "runtime/kernels/reference/fixed_point.h"

namespace tinyloop::runtime::reference {
namespace {

constexpr int kInputIntegerBits = 4;

inline int32_t Clamp8(int32_t v) { return v < -128 ? -128 : (v > 127 ? 127 : v); }

// The shared front of both kernels: the input minus its zero point saturates outside the
// radius, and is otherwise rescaled to Q4.27 and handed to `finish`.
template <typename Finish>
void ForEachInput(const LogisticTanhParams& p, const int8_t* input, int8_t* output, Finish finish) {
  for (int32_t i = 0; i < p.count; ++i) {
    const int32_t x = static_cast<int32_t>(input[i]) - p.input_zero_point;
    if (x <= -p.input_range_radius) {
      output[i] = -128;
    } else if (x >= p.input_range_radius) {
      output[i] = 127;
    } else {
      // Inside the radius |x| * 2^shift < 15 * 2^27, so the left shift cannot overflow.
      const int32_t q4 = MultiplyByQuantizedMultiplier(x, p.input_multiplier, p.input_left_shift);
      output[i] = static_cast<int8_t>(finish(q4));
    }
  }
}

}  // namespace

bool PrepareLogisticTanhInt8(float input_scale, int32_t input_zero_point, LogisticTanhParams* p) {
  const double real = static_cast<double>(input_scale) *
                      static_cast<double>(int64_t{1} << (31 - kInputIntegerBits));
  if (!(real > 0.0) || !std::isfinite(real)) return false;
  int shift = 0;
  const double q = std::frexp(real, &shift);
  int64_t multiplier = static_cast<int64_t>(std::round(q * static_cast<double>(int64_t{1} << 31)));
  if (multiplier == (int64_t{1} << 31)) {  // q rounded up to 1.0 (TFLite would overflow here)
    multiplier /= 2;
    ++shift;
  }
  // TFLite's CalculateInputRadius shifts by the (non-negative) exponent.
  if (shift < 0 || shift > 30) return false;
  const double max_input_rescaled = 1.0 * ((1 << kInputIntegerBits) - 1) *
                                    static_cast<double>(int64_t{1} << (31 - kInputIntegerBits)) /
                                    static_cast<double>(int64_t{1} << shift);
  p->input_zero_point = input_zero_point;
  p->input_multiplier = static_cast<int32_t>(multiplier);
  p->input_left_shift = shift;
  p->input_range_radius = static_cast<int32_t>(std::floor(max_input_rescaled));
  return true;
}

int32_t FixedPointLogisticQ4(int32_t a) {
  if (a == 0) return int32_t{1} << 30;  // one half
  const int32_t abs_a = a > 0 ? a : -a;
  const int32_t positive =
      OneOverOnePlusX(ExpOnNegativeValues(-abs_a, kInputIntegerBits));  // 1 / (1 + e^-|a|)
  return a > 0 ? positive : WrappingSub(INT32_MAX, positive);
}

int32_t FixedPointTanhQ4(int32_t a) {
  if (a == 0) return 0;
  const int32_t negative_abs = a < 0 ? a : -a;
  // e^(2n) for n = -|a|: the same raw value read with one more integer bit is 2n.
  const int32_t t = OneMinusXOverOnePlusX(ExpOnNegativeValues(negative_abs, kInputIntegerBits + 1));
  return a < 0 ? -t : t;
}

void LogisticInt8(const LogisticTanhParams& p, const int8_t* input, int8_t* output) {
  ForEachInput(p, input, output, [](int32_t q4) {
    // Q0.31 -> 1/256 steps, zero point -128.
    return Clamp8(RoundingDivideByPOT(FixedPointLogisticQ4(q4), 31 - 8) - 128);
  });
}

void TanhInt8(const LogisticTanhParams& p, const int8_t* input, int8_t* output) {
  ForEachInput(p, input, output, [](int32_t q4) {
    // Q0.31 -> 1/128 steps, zero point 0.
    return Clamp8(RoundingDivideByPOT(FixedPointTanhQ4(q4), 31 - 7));
  });
}

void LogisticFloat(int32_t count, const float* input, float* output) {
  // TFLite's cut-offs: beyond them the float result is exactly 1, or exp(x) to float precision.
  const float cutoff_upper = 16.619047164916992188f;
  const float cutoff_lower = -9.0f;
  for (int32_t i = 0; i < count; ++i) {
    const float x = input[i];
    if (x > cutoff_upper) {
      output[i] = 1.0f;
    } else if (x < cutoff_lower) {
      output[i] = std::exp(x);
    } else {
      output[i] = 1.0f / (1.0f + std::exp(-x));
    }
  }
}

void TanhFloat(int32_t count, const float* input, float* output) {
  for (int32_t i = 0; i < count; ++i) output[i] = std::tanh(input[i]);
}

}  // namespace tinyloop::runtime::reference
