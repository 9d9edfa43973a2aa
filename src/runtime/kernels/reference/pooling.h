// Reference AVERAGE_POOL_2D, MAX_POOL_2D and MEAN over H and W (int8 and float32), following
// TFLite's reference kernels, including the int8 average's round-half-away division and the
// int8 mean's two paths (see MeanHwInt8).
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

struct MeanParams {
  int32_t batches = 1;
  int32_t input_h = 0, input_w = 0, channels = 0;
  // int8 only. same_quantization: input and output scale and zero point are equal.
  bool same_quantization = false;
  int32_t output_zero_point = 0;
  float scale = 1.0f;  // input_scale / output_scale, a float division as TFLite does
  float bias = 0.0f;   // -input_zero_point * scale
};

// Mean over the H and W axes of [batches, input_h, input_w, channels] -> [batches, channels]
// (keep_dims false). Float: float sum in row-major order divided by the float count.
void MeanHwFloat(const MeanParams& p, const float* input, float* output);
// Int8, as TFLite Micro's MEAN (reference_ops::Mean / QuantizedMeanOrSum): the raw int8 values
// are summed in int32; with same_quantization the mean is that sum / count in C++ integer
// division (truncation toward zero), otherwise round(float(sum) / float(count) * scale + bias)
// + output_zero_point in float, rounded half away from zero and clamped to int8.
void MeanHwInt8(const MeanParams& p, const int8_t* input, int8_t* output);

}  // namespace tinyloop::runtime::reference
