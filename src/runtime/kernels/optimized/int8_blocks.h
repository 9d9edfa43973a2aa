// Building blocks of the optimized int8 kernels: fixed-width (16-lane) loops over __restrict
// pointers that GCC and Clang vectorize at -O2 on x86-64 (pmaddwd / pmullw), and that stay plain
// multiply-accumulate loops on a Cortex-M4. Internal to src/runtime/kernels/optimized.
#pragma once

#include <cstdint>

#include "runtime/kernels/reference/fixed_point.h"

namespace tinyloop::runtime::optimized::blocks {

// Lanes per block; every inner loop below runs exactly kLanes iterations so the vectorizer needs
// neither an epilogue nor run-time alias checks (which -O2's cheap cost model refuses).
inline constexpr int32_t kLanes = 16;
// One 8-lane block before a scalar tail, so depths of 8 (and 24, 40, ...) stay vectorized.
inline constexpr int32_t kHalfLanes = 8;

// Largest int16 patch (filter_h * filter_w * input_c, or FULLY_CONNECTED depth) the kernels keep
// on the stack: 2 KiB. Larger shapes run the reference kernel.
inline constexpr int32_t kMaxPatch = 1024;

// sum(w[k] * x[k]) for k < n.
inline int32_t Dot(const int8_t* __restrict w, const int16_t* __restrict x, int32_t n) {
  int32_t acc = 0;
  int32_t k = 0;
  for (; k + kLanes <= n; k += kLanes) {
    int32_t part = 0;
    for (int32_t j = 0; j < kLanes; ++j) {
      part += static_cast<int32_t>(w[k + j]) * static_cast<int32_t>(x[k + j]);
    }
    acc += part;
  }
  if (k + kHalfLanes <= n) {
    int32_t part = 0;
    for (int32_t j = 0; j < kHalfLanes; ++j) {
      part += static_cast<int32_t>(w[k + j]) * static_cast<int32_t>(x[k + j]);
    }
    acc += part;
    k += kHalfLanes;
  }
  for (; k < n; ++k) acc += static_cast<int32_t>(w[k]) * static_cast<int32_t>(x[k]);
  return acc;
}

// Four dot products of consecutive rows (stride n) with the same x: x is loaded once per block.
inline void Dot4(const int8_t* __restrict w, const int16_t* __restrict x, int32_t n,
                 int32_t* __restrict out) {
  const int8_t* __restrict w0 = w;
  const int8_t* __restrict w1 = w + n;
  const int8_t* __restrict w2 = w + 2 * n;
  const int8_t* __restrict w3 = w + 3 * n;
  int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  int32_t k = 0;
  for (; k + kLanes <= n; k += kLanes) {
    int32_t p0 = 0, p1 = 0, p2 = 0, p3 = 0;
    for (int32_t j = 0; j < kLanes; ++j) {
      const int32_t v = x[k + j];
      p0 += static_cast<int32_t>(w0[k + j]) * v;
      p1 += static_cast<int32_t>(w1[k + j]) * v;
      p2 += static_cast<int32_t>(w2[k + j]) * v;
      p3 += static_cast<int32_t>(w3[k + j]) * v;
    }
    a0 += p0;
    a1 += p1;
    a2 += p2;
    a3 += p3;
  }
  if (k + kHalfLanes <= n) {
    int32_t p0 = 0, p1 = 0, p2 = 0, p3 = 0;
    for (int32_t j = 0; j < kHalfLanes; ++j) {
      const int32_t v = x[k + j];
      p0 += static_cast<int32_t>(w0[k + j]) * v;
      p1 += static_cast<int32_t>(w1[k + j]) * v;
      p2 += static_cast<int32_t>(w2[k + j]) * v;
      p3 += static_cast<int32_t>(w3[k + j]) * v;
    }
    a0 += p0;
    a1 += p1;
    a2 += p2;
    a3 += p3;
    k += kHalfLanes;
  }
  for (; k < n; ++k) {
    const int32_t v = x[k];
    a0 += static_cast<int32_t>(w0[k]) * v;
    a1 += static_cast<int32_t>(w1[k]) * v;
    a2 += static_cast<int32_t>(w2[k]) * v;
    a3 += static_cast<int32_t>(w3[k]) * v;
  }
  out[0] = a0;
  out[1] = a1;
  out[2] = a2;
  out[3] = a3;
}

// y[k] = x[k] + offset for k < n (offset = -zero point, so |y| <= 255 fits int16).
inline void Widen(const int8_t* __restrict x, int16_t offset, int16_t* __restrict y, int32_t n) {
  int32_t k = 0;
  for (; k + kLanes <= n; k += kLanes) {
    for (int32_t j = 0; j < kLanes; ++j) {
      y[k + j] = static_cast<int16_t>(static_cast<int16_t>(x[k + j]) + offset);
    }
  }
  for (; k < n; ++k) y[k] = static_cast<int16_t>(static_cast<int16_t>(x[k]) + offset);
}

// acc[j] += w[j] * (x[j] + offset) for j < kBlock (one depthwise tap over kBlock channels).
template <int32_t kBlock>
inline void MacBlock(const int8_t* __restrict w, const int8_t* __restrict x, int16_t offset,
                     int32_t* __restrict acc) {
  for (int32_t j = 0; j < kBlock; ++j) {
    const int16_t v = static_cast<int16_t>(static_cast<int16_t>(x[j]) + offset);
    // |w * v| <= 128 * 255 fits int16, so the product is exact in 16 bits.
    acc[j] += static_cast<int16_t>(static_cast<int16_t>(w[j]) * v);
  }
}

// reference::MultiplyByQuantizedMultiplier for a multiplier >= 0 (what QuantizeMultiplier
// produces): the same two roundings, without the saturation test, which only a multiplier of
// INT32_MIN could trigger.
inline int32_t MultiplyByNonNegativeMultiplier(int32_t x, int32_t multiplier, int shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  const int64_t ab = static_cast<int64_t>(static_cast<int32_t>(static_cast<uint32_t>(x) << left)) *
                     static_cast<int64_t>(multiplier);
  const int64_t nudged = ab + (ab >= 0 ? (int64_t{1} << 30) : 1 - (int64_t{1} << 30));
  const int32_t high = static_cast<int32_t>(nudged / (int64_t{1} << 31));
  const int32_t mask = static_cast<int32_t>((int64_t{1} << right) - 1);
  const int32_t threshold = (mask >> 1) + (high < 0 ? 1 : 0);
  return (high >> right) + ((high & mask) > threshold ? 1 : 0);
}

// The reference epilogue of one output: bias, TFLite's requantization, output offset, clamp.
// Precondition: multiplier >= 0.
inline int8_t Requantize(int32_t acc, int32_t bias, int32_t multiplier, int shift,
                         int32_t output_offset, int32_t act_min, int32_t act_max) {
  acc = reference::WrappingAdd(acc, bias);
  acc = MultiplyByNonNegativeMultiplier(acc, multiplier, shift);
  acc = reference::WrappingAdd(acc, output_offset);
  acc = acc < act_min ? act_min : (acc > act_max ? act_max : acc);
  return static_cast<int8_t>(acc);
}

}  // namespace tinyloop::runtime::optimized::blocks
