// Raw block: the window's values, interleaved as they came (frames x axes), times a scale
// factor, like Edge Impulse's "Raw data" block. The simplest block; no scratch.
#pragma once

#include <cstddef>

#include "dsp/dsp_types.h"

namespace tinyloop::dsp {

struct RawConfig {
  float scale = 1.0f;  // multiplies every value; must be finite. Default 1.
};

// Output shape {frames, axes}; no scratch. kInvalidConfig for a non-finite scale;
// kShapeMismatch for an empty input.
DspStatus PlanRaw(const RawConfig& config, const SignalShape& input, BlockPlan* plan);

// output[i] = input[i] * scale. Errors as PlanRaw, plus kBufferTooSmall when input/output is
// null or output_size < frames * axes.
DspStatus RunRaw(const RawConfig& config, const SignalShape& input_shape, const float* input,
                 float* output, size_t output_size);

}  // namespace tinyloop::dsp
