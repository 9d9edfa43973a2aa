// Cortex-M4 int8 CONV_2D (int8_kernels.h). Windows up to kMaxWindow values are gathered once per
// output pixel into an int16 column (input + offset); two pixels x two output channels then
// share every load in a hand-scheduled __smlad loop. Larger windows are read in place, one
// filter row at a time. Other shapes (groups, dilation) call the reference kernel.
#include <arm_acle.h>

#include <cstdint>
#include <cstring>

#include "runtime/kernels/cortex_m4/dsp.h"
#include "runtime/kernels/cortex_m4/int8_kernels.h"
#include "runtime/kernels/cortex_m4/requantize.h"

namespace tinyloop::runtime::cortex_m4 {
namespace {

inline int32_t Max(int32_t a, int32_t b) { return a > b ? a : b; }
inline int32_t Min(int32_t a, int32_t b) { return a < b ? a : b; }

// Accumulators of 2 pixels (a, b) x 2 channels (0, 1).
struct Acc4 {
  int32_t a0, a1, b0, b1;
};

// Adds the dot products of n input values at xa / xb (plus `off`) with n filter values at
// w0 / w1.
inline void Dot2x2(const int8_t* xa, const int8_t* xb, const int8_t* w0, const int8_t* w1,
                   int32_t n, int32_t off, uint32_t off2, Acc4* acc) {
  int32_t a0 = acc->a0, a1 = acc->a1, b0 = acc->b0, b1 = acc->b1;
  for (int32_t k = n >> 2; k > 0; --k) {
    const uint32_t va = Load4(xa);
    const uint32_t vb = Load4(xb);
    xa += 4;
    xb += 4;
    const uint32_t a02 = Even(va, off2), a13 = Odd(va, off2);
    const uint32_t b02 = Even(vb, off2), b13 = Odd(vb, off2);
    uint32_t w = Load4(w0);
    w0 += 4;
    uint32_t w02 = Even(w), w13 = Odd(w);
    a0 = Mac2(w02, a02, a0);
    a0 = Mac2(w13, a13, a0);
    b0 = Mac2(w02, b02, b0);
    b0 = Mac2(w13, b13, b0);
    w = Load4(w1);
    w1 += 4;
    w02 = Even(w);
    w13 = Odd(w);
    a1 = Mac2(w02, a02, a1);
    a1 = Mac2(w13, a13, a1);
    b1 = Mac2(w02, b02, b1);
    b1 = Mac2(w13, b13, b1);
  }
  for (int32_t k = n & 3; k > 0; --k) {
    const int32_t va = *xa++ + off, vb = *xb++ + off;
    const int32_t f0 = *w0++, f1 = *w1++;
    a0 += f0 * va;
    b0 += f0 * vb;
    a1 += f1 * va;
    b1 += f1 * vb;
  }
  acc->a0 = a0;
  acc->a1 = a1;
  acc->b0 = b0;
  acc->b1 = b1;
}

// One pixel x one channel.
inline int32_t Dot1x1(const int8_t* x, const int8_t* w, int32_t n, int32_t off, uint32_t off2,
                      int32_t acc) {
  for (int32_t k = n >> 2; k > 0; --k) {
    const uint32_t v = Load4(x);
    const uint32_t f = Load4(w);
    x += 4;
    w += 4;
    acc = Mac2(Even(f), Even(v, off2), acc);
    acc = Mac2(Odd(f), Odd(v, off2), acc);
  }
  for (int32_t k = n & 3; k > 0; --k) acc += *w++ * (*x++ + off);
  return acc;
}

// One output pixel of a CONV_2D: where its window starts and which taps are inside the input.
struct Window {
  const int8_t* x;  // input at (fy_lo, fx_lo) of the window
  int32_t fy_lo, fy_hi, fx_lo, fx_hi;
};

inline Window MakeWindow(const reference::ConvParams& p, const int8_t* in_b, int32_t oy,
                         int32_t ox) {
  const int32_t iy0 = oy * p.stride_h - p.pad_h, ix0 = ox * p.stride_w - p.pad_w;
  Window w;
  w.fy_lo = Max(0, -iy0);
  w.fy_hi = Min(p.filter_h, p.input_h - iy0);
  w.fx_lo = Max(0, -ix0);
  w.fx_hi = Min(p.filter_w, p.input_w - ix0);
  w.x = in_b + ((iy0 + w.fy_lo) * p.input_w + ix0 + w.fx_lo) * p.input_c;
  return w;
}

// Column layout of the windows of a pixel pair in int16 (input + offset): for each group of four
// values k..k+3, pixel A's as k, k+2, k+1, k+3 (one 32-bit load gives the pair that Even()/Odd()
// of the filter word multiplies), then pixel B's the same way, so one pointer walks both with
// LDRD. The last (window % 4) values are stored in order in their group.
inline uint32_t Load2x16(const int16_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

inline void Store2x16(int16_t* p, uint32_t v) { std::memcpy(p, &v, 4); }

constexpr int32_t kMaxWindow = 576;  // 3x3x64, the largest MLPerf Tiny window

// Where value k of a pixel's column is, relative to its first group (columns or columns + 4).
inline int32_t ColumnSlot(int32_t k) { return 2 * (k & ~3) + (k & 3); }

// n int8 values at x (+ off) -> a pixel's column groups, starting at `column`.
inline void ConvertToColumn(const int8_t* __restrict x, int32_t n, uint32_t off2, int32_t off,
                            int16_t* __restrict column) {
  const int8_t* end = x + (n & ~3);
  while (x != end) {
    const uint32_t v = Load4(x);
    x += 4;
    Store2x16(column, Even(v, off2));
    Store2x16(column + 2, Odd(v, off2));
    column += 8;
  }
  for (int32_t k = n & 3; k > 0; --k) *column++ = static_cast<int16_t>(*x++ + off);
}

// n (a multiple of 4) zero values -> a pixel's column groups.
inline void ZeroColumn(int32_t n, int16_t* column) {
  for (int32_t k = n >> 2; k > 0; --k) {
    Store2x16(column, 0);
    Store2x16(column + 2, 0);
    column += 8;
  }
}

// Writes the window of `w` as an int16 column: input + offset, 0 for padded taps. When a window
// row, its padded taps and its valid taps are whole groups of four values (always when
// input_c % 4 == 0) the rows convert in place; otherwise the window is first copied to `staging` as
// int8, padded taps holding the input zero point (-offset), so that they become 0 too.
void GatherColumn(const reference::ConvParams& p, const Window& w, uint32_t off2, int8_t* staging,
                  int16_t* column) {
  const int32_t ic = p.input_c, off = p.input_offset;
  const int32_t n = p.filter_h * p.filter_w * ic;
  const bool full = w.fy_lo == 0 && w.fy_hi == p.filter_h && w.fx_lo == 0 && w.fx_hi == p.filter_w;
  if (p.filter_h == 1 && p.filter_w == 1 && full) {
    ConvertToColumn(w.x, n, off2, off, column);
    return;
  }
  const int32_t row_bytes = p.filter_w * ic, x_row = p.input_w * ic;
  const int32_t valid = (w.fx_hi - w.fx_lo) * ic, left = w.fx_lo * ic;
  const int8_t* x = w.x;
  if ((row_bytes & 3) == 0 && (left & 3) == 0 && (valid & 3) == 0) {
    for (int32_t fy = 0; fy < p.filter_h; ++fy) {
      int16_t* row = column + 2 * fy * row_bytes;
      if (fy < w.fy_lo || fy >= w.fy_hi || valid <= 0) {
        ZeroColumn(row_bytes, row);
        continue;
      }
      ZeroColumn(left, row);
      ConvertToColumn(x, valid, off2, off, row + 2 * left);
      ZeroColumn(row_bytes - left - valid, row + 2 * (left + valid));
      x += x_row;
    }
    return;
  }
  const int8_t zero_point = static_cast<int8_t>(-off);
  for (int32_t fy = 0; fy < p.filter_h; ++fy) {
    int8_t* row = staging + fy * row_bytes;
    if (fy < w.fy_lo || fy >= w.fy_hi || valid <= 0) {
      for (int32_t k = 0; k < row_bytes; ++k) row[k] = zero_point;
      continue;
    }
    int32_t k = 0;
    for (; k < left; ++k) row[k] = zero_point;
    for (const int8_t* s = x; k < left + valid; ++k) row[k] = *s++;
    for (; k < row_bytes; ++k) row[k] = zero_point;
    x += x_row;
  }
  ConvertToColumn(staging, n, off2, off, column);
}

// One group of four values of Dot2x2Columns: filter words of both channels (the second at
// w0 + n - 4 after w0's increment), both columns' two int16 pairs (LDRD needs the 4-byte
// alignment that the column buffer has), eight dual MACs.
#define TL_M4_DOT2X2_GROUP                   \
  "ldr    %[w], [%[w0]], #4\n\t"             \
  "ldrd   %[xa0], %[xa1], [%[col]], #16\n\t" \
  "ldrd   %[xb0], %[xb1], [%[col], #-8]\n\t" \
  "sxtb16 %[h], %[w]\n\t"                    \
  "sxtb16 %[w], %[w], ror #8\n\t"            \
  "smlad  %[a0], %[h], %[xa0], %[a0]\n\t"    \
  "smlad  %[b0], %[h], %[xb0], %[b0]\n\t"    \
  "smlad  %[a0], %[w], %[xa1], %[a0]\n\t"    \
  "smlad  %[b0], %[w], %[xb1], %[b0]\n\t"    \
  "ldr    %[w], [%[w0], %[nm4]]\n\t"         \
  "sxtb16 %[h], %[w]\n\t"                    \
  "sxtb16 %[w], %[w], ror #8\n\t"            \
  "smlad  %[a1], %[h], %[xa0], %[a1]\n\t"    \
  "smlad  %[b1], %[h], %[xb0], %[b1]\n\t"    \
  "smlad  %[a1], %[w], %[xa1], %[a1]\n\t"    \
  "smlad  %[b1], %[w], %[xb1], %[b1]\n\t"

// Adds the dot products of the pixel pair's columns at `col` with the
// filters w0 and w0 + n, over the n & ~3 leading values. Hand-scheduled because GCC spills
// with 14 live values: 17 instructions per 16 MACs in the two-group loop.
inline void Dot2x2Columns(const int16_t* col, const int8_t* w0, int32_t n, Acc4* acc) {
  int32_t a0 = acc->a0, a1 = acc->a1, b0 = acc->b0, b1 = acc->b1;
  const int32_t nm4 = n - 4;
  uint32_t w, h, xa0, xa1, xb0, xb1;
  int32_t groups = n >> 2;
  if (groups & 1) {
    asm volatile(TL_M4_DOT2X2_GROUP
                 : [a0] "+r"(a0), [a1] "+r"(a1), [b0] "+r"(b0), [b1] "+r"(b1), [col] "+r"(col),
                   [w0] "+r"(w0), [w] "=&r"(w), [h] "=&r"(h), [xa0] "=&r"(xa0), [xa1] "=&r"(xa1),
                   [xb0] "=&r"(xb0), [xb1] "=&r"(xb1)
                 : [nm4] "r"(nm4)
                 : "memory");
  }
  groups >>= 1;
  if (groups > 0) {
    asm volatile("1:\n\t" TL_M4_DOT2X2_GROUP TL_M4_DOT2X2_GROUP
                 "subs   %[groups], %[groups], #1\n\t"
                 "bne    1b\n\t"
                 : [a0] "+r"(a0), [a1] "+r"(a1), [b0] "+r"(b0), [b1] "+r"(b1), [col] "+r"(col),
                   [w0] "+r"(w0), [groups] "+r"(groups), [w] "=&r"(w), [h] "=&r"(h),
                   [xa0] "=&r"(xa0), [xa1] "=&r"(xa1), [xb0] "=&r"(xb0), [xb1] "=&r"(xb1)
                 : [nm4] "r"(nm4)
                 : "cc", "memory");
  }
  acc->a0 = a0;
  acc->a1 = a1;
  acc->b0 = b0;
  acc->b1 = b1;
}
#undef TL_M4_DOT2X2_GROUP

inline int32_t Dot1x1Column(const int16_t* a, const int8_t* w, int32_t n, int32_t acc) {
  for (int32_t k = n >> 2; k > 0; --k) {
    const uint32_t f = Load4(w);
    w += 4;
    acc = Mac2(Even(f), Load2x16(a), acc);
    acc = Mac2(Odd(f), Load2x16(a + 2), acc);
    a += 8;
  }
  for (int32_t k = n & 3; k > 0; --k) acc += *w++ * *a++;
  return acc;
}

// Every output channel of one pixel (pair == false) or of two (outputs at out_a and
// out_a + output_c), from their columns.
template <bool kFullRange>
void ColumnsOutput(const reference::ConvParams& p, const int16_t* columns, bool pair, int32_t n,
                   const int8_t* filter, const int32_t* bias, int8_t* out_a) {
  const int32_t oc_count = p.output_c, head = n & ~3;
  const OutputStage o{p.output_offset, p.act_min, p.act_max};
  int8_t* out_b = out_a + oc_count;
  const int16_t* col_b = columns + 4;
  int32_t oc = 0;
  if (pair) {
    const int32_t* m = p.multipliers;
    const int8_t* s = p.shifts;
    for (; oc + 1 < oc_count; oc += 2) {
      Acc4 acc = {0, 0, 0, 0};
      if (bias != nullptr) acc = {bias[oc], bias[oc + 1], bias[oc], bias[oc + 1]};
      const int8_t* w0 = filter + oc * n;
      Dot2x2Columns(columns, w0, n, &acc);
      for (int32_t k = head; k < n; ++k) {
        const int32_t f0 = w0[k], f1 = w0[n + k];
        const int32_t va = columns[ColumnSlot(k)], vb = col_b[ColumnSlot(k)];
        acc.a0 += f0 * va;
        acc.b0 += f0 * vb;
        acc.a1 += f1 * va;
        acc.b1 += f1 * vb;
      }
      const ChannelRequant q0 = MakeChannelRequant(m[oc], s[oc]);
      const ChannelRequant q1 = MakeChannelRequant(m[oc + 1], s[oc + 1]);
      out_a[oc] = static_cast<int8_t>(Finish<kFullRange>(RequantM4(acc.a0, q0), o));
      out_b[oc] = static_cast<int8_t>(Finish<kFullRange>(RequantM4(acc.b0, q0), o));
      out_a[oc + 1] = static_cast<int8_t>(Finish<kFullRange>(RequantM4(acc.a1, q1), o));
      out_b[oc + 1] = static_cast<int8_t>(Finish<kFullRange>(RequantM4(acc.b1, q1), o));
    }
  }
  for (int32_t k = 0; k < (pair ? 2 : 1); ++k) {
    const int16_t* column = k == 0 ? columns : col_b;
    int8_t* out = k == 0 ? out_a : out_b;
    for (int32_t c = oc; c < oc_count; ++c) {
      const int32_t acc = Dot1x1Column(column, filter + c * n, n, bias ? bias[c] : 0);
      const ChannelRequant q = MakeChannelRequant(p.multipliers[c], p.shifts[c]);
      out[c] = static_cast<int8_t>(Finish<kFullRange>(RequantM4(acc, q), o));
    }
  }
}

}  // namespace

void ConvPerChannelInt8(const reference::ConvParams& params, const int8_t* input,
                        const int8_t* filter, const int32_t* bias, int8_t* output) {
  // A local copy: the int8 output stores could alias `params`, which would reload every field.
  const auto p = params;
  if (p.filter_c != p.input_c || p.dilation_h != 1 || p.dilation_w != 1) {
    reference::ConvPerChannelInt8(p, input, filter, bias, output);
    return;
  }
  const int32_t ic = p.input_c, oc_count = p.output_c;
  const int32_t filter_stride = p.filter_h * p.filter_w * ic;  // bytes per output channel
  const int32_t x_row = p.input_w * ic, w_row = p.filter_w * ic;
  const int32_t off = p.input_offset;
  const uint32_t off2 = Dup16(off);
  const int32_t pixels = p.output_h * p.output_w;
  // Windows of up to kMaxWindow bytes are copied to a stack column (one dot product per output
  // instead of one per filter row); larger ones are read in place, row by row.
  const int32_t window = p.filter_h * p.filter_w * ic;
  const bool use_columns = window <= kMaxWindow;
  alignas(4) int16_t columns[2 * kMaxWindow];
  alignas(4) int8_t staging[kMaxWindow];
  const bool full_range = OutputStage{p.output_offset, p.act_min, p.act_max}.FullRange();
  for (int32_t b = 0; b < p.batches; ++b) {
    const int8_t* in_b = input + b * p.input_h * p.input_w * ic;
    int8_t* out_b = output + b * pixels * oc_count;
    // Output pixels in row-major order, two at a time when their windows have the same taps
    // (always, away from the padding), so pairs may span two output rows.
    int32_t oy = 0, ox = 0;
    for (int32_t pix = 0; pix < pixels;) {
      Window wa = MakeWindow(p, in_b, oy, ox);
      const int32_t oy_b = ox + 1 < p.output_w ? oy : oy + 1;
      const int32_t ox_b = ox + 1 < p.output_w ? ox + 1 : 0;
      Window wb = wa;
      bool pair = false;
      if (pix + 1 < pixels) {
        wb = MakeWindow(p, in_b, oy_b, ox_b);
        pair = use_columns || (wb.fy_lo == wa.fy_lo && wb.fy_hi == wa.fy_hi &&
                               wb.fx_lo == wa.fx_lo && wb.fx_hi == wa.fx_hi);
      }
      int32_t n = Max(0, wa.fx_hi - wa.fx_lo) * ic;  // bytes per filter row
      int32_t rows = Max(0, wa.fy_hi - wa.fy_lo);
      const int8_t* w_base = filter + (wa.fy_lo * p.filter_w + wa.fx_lo) * ic;
      int32_t x_step = x_row, w_step = w_row;
      if (use_columns) {
        GatherColumn(p, wa, off2, staging, columns);
        if (pair) GatherColumn(p, wb, off2, staging, columns + 4);
      }
      int8_t* out_a = out_b + pix * oc_count;
      int32_t oc = 0;
      if (use_columns) {
        if (full_range) {
          ColumnsOutput<true>(p, columns, pair, window, filter, bias, out_a);
        } else {
          ColumnsOutput<false>(p, columns, pair, window, filter, bias, out_a);
        }
        oc = oc_count;
      } else if (pair) {
        int8_t* out_p = out_a + oc_count;
        for (; oc + 1 < oc_count; oc += 2) {
          const int32_t bias0 = bias ? bias[oc] : 0, bias1 = bias ? bias[oc + 1] : 0;
          Acc4 acc = {bias0, bias1, bias0, bias1};
          const int8_t* wr = w_base + oc * filter_stride;
          const int8_t* xa = wa.x;
          const int8_t* xb = wb.x;
          for (int32_t r = 0; r < rows; ++r) {
            Dot2x2(xa, xb, wr, wr + filter_stride, n, off, off2, &acc);
            xa += x_step;
            xb += x_step;
            wr += w_step;
          }
          const int32_t m0 = p.multipliers[oc], m1 = p.multipliers[oc + 1];
          const int s0 = p.shifts[oc], s1 = p.shifts[oc + 1];
          out_a[oc] = Requantize(acc.a0, m0, s0, p.output_offset, p.act_min, p.act_max);
          out_a[oc + 1] = Requantize(acc.a1, m1, s1, p.output_offset, p.act_min, p.act_max);
          out_p[oc] = Requantize(acc.b0, m0, s0, p.output_offset, p.act_min, p.act_max);
          out_p[oc + 1] = Requantize(acc.b1, m1, s1, p.output_offset, p.act_min, p.act_max);
        }
      }
      for (int32_t k = 0; k < (pair ? 2 : 1); ++k) {
        int8_t* out = out_a + k * oc_count;
        for (int32_t c = oc; c < oc_count; ++c) {
          int32_t acc = bias ? bias[c] : 0;
          const int8_t* wr = w_base + c * filter_stride;
          const int8_t* x = k == 0 ? wa.x : wb.x;
          for (int32_t r = 0; r < rows; ++r) {
            acc = Dot1x1(x, wr, n, off, off2, acc);
            x += x_step;
            wr += w_step;
          }
          out[c] =
              Requantize(acc, p.multipliers[c], p.shifts[c], p.output_offset, p.act_min, p.act_max);
        }
      }
      const int32_t step = pair ? 2 : 1;
      pix += step;
      ox += step;
      while (ox >= p.output_w && p.output_w > 0) {
        ox -= p.output_w;
        ++oy;
      }
    }
  }
}

}  // namespace tinyloop::runtime::cortex_m4
