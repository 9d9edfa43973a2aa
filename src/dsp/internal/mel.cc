#include "dsp/internal/mel.h"

#include <cmath>

namespace tinyloop::dsp::internal {
namespace {

constexpr uint32_t kMaxFilters = 256;

uint32_t RoundToSamples(float seconds, float rate) {
  const double samples = std::floor(static_cast<double>(seconds) * rate + 0.5);
  return samples >= 4294967295.0 || samples < 0.0 ? 0 : static_cast<uint32_t>(samples);
}

// Upper bound of the weights the filterbank stores: filter i covers bins edges[i]..edges[i+2],
// and the edges never decrease, so the spans add up to at most two passes over the bins.
size_t WeightCount(const MelParams& p) { return 2 * (p.fft_length / 2 + 1) + 2 * p.num_filters; }

}  // namespace

double HzToMel(double hz) { return 1127.0 * std::log(1.0 + hz / 700.0); }
double MelToHz(double mel) { return 700.0 * (std::exp(mel / 1127.0) - 1.0); }

DspStatus CheckMel(const MelParams& p, const SignalShape& input, MelGeometry* g, BlockPlan* plan) {
  const DspStatus bad = DspStatus::kInvalidConfig;
  if (!std::isfinite(p.sample_rate_hz) || p.sample_rate_hz <= 0.0f) {
    return Fail(plan, bad, "sample_rate_hz");
  }
  if (!std::isfinite(p.input_scale)) return Fail(plan, bad, "input_scale");
  if (!std::isfinite(p.frame_length_s) || p.frame_length_s <= 0.0f ||
      RoundToSamples(p.frame_length_s, p.sample_rate_hz) == 0) {
    return Fail(plan, bad, "frame_length");
  }
  if (!std::isfinite(p.frame_stride_s) || p.frame_stride_s <= 0.0f ||
      RoundToSamples(p.frame_stride_s, p.sample_rate_hz) == 0) {
    return Fail(plan, bad, "frame_stride");
  }
  if (!IsPowerOfTwo(p.fft_length) || p.fft_length < kMinFftLength || p.fft_length > kMaxFftLength) {
    return Fail(plan, bad, "fft_length");
  }
  if (p.num_filters < 2 || p.num_filters > kMaxFilters) return Fail(plan, bad, "num_filters");
  const float nyquist = 0.5f * p.sample_rate_hz;
  const float high = p.high_frequency_hz == 0.0f ? nyquist : p.high_frequency_hz;
  if (!std::isfinite(p.low_frequency_hz) || p.low_frequency_hz < 0.0f ||
      p.low_frequency_hz >= high) {
    return Fail(plan, bad, "low_frequency");
  }
  if (!std::isfinite(high) || high > nyquist) return Fail(plan, bad, "high_frequency");
  if (!std::isfinite(p.pre_emphasis) || p.pre_emphasis < 0.0f || p.pre_emphasis > 1.0f) {
    return Fail(plan, bad, "pre_emphasis");
  }
  const DspStatus status = CheckSignalShape(input, plan);
  if (status != DspStatus::kOk) return status;
  if (input.axes != 1) return Fail(plan, DspStatus::kShapeMismatch, "input must have one axis");
  g->frame_samples = RoundToSamples(p.frame_length_s, p.sample_rate_hz);
  g->stride_samples = RoundToSamples(p.frame_stride_s, p.sample_rate_hz);
  if (g->frame_samples > input.frames) {
    return Fail(plan, DspStatus::kShapeMismatch, "frame_length longer than the window");
  }
  g->num_frames = (input.frames - g->frame_samples) / g->stride_samples + 1;
  return DspStatus::kOk;
}

void LayoutMelScratch(const MelParams& p, ScratchLayout* layout) {
  layout->Add<float>(RealFft::TableFloats(p.fft_length));
  layout->Add<float>(p.fft_length + 2);
  layout->Add<uint32_t>(p.num_filters + 2);
  layout->Add<float>(WeightCount(p));
}

DspStatus MelFrontEnd::Init(const MelParams& p, const MelGeometry& g, ScratchArena* arena) {
  params_ = p;
  geometry_ = g;
  float* table = arena->Take<float>(RealFft::TableFloats(p.fft_length));
  frame_ = arena->Take<float>(p.fft_length + 2);
  edges_ = arena->Take<uint32_t>(p.num_filters + 2);
  weights_ = arena->Take<float>(WeightCount(p));
  if (table == nullptr || frame_ == nullptr || edges_ == nullptr || weights_ == nullptr) {
    return DspStatus::kBufferTooSmall;
  }
  const DspStatus status = fft_.Init(p.fft_length, table, RealFft::TableFloats(p.fft_length));
  if (status != DspStatus::kOk) return status;

  // Filter edges equally spaced in mel between low and high, each rounded down to an FFT bin:
  // bin = floor((fft_length + 1) * hz / sample_rate). (speechpy scales by the bin count + 1
  // instead, which squeezes the filters into the lower half of the spectrum; not copied.)
  const uint32_t last_bin = p.fft_length / 2;
  const double high = p.high_frequency_hz == 0.0f ? 0.5 * p.sample_rate_hz : p.high_frequency_hz;
  const double mel_low = HzToMel(p.low_frequency_hz);
  const double mel_step = (HzToMel(high) - mel_low) / (p.num_filters + 1);
  for (uint32_t i = 0; i < p.num_filters + 2; ++i) {
    const double hz = MelToHz(mel_low + mel_step * i);
    const double bin = std::floor((p.fft_length + 1) * hz / p.sample_rate_hz);
    edges_[i] = bin < 0.0 ? 0 : bin > last_bin ? last_bin : static_cast<uint32_t>(bin);
  }
  // Triangles rising over (left, middle], falling over [middle, right); a degenerate side
  // (left == middle or middle == right) leaves weight 1 at the middle bin, as speechpy does.
  float* w = weights_;
  for (uint32_t i = 0; i < p.num_filters; ++i) {
    const uint32_t left = edges_[i], middle = edges_[i + 1], right = edges_[i + 2];
    for (uint32_t k = left; k <= right; ++k) {
      float weight = 0.0f;
      if (k >= middle && k < right) {
        weight = static_cast<float>(right - k) / static_cast<float>(right - middle);
      } else if (k > left && k <= middle) {
        weight = static_cast<float>(k - left) / static_cast<float>(middle - left);
      }
      *w++ = weight;
    }
  }
  return DspStatus::kOk;
}

void MelFrontEnd::Frame(const float* input, uint32_t input_frames, uint32_t index, float* mel,
                        float* energy) const {
  const uint32_t n = params_.fft_length;
  const uint32_t start = index * geometry_.stride_samples;
  // A frame longer than the FFT is truncated and a shorter one zero-padded (numpy rfft(x, n)).
  const uint32_t len = geometry_.frame_samples < n ? geometry_.frame_samples : n;
  const float scale = params_.input_scale;
  const float cof = params_.pre_emphasis;
  // Pre-emphasis y_t = x_t - cof * x_{t-1} over the whole window; x_{-1} wraps to the window's
  // last sample (numpy.roll, as speechpy and Edge Impulse compute it).
  for (uint32_t t = 0; t < len; ++t) {
    const uint32_t at = start + t;
    const float previous = at == 0 ? input[input_frames - 1] : input[at - 1];
    frame_[t] = scale * input[at] - cof * (scale * previous);
  }
  for (uint32_t t = len; t < n; ++t) frame_[t] = 0.0f;
  fft_.Forward(frame_);
  PowerFromBins(frame_, n, frame_);
  float total = 0.0f;
  for (uint32_t k = 0; k <= n / 2; ++k) total += frame_[k];
  *energy = total;
  const float* w = weights_;
  for (uint32_t i = 0; i < params_.num_filters; ++i) {
    const uint32_t left = edges_[i], right = edges_[i + 2];
    float sum = 0.0f;
    for (uint32_t k = left; k <= right; ++k) sum += *w++ * frame_[k];
    mel[i] = sum;
  }
}

}  // namespace tinyloop::dsp::internal
