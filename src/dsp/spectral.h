// Spectral-analysis block, per axis, modeled on Edge Impulse's "Spectral features": scale,
// optional Butterworth low-/high-pass filter, RMS, skewness and kurtosis of the (filtered)
// signal, the power spectrum over frames of fft_length (averaged Welch-style, or max-hold),
// optionally in log10, and optional band powers between given band edges.
#pragma once

#include <cstddef>
#include <cstdint>

#include "dsp/butterworth.h"
#include "dsp/dsp_types.h"

namespace tinyloop::dsp {

constexpr uint32_t kMaxBandEdges = 16;
// log10 is taken of max(power, kLogPowerFloor) so silence gives -20, never -inf.
constexpr float kLogPowerFloor = 1e-20f;

enum class SpectrumCombine : uint8_t {
  kMean,     // Welch: the mean of the frames' power spectra. Default.
  kMaxHold,  // Edge Impulse's welch_max_hold: the per-bin maximum over the frames.
};

struct SpectralConfig {
  float sample_rate_hz = 100.0f;  // > 0
  float scale = 1.0f;             // multiplies the input before anything else; finite
  FilterType filter_type = FilterType::kNone;
  float filter_cutoff_hz = 3.0f;  // (0, sample_rate_hz / 2) when filtering
  uint32_t filter_order = 6;      // [1, kMaxFilterOrder] when filtering
  // Power of two in [kMinFftLength, kMaxFftLength]. A window shorter than fft_length is one
  // zero-padded frame; otherwise frames start every fft_length (every fft_length / 2 with
  // fft_overlap) and only whole frames count. No window function (rectangular), as Edge
  // Impulse. Power of bin k (frequency k * sample_rate / fft_length) is |X_k|^2 / fft_length.
  uint32_t fft_length = 16;
  bool fft_overlap = true;  // 50 % overlap between frames
  SpectrumCombine combine = SpectrumCombine::kMean;
  bool log_power = true;    // log10 of the bin and band powers
  bool skip_dc_bin = true;  // leave bin 0 out of the output
  // Band powers: with n >= 2 edges (Hz, strictly increasing, within [0, sample_rate / 2]),
  // n - 1 extra features, the sum of the power of the bins whose frequency lies in
  // [edge_i, edge_i+1) (the last band includes its upper edge). 0 edges: no band powers.
  uint32_t num_band_edges = 0;
  float band_edges_hz[kMaxBandEdges] = {};
};

// Features per axis: 3 (RMS, skewness, kurtosis) + spectrum bins + bands.
uint32_t SpectralFeaturesPerAxis(const SpectralConfig& config);

// Output shape {axes, SpectralFeaturesPerAxis}; per axis the features are RMS, skewness,
// kurtosis, then bins (from bin 1, or bin 0 when skip_dc_bin is false, to fft_length / 2),
// then band powers. kInvalidConfig names the field in plan->error; kShapeMismatch for an
// empty input.
DspStatus PlanSpectral(const SpectralConfig& config, const SignalShape& input, BlockPlan* plan);

// Runs the block on one window (input: frames x axes interleaved). Errors as PlanSpectral,
// plus kBufferTooSmall for null input/output, a short output or scratch smaller than
// plan.scratch_bytes.
DspStatus RunSpectral(const SpectralConfig& config, const SignalShape& input_shape,
                      const float* input, float* output, size_t output_size, void* scratch,
                      size_t scratch_bytes);

}  // namespace tinyloop::dsp
