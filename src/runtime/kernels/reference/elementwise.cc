#include "runtime/kernels/reference/elementwise.h"

#include <cmath>

#include "runtime/kernels/reference/fixed_point.h"

namespace tinyloop::runtime::reference {

void QuantizeFloatToInt8(const QuantizeParams& p, const float* input, int8_t* output) {
  for (int32_t i = 0; i < p.count; ++i) {
    float r = std::round(input[i] / p.scale);
    // Keeps the int conversion defined for huge or NaN inputs; in-range values are unchanged.
    if (!(r > -1e9f)) r = -1e9f;
    if (r > 1e9f) r = 1e9f;
    int32_t q = static_cast<int32_t>(r) + p.zero_point;
    q = q < -128 ? -128 : (q > 127 ? 127 : q);
    output[i] = static_cast<int8_t>(q);
  }
}

void RequantizeInt8(const QuantizeParams& p, const int8_t* input, int8_t* output) {
  for (int32_t i = 0; i < p.count; ++i) {
    const int32_t v = input[i] - p.input_zero_point;
    int32_t q = MultiplyByQuantizedMultiplier(v, p.multiplier, p.shift) + p.zero_point;
    q = q < -128 ? -128 : (q > 127 ? 127 : q);
    output[i] = static_cast<int8_t>(q);
  }
}

void DequantizeInt8(const QuantizeParams& p, const int8_t* input, float* output) {
  const double scale = static_cast<double>(p.scale);
  for (int32_t i = 0; i < p.count; ++i) {
    output[i] = static_cast<float>(scale * (input[i] - p.zero_point));
  }
}

void ReluFloat(int32_t count, const float* input, float* output) {
  for (int32_t i = 0; i < count; ++i) output[i] = input[i] > 0.0f ? input[i] : 0.0f;
}

}  // namespace tinyloop::runtime::reference
