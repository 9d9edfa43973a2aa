#include "impulse/features.h"

#include <algorithm>
#include <cmath>

#include "dsp/flatten.h"
#include "dsp/image.h"
#include "dsp/mfcc.h"
#include "dsp/mfe.h"
#include "dsp/raw.h"
#include "dsp/spectral.h"
#include "dsp/windowing.h"

namespace tinyloop::impulse {
namespace {

Status DspError(const char* what, size_t recording, dsp::DspStatus status) {
  return InvalidArgumentError(std::string("dsp: ") + what + " failed on recording " +
                              std::to_string(recording) + ": " + dsp::DspStatusName(status));
}

dsp::DspStatus RunSignalBlock(const dsp::BlockConfig& c, const dsp::SignalShape& shape,
                              const float* in, float* out, size_t out_size, void* scratch,
                              size_t scratch_bytes) {
  switch (c.type) {
    case dsp::BlockType::kRaw:
      return dsp::RunRaw(c.raw, shape, in, out, out_size);
    case dsp::BlockType::kFlatten:
      return dsp::RunFlatten(c.flatten, shape, in, out, out_size);
    case dsp::BlockType::kSpectral:
      return dsp::RunSpectral(c.spectral, shape, in, out, out_size, scratch, scratch_bytes);
    case dsp::BlockType::kMfe:
      return dsp::RunMfe(c.mfe, shape, in, out, out_size, scratch, scratch_bytes);
    case dsp::BlockType::kMfcc:
      return dsp::RunMfcc(c.mfcc, shape, in, out, out_size, scratch, scratch_bytes);
    case dsp::BlockType::kImage:
      break;
  }
  return dsp::DspStatus::kInvalidConfig;
}

void AppendShape(const dsp::BlockPlan& plan, FeatureRows* rows) {
  if (!rows->feature_shape.empty()) return;
  for (uint32_t i = 0; i < plan.output.rank; ++i)
    rows->feature_shape.push_back(plan.output.dims[i]);
  rows->cols = plan.output.num_features;
}

Status ImageFeatures(const ImpulseConfig& config, const formats::DecodedSample& s, int index,
                     FeatureRows* rows) {
  const uint32_t width = s.extra_metadata.value("image_width", 0u);
  const uint32_t height = s.extra_metadata.value("image_height", 0u);
  const dsp::ImageShape shape{height, width, uint32_t(s.axes.size())};
  TL_ASSIGN_OR_RETURN(dsp::BlockPlan plan, dsp::PlanBlock(config.dsp, shape));
  if (rows->cols != 0 && int64_t(plan.output.num_features) != rows->cols) {
    return InvalidArgumentError("recording " + std::to_string(index) +
                                " gives a different feature count than the first");
  }
  AppendShape(plan, rows);
  std::vector<uint8_t> pixels(s.values.size());
  for (size_t i = 0; i < pixels.size(); ++i) {
    pixels[i] = uint8_t(std::clamp(std::lround(s.values[i]), 0L, 255L));
  }
  const size_t offset = rows->values.size();
  rows->values.resize(offset + plan.output.num_features);
  const dsp::DspStatus st = dsp::RunImage(config.dsp.image, shape, pixels.data(), pixels.size(),
                                          rows->values.data() + offset, plan.output.num_features);
  if (st != dsp::DspStatus::kOk) return DspError("image", index, st);
  rows->recording.push_back(index);
  rows->window.push_back(0);
  ++rows->rows;
  return OkStatus();
}

}  // namespace

StatusOr<FeatureRows> ComputeFeatures(
    const ImpulseConfig& config, const std::vector<const formats::DecodedSample*>& recordings) {
  FeatureRows rows;
  if (config.input.type == InputType::kImage) {
    for (size_t i = 0; i < recordings.size(); ++i) {
      TL_RETURN_IF_ERROR(ImageFeatures(config, *recordings[i], int(i), &rows));
    }
    return rows;
  }
  const dsp::TimeSeriesConfig& ts = config.input.time_series;
  const float interval_ms = 1000.0f / ts.frequency_hz;
  dsp::WindowConfig window;
  window.window_samples = dsp::SamplesFromMs(ts.window_size_ms, interval_ms);
  window.stride_samples = dsp::SamplesFromMs(ts.window_increase_ms, interval_ms);
  window.zero_pad = ts.pad_zeros;
  if (window.window_samples == 0 || window.stride_samples == 0) {
    return InvalidArgumentError(
        "input: window_size_ms and window_increase_ms must be at least "
        "one sample");
  }
  std::vector<float> buffer;
  std::vector<std::max_align_t> scratch;
  dsp::BlockPlan plan;
  uint32_t planned_axes = 0;
  for (size_t i = 0; i < recordings.size(); ++i) {
    const formats::DecodedSample& s = *recordings[i];
    const dsp::SignalShape rec{uint32_t(s.length), uint32_t(s.axes.size())};
    if (planned_axes == 0) {
      const dsp::SignalShape win{window.window_samples, rec.axes};
      TL_ASSIGN_OR_RETURN(plan, dsp::PlanBlock(config.dsp, win));
      AppendShape(plan, &rows);
      planned_axes = rec.axes;
      buffer.resize(size_t(window.window_samples) * rec.axes);
      scratch.resize(plan.scratch_bytes / sizeof(std::max_align_t) + 1);
    } else if (rec.axes != planned_axes) {
      return InvalidArgumentError("recording " + std::to_string(i) + " has " +
                                  std::to_string(rec.axes) + " axes, the first has " +
                                  std::to_string(planned_axes));
    }
    uint32_t count = 0;
    dsp::DspStatus st = dsp::CountWindows(window, rec, &count);
    if (st != dsp::DspStatus::kOk) return DspError("windowing", i, st);
    for (uint32_t w = 0; w < count; ++w) {
      st = dsp::CopyWindow(window, rec, s.values.data(), w, buffer.data(), buffer.size());
      if (st != dsp::DspStatus::kOk) return DspError("windowing", i, st);
      if (config.input.remove_mean) {
        for (uint32_t a = 0; a < rec.axes; ++a) {
          double sum = 0;
          for (uint32_t f = 0; f < window.window_samples; ++f) sum += buffer[f * rec.axes + a];
          const float mean = float(sum / window.window_samples);
          for (uint32_t f = 0; f < window.window_samples; ++f) buffer[f * rec.axes + a] -= mean;
        }
      }
      const size_t offset = rows.values.size();
      rows.values.resize(offset + plan.output.num_features);
      st = RunSignalBlock(config.dsp, dsp::SignalShape{window.window_samples, rec.axes},
                          buffer.data(), rows.values.data() + offset, plan.output.num_features,
                          scratch.data(), scratch.size() * sizeof(std::max_align_t));
      if (st != dsp::DspStatus::kOk) return DspError(dsp::BlockTypeName(config.dsp.type), i, st);
      rows.recording.push_back(int(i));
      rows.window.push_back(w);
      ++rows.rows;
    }
  }
  return rows;
}

}  // namespace tinyloop::impulse
