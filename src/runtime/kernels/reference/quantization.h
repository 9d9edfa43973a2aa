// Prepare-time quantization helpers of TFLite's integer spec: QuantizeMultiplier from a double,
// fused activation ranges (int8 and float) and SAME/VALID padding. Pure, freestanding.
#pragma once

#include <cstdint>

#include "runtime/program_format.h"
#include "runtime/status.h"

namespace tinyloop::runtime::reference {

// Splits `real` (finite, >= 0) into a Q0.31 multiplier and a power-of-two shift so that
// real ~= multiplier * 2^shift / 2^31 (TFLite's QuantizeMultiplier, frexp + round).
// Returns kInvalidQuantization for a negative, infinite or NaN value.
Status QuantizeMultiplier(double real, int32_t* multiplier, int* shift);

// [min, max] int8 output range of a fused activation for an output with `scale`, `zero_point`
// (TFLite's CalculateActivationRangeQuantized). kInvalidQuantization if scale <= 0.
Status ActivationRangeInt8(FusedActivation activation, float scale, int32_t zero_point,
                           int32_t* act_min, int32_t* act_max);

// Float output range of a fused activation (TFLite's CalculateActivationRange).
void ActivationRangeFloat(FusedActivation activation, float* act_min, float* act_max);

// Output size along one spatial dimension, or -1 when the window does not fit.
int32_t ComputeOutputSize(PaddingType padding, int32_t in, int32_t filter, int32_t stride,
                          int32_t dilation);

// Leading padding (TFLite's ComputePaddingWithOffset, offset dropped as the kernels do).
int32_t ComputePadding(int32_t stride, int32_t dilation, int32_t in, int32_t filter, int32_t out);

}  // namespace tinyloop::runtime::reference
