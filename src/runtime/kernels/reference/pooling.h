// Reference AVERAGE_POOL_2D, MAX_POOL_2D (int8 and float32) and MEAN over H and W (float32),
// following TFLite's reference kernels, including the int8 average's round-half-away division.
#pragma once

#include <cstdint>

namespace tinyloop::runtime::reference {

struct PoolParams {
  int32_t batches = 1;
  int32_t input_h = 0, input_w = 0, channels = 0;
  int32_t output_h = 0, output_w = 0;
  int32_t filter_h = 1, filter_w = 1;
  int32_t stride_h = 1, stride_w = 1;
  int32_t pad_h = 0, pad_w = 0;
  int32_t act_min = -128, act_max = 127;
  float float_min = 0.0f, float_max = 0.0f;
};

void AveragePoolInt8(const PoolParams& p, const int8_t* input, int8_t* output);
void AveragePoolFloat(const PoolParams& p, const float* input, float* output);
void MaxPoolInt8(const PoolParams& p, const int8_t* input, int8_t* output);
void MaxPoolFloat(const PoolParams& p, const float* input, float* output);

// Mean over the H and W axes of [batches, input_h, input_w, channels] -> [batches, channels].
void MeanHwFloat(const PoolParams& p, const float* input, float* output);

}  // namespace tinyloop::runtime::reference
