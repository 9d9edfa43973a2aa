// Windowing of a recording into the fixed-size windows every block runs on, as Edge Impulse's
// time-series input block does: window size and stride ("window increase") in samples, with
// helpers to convert from milliseconds, and optional zero padding of a short last window.
#pragma once

#include <cstddef>
#include <cstdint>

#include "dsp/dsp_types.h"

namespace tinyloop::dsp {

struct WindowConfig {
  uint32_t window_samples = 0;  // frames per window; must be >= 1
  uint32_t stride_samples = 0;  // frames between window starts; must be >= 1
  // false: only windows that fit entirely in the recording; a recording shorter than one
  // window has no windows. true: a last window that runs past the end is kept and padded
  // with zeros (so any non-empty recording has at least one window).
  bool zero_pad = false;
};

// Number of samples in `ms` milliseconds at one sample every `interval_ms`, rounded to the
// nearest integer; 0 when interval_ms <= 0 or either value is not finite.
uint32_t SamplesFromMs(float ms, float interval_ms);

// Sets *count to the number of windows of `recording` (frames x axes).
// kInvalidConfig when window_samples or stride_samples is 0; kShapeMismatch when the recording
// has no axes. A recording with 0 frames has 0 windows.
DspStatus CountWindows(const WindowConfig& config, const SignalShape& recording, uint32_t* count);

// Copies window `index` (window_samples x axes interleaved floats) of `data` into `out`,
// zero-filling frames past the end of the recording.
// kInvalidConfig/kShapeMismatch as CountWindows; kShapeMismatch when index >= the window count;
// kBufferTooSmall when data or out is null or out_size < window_samples * axes.
DspStatus CopyWindow(const WindowConfig& config, const SignalShape& recording, const float* data,
                     uint32_t index, float* out, size_t out_size);

}  // namespace tinyloop::dsp
