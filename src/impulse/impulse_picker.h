// Picks an impulse from the data itself, so that a folder of recordings gives a good model with
// no configuration. Part of src/impulse. Pure function of the data's shape; thread-safe.
//
// Rules (first match wins; the chosen impulse is written to MODEL_DIR/impulse.json):
//  1. Images (PNG/JPEG): image block 32x32 (grayscale when the images are grayscale, else RGB,
//     fit-shortest crop) and a small conv2d net (train::DefaultNnSpec).
//  2. Audio (one axis, >= 4 kHz): 1 s windows (or the shortest recording when shorter) every
//     500 ms; MFCC (13 coefficients, 32 filters, 20 ms frames every 20 ms, FFT the next power of
//     two >= the frame) and a conv1d net over the frames.
//  3. Tiny rows (every recording has at most 4 rows, or no time axis): one zero-padded window
//     over the whole recording, raw block, dense net.
//  4. Motion / vibration time series (any axes, < 4 kHz): window = 2 s, capped at the shortest
//     recording; a recording of at most 2.5 s gives one window per file (window = its length).
//     Stride = window / 4 (more training windows from long recordings). Spectral analysis with
//     fft_length = the largest power of two <= the window (16..256), log power, no filter; a
//     dense net on the features, plus a k-means anomaly block (all spectral features,
//     standardized) trained on the training windows.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "impulse/impulse_config.h"

namespace tinyloop::impulse {

// The impulse for data of `shape` with `labels` (classifier head of labels.size() classes).
// InvalidArgument when the data has no axes or no recordings' length, or when the network
// picker rejects the feature shape.
StatusOr<ImpulseConfig> PickImpulse(const DataShape& shape, const std::vector<std::string>& labels);

// A short human description of why the impulse was chosen, e.g. "audio at 16000 Hz: 1000 ms
// windows, MFCC + conv1d".
std::string DescribeImpulse(const ImpulseConfig& config);

}  // namespace tinyloop::impulse
