#include "dsp/raw.h"

#include <cmath>

#include "dsp/internal/common.h"

namespace tinyloop::dsp {

DspStatus PlanRaw(const RawConfig& config, const SignalShape& input, BlockPlan* plan) {
  *plan = BlockPlan();
  if (!std::isfinite(config.scale)) return internal::Fail(plan, DspStatus::kInvalidConfig, "scale");
  const DspStatus status = internal::CheckSignalShape(input, plan);
  if (status != DspStatus::kOk) return status;
  internal::SetShape(&plan->output, 2, input.frames, input.axes);
  return DspStatus::kOk;
}

DspStatus RunRaw(const RawConfig& config, const SignalShape& input_shape, const float* input,
                 float* output, size_t output_size) {
  BlockPlan plan;
  DspStatus status = PlanRaw(config, input_shape, &plan);
  if (status != DspStatus::kOk) return status;
  status = internal::CheckBuffers(input, output, output_size, plan);
  if (status != DspStatus::kOk) return status;
  for (uint32_t i = 0; i < plan.output.num_features; ++i) output[i] = input[i] * config.scale;
  return DspStatus::kOk;
}

}  // namespace tinyloop::dsp
