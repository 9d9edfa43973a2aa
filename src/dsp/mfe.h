// MFE block: log-mel filterbank energies of an audio window, modeled on Edge Impulse's "Audio
// (MFE)" block (version 3+): scale, pre-emphasis, frames of frame_length every frame_stride,
// power spectrum, triangular mel filterbank, then dB clamped and normalized by the noise floor.
// Output {frames, num_filters}, row-major (all filters of frame 0 first).
#pragma once

#include <cstddef>
#include <cstdint>

#include "dsp/dsp_types.h"

namespace tinyloop::dsp {

struct MfeConfig {
  float sample_rate_hz = 16000.0f;  // > 0
  float frame_length_s = 0.02f;     // rounds to >= 1 sample and must fit in the window
  float frame_stride_s = 0.01f;     // rounds to >= 1 sample
  // Power of two in [kMinFftLength, kMaxFftLength]; longer frames are truncated to it,
  // shorter ones zero-padded. Default 256.
  uint32_t fft_length = 256;
  uint32_t num_filters = 40;            // [2, 256]
  float low_frequency_hz = 0.0f;        // [0, high)
  float high_frequency_hz = 0.0f;       // 0: sample_rate_hz / 2; otherwise <= sample_rate_hz / 2
  float pre_emphasis = 0.98f;           // [0, 1]; 0 turns it off
  float input_scale = 1.0f / 32768.0f;  // int16-range samples to [-1, 1), as Edge Impulse
  // Normalization: v = (10 log10(max(e, 1e-30)) - noise_floor_db) / (12 - noise_floor_db),
  // clipped to [0, 1]. Must be in [-200, 0]. Default -52.
  float noise_floor_db = -52.0f;
  // Round v to a multiple of 1/256 (at most 255/256), as Edge Impulse does to make the
  // features int8-friendly. Default true.
  bool quantize = true;
};

// Output shape {frames, num_filters} with frames = (window - frame) / stride + 1 (in samples).
// kInvalidConfig names the field in plan->error; kShapeMismatch for an input with other than
// one axis or shorter than one frame.
DspStatus PlanMfe(const MfeConfig& config, const SignalShape& input, BlockPlan* plan);

// Runs the block on one window of one axis. Errors as PlanMfe, plus kBufferTooSmall for null
// input/output, a short output or scratch smaller than plan.scratch_bytes.
DspStatus RunMfe(const MfeConfig& config, const SignalShape& input_shape, const float* input,
                 float* output, size_t output_size, void* scratch, size_t scratch_bytes);

}  // namespace tinyloop::dsp
