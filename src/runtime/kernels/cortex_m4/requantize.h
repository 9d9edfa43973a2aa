// Output stage of the Cortex-M4 int8 kernels: reference::MultiplyByQuantizedMultiplier (TFLite's
// double rounding) in about five instructions per output once a channel's constants are known.
// Portable C++ (no intrinsics), so the host tests check it against the reference for any input.
#pragma once

#include <cstdint>

#include "runtime/kernels/reference/fixed_point.h"

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
  int32_t multiplier = 0;  // reference multiplier: 0 or [2^30, 2^31) (QuantizeMultiplier)
  int shift = 0;           // reference shift (> 0: left)
  int right_shift_minus_1 = 0;
  int64_t round = 0;  // 2^30 + 2^(30+rs); meaningful when Fast()
  bool Fast() const { return shift < 0; }
};

inline ChannelRequant MakeChannelRequant(int32_t multiplier, int shift) {
  ChannelRequant q;
  q.multiplier = multiplier;
  q.shift = shift;
  if (shift < 0) {
    const int rs = -shift;
    q.right_shift_minus_1 = rs - 1;
    q.round = (int64_t{1} << 30) + (int64_t{1} << (30 + rs));
  }
  return q;
}

// reference::MultiplyByQuantizedMultiplier(acc, q.multiplier, q.shift), the same for every acc.
// Precondition: q.multiplier >= 0 (never INT32_MIN, so no saturation case either).
inline int32_t Requant(int32_t acc, const ChannelRequant& q) {
  if (q.Fast()) {
    const int64_t sign = acc >> 31;  // 0 or -1
    const int64_t v = q.round + sign * (int64_t{1} << 31) + static_cast<int64_t>(acc) * q.multiplier;
    return static_cast<int32_t>(v >> 32) >> q.right_shift_minus_1;
  }
  // Left shift or no shift: the exact general form.
  const int left_shift = q.shift > 0 ? q.shift : 0;
  const int32_t a = static_cast<int32_t>(static_cast<uint32_t>(acc) << left_shift);
  const int64_t ab = static_cast<int64_t>(a) * q.multiplier;
  return static_cast<int32_t>((ab + (int64_t{1} << 30)) >> 31);
}

// Output offset and activation clamp of the reference kernels. kFullRange: the clamp is
// [-128, 127], which the int8 store's saturation does in one instruction on the M4.
struct OutputStage {
  int32_t offset = 0, act_min = -128, act_max = 127;
  bool FullRange() const { return act_min <= -128 && act_max >= 127; }
};

template <bool kFullRange>
inline int8_t Finish(int32_t v, const OutputStage& o) {
  v = reference::WrappingAdd(v, o.offset);
  if (kFullRange) {
    v = v < -128 ? -128 : v;
    v = v > 127 ? 127 : v;
  } else {
    v = v < o.act_min ? o.act_min : v;
    v = v > o.act_max ? o.act_max : v;
  }
  return static_cast<int8_t>(v);
}

}  // namespace tinyloop::runtime::cortex_m4
