#include "dsp/spectral.h"

#include <cmath>

#include "dsp/fft.h"
#include "dsp/internal/common.h"
#include "dsp/statistics.h"

namespace tinyloop::dsp {
namespace {

using internal::Fail;

// The scratch buffers, in the order they are carved.
struct SpectralScratch {
  float* signal;    // frames
  float* table;     // fft twiddles
  float* frame;     // fft_length + 2
  float* spectrum;  // fft_length / 2 + 1
};

void LayoutScratch(const SpectralConfig& config, uint32_t frames, internal::ScratchLayout* l) {
  l->Add<float>(frames);
  l->Add<float>(RealFft::TableFloats(config.fft_length));
  l->Add<float>(config.fft_length + 2);
  l->Add<float>(config.fft_length / 2 + 1);
}

float MaybeLog(float power, bool log_power) {
  return log_power ? std::log10(power > kLogPowerFloor ? power : kLogPowerFloor) : power;
}

}  // namespace

uint32_t SpectralFeaturesPerAxis(const SpectralConfig& config) {
  const uint32_t bins = config.fft_length / 2 + (config.skip_dc_bin ? 0 : 1);
  const uint32_t bands = config.num_band_edges >= 2 ? config.num_band_edges - 1 : 0;
  return 3 + bins + bands;
}

DspStatus PlanSpectral(const SpectralConfig& config, const SignalShape& input, BlockPlan* plan) {
  *plan = BlockPlan();
  const DspStatus bad = DspStatus::kInvalidConfig;
  if (!std::isfinite(config.sample_rate_hz) || config.sample_rate_hz <= 0.0f) {
    return Fail(plan, bad, "sample_rate_hz");
  }
  if (!std::isfinite(config.scale)) return Fail(plan, bad, "scale");
  if (config.filter_type != FilterType::kNone) {
    if (config.filter_order < 1 || config.filter_order > kMaxFilterOrder) {
      return Fail(plan, bad, "filter_order");
    }
    BiquadCascade cascade;
    if (DesignButterworth(config.filter_type, config.filter_order, config.filter_cutoff_hz,
                          config.sample_rate_hz, &cascade) != DspStatus::kOk) {
      return Fail(plan, bad, "filter_cutoff_hz");
    }
  }
  if (!internal::IsPowerOfTwo(config.fft_length) || config.fft_length < kMinFftLength ||
      config.fft_length > kMaxFftLength) {
    return Fail(plan, bad, "fft_length");
  }
  if (config.combine != SpectrumCombine::kMean && config.combine != SpectrumCombine::kMaxHold) {
    return Fail(plan, bad, "combine");
  }
  if (config.num_band_edges == 1 || config.num_band_edges > kMaxBandEdges) {
    return Fail(plan, bad, "num_band_edges");
  }
  for (uint32_t i = 0; i < config.num_band_edges; ++i) {
    const float edge = config.band_edges_hz[i];
    if (!std::isfinite(edge) || edge < 0.0f || edge > 0.5f * config.sample_rate_hz ||
        (i > 0 && edge <= config.band_edges_hz[i - 1])) {
      return Fail(plan, bad, "band_edges_hz");
    }
  }
  const DspStatus status = internal::CheckSignalShape(input, plan);
  if (status != DspStatus::kOk) return status;
  internal::SetShape(&plan->output, 2, input.axes, SpectralFeaturesPerAxis(config));
  internal::ScratchLayout layout;
  LayoutScratch(config, input.frames, &layout);
  plan->scratch_bytes = layout.bytes();
  return DspStatus::kOk;
}

DspStatus RunSpectral(const SpectralConfig& config, const SignalShape& input_shape,
                      const float* input, float* output, size_t output_size, void* scratch,
                      size_t scratch_bytes) {
  BlockPlan plan;
  DspStatus status = PlanSpectral(config, input_shape, &plan);
  if (status != DspStatus::kOk) return status;
  status = internal::CheckBuffers(input, output, output_size, plan);
  if (status != DspStatus::kOk) return status;
  if (scratch_bytes < plan.scratch_bytes) return DspStatus::kBufferTooSmall;
  internal::ScratchArena arena(scratch, scratch_bytes);
  const uint32_t n = config.fft_length;
  const uint32_t frames = input_shape.frames;
  SpectralScratch s;
  s.signal = arena.Take<float>(frames);
  s.table = arena.Take<float>(RealFft::TableFloats(n));
  s.frame = arena.Take<float>(n + 2);
  s.spectrum = arena.Take<float>(n / 2 + 1);
  if (s.signal == nullptr || s.table == nullptr || s.frame == nullptr || s.spectrum == nullptr) {
    return DspStatus::kBufferTooSmall;
  }
  RealFft fft;
  status = fft.Init(n, s.table, RealFft::TableFloats(n));
  if (status != DspStatus::kOk) return status;
  BiquadCascade cascade;
  status = DesignButterworth(config.filter_type, config.filter_order, config.filter_cutoff_hz,
                             config.sample_rate_hz, &cascade);
  if (status != DspStatus::kOk) return status;

  // Frames of the Welch average: one zero-padded frame for a short window, else whole frames.
  const uint32_t hop = config.fft_overlap ? n / 2 : n;
  const uint32_t num_frames = frames <= n ? 1 : (frames - n) / hop + 1;
  const float inv_frames = 1.0f / static_cast<float>(num_frames);
  const float bin_hz = config.sample_rate_hz / static_cast<float>(n);
  const uint32_t axes = input_shape.axes;
  float* out = output;
  for (uint32_t axis = 0; axis < axes; ++axis) {
    for (uint32_t t = 0; t < frames; ++t)
      s.signal[t] = input[size_t{t} * axes + axis] * config.scale;
    ApplyBiquads(cascade, s.signal, frames);
    const Moments m = ComputeMoments(s.signal, frames, 1, 1.0f);
    *out++ = m.rms;
    *out++ = m.skewness;
    *out++ = m.kurtosis;

    for (uint32_t k = 0; k <= n / 2; ++k) s.spectrum[k] = 0.0f;
    for (uint32_t f = 0; f < num_frames; ++f) {
      const uint32_t start = f * hop;
      const uint32_t len = frames - start < n ? frames - start : n;
      for (uint32_t t = 0; t < len; ++t) s.frame[t] = s.signal[start + t];
      for (uint32_t t = len; t < n; ++t) s.frame[t] = 0.0f;
      fft.Forward(s.frame);
      PowerFromBins(s.frame, n, s.frame);  // in place: power k overwrites bin k / 2 (read)
      for (uint32_t k = 0; k <= n / 2; ++k) {
        const float p = s.frame[k];
        if (config.combine == SpectrumCombine::kMean) {
          s.spectrum[k] += p * inv_frames;
        } else if (p > s.spectrum[k]) {
          s.spectrum[k] = p;
        }
      }
    }
    for (uint32_t k = config.skip_dc_bin ? 1 : 0; k <= n / 2; ++k) {
      *out++ = MaybeLog(s.spectrum[k], config.log_power);
    }
    for (uint32_t b = 0; b + 1 < config.num_band_edges; ++b) {
      const float lo = config.band_edges_hz[b], hi = config.band_edges_hz[b + 1];
      const bool last = b + 2 == config.num_band_edges;
      float sum = 0.0f;
      for (uint32_t k = 0; k <= n / 2; ++k) {
        const float hz = bin_hz * static_cast<float>(k);
        if (hz >= lo && (hz < hi || (last && hz <= hi))) sum += s.spectrum[k];
      }
      *out++ = MaybeLog(sum, config.log_power);
    }
  }
  return DspStatus::kOk;
}

}  // namespace tinyloop::dsp
