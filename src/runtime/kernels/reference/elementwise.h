// Reference QUANTIZE (float32 -> int8, int8 -> int8 requantization), DEQUANTIZE (int8 -> float32)
// and RELU (float32), following TFLite's AffineQuantize / Requantize / Dequantize.
#pragma once

#include <cstdint>

namespace tinyloop::runtime::reference {

struct QuantizeParams {
  int32_t count = 0;
  float scale = 1.0f;      // output scale (float -> int8) or input scale (dequantize)
  int32_t zero_point = 0;  // output zero point (float -> int8) or input zero point (dequantize)
  // int8 -> int8 requantization.
  int32_t input_zero_point = 0;
  int32_t multiplier = 0;
  int32_t shift = 0;
};

void QuantizeFloatToInt8(const QuantizeParams& p, const float* input, int8_t* output);
void RequantizeInt8(const QuantizeParams& p, const int8_t* input, int8_t* output);
void DequantizeInt8(const QuantizeParams& p, const int8_t* input, float* output);
void ReluFloat(int32_t count, const float* input, float* output);

}  // namespace tinyloop::runtime::reference
