// MFCC block: mel-frequency cepstral coefficients of an audio window, modeled on Edge Impulse's
// "Audio (MFCC)" block: the MFE front end (pre-emphasis, frames, power spectrum, mel
// filterbank), natural log, orthonormal DCT-II to num_cepstral coefficients, optionally the
// first replaced by the log frame energy, then optional cepstral mean normalization.
// Output {frames, num_cepstral}, row-major.
#pragma once

#include <cstddef>
#include <cstdint>

#include "dsp/dsp_types.h"

namespace tinyloop::dsp {

struct MfccConfig {
  float sample_rate_hz = 16000.0f;  // > 0
  float frame_length_s = 0.02f;     // rounds to >= 1 sample and must fit in the window
  float frame_stride_s = 0.02f;     // rounds to >= 1 sample
  uint32_t fft_length = 256;        // power of two in [kMinFftLength, kMaxFftLength]
  uint32_t num_filters = 32;        // [2, 256]
  uint32_t num_cepstral = 13;       // [1, num_filters]
  float low_frequency_hz = 300.0f;  // [0, high)
  float high_frequency_hz = 0.0f;   // 0: sample_rate_hz / 2
  float pre_emphasis = 0.98f;       // [0, 1]
  float input_scale = 1.0f;         // multiplies the samples first; finite
  // Replace coefficient 0 by ln(frame energy) (speechpy's dc_elimination). Default true.
  bool dc_elimination = true;
  // Cepstral mean normalization over a window of this many frames centred on each frame
  // (symmetric reflection at the edges, as speechpy's cmvnw); 0 turns it off, otherwise odd
  // and at most 1001. Default 101.
  uint32_t cmvn_window = 101;
};

// Output shape {frames, num_cepstral}, frames as for MFE. kInvalidConfig names the field in
// plan->error; kShapeMismatch for an input with other than one axis or shorter than one frame.
DspStatus PlanMfcc(const MfccConfig& config, const SignalShape& input, BlockPlan* plan);

// Runs the block on one window of one axis. Errors as PlanMfcc, plus kBufferTooSmall for null
// input/output, a short output or scratch smaller than plan.scratch_bytes.
DspStatus RunMfcc(const MfccConfig& config, const SignalShape& input_shape, const float* input,
                  float* output, size_t output_size, void* scratch, size_t scratch_bytes);

}  // namespace tinyloop::dsp
