#include "dsp/flatten.h"

#include <cmath>

#include "dsp/internal/common.h"
#include "dsp/statistics.h"

namespace tinyloop::dsp {

uint32_t FlattenStatCount(const FlattenConfig& c) {
  return static_cast<uint32_t>(c.average) + c.minimum + c.maximum + c.rms + c.stdev + c.skewness +
         c.kurtosis;
}

DspStatus PlanFlatten(const FlattenConfig& config, const SignalShape& input, BlockPlan* plan) {
  *plan = BlockPlan();
  if (!std::isfinite(config.scale)) return internal::Fail(plan, DspStatus::kInvalidConfig, "scale");
  const uint32_t stats = FlattenStatCount(config);
  if (stats == 0) {
    return internal::Fail(plan, DspStatus::kInvalidConfig, "no statistic selected");
  }
  const DspStatus status = internal::CheckSignalShape(input, plan);
  if (status != DspStatus::kOk) return status;
  internal::SetShape(&plan->output, 2, input.axes, stats);
  return DspStatus::kOk;
}

DspStatus RunFlatten(const FlattenConfig& config, const SignalShape& input_shape,
                     const float* input, float* output, size_t output_size) {
  BlockPlan plan;
  DspStatus status = PlanFlatten(config, input_shape, &plan);
  if (status != DspStatus::kOk) return status;
  status = internal::CheckBuffers(input, output, output_size, plan);
  if (status != DspStatus::kOk) return status;
  float* out = output;
  for (uint32_t axis = 0; axis < input_shape.axes; ++axis) {
    const Moments m =
        ComputeMoments(input + axis, input_shape.frames, input_shape.axes, config.scale);
    if (config.average) *out++ = m.mean;
    if (config.minimum) *out++ = m.minimum;
    if (config.maximum) *out++ = m.maximum;
    if (config.rms) *out++ = m.rms;
    if (config.stdev) *out++ = m.stdev;
    if (config.skewness) *out++ = m.skewness;
    if (config.kurtosis) *out++ = m.kurtosis;
  }
  return DspStatus::kOk;
}

}  // namespace tinyloop::dsp
