#include "runtime/kernels/reference/mul.h"

#include "runtime/kernels/reference/fixed_point.h"

namespace tinyloop::runtime::reference {
namespace {

template <typename T, typename Fn>
void Broadcast4D(const MulParams& p, const T* in1, const T* in2, T* out, Fn fn) {
  int32_t index = 0;
  for (int32_t i0 = 0; i0 < p.dims[0]; ++i0) {
    for (int32_t i1 = 0; i1 < p.dims[1]; ++i1) {
      for (int32_t i2 = 0; i2 < p.dims[2]; ++i2) {
        const int32_t base1 = i0 * p.strides1[0] + i1 * p.strides1[1] + i2 * p.strides1[2];
        const int32_t base2 = i0 * p.strides2[0] + i1 * p.strides2[1] + i2 * p.strides2[2];
        for (int32_t i3 = 0; i3 < p.dims[3]; ++i3) {
          out[index++] = fn(in1[base1 + i3 * p.strides1[3]], in2[base2 + i3 * p.strides2[3]]);
        }
      }
    }
  }
}

}  // namespace

void MulInt8(const MulParams& p, const int8_t* input1, const int8_t* input2, int8_t* output) {
  Broadcast4D(p, input1, input2, output, [&p](int8_t x, int8_t y) {
    // |x - zp| <= 255, so the product fits an int32 exactly.
    const int32_t product = (p.input1_offset + x) * (p.input2_offset + y);
    int32_t out = p.output_offset +
                  MultiplyByQuantizedMultiplier(product, p.output_multiplier, p.output_shift);
    out = out < p.act_min ? p.act_min : (out > p.act_max ? p.act_max : out);
    return static_cast<int8_t>(out);
  });
}

void MulFloat(const MulParams& p, const float* input1, const float* input2, float* output) {
  Broadcast4D(p, input1, input2, output, [&p](float x, float y) {
    const float v = x * y;
    return v < p.float_min ? p.float_min : (v > p.float_max ? p.float_max : v);
  });
}

}  // namespace tinyloop::runtime::reference
