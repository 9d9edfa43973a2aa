// Internal: the front end MFE and MFCC share. Frames a scaled, pre-emphasized window, takes
// the power spectrum of each frame and applies a triangular mel filterbank. Not public API.
#pragma once

#include <cstddef>
#include <cstdint>

#include "dsp/dsp_types.h"
#include "dsp/fft.h"
#include "dsp/internal/common.h"

namespace tinyloop::dsp::internal {

struct MelParams {
  float sample_rate_hz;
  float frame_length_s;
  float frame_stride_s;
  uint32_t fft_length;
  uint32_t num_filters;
  float low_frequency_hz;
  float high_frequency_hz;  // 0: sample_rate_hz / 2
  float pre_emphasis;
  float input_scale;
};

struct MelGeometry {
  uint32_t frame_samples = 0;
  uint32_t stride_samples = 0;
  uint32_t num_frames = 0;
};

// Validates params against a window; fills the geometry. Sets plan->error on failure.
DspStatus CheckMel(const MelParams& params, const SignalShape& input, MelGeometry* geometry,
                   BlockPlan* plan);

// Adds the front end's scratch buffers to a layout.
void LayoutMelScratch(const MelParams& params, ScratchLayout* layout);

// Per-window state carved from scratch: FFT, filterbank weights and the frame buffer.
class MelFrontEnd {
 public:
  // Carves buffers from `arena` (the order LayoutMelScratch counts) and builds the FFT table
  // and filterbank. Preconditions: CheckMel returned kOk for these params and geometry.
  DspStatus Init(const MelParams& params, const MelGeometry& geometry, ScratchArena* arena);

  // Writes the num_filters mel energies of frame `index` of `input` (one axis) to `mel`, and
  // the frame's total power (sum over bins) to *energy. Zero energies stay zero.
  void Frame(const float* input, uint32_t input_frames, uint32_t index, float* mel,
             float* energy) const;

 private:
  MelParams params_{};
  MelGeometry geometry_;
  RealFft fft_;
  float* frame_ = nullptr;     // fft_length + 2
  uint32_t* edges_ = nullptr;  // num_filters + 2 bin indices
  float* weights_ = nullptr;   // per filter, the weights of bins edges[i] .. edges[i + 2]
};

// Hz <-> mel (1127 ln(1 + f / 700)), the convention of speechpy and Edge Impulse.
double HzToMel(double hz);
double MelToHz(double mel);

}  // namespace tinyloop::dsp::internal
