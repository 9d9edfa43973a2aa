// Reference ADD (int8 with TFLite's left_shift = 20 rescaling, and float32), elementwise with
// NumPy-style broadcasting over up to 4 dimensions (TFLite's BroadcastAdd4DSlow arithmetic).
#pragma once

#include <cstdint>

namespace tinyloop::runtime::reference {

struct AddParams {
  int32_t dims[4] = {1, 1, 1, 1};      // output shape, padded to 4D on the left
  int32_t strides1[4] = {0, 0, 0, 0};  // element strides of input 1 per output dim (0 = broadcast)
  int32_t strides2[4] = {0, 0, 0, 0};
  int32_t input1_offset = 0, input2_offset = 0, output_offset = 0;
  int32_t left_shift = 20;
  int32_t input1_multiplier = 0, input1_shift = 0;
  int32_t input2_multiplier = 0, input2_shift = 0;
  int32_t output_multiplier = 0, output_shift = 0;
  int32_t act_min = -128, act_max = 127;
  float float_min = 0.0f, float_max = 0.0f;
};

void AddInt8(const AddParams& p, const int8_t* input1, const int8_t* input2, int8_t* output);
void AddFloat(const AddParams& p, const float* input1, const float* input2, float* output);

}  // namespace tinyloop::runtime::reference
