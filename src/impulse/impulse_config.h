// The impulse: how a recording becomes a prediction. An input block (windowing of a time series,
// or a whole image), one DSP block (src/dsp) and a learning block (a neural network from
// src/train, optionally with a k-means or GMM anomaly block on selected DSP features). Stored as
// `impulse.json` in a model directory; validated against the data with errors that name the
// field and its limit. Part of src/impulse (the host-side pipeline above dsp, train and eval).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/status.h"
#include "dsp_json/dsp_config_json.h"
#include "train/gmm.h"
#include "train/kmeans.h"
#include "train/nn_spec.h"
#include "train/nn_trainer.h"

namespace tinyloop::impulse {

enum class InputType { kTimeSeries, kImage };

// The input block. Time series are cut into windows; an image is one window.
struct InputConfig {
  InputType type = InputType::kTimeSeries;
  // Window size, stride ("window increase"), sample rate and zero padding (time series only).
  dsp::TimeSeriesConfig time_series;
  // Axis names the data must have, in order (e.g. ["x","y","z"], ["audio"], ["R","G","B"]).
  // Empty: any; otherwise the count must match the recordings.
  std::vector<std::string> axes;
  // Subtract each axis's mean over the window before the DSP block (time series only), so
  // that a constant offset (sensor tilt, gravity) carries no information. Default false.
  bool remove_mean = false;
};

enum class AnomalyType { kNone, kKMeans, kGmm };

// The optional anomaly block, trained on the training windows' DSP features (normal data).
struct AnomalyConfig {
  AnomalyType type = AnomalyType::kNone;
  train::KMeansConfig kmeans;  // type kKMeans; `features` selects DSP feature indices
  train::GmmConfig gmm;        // type kGmm
};

// The learning block: the network and how it is trained.
struct LearningConfig {
  train::NnSpec nn;
  train::TrainOptions training;  // epochs, batch size, learning rate, patience (seed: request)
  // Augmentation of the training split (time series only): `shifted_copies` extra copies of
  // each training recording, shifted in time by up to +-time_shift_ms (alternating directions,
  // zero-filled), so the network learns events wherever they sit in the window. Default off.
  int shifted_copies = 0;      // [0, 8]
  float time_shift_ms = 0.0f;  // >= 0
};

struct ImpulseConfig {
  InputConfig input;
  dsp::BlockConfig dsp;
  LearningConfig learning;
  AnomalyConfig anomaly;
  // Class names in output order (written to labels.txt as well).
  std::vector<std::string> labels;
};

// JSON form:
//   {"version":1,
//    "input":{"type":"time-series","window_size_ms":2000,"window_increase_ms":500,
//             "frequency_hz":26,"pad_zeros":false,"axes":["x","y","z"],"remove_mean":false}
//            or {"type":"image","axes":["R","G","B"]},
//    "dsp":{"type":"spectral",...}                      (dsp_json/dsp_config_json.h),
//    "learning":{"nn":{...},                            (train/nn_spec.h)
//                "training":{"epochs":100,"batch_size":32,"learning_rate":0.001,
//                            "patience":10,"class_weights":true,
//                            "shifted_copies":0,"time_shift_ms":0}},
//    "anomaly":{"type":"kmeans",...KMeansConfig} | {"type":"gmm",...} | absent,
//    "labels":["a","b"]}
// Absent optional fields keep their defaults. InvalidArgument naming the field for a missing
// required block ("input", "dsp", "learning"), an unknown key or type, or a value the block's
// own parser rejects (e.g. "dsp: spectral: fft_length must be a power of two ...",
// "learning.nn: layer 2: unknown layer type 'conv3d'").
StatusOr<ImpulseConfig> ImpulseConfigFromJson(const Json& json);
// Reads impulse.json. NotFound when the file cannot be read; parse errors as above, prefixed
// with the path.
StatusOr<ImpulseConfig> ReadImpulseConfig(const std::string& path);
// Every field; ImpulseConfigFromJson reads it back equal.
Json ImpulseConfigToJson(const ImpulseConfig& config);

// What the data looks like, as far as the impulse cares.
struct DataShape {
  bool is_image = false;
  uint32_t axes = 0;
  std::vector<std::string> axis_names;
  double frequency_hz = 0;       // 0 when the data has no time axis
  uint32_t shortest_frames = 0;  // fewest rows of any recording
  uint32_t image_height = 0;     // images: the size the image block receives (first image)
  uint32_t image_width = 0;
};

// The feature shape the DSP block produces on one window of `data`, e.g. {49, 13} for MFCC.
// InvalidArgument naming the field and the limit when the impulse does not fit the data:
// "input.window_size_ms 5000 is longer than the shortest recording (2000 ms)", an axis count or
// sample-rate mismatch ("input.frequency_hz 100 does not match the data (26 Hz)"), a DSP config
// error (FFT length not a power of two, frame longer than the window), an image block on a
// time series (or the reverse), "learning.nn: input shape [33] does not match the features the
// DSP block produces [39]", or a classifier head whose class count differs from the labels.
StatusOr<std::vector<int>> ValidateImpulse(const ImpulseConfig& config, const DataShape& data);

}  // namespace tinyloop::impulse
