// Reference LOGISTIC and TANH (int8 and float32). The int8 paths are TFLite's
// reference_integer_ops::Logistic / Tanh: the input minus its zero point is rescaled to a Q4.27
// fixed-point value, gemmlowp's fixed-point logistic / tanh gives a Q0.31 result, which is
// rounded to the fixed output quantization (logistic: scale 1/256, zero point -128; tanh: scale
// 1/128, zero point 0); inputs beyond the input radius saturate. Float paths follow TFLite's
// reference kernels (logistic with its cut-offs, std::tanh).
#pragma once

#include <cstdint>

namespace tinyloop::runtime::reference {

struct LogisticTanhParams {
  int32_t count = 0;
  int32_t input_zero_point = 0;
  int32_t input_range_radius = 0;
  int32_t input_multiplier = 0;
  int32_t input_left_shift = 0;
};

// Prepare-time: input multiplier, left shift and radius from the input scale (TFLite's
// logistic/tanh Prepare with 4 input integer bits). False when the scale gives no usable
// multiplier (not finite, not positive, or a shift outside [-31, 30]).
bool PrepareLogisticTanhInt8(float input_scale, int32_t input_zero_point, LogisticTanhParams* p);

void LogisticInt8(const LogisticTanhParams& p, const int8_t* input, int8_t* output);
void TanhInt8(const LogisticTanhParams& p, const int8_t* input, int8_t* output);
void LogisticFloat(int32_t count, const float* input, float* output);
void TanhFloat(int32_t count, const float* input, float* output);

// gemmlowp's fixed-point functions on a Q4.27 input, Q0.31 result (exposed for tests).
int32_t FixedPointLogisticQ4(int32_t a);
int32_t FixedPointTanhQ4(int32_t a);

}  // namespace tinyloop::runtime::reference
