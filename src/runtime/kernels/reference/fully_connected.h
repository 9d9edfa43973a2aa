// Reference FULLY_CONNECTED math (int8 per-tensor or per-channel, float32), following TFLite's
// reference_integer_ops::FullyConnected and reference_ops::FullyConnected exactly.
#pragma once

#include <cstdint>

namespace tinyloop::runtime::reference {

struct FullyConnectedParams {
  int32_t batches = 1;
  int32_t units = 0;        // output depth
  int32_t accum_depth = 0;  // input elements per batch
  int32_t input_offset = 0, filter_offset = 0, output_offset = 0;
  int32_t act_min = -128, act_max = 127;
  float float_min = 0.0f, float_max = 0.0f;
  int32_t multiplier = 0;  // per-tensor
  int32_t shift = 0;
  const int32_t* multipliers = nullptr;  // per-channel when non-null (one per unit)
  const int8_t* shifts = nullptr;
};

// weights [units, accum_depth]; bias [units] or null.
void FullyConnectedInt8(const FullyConnectedParams& p, const int8_t* input, const int8_t* weights,
                        const int32_t* bias, int8_t* output);
void FullyConnectedFloat(const FullyConnectedParams& p, const float* input, const float* weights,
                         const float* bias, float* output);

}  // namespace tinyloop::runtime::reference
