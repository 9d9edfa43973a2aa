#include "runtime/kernels/reference/fully_connected.h"

#include "runtime/kernels/reference/fixed_point.h"

namespace tinyloop::runtime::reference {

void FullyConnectedInt8(const FullyConnectedParams& p, const int8_t* input, const int8_t* weights,
                        const int32_t* bias, int8_t* output) {
  for (int32_t b = 0; b < p.batches; ++b) {
    const int8_t* in = input + b * p.accum_depth;
    for (int32_t u = 0; u < p.units; ++u) {
      const int8_t* w = weights + u * p.accum_depth;
      int32_t acc = 0;
      for (int32_t d = 0; d < p.accum_depth; ++d) {
        acc += (static_cast<int32_t>(w[d]) + p.filter_offset) *
               (static_cast<int32_t>(in[d]) + p.input_offset);
      }
      if (bias) acc = WrappingAdd(acc, bias[u]);
      acc = p.multipliers ? MultiplyByQuantizedMultiplier(acc, p.multipliers[u], p.shifts[u])
                          : MultiplyByQuantizedMultiplier(acc, p.multiplier, p.shift);
      acc = WrappingAdd(acc, p.output_offset);
      acc = acc < p.act_min ? p.act_min : (acc > p.act_max ? p.act_max : acc);
      output[b * p.units + u] = static_cast<int8_t>(acc);
    }
  }
}

void FullyConnectedFloat(const FullyConnectedParams& p, const float* input, const float* weights,
                         const float* bias, float* output) {
  for (int32_t b = 0; b < p.batches; ++b) {
    const float* in = input + b * p.accum_depth;
    for (int32_t u = 0; u < p.units; ++u) {
      const float* w = weights + u * p.accum_depth;
      float total = 0.0f;
      for (int32_t d = 0; d < p.accum_depth; ++d) total += in[d] * w[d];
      const float v = total + (bias ? bias[u] : 0.0f);
      output[b * p.units + u] = v < p.float_min ? p.float_min : (v > p.float_max ? p.float_max : v);
    }
  }
}

}  // namespace tinyloop::runtime::reference
