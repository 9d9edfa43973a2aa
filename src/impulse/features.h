// Windows + DSP → feature matrix: cuts each recording into the impulse's windows and runs the
// freestanding DSP block (src/dsp) on each, with scratch buffers allocated here on the host, so
// training and the device compute the very same features. Keeps, per window, which recording
// and which window it came from. Part of src/impulse. Plain functions; thread-compatible.
#pragma once

#include <cstdint>
#include <vector>

#include "base/status.h"
#include "formats/decoded_sample.h"
#include "impulse/impulse_config.h"

namespace tinyloop::impulse {

// One row per window: values is rows x cols, row-major.
struct FeatureRows {
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<float> values;
  std::vector<int> recording;      // index into the recordings given
  std::vector<uint32_t> window;    // window index within its recording
  std::vector<int> feature_shape;  // the DSP block's output shape, e.g. {49, 13}
};

// Computes the features of every window of every recording in `recordings` (pointers must be
// non-null). A recording shorter than one window contributes no rows unless pad_zeros is set.
// Errors: InvalidArgument naming the recording index and the DSP status when the block rejects
// a window (e.g. an image of another channel count), or for an invalid impulse config.
StatusOr<FeatureRows> ComputeFeatures(const ImpulseConfig& config,
                                      const std::vector<const formats::DecodedSample*>& recordings);

}  // namespace tinyloop::impulse
