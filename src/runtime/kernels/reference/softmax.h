// Reference SOFTMAX: the int8 -> int8 fixed-point path of TFLite's reference_ops::Softmax
// (Q5.26 scaled differences, gemmlowp exp, Q12.19 sum, fixed-point reciprocal) and float32.
#pragma once

#include <cstdint>

namespace tinyloop::runtime::reference {

struct SoftmaxParams {
  int32_t outer = 1;  // rows
  int32_t depth = 0;  // elements per row (last dimension)
  int32_t input_multiplier = 0;
  int32_t input_left_shift = 0;
  int32_t diff_min = 0;
  float beta = 1.0f;
};

// Prepare-time: fills input_multiplier, input_left_shift, diff_min from beta and the input
// scale (TFLite's PreprocessSoftmaxScaling + CalculateInputRadius). False if out of range.
bool PrepareSoftmaxInt8(float beta, float input_scale, SoftmaxParams* p);

// Output is int8 with scale 1/256 and zero point -128.
void SoftmaxInt8(const SoftmaxParams& p, const int8_t* input, int8_t* output);
void SoftmaxFloat(const SoftmaxParams& p, const float* input, float* output);

}  // namespace tinyloop::runtime::reference
