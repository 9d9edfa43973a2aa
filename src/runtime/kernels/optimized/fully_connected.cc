// Optimized int8 FULLY_CONNECTED: the input row is widened once to int16 (input + offset) on the
// stack, then four weight rows at a time are dotted against it.
#include "runtime/kernels/optimized/int8_blocks.h"
#include "runtime/kernels/optimized/optimized.h"

namespace tinyloop::runtime::optimized {

void FullyConnectedInt8(const reference::FullyConnectedParams& p, const int8_t* input,
                        const int8_t* weights, const int32_t* bias, int8_t* output) {
  const int32_t depth = p.accum_depth;
  if (p.filter_offset != 0 || depth > blocks::kMaxPatch) {
    reference::FullyConnectedInt8(p, input, weights, bias, output);
    return;
  }
  int16_t x[blocks::kMaxPatch];
  int32_t acc[4];
  for (int32_t b = 0; b < p.batches; ++b) {
    blocks::Widen(input + b * depth, static_cast<int16_t>(p.input_offset), x, depth);
    int8_t* out = output + b * p.units;
    int32_t u = 0;
    auto finish = [&](int32_t unit, int32_t a) {
      const int32_t multiplier = p.multipliers ? p.multipliers[unit] : p.multiplier;
      const int shift = p.multipliers ? p.shifts[unit] : p.shift;
      out[unit] = blocks::Requantize(a, bias ? bias[unit] : 0, multiplier, shift, p.output_offset,
                                     p.act_min, p.act_max);
    };
    for (; u + 4 <= p.units; u += 4) {
      blocks::Dot4(weights + u * depth, x, depth, acc);
      for (int32_t j = 0; j < 4; ++j) finish(u + j, acc[j]);
    }
    for (; u < p.units; ++u) finish(u, blocks::Dot(weights + u * depth, x, depth));
  }
}

}  // namespace tinyloop::runtime::optimized
