#include "runtime/kernels/reference/fixed_point.h"

namespace tinyloop::runtime::reference {
namespace {

// Fixed-point product: Q(a).(31-a) x Q(b).(31-b) -> Q(a+b).(31-a-b), same raw formula.
inline int32_t Mul(int32_t a, int32_t b) { return SaturatingRoundingDoublingHighMul(a, b); }

// Changes the integer bits of a raw value from `src` to `dst` (gemmlowp Rescale).
inline int32_t Rescale(int32_t raw, int src, int dst) {
  return SaturatingRoundingMultiplyByPOT(raw, src - dst);
}

// exp(a) for a in [-1/4, 0), Q0.31 in and out: Taylor expansion around -1/8.
int32_t ExpOnIntervalNegativeQuarter(int32_t a) {
  const int32_t constant_term = 1895147668;     // exp(-1/8)
  const int32_t constant_1_over_3 = 715827883;  // 1/3
  const int32_t x = WrappingAdd(a, 1 << 28);    // a + 1/8
  const int32_t x2 = Mul(x, x);
  const int32_t x3 = Mul(x2, x);
  const int32_t x4 = Mul(x2, x2);
  const int32_t x4_over_4 = SaturatingRoundingMultiplyByPOT(x4, -2);
  const int32_t poly = SaturatingRoundingMultiplyByPOT(
      WrappingAdd(Mul(WrappingAdd(x4_over_4, x3), constant_1_over_3), x2), -1);
  return WrappingAdd(constant_term, Mul(constant_term, WrappingAdd(x, poly)));
}

}  // namespace

int32_t ExpOnNegativeValues(int32_t a, int integer_bits) {
  const int fractional_bits = 31 - integer_bits;
  const int32_t one_quarter = fractional_bits >= 2 ? (int32_t{1} << (fractional_bits - 2)) : 0;
  const int32_t mask = one_quarter - 1;
  const int32_t a_mod_quarter_minus_quarter = (a & mask) - one_quarter;
  int32_t result =
      ExpOnIntervalNegativeQuarter(Rescale(a_mod_quarter_minus_quarter, integer_bits, 0));
  const int32_t remainder = static_cast<int32_t>(
      static_cast<uint32_t>(a_mod_quarter_minus_quarter) - static_cast<uint32_t>(a));
  // exp(-2^k) for k = -2..4 in Q0.31.
  static constexpr int32_t kMultipliers[7] = {1672461947, 1302514674, 790015084, 290630308,
                                              39332535,   720401,     242};
  for (int k = 0; k < 7; ++k) {
    const int exponent = k - 2;
    if (integer_bits > exponent) {
      const int shift = fractional_bits + exponent;
      if (remainder & (int32_t{1} << shift)) result = Mul(result, kMultipliers[k]);
    }
  }
  if (integer_bits > 5) {
    const int32_t clamp = -(int32_t{1} << (36 - integer_bits));  // -32 in Q(integer_bits)
    if (a < clamp) result = 0;
  }
  if (a == 0) result = INT32_MAX;  // exactly one
  return result;
}

namespace {

constexpr int32_t kF2One = 1 << 29;  // 1.0 in Q2.29

// Newton-Raphson reciprocal of (1 + a) / 2 in Q2.29, starting from 48/17 - 32/17 * d
// (gemmlowp's one_over_one_plus_x_for_x_in_0_1 and one_minus_x_... share it).
int32_t HalfDenominatorReciprocalQ2(int32_t a) {
  // half_denominator = (a + 1) / 2 in Q0.31, rounded half away from zero.
  const int64_t sum = static_cast<int64_t>(a) + INT32_MAX;
  const int32_t half_denominator = static_cast<int32_t>((sum + (sum >= 0 ? 1 : -1)) / 2);
  const int32_t constant_48_over_17 = 1515870810;
  const int32_t constant_neg_32_over_17 = -1010580540;
  int32_t x = WrappingAdd(constant_48_over_17, Mul(half_denominator, constant_neg_32_over_17));
  for (int i = 0; i < 3; ++i) {
    const int32_t half_denominator_times_x = Mul(half_denominator, x);        // Q2
    const int32_t one_minus = WrappingSub(kF2One, half_denominator_times_x);  // Q2
    x = WrappingAdd(x, Rescale(Mul(x, one_minus), 4, 2));                     // Q4 -> Q2
  }
  return x;
}

}  // namespace

int32_t OneOverOnePlusX(int32_t a) {
  // x / 2: reinterpret Q2 as Q1, then rescale to Q0.
  return Rescale(HalfDenominatorReciprocalQ2(a), 1, 0);
}

int32_t OneMinusXOverOnePlusX(int32_t a) {
  // 2 / (1 + a) - 1 = (1 - a) / (1 + a), from Q2 to Q0.
  return Rescale(WrappingSub(HalfDenominatorReciprocalQ2(a), kF2One), 2, 0);
}

int32_t GetReciprocal(int32_t x, int integer_digits, int* num_bits_over_unit) {
  const uint32_t ux = static_cast<uint32_t>(x);
  int headroom_plus_one = 0;
  while (headroom_plus_one < 32 && !(ux & (0x80000000u >> headroom_plus_one))) ++headroom_plus_one;
  *num_bits_over_unit = integer_digits - headroom_plus_one;
  const uint32_t shifted = headroom_plus_one >= 32 ? 0u : (ux << headroom_plus_one);
  const int32_t shifted_sum_minus_one = static_cast<int32_t>(shifted - (uint32_t{1} << 31));
  return OneOverOnePlusX(shifted_sum_minus_one);
}

}  // namespace tinyloop::runtime::reference
