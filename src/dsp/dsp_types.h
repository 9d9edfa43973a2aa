// Shared vocabulary of the freestanding DSP blocks (src/dsp): the status every function returns,
// the shapes of inputs and outputs, and the plan (output shape + scratch size) that a block's
// Plan* function reports before its Run* function is called on a window.
// Freestanding: no heap, no exceptions, no RTTI, no OS; the same code runs on a microcontroller.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tinyloop::dsp {

// Result of every DSP function. Bad configs and short buffers are reported, never aborted on.
enum class DspStatus : uint8_t {
  kOk = 0,
  kInvalidConfig,   // a config field is out of its documented range
  kBufferTooSmall,  // an output or scratch buffer is smaller than the plan says (or null)
  kShapeMismatch,   // the input shape does not fit the config (e.g. frame longer than window)
};

// Stable lower-case name, e.g. "invalid_config". Never null.
const char* DspStatusName(DspStatus status);

// A window (or whole recording) of time-series data: `frames` rows of `axes` interleaved float
// values, i.e. value (frame f, axis a) is at index f * axes + a.
struct SignalShape {
  uint32_t frames = 0;
  uint32_t axes = 0;
};

// An image of interleaved 8-bit pixels: `height` rows of `width` pixels of `channels` bytes
// (1 = grayscale, 3 = RGB), row-major.
struct ImageShape {
  uint32_t height = 0;
  uint32_t width = 0;
  uint32_t channels = 0;
};

// Shape of a block's output. The features are stored row-major; `dims[0..rank)` are the
// sizes, e.g. {frames, coefficients} for MFCC, {height, width, channels} for an image,
// {axes, features per axis} for flatten and spectral analysis.
struct FeatureShape {
  uint32_t rank = 0;
  uint32_t dims[3] = {0, 0, 0};
  // Product of the dims (0 when rank is 0).
  uint32_t num_features = 0;
};

// What a block needs before running: the output shape and the scratch bytes its Run* function
// needs (any alignment; the block aligns inside). On failure `error` names the offending field
// or condition (a static string, e.g. "fft_length"); on success it is null.
struct BlockPlan {
  FeatureShape output;
  size_t scratch_bytes = 0;
  const char* error = nullptr;
};

}  // namespace tinyloop::dsp
