#include "dsp/windowing.h"

#include <cmath>

namespace tinyloop::dsp {

uint32_t SamplesFromMs(float ms, float interval_ms) {
  if (!std::isfinite(ms) || !std::isfinite(interval_ms) || interval_ms <= 0.0f || ms <= 0.0f) {
    return 0;
  }
  const double samples = std::floor(static_cast<double>(ms) / interval_ms + 0.5);
  return samples >= 4294967295.0 ? 4294967295u : static_cast<uint32_t>(samples);
}

DspStatus CountWindows(const WindowConfig& config, const SignalShape& recording, uint32_t* count) {
  *count = 0;
  if (config.window_samples == 0 || config.stride_samples == 0) return DspStatus::kInvalidConfig;
  if (recording.axes == 0) return DspStatus::kShapeMismatch;
  const uint32_t frames = recording.frames;
  if (frames == 0) return DspStatus::kOk;
  if (frames < config.window_samples) {
    *count = config.zero_pad ? 1 : 0;
    return DspStatus::kOk;
  }
  const uint32_t extra = frames - config.window_samples;
  *count = extra / config.stride_samples + 1;
  if (config.zero_pad && extra % config.stride_samples != 0) ++*count;
  return DspStatus::kOk;
}

DspStatus CopyWindow(const WindowConfig& config, const SignalShape& recording, const float* data,
                     uint32_t index, float* out, size_t out_size) {
  uint32_t count = 0;
  const DspStatus status = CountWindows(config, recording, &count);
  if (status != DspStatus::kOk) return status;
  if (index >= count) return DspStatus::kShapeMismatch;
  const size_t axes = recording.axes;
  if (data == nullptr || out == nullptr || out_size < size_t{config.window_samples} * axes) {
    return DspStatus::kBufferTooSmall;
  }
  const size_t start = size_t{index} * config.stride_samples;
  for (size_t f = 0; f < config.window_samples; ++f) {
    const size_t src = start + f;
    for (size_t a = 0; a < axes; ++a) {
      out[f * axes + a] = src < recording.frames ? data[src * axes + a] : 0.0f;
    }
  }
  return DspStatus::kOk;
}

}  // namespace tinyloop::dsp
