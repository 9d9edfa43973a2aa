// Helpers over the Cortex-M4 DSP intrinsics (arm_acle.h) shared by the M4 int8 kernels:
// unaligned 32-bit loads, int8x4 -> two int16x2 (with an added offset), the dual MAC, and the
// per-channel requantization of the reference kernels. Cortex-M4 (ARMv7E-M) only.
#pragma once

#include <arm_acle.h>

#include <cstdint>
#include <cstring>

#include "runtime/kernels/cortex_m4/requantize.h"
#include "runtime/kernels/reference/fixed_point.h"

namespace tinyloop::runtime::cortex_m4 {

// Four int8 values from any address (LDR allows unaligned access on the M4).
inline uint32_t Load4(const int8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// Two copies of a 16-bit value, for __sxtab16.
inline uint32_t Dup16(int32_t v) {
  const uint32_t h = static_cast<uint16_t>(static_cast<int16_t>(v));
  return h | (h << 16);
}

// Bytes 0 and 2 / 1 and 3 of `x`, sign-extended to int16, plus `off2` per half. The odd
// halves use the instructions' own ROR #8 operand, which GCC 12 does not fold from C (and its
// arm_acle.h has no __ror), hence the one-instruction asm.
inline uint32_t Even(uint32_t x, uint32_t off2) { return __sxtab16(off2, x); }
inline uint32_t Odd(uint32_t x, uint32_t off2) {
  uint32_t r;
  asm("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(off2), "r"(x));
  return r;
}
inline uint32_t Even(uint32_t x) { return __sxtb16(x); }
inline uint32_t Odd(uint32_t x) {
  uint32_t r;
  asm("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}

inline int32_t Mac2(uint32_t a, uint32_t b, int32_t acc) {
  return __smlad(a, b, static_cast<uint32_t>(acc));
}

// reference::MultiplyByQuantizedMultiplier with fewer instructions, same result for every input:
// (a*b + nudge) / 2^31 truncated toward zero equals floor((a*b + 2^30) / 2^31) for both signs
// of a*b, and the rounding right shift uses 32-bit masks (exponent <= 31). The multiplier is
// never INT32_MIN (Prepare's QuantizeMultiplier gives 0 or [2^30, 2^31)), so the saturating
// case of SaturatingRoundingDoublingHighMul cannot occur.
inline int32_t MultiplyByQuantizedMultiplier(int32_t acc, int32_t multiplier, int shift) {
  const int left_shift = shift > 0 ? shift : 0;
  const int right_shift = shift > 0 ? 0 : -shift;
  const int32_t a = static_cast<int32_t>(static_cast<uint32_t>(acc) << left_shift);
  const int64_t ab = static_cast<int64_t>(a) * multiplier;
  const int32_t x = static_cast<int32_t>((ab + (int64_t{1} << 30)) >> 31);
  const int32_t mask = static_cast<int32_t>((uint32_t{1} << right_shift) - 1u);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> right_shift) + (remainder > threshold ? 1 : 0);
}

// The reference kernels' output stage: requantize, add the output offset, clamp.
inline int8_t Requantize(int32_t acc, int32_t multiplier, int shift, int32_t output_offset,
                         int32_t act_min, int32_t act_max) {
  int32_t v = MultiplyByQuantizedMultiplier(acc, multiplier, shift);
  v = reference::WrappingAdd(v, output_offset);
  v = v < act_min ? act_min : v;
  v = v > act_max ? act_max : v;
  return static_cast<int8_t>(v);
}

// Requant(acc, q) (requantize.h) with q.Fast(): the 64-bit sum round - [acc < 0] * 2^31 +
// acc * multiplier as ASR, ADDS, ADC, SMLAL (GCC spends eight instructions on it).
inline int32_t RequantFast(int32_t acc, const ChannelRequant& q) {
  uint32_t sign, lo;
  int32_t hi;
  asm("asr   %[sign], %[acc], #31\n\t"
      "adds  %[lo], %[round_lo], %[sign], lsl #31\n\t"
      "adc   %[hi], %[round_hi], %[sign]\n\t"
      "smlal %[lo], %[hi], %[acc], %[m]\n\t"
      : [sign] "=&r"(sign), [lo] "=&r"(lo), [hi] "=&r"(hi)
      :
      [acc] "r"(acc), [round_lo] "r"(q.round_lo), [round_hi] "r"(q.round_hi), [m] "r"(q.multiplier)
      : "cc");
  return hi >> q.right_shift_minus_1;
}

inline int32_t RequantM4(int32_t acc, const ChannelRequant& q) {
  return q.Fast() ? RequantFast(acc, q) : Requant(acc, q);
}

// Output offset and activation clamp; kFullRange (o.FullRange()): the clamp is [-128, 127], one
// SSAT.
template <bool kFullRange>
inline int32_t Finish(int32_t v, const OutputStage& o) {
  v = reference::WrappingAdd(v, o.offset);
  if (kFullRange) return __ssat(v, 8);
  v = v < o.act_min ? o.act_min : v;
  v = v > o.act_max ? o.act_max : v;
  return v;
}

}  // namespace tinyloop::runtime::cortex_m4
