// Cortex-M4 int8 DEPTHWISE_CONV_2D (int8_kernels.h), depth multiplier 1: four channels at a time,
// each 4-channel block over the whole output. The block's filter taps are widened to int16 once
// (Even/Odd halves per tap) and its requantization constants computed once; each tap then costs
// one input load, two __sxtab16 and four __smlabb/__smlatt, with 3x3 windows away from the
// padding fully unrolled. Left-over channels (input_c % 4) and other shapes (depth multiplier,
// dilation, filters over kMaxTaps taps) use the reference math.
#include <arm_acle.h>

#include <cstdint>

#include "runtime/kernels/cortex_m4/dsp.h"
#include "runtime/kernels/cortex_m4/int8_kernels.h"
#include "runtime/kernels/cortex_m4/requantize.h"

namespace tinyloop::runtime::cortex_m4 {
namespace {

constexpr int32_t kMaxTaps = 25;  // filters up to 5x5

inline int32_t Max(int32_t a, int32_t b) { return a > b ? a : b; }
inline int32_t Min(int32_t a, int32_t b) { return a < b ? a : b; }

// What one 4-channel block needs besides the input: widened taps, bias, requantization.
struct Block4 {
  uint32_t taps[2 * kMaxTaps];  // tap t: [2t] channels 0 and 2, [2t + 1] channels 1 and 3
  int32_t bias[4];
  ChannelRequant q[4];
};

struct Acc4 {
  int32_t c0, c1, c2, c3;
};

// One tap: the four channels' input bytes at x (+ offset) times the widened filter at f.
inline void Tap(const int8_t* x, const uint32_t* f, uint32_t off2, Acc4* acc) {
  const uint32_t v = Load4(x);
  const uint32_t v02 = Even(v, off2), v13 = Odd(v, off2);
  acc->c0 = __smlabb(f[0], v02, acc->c0);
  acc->c2 = __smlatt(f[0], v02, acc->c2);
  acc->c1 = __smlabb(f[1], v13, acc->c1);
  acc->c3 = __smlatt(f[1], v13, acc->c3);
}

// Every output pixel of channels c..c+3.
template <bool kFullRange>
void Block4Outputs(const reference::ConvParams& p, const int8_t* in_b, const Block4& blk, int32_t c,
                   int8_t* out_b) {
  const int32_t ch = p.input_c, x_row = p.input_w * ch;
  const uint32_t off2 = Dup16(p.input_offset);
  const OutputStage o{p.output_offset, p.act_min, p.act_max};
  const bool is_3x3 = p.filter_h == 3 && p.filter_w == 3;
  int8_t* out = out_b + c;
  for (int32_t oy = 0; oy < p.output_h; ++oy) {
    const int32_t iy0 = oy * p.stride_h - p.pad_h;
    const int32_t fy_lo = Max(0, -iy0), fy_hi = Min(p.filter_h, p.input_h - iy0);
    const bool rows_full = fy_lo == 0 && fy_hi == p.filter_h;
    for (int32_t ox = 0; ox < p.output_w; ++ox, out += ch) {
      const int32_t ix0 = ox * p.stride_w - p.pad_w;
      const int32_t fx_lo = Max(0, -ix0), fx_hi = Min(p.filter_w, p.input_w - ix0);
      const int8_t* x_origin = in_b + (iy0 * p.input_w + ix0) * ch + c;
      Acc4 acc = {blk.bias[0], blk.bias[1], blk.bias[2], blk.bias[3]};
      if (is_3x3 && rows_full && fx_lo == 0 && fx_hi == 3) {
        const int8_t* x = x_origin;
        const uint32_t* f = blk.taps;
        for (int32_t fy = 0; fy < 3; ++fy, x += x_row, f += 6) {
          Tap(x, f, off2, &acc);
          Tap(x + ch, f + 2, off2, &acc);
          Tap(x + 2 * ch, f + 4, off2, &acc);
        }
      } else {
        for (int32_t fy = fy_lo; fy < fy_hi; ++fy) {
          const int8_t* x = x_origin + (fy * p.input_w + fx_lo) * ch;
          const uint32_t* f = blk.taps + 2 * (fy * p.filter_w + fx_lo);
          for (int32_t fx = fx_lo; fx < fx_hi; ++fx, x += ch, f += 2) Tap(x, f, off2, &acc);
        }
      }
      out[0] = static_cast<int8_t>(Finish<kFullRange>(RequantM4(acc.c0, blk.q[0]), o));
      out[1] = static_cast<int8_t>(Finish<kFullRange>(RequantM4(acc.c1, blk.q[1]), o));
      out[2] = static_cast<int8_t>(Finish<kFullRange>(RequantM4(acc.c2, blk.q[2]), o));
      out[3] = static_cast<int8_t>(Finish<kFullRange>(RequantM4(acc.c3, blk.q[3]), o));
    }
  }
}

// Every output pixel of channel c, the reference way (channels past the last full block).
void ChannelOutputs(const reference::ConvParams& p, const int8_t* in_b, const int8_t* filter,
                    const int32_t* bias, int32_t c, int8_t* out_b) {
  const int32_t ch = p.input_c;
  const OutputStage o{p.output_offset, p.act_min, p.act_max};
  const ChannelRequant q = MakeChannelRequant(p.multipliers[c], p.shifts[c]);
  for (int32_t oy = 0; oy < p.output_h; ++oy) {
    const int32_t iy0 = oy * p.stride_h - p.pad_h;
    const int32_t fy_lo = Max(0, -iy0), fy_hi = Min(p.filter_h, p.input_h - iy0);
    for (int32_t ox = 0; ox < p.output_w; ++ox) {
      const int32_t ix0 = ox * p.stride_w - p.pad_w;
      const int32_t fx_lo = Max(0, -ix0), fx_hi = Min(p.filter_w, p.input_w - ix0);
      int32_t acc = bias ? bias[c] : 0;
      for (int32_t fy = fy_lo; fy < fy_hi; ++fy) {
        for (int32_t fx = fx_lo; fx < fx_hi; ++fx) {
          const int32_t iy = iy0 + fy, ix = ix0 + fx;
          acc += filter[(fy * p.filter_w + fx) * ch + c] *
                 (in_b[(iy * p.input_w + ix) * ch + c] + p.input_offset);
        }
      }
      out_b[(oy * p.output_w + ox) * ch + c] =
          static_cast<int8_t>(Finish<false>(RequantM4(acc, q), o));
    }
  }
}

}  // namespace

void DepthwiseConvPerChannelInt8(const reference::ConvParams& params, const int8_t* input,
                                 const int8_t* filter, const int32_t* bias, int8_t* output) {
  // A local copy: the int8 output stores could alias `params`, which would reload every field.
  const auto p = params;
  const int32_t taps = p.filter_h * p.filter_w;
  if (p.depth_multiplier != 1 || p.dilation_h != 1 || p.dilation_w != 1 || taps > kMaxTaps) {
    reference::DepthwiseConvPerChannelInt8(p, input, filter, bias, output);
    return;
  }
  const int32_t ch = p.input_c;
  const bool full_range = OutputStage{p.output_offset, p.act_min, p.act_max}.FullRange();
  Block4 blk;
  for (int32_t b = 0; b < p.batches; ++b) {
    const int8_t* in_b = input + b * p.input_h * p.input_w * ch;
    int8_t* out_b = output + b * p.output_h * p.output_w * ch;
    int32_t c = 0;
    for (; c + 3 < ch; c += 4) {
      for (int32_t t = 0; t < taps; ++t) {
        const uint32_t f = Load4(filter + t * ch + c);
        blk.taps[2 * t] = Even(f);
        blk.taps[2 * t + 1] = Odd(f);
      }
      for (int32_t k = 0; k < 4; ++k) {
        blk.bias[k] = bias ? bias[c + k] : 0;
        blk.q[k] = MakeChannelRequant(p.multipliers[c + k], p.shifts[c + k]);
      }
      if (full_range) {
        Block4Outputs<true>(p, in_b, blk, c, out_b);
      } else {
        Block4Outputs<false>(p, in_b, blk, c, out_b);
      }
    }
    for (; c < ch; ++c) ChannelOutputs(p, in_b, filter, bias, c, out_b);
  }
}

}  // namespace tinyloop::runtime::cortex_m4
