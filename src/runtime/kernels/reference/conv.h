// Reference CONV_2D and DEPTHWISE_CONV_2D math (int8 per-channel and float32), following
// TFLite's reference_integer_ops::ConvPerChannel / DepthwiseConvPerChannel and reference_ops
// float kernels exactly. Pure functions over NHWC buffers; shapes were validated in Prepare.
#pragma once

#include <cstdint>

namespace tinyloop::runtime::reference {

struct ConvParams {
  int32_t batches = 1;
  int32_t input_h = 0, input_w = 0, input_c = 0;
  int32_t output_h = 0, output_w = 0, output_c = 0;
  int32_t filter_h = 0, filter_w = 0;
  int32_t filter_c = 0;          // conv: input channels per group; depthwise: unused
  int32_t depth_multiplier = 1;  // depthwise only
  int32_t stride_h = 1, stride_w = 1;
  int32_t dilation_h = 1, dilation_w = 1;
  int32_t pad_h = 0, pad_w = 0;
  // int8 only: input_offset = -input zero point, output_offset = output zero point.
  int32_t input_offset = 0, output_offset = 0;
  int32_t act_min = -128, act_max = 127;
  float float_min = 0.0f, float_max = 0.0f;
  const int32_t* multipliers = nullptr;  // one per output channel
  const int8_t* shifts = nullptr;        // one per output channel
};

// filter [output_c, filter_h, filter_w, filter_c]; bias [output_c] or null.
void ConvPerChannelInt8(const ConvParams& p, const int8_t* input, const int8_t* filter,
                        const int32_t* bias, int8_t* output);
void ConvFloat(const ConvParams& p, const float* input, const float* filter, const float* bias,
               float* output);

// filter [1, filter_h, filter_w, output_c]; output_c = input_c * depth_multiplier.
void DepthwiseConvPerChannelInt8(const ConvParams& p, const int8_t* input, const int8_t* filter,
                                 const int32_t* bias, int8_t* output);
void DepthwiseConvFloat(const ConvParams& p, const float* input, const float* filter,
                        const float* bias, float* output);

}  // namespace tinyloop::runtime::reference
