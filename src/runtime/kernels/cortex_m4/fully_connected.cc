// Cortex-M4 int8 FULLY_CONNECTED (int8_kernels.h): two output units at a time share each
// input word's int8 -> int16 conversion; __smlad does two MACs. A non-zero filter offset (not
// produced by int8 symmetric weights) calls the reference kernel.
#include <cstdint>

#include "runtime/kernels/cortex_m4/dsp.h"
#include "runtime/kernels/cortex_m4/int8_kernels.h"

namespace tinyloop::runtime::cortex_m4 {

void FullyConnectedInt8(const reference::FullyConnectedParams& params, const int8_t* input,
                        const int8_t* weights, const int32_t* bias, int8_t* output) {
  // A local copy: the int8 output stores could alias `params`, which would reload every field.
  const auto p = params;
  if (p.filter_offset != 0) {
    reference::FullyConnectedInt8(p, input, weights, bias, output);
    return;
  }
  const int32_t depth = p.accum_depth;
  const int32_t off = p.input_offset;
  const uint32_t off2 = Dup16(off);
  auto store = [&](int32_t acc, int32_t u, int8_t* out) {
    const int32_t m = p.multipliers ? p.multipliers[u] : p.multiplier;
    const int s = p.multipliers ? p.shifts[u] : p.shift;
    out[u] = Requantize(acc, m, s, p.output_offset, p.act_min, p.act_max);
  };
  for (int32_t b = 0; b < p.batches; ++b) {
    const int8_t* in = input + b * depth;
    int8_t* out = output + b * p.units;
    int32_t u = 0;
    for (; u + 1 < p.units; u += 2) {
      int32_t acc0 = bias ? bias[u] : 0, acc1 = bias ? bias[u + 1] : 0;
      const int8_t* x = in;
      const int8_t* w0 = weights + u * depth;
      const int8_t* w1 = w0 + depth;
      for (int32_t k = depth >> 2; k > 0; --k) {
        const uint32_t v = Load4(x);
        x += 4;
        const uint32_t v02 = Even(v, off2), v13 = Odd(v, off2);
        uint32_t f = Load4(w0);
        w0 += 4;
        acc0 = Mac2(Even(f), v02, acc0);
        acc0 = Mac2(Odd(f), v13, acc0);
        f = Load4(w1);
        w1 += 4;
        acc1 = Mac2(Even(f), v02, acc1);
        acc1 = Mac2(Odd(f), v13, acc1);
      }
      for (int32_t k = depth & 3; k > 0; --k) {
        const int32_t v = *x++ + off;
        acc0 += *w0++ * v;
        acc1 += *w1++ * v;
      }
      store(acc0, u, out);
      store(acc1, u + 1, out);
    }
    for (; u < p.units; ++u) {
      int32_t acc = bias ? bias[u] : 0;
      const int8_t* w = weights + u * depth;
      for (int32_t d = 0; d < depth; ++d) acc += w[d] * (in[d] + off);
      store(acc, u, out);
    }
  }
}

}  // namespace tinyloop::runtime::cortex_m4
