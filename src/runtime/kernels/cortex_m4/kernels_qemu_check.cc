// Firmware main (Cortex-M4, run under QEMU by model/cortex_m4_kernels_test.cc): runs the M4
// CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and ADD kernels beside their reference functions on
// random shapes and quantization parameters (paddings, strides, channel counts that are and are
// not multiples of 4, windows past the column limit, left/zero/right shifts, clamps, with and
// without bias, broadcasting adds) and prints "m4 kernels: N cases, M mismatches"; exits 1 on
// any mismatch.
#include <cstdint>

#include "runtime/kernels/cortex_m4/int8_kernels.h"
#include "runtime/kernels/reference/add.h"
#include "runtime/kernels/reference/conv.h"
#include "runtime/kernels/reference/fully_connected.h"
#include "semihosting.h"

namespace {

using tinyloop::runtime::reference::AddParams;
using tinyloop::runtime::reference::ConvParams;
using tinyloop::runtime::reference::FullyConnectedParams;
namespace m4 = tinyloop::runtime::cortex_m4;
namespace ref = tinyloop::runtime::reference;

constexpr int32_t kMaxBytes = 64 * 1024;
constexpr int32_t kMaxChannels = 1100;

int8_t g_input[kMaxBytes], g_filter[kMaxBytes];
int8_t g_out_m4[kMaxBytes], g_out_ref[kMaxBytes];
int32_t g_bias[kMaxChannels], g_multipliers[kMaxChannels];
int8_t g_shifts[kMaxChannels];

uint32_t g_state = 0x2545F491u;
uint32_t Next() {  // xorshift32
  g_state ^= g_state << 13;
  g_state ^= g_state >> 17;
  g_state ^= g_state << 5;
  return g_state;
}
int32_t Int(int32_t lo, int32_t hi) { return lo + static_cast<int32_t>(Next() % (hi - lo + 1)); }

void Fill(int8_t* p, int32_t n) {
  for (int32_t i = 0; i < n; ++i) p[i] = static_cast<int8_t>(Next());
}

// Per-channel multipliers/shifts as QuantizeMultiplier makes them, mostly right shifts, some
// zero/left shifts and zero multipliers; bias or none.
const int32_t* Quantization(int32_t channels, int32_t* input_offset, int32_t* output_offset,
                            int32_t* act_min, int32_t* act_max) {
  for (int32_t c = 0; c < channels; ++c) {
    g_multipliers[c] = (1 << 30) + static_cast<int32_t>(Next() & 0x3FFFFFFF);
    const int32_t kind = Int(0, 31);
    g_shifts[c] = static_cast<int8_t>(kind == 0 ? Int(0, 2) : kind == 1 ? -1 : -Int(2, 16));
    if (kind == 2) g_multipliers[c] = 0;
    g_bias[c] = Int(-40000, 40000);
  }
  *input_offset = -Int(-128, 127);
  *output_offset = Int(-128, 127);
  const int32_t clamp = Int(0, 2);
  *act_min = clamp == 0 ? -128 : Int(-128, 0);
  *act_max = clamp == 2 ? Int(*act_min, 127) : 127;
  return Int(0, 3) == 0 ? nullptr : g_bias;
}

// Output size and padding for SAME (or VALID when it leaves at least one output).
void Geometry(int32_t in, int32_t filter, int32_t stride, int32_t dilation, int32_t* out,
              int32_t* pad) {
  const int32_t span = (filter - 1) * dilation + 1;
  if (Int(0, 1) == 0 && in >= span) {
    *out = (in - span) / stride + 1;
    *pad = 0;
    return;
  }
  *out = (in + stride - 1) / stride;
  const int32_t total = (*out - 1) * stride + span - in;
  *pad = total > 0 ? total / 2 : 0;
}

bool Same(int32_t n) {
  for (int32_t i = 0; i < n; ++i) {
    if (g_out_m4[i] != g_out_ref[i]) return false;
  }
  return true;
}

bool ConvCase(bool depthwise) {
  ConvParams p;
  p.batches = Int(1, 2);
  p.input_h = Int(1, 11);
  p.input_w = Int(1, 11);
  const bool wide = !depthwise && Int(0, 7) == 0;  // window over the 576-value column limit
  p.input_c = wide ? Int(65, 80) : Int(1, 20);
  p.filter_h = wide ? 3 : Int(1, depthwise && Int(0, 9) == 0 ? 6 : 5);
  p.filter_w = wide ? 3 : Int(1, depthwise && Int(0, 9) == 0 ? 6 : 5);
  p.stride_h = Int(1, 3);
  p.stride_w = Int(1, 3);
  p.dilation_h = p.dilation_w = Int(0, 9) == 0 ? 2 : 1;
  p.depth_multiplier = depthwise && Int(0, 7) == 0 ? 2 : 1;
  p.filter_c = p.input_c;
  p.output_c = depthwise ? p.input_c * p.depth_multiplier : Int(1, 9);
  Geometry(p.input_h, p.filter_h, p.stride_h, p.dilation_h, &p.output_h, &p.pad_h);
  Geometry(p.input_w, p.filter_w, p.stride_w, p.dilation_w, &p.output_w, &p.pad_w);
  const int32_t in_n = p.batches * p.input_h * p.input_w * p.input_c;
  const int32_t filter_n =
      p.filter_h * p.filter_w * (depthwise ? p.output_c : p.input_c * p.output_c);
  const int32_t out_n = p.batches * p.output_h * p.output_w * p.output_c;
  if (in_n > kMaxBytes || filter_n > kMaxBytes || out_n > kMaxBytes) return true;
  Fill(g_input, in_n);
  Fill(g_filter, filter_n);
  const int32_t* bias =
      Quantization(p.output_c, &p.input_offset, &p.output_offset, &p.act_min, &p.act_max);
  p.multipliers = g_multipliers;
  p.shifts = g_shifts;
  Fill(g_out_m4, out_n);
  for (int32_t i = 0; i < out_n; ++i) g_out_ref[i] = static_cast<int8_t>(~g_out_m4[i]);
  if (depthwise) {
    m4::DepthwiseConvPerChannelInt8(p, g_input, g_filter, bias, g_out_m4);
    ref::DepthwiseConvPerChannelInt8(p, g_input, g_filter, bias, g_out_ref);
  } else {
    m4::ConvPerChannelInt8(p, g_input, g_filter, bias, g_out_m4);
    ref::ConvPerChannelInt8(p, g_input, g_filter, bias, g_out_ref);
  }
  return Same(out_n);
}

bool FullyConnectedCase() {
  FullyConnectedParams p;
  p.batches = Int(1, 3);
  p.accum_depth = Int(0, 3) == 0 ? Int(1, 16) : Int(1, 1100);
  p.units = Int(1, 40);
  const int32_t in_n = p.batches * p.accum_depth, w_n = p.units * p.accum_depth;
  if (in_n > kMaxBytes || w_n > kMaxBytes) return true;
  Fill(g_input, in_n);
  Fill(g_filter, w_n);
  const int32_t* bias =
      Quantization(p.units, &p.input_offset, &p.output_offset, &p.act_min, &p.act_max);
  if (Int(0, 1) == 0) {
    p.multipliers = g_multipliers;
    p.shifts = g_shifts;
  } else {
    p.multiplier = g_multipliers[0];
    p.shift = g_shifts[0];
  }
  const int32_t out_n = p.batches * p.units;
  Fill(g_out_m4, out_n);
  for (int32_t i = 0; i < out_n; ++i) g_out_ref[i] = static_cast<int8_t>(~g_out_m4[i]);
  m4::FullyConnectedInt8(p, g_input, g_filter, bias, g_out_m4);
  ref::FullyConnectedInt8(p, g_input, g_filter, bias, g_out_ref);
  return Same(out_n);
}

// Same-shape adds (the M4 loop) and broadcasting ones (one input's dims of 1 with stride 0).
bool AddCase() {
  AddParams p;
  int32_t count = 1;
  for (int32_t d = 0; d < 4; ++d) {
    p.dims[d] = Int(1, d == 3 ? 40 : 6);
    count *= p.dims[d];
  }
  if (count > kMaxBytes) return true;
  const int32_t broadcast = Int(0, 3);  // 0: input 2 broadcast along dim 1 or 3
  int32_t stride = 1;
  for (int32_t d = 3; d >= 0; --d) {
    p.strides1[d] = stride;
    p.strides2[d] = broadcast == 0 && (d == 1 || d == 3) ? 0 : stride;
    stride *= p.dims[d];
  }
  int32_t unused_min = 0, unused_max = 0;
  Quantization(1, &p.input1_offset, &p.output_offset, &unused_min, &unused_max);
  Quantization(1, &p.input2_offset, &p.output_offset, &p.act_min, &p.act_max);
  p.input1_multiplier = (1 << 30) + static_cast<int32_t>(Next() & 0x3FFFFFFF);
  p.input2_multiplier = (1 << 30) + static_cast<int32_t>(Next() & 0x3FFFFFFF);
  p.output_multiplier = (1 << 30) + static_cast<int32_t>(Next() & 0x3FFFFFFF);
  p.input1_shift = -Int(0, 8);
  p.input2_shift = -Int(0, 8);
  p.output_shift = Int(-24, 2);
  Fill(g_input, count);
  Fill(g_filter, count);
  Fill(g_out_m4, count);
  for (int32_t i = 0; i < count; ++i) g_out_ref[i] = static_cast<int8_t>(~g_out_m4[i]);
  m4::AddInt8(p, g_input, g_filter, g_out_m4);
  ref::AddInt8(p, g_input, g_filter, g_out_ref);
  return Same(count);
}

char* Append(char* out, const char* text) {
  while (*text != '\0') *out++ = *text++;
  return out;
}

char* AppendInt(char* out, int32_t v) {
  char digits[12];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) *out++ = digits[--n];
  return out;
}

}  // namespace

int main() {
  constexpr int32_t kCasesPerKernel = 300;
  int32_t mismatches = 0;
  const char* first = nullptr;
  for (int32_t i = 0; i < kCasesPerKernel; ++i) {
    if (!ConvCase(false)) {
      ++mismatches;
      if (first == nullptr) first = "CONV_2D";
    }
    if (!ConvCase(true)) {
      ++mismatches;
      if (first == nullptr) first = "DEPTHWISE_CONV_2D";
    }
    if (!FullyConnectedCase()) {
      ++mismatches;
      if (first == nullptr) first = "FULLY_CONNECTED";
    }
    if (!AddCase()) {
      ++mismatches;
      if (first == nullptr) first = "ADD";
    }
  }
  char line[128];
  char* end = Append(line, "m4 kernels: ");
  end = AppendInt(end, 4 * kCasesPerKernel);
  end = Append(end, " cases, ");
  end = AppendInt(end, mismatches);
  end = Append(end, " mismatches");
  if (first != nullptr) end = Append(Append(end, ", first in "), first);
  Append(end, "\n");
  SemihostWrite(line);
  return mismatches == 0 ? 0 : 1;
}
