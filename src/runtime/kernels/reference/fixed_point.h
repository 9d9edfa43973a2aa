// Integer fixed-point primitives of TFLite's quantized arithmetic (gemmlowp semantics):
// saturating rounding doubling high multiply, rounding divide by a power of two, and
// MultiplyByQuantizedMultiplier with TFLite's double rounding. Pure, header-only, freestanding.
#pragma once

#include <cstdint>

namespace tinyloop::runtime::reference {

// Two's-complement wrapping add (well defined, unlike signed overflow); identical to `a + b`
// whenever that does not overflow.
inline int32_t WrappingAdd(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}

inline int32_t WrappingSub(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) - static_cast<uint32_t>(b));
}

// round(a * b / 2^31) with ties away from zero; saturates the single overflow case.
inline int32_t SaturatingRoundingDoublingHighMul(int32_t a, int32_t b) {
  if (a == b && a == INT32_MIN) return INT32_MAX;
  const int64_t ab = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  const int32_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));
}

// x / 2^exponent rounded to nearest, ties away from zero. 0 <= exponent <= 31.
inline int32_t RoundingDivideByPOT(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// x * multiplier * 2^shift with multiplier a Q0.31 value in [0.5, 1) (or 0), rounded as TFLite
// does without TFLITE_SINGLE_ROUNDING: left shift first, then two roundings.
inline int32_t MultiplyByQuantizedMultiplier(int32_t x, int32_t multiplier, int shift) {
  const int left_shift = shift > 0 ? shift : 0;
  const int right_shift = shift > 0 ? 0 : -shift;
  const int32_t shifted = static_cast<int32_t>(static_cast<uint32_t>(x) << left_shift);
  return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(shifted, multiplier), right_shift);
}

// Saturating x * 2^exponent for exponent > 0; rounding division for exponent < 0.
inline int32_t SaturatingRoundingMultiplyByPOT(int32_t x, int exponent) {
  if (exponent == 0) return x;
  if (exponent < 0) return RoundingDivideByPOT(x, -exponent);
  const int32_t threshold = static_cast<int32_t>((int64_t{1} << (31 - exponent)) - 1);
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return static_cast<int32_t>(static_cast<uint32_t>(x) << exponent);
}

// exp(x) for a Q(integer_bits).(31-integer_bits) value x <= 0, result in Q0.31; gemmlowp's
// exp_on_negative_values. integer_bits in [0, 30].
int32_t ExpOnNegativeValues(int32_t x, int integer_bits);

// 1 / (1 + x) for a Q0.31 x in [0, 1), result in Q0.31; gemmlowp's
// one_over_one_plus_x_for_x_in_0_1.
int32_t OneOverOnePlusX(int32_t x);

// (1 - x) / (1 + x) for a Q0.31 x in [0, 1), result in Q0.31; gemmlowp's
// one_minus_x_over_one_plus_x_for_x_in_0_1 (used by tanh).
int32_t OneMinusXOverOnePlusX(int32_t x);

// TFLite's GetReciprocal: a Q0.31 reciprocal of x (Q(integer_digits)) and the extra shift.
int32_t GetReciprocal(int32_t x, int integer_digits, int* num_bits_over_unit);

}  // namespace tinyloop::runtime::reference
