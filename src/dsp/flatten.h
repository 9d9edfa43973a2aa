// Flatten block: per-axis summary statistics of the window (average, minimum, maximum, RMS,
// standard deviation, skewness, kurtosis; each selectable) after scaling, like Edge Impulse's
// "Flatten" block. Output per axis in that fixed order; no scratch.
#pragma once

#include <cstddef>
#include <cstdint>

#include "dsp/dsp_types.h"

namespace tinyloop::dsp {

struct FlattenConfig {
  float scale = 1.0f;  // multiplies every value before the statistics; finite. Default 1.
  // Selected statistics (defaults as Edge Impulse: the first five on, the last two off).
  bool average = true;
  bool minimum = true;
  bool maximum = true;
  bool rms = true;
  bool stdev = true;
  bool skewness = false;
  bool kurtosis = false;
};

// Number of statistics selected in `config` (0 to 7).
uint32_t FlattenStatCount(const FlattenConfig& config);

// Output shape {axes, FlattenStatCount}; no scratch. kInvalidConfig for a non-finite scale or
// no statistic selected; kShapeMismatch for an empty input.
DspStatus PlanFlatten(const FlattenConfig& config, const SignalShape& input, BlockPlan* plan);

// Writes, for each axis, the selected statistics of input[f * axes + axis] * scale.
// Errors as PlanFlatten, plus kBufferTooSmall for null buffers or a short output.
DspStatus RunFlatten(const FlattenConfig& config, const SignalShape& input_shape,
                     const float* input, float* output, size_t output_size);

}  // namespace tinyloop::dsp
