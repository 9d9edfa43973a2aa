// Reference MUL (int8 and float32), elementwise with NumPy-style broadcasting over up to 4
// dimensions: TFLite's reference_integer_ops::Mul arithmetic (offsets, one output multiplier
// for input1_scale * input2_scale / output_scale, fused activation clamp).
#pragma once

#include <cstdint>

namespace tinyloop::runtime::reference {

struct MulParams {
  int32_t dims[4] = {1, 1, 1, 1};      // output shape, padded to 4D on the left
  int32_t strides1[4] = {0, 0, 0, 0};  // element strides of input 1 per output dim (0 = broadcast)
  int32_t strides2[4] = {0, 0, 0, 0};
  int32_t input1_offset = 0, input2_offset = 0, output_offset = 0;  // -zp1, -zp2, zp_out
  int32_t output_multiplier = 0, output_shift = 0;
  int32_t act_min = -128, act_max = 127;
  float float_min = 0.0f, float_max = 0.0f;
};

void MulInt8(const MulParams& p, const int8_t* input1, const int8_t* input2, int8_t* output);
void MulFloat(const MulParams& p, const float* input1, const float* input2, float* output);

}  // namespace tinyloop::runtime::reference
