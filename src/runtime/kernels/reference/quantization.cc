#include "runtime/kernels/reference/quantization.h"

#include <cmath>

namespace tinyloop::runtime::reference {

Status QuantizeMultiplier(double real, int32_t* multiplier, int* shift) {
  *multiplier = 0;
  *shift = 0;
  if (!(real >= 0.0) || !std::isfinite(real)) return Status::kInvalidQuantization;
  if (real == 0.0) return Status::kOk;
  int exponent = 0;
  const double q = std::frexp(real, &exponent);
  int64_t q_fixed = static_cast<int64_t>(std::round(q * static_cast<double>(int64_t{1} << 31)));
  if (q_fixed == (int64_t{1} << 31)) {
    q_fixed /= 2;
    ++exponent;
  }
  if (exponent < -31) {
    exponent = 0;
    q_fixed = 0;
  }
  // A left shift above 30 would overflow any non-zero int32 input; TFLite asserts elsewhere.
  if (exponent > 30) return Status::kInvalidQuantization;
  *multiplier = static_cast<int32_t>(q_fixed);
  *shift = exponent;
  return Status::kOk;
}

namespace {

// TFLite's Quantize() in kernel_util.cc: float division, round half away from zero.
Status QuantizeValue(float scale, int32_t zero_point, float f, int32_t* q) {
  const float tmp = std::round(f / scale);
  if (!(tmp >= -2147483648.0f && tmp < 2147483648.0f)) return Status::kInvalidQuantization;
  *q = zero_point + static_cast<int32_t>(tmp);
  return Status::kOk;
}

}  // namespace

Status ActivationRangeInt8(FusedActivation activation, float scale, int32_t zero_point,
                           int32_t* act_min, int32_t* act_max) {
  if (!(scale > 0.0f)) return Status::kInvalidQuantization;
  if (zero_point < -128 || zero_point > 127) return Status::kInvalidQuantization;
  int32_t lo = -128;
  int32_t hi = 127;
  int32_t q = 0;
  switch (activation) {
    case FusedActivation::kNone:
      break;
    case FusedActivation::kRelu:
      TL_RT_RETURN_IF_ERROR(QuantizeValue(scale, zero_point, 0.0f, &q));
      lo = q > lo ? q : lo;
      break;
    case FusedActivation::kRelu6:
      TL_RT_RETURN_IF_ERROR(QuantizeValue(scale, zero_point, 0.0f, &q));
      lo = q > lo ? q : lo;
      TL_RT_RETURN_IF_ERROR(QuantizeValue(scale, zero_point, 6.0f, &q));
      hi = q < hi ? q : hi;
      break;
    case FusedActivation::kReluN1To1:
      TL_RT_RETURN_IF_ERROR(QuantizeValue(scale, zero_point, -1.0f, &q));
      lo = q > lo ? q : lo;
      TL_RT_RETURN_IF_ERROR(QuantizeValue(scale, zero_point, 1.0f, &q));
      hi = q < hi ? q : hi;
      break;
  }
  *act_min = lo;
  *act_max = hi;
  return Status::kOk;
}

void ActivationRangeFloat(FusedActivation activation, float* act_min, float* act_max) {
  *act_min = -INFINITY;
  *act_max = INFINITY;
  switch (activation) {
    case FusedActivation::kNone:
      break;
    case FusedActivation::kRelu:
      *act_min = 0.0f;
      break;
    case FusedActivation::kRelu6:
      *act_min = 0.0f;
      *act_max = 6.0f;
      break;
    case FusedActivation::kReluN1To1:
      *act_min = -1.0f;
      *act_max = 1.0f;
      break;
  }
}

int32_t ComputeOutputSize(PaddingType padding, int32_t in, int32_t filter, int32_t stride,
                          int32_t dilation) {
  const int64_t effective = (static_cast<int64_t>(filter) - 1) * dilation + 1;
  if (stride < 1) return -1;
  if (padding == PaddingType::kSame) return static_cast<int32_t>((in + stride - 1) / stride);
  if (effective > in) return -1;
  return static_cast<int32_t>((in - effective + stride) / stride);
}

int32_t ComputePadding(int32_t stride, int32_t dilation, int32_t in, int32_t filter, int32_t out) {
  const int64_t effective = (static_cast<int64_t>(filter) - 1) * dilation + 1;
  int64_t total = (static_cast<int64_t>(out) - 1) * stride + effective - in;
  if (total < 0) total = 0;
  return static_cast<int32_t>(total / 2);
}

}  // namespace tinyloop::runtime::reference
