// Output stage of the Cortex-M4 int8 kernels: reference::MultiplyByQuantizedMultiplier (TFLite's
// double rounding) in about five instructions per output once a channel's constants are known.
// Portable C++ (no intrinsics), so the host tests check it against the reference for any input.
#pragma once

#include <cstdint>

namespace tinyloop::runtime::cortex_m4 {

// One output channel's requantization, computed once and shared by every output of the channel
// that a kernel writes in a row (2 pixels in CONV_2D).
//
// With right shift rs >= 1, the reference computes x = floor((a*m + 2^30) / 2^31) (rounding
// doubling high multiply, exact for m >= 0) and then floor((x + 2^(rs-1) - [x < 0]) / 2^rs)
// (rounding half away from zero). Both floors nest into one:
//   floor((a*m + 2^30 + 2^(30+rs) - [a < 0] * 2^31) / 2^(31+rs)),
// where [a < 0] may stand for [x < 0] because a*m in [-2^30, 0) gives 0 either way. That is
// one 64-bit multiply-accumulate onto a per-channel constant and the high word shifted by
// rs - 1, with no 32-bit overflow for any accumulator.
struct ChannelRequant {
  int32_t multiplier;           // reference multiplier: 0 or [2^30, 2^31) (QuantizeMultiplier)
  int32_t shift;                // reference shift (> 0: left)
  int32_t right_shift_minus_1;  // rs - 1 when Fast()
  uint32_t round_lo;            // 2^30 + 2^(30+rs) as a 64-bit value, when Fast()
  int32_t round_hi;
  bool Fast() const { return shift < 0; }
};

inline ChannelRequant MakeChannelRequant(int32_t multiplier, int32_t shift) {
  // With t = 2^(rs-1): 2^(30+rs) = t * 2^31, whose low word is bit 31 only when rs == 1.
  const int32_t rs_minus_1 = -shift - 1;
  const uint32_t t = uint32_t{1} << (rs_minus_1 & 31);
  return {multiplier, shift, rs_minus_1, (uint32_t{1} << 30) | (t << 31),
          static_cast<int32_t>(t >> 1)};
}

// reference::MultiplyByQuantizedMultiplier(acc, q.multiplier, q.shift), the same for every acc.
// Precondition: q.multiplier >= 0 (never INT32_MIN, so no saturation case either).
inline int32_t Requant(int32_t acc, const ChannelRequant& q) {
  if (q.Fast()) {
    // round - [acc < 0] * 2^31 + acc * multiplier, as a 64-bit value.
    const uint64_t round = (uint64_t{static_cast<uint32_t>(q.round_hi)} << 32) | q.round_lo;
    const uint64_t v = round + (static_cast<uint64_t>(static_cast<int64_t>(acc >> 31)) << 31) +
                       static_cast<uint64_t>(static_cast<int64_t>(acc) * q.multiplier);
    return static_cast<int32_t>(static_cast<uint32_t>(v >> 32)) >> q.right_shift_minus_1;
  }
  // Left shift or no shift: the exact general form.
  const int left_shift = q.shift > 0 ? q.shift : 0;
  const int32_t a = static_cast<int32_t>(static_cast<uint32_t>(acc) << left_shift);
  const int64_t ab = static_cast<int64_t>(a) * q.multiplier;
  return static_cast<int32_t>((ab + (int64_t{1} << 30)) >> 31);
}

// Output offset and activation clamp of the reference kernels (dsp.h's Finish applies them).
struct OutputStage {
  int32_t offset = 0, act_min = -128, act_max = 127;
  bool FullRange() const { return act_min <= -128 && act_max >= 127; }
};

}  // namespace tinyloop::runtime::cortex_m4
