// The int8 deployment model of a trained impulse: post-training quantization of the exported
// float graph (model/quantize.h), calibrated on a deterministic sample of the training windows'
// raw features (what the device feeds the model), exported to .tflite and re-imported, with
// the resource report the model card's hardware fields come from. Part of src/impulse; the
// pipeline (pipeline.h) writes the result as MODEL_DIR/model_int8.tflite.
#pragma once

#include <cstdint>
#include <vector>

#include "base/status.h"
#include "model/ir.h"
#include "model/resource_report.h"
#include "train/feature_scaler.h"

namespace tinyloop::impulse {

// At most this many training windows calibrate the activation ranges.
inline constexpr int64_t kMaxCalibrationWindows = 1000;

struct Int8Model {
  std::vector<uint8_t> tflite;      // model_int8.tflite: float32 input/output, int8 inside
  model::Graph graph;               // `tflite` re-imported (what evaluation runs)
  model::ResourceReport resources;  // of `graph`, for the "cortex-m4" cycle model
  int64_t calibration_windows = 0;
};

// A per-feature affine transform of the raw features, x * scale[i] + shift[i], that the
// quantized network expects (the pipeline's input standardization). Empty: none.
struct InputStandardization {
  std::vector<float> scale;
  std::vector<float> shift;
  bool empty() const { return scale.empty(); }
};

// Evenly spaced rows of `rows` (every ceil(rows / max_rows)-th, starting at the first), at most
// `max_rows`, as calibration data. Deterministic: the same matrix gives the same sample.
std::vector<float> CalibrationSample(const train::FeatureMatrix& rows, int64_t max_rows,
                                     int64_t* examples);

// Quantizes `float_graph` (one float32 input of training_rows.cols features) calibrated on
// CalibrationSample(training_rows, kMaxCalibrationWindows) of the raw training rows.
// With a `standardization`, `float_graph` takes standardized features: the int8 model then
// starts with float32 MUL and ADD applying it to the raw input before QUANTIZE, so one int8
// input scale serves features of very different ranges (folding the standardization into the
// first layer instead would leave raw features, and per-column weight scales, to a single
// int8 scale each). InvalidArgument when there is no training row, the column count does not
// match the graph's input or the standardization's size; the errors of QuantizeInt8,
// ExportTflite and ImportTflite otherwise. Same inputs, same bytes.
StatusOr<Int8Model> BuildInt8Model(const model::Graph& float_graph,
                                   const train::FeatureMatrix& training_rows,
                                   const InputStandardization& standardization = {});

}  // namespace tinyloop::impulse
