// The layer spec of the neural-network learning block: a small, JSON-serializable description
// of a feed-forward network (dense, conv1d/2d, depthwise conv, pooling, dropout, batch norm)
// with a classifier or regressor head. Validation propagates shapes so that a bad spec is
// rejected before training, naming the layer and the field. Plain C++: the trainer
// (nn_trainer.h) turns a spec into a libtorch module, nn_export.h into a model::Graph.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/status.h"

namespace tinyloop::train {

enum class LayerType {
  kDense,
  kConv1D,
  kConv2D,
  kDepthwiseConv2D,
  kMaxPool1D,
  kMaxPool2D,
  kAvgPool1D,
  kAvgPool2D,
  kGlobalAvgPool,
  kFlatten,
  kReshape,
  kDropout,
  kBatchNorm,
};

// The JSON spelling, e.g. "conv1d", "depthwise_conv2d", "global_avg_pool".
const char* LayerTypeName(LayerType type);

enum class LayerActivation { kNone, kRelu, kRelu6, kTanh, kSigmoid };
enum class LayerPadding { kSame, kValid };  // TensorFlow semantics (SAME may pad unevenly)

// One layer. Each type reads only its own fields (see the JSON format below).
struct LayerSpec {
  LayerType type = LayerType::kDense;
  int units = 0;    // dense
  int filters = 0;  // conv1d, conv2d
  // Window [length] for 1-D layers, [height, width] for 2-D layers (conv and pooling).
  std::vector<int> kernel;
  // Same rank as `kernel`; pooling defaults to the pool size, convolutions to 1.
  std::vector<int> stride;
  LayerPadding padding = LayerPadding::kSame;  // conv default same, pooling default valid
  LayerActivation activation = LayerActivation::kNone;
  int depth_multiplier = 1;  // depthwise_conv2d
  float rate = 0.0f;         // dropout: fraction of units dropped
  std::vector<int> shape;    // reshape target (without the batch)
};

enum class HeadType { kClassifier, kRegressor };

// The final dense layer: softmax over `outputs` classes, or `outputs` linear values.
struct HeadSpec {
  HeadType type = HeadType::kClassifier;
  int outputs = 2;
};

struct NnSpec {
  // Shape of one example without the batch: [features], [frames, features] (1-D signals:
  // length x channels) or [height, width, channels]. The features arrive as a flat row-major
  // vector, so [49, 13] reads 49 frames of 13 coefficients.
  std::vector<int> input_shape;
  std::vector<LayerSpec> layers;
  HeadSpec head;
};

// Checks every field and propagates shapes through the layers. InvalidArgument naming the
// layer index, its type and the field, e.g. "layer 3 (conv1d): kernel 9 is larger than the
// input length 5".
Status ValidateNnSpec(const NnSpec& spec);

// The output shape (without the batch) of every layer, in order, followed by the head's
// [outputs]. Same errors as ValidateNnSpec.
StatusOr<std::vector<std::vector<int>>> LayerOutputShapes(const NnSpec& spec);

// Checks that the spec's input takes the features a DSP block produces. The features are a
// flat vector, so any input shape with the same element count matches; otherwise
// InvalidArgument "input shape [33] does not match the features the DSP block produces [39]".
Status CheckInputMatches(const NnSpec& spec, const std::vector<int>& dsp_output_shape);

// JSON form:
//   {"input_shape": [49, 13],
//    "layers": [{"type": "conv1d", "filters": 16, "kernel": 3, "stride": 1,
//                "padding": "same", "activation": "relu"},
//               {"type": "max_pool1d", "pool_size": 2},
//               {"type": "dropout", "rate": 0.25}, {"type": "flatten"}],
//    "output": {"type": "classifier", "classes": 12}}   // or {"type": "regressor", "outputs": 1}
// Layer fields: dense {units, activation}; conv1d/conv2d {filters, kernel, stride, padding,
// activation}; depthwise_conv2d {kernel, depth_multiplier, stride, padding, activation};
// max_pool1d/2d and avg_pool1d/2d {pool_size, stride, padding}; global_avg_pool; flatten;
// reshape {shape}; dropout {rate}; batch_norm {activation} (normalizes the last axis, the
// channels). dense and the output layer flatten a multi-dimensional input first. A 2-D window is
// [h, w] or one number for a square. Activations: "relu" (default for dense and conv), "relu6",
// "tanh", "sigmoid", "none" (default for batch_norm). Unknown layer types and unknown fields are
// InvalidArgument errors; the parsed spec is validated (ValidateNnSpec).
StatusOr<NnSpec> NnSpecFromJson(const Json& json);
Json NnSpecToJson(const NnSpec& spec);

// A sensible network for `input_shape` (same conventions as NnSpec::input_shape) and head:
// [features] → dense 20 → dense 10; [frames, features] → two conv1d blocks (conv, max pool)
// and dropout; [h, w, c] → two conv2d blocks and dropout. Pooling is skipped where a dimension
// is too short to halve. InvalidArgument when the shape is empty, has more than 3 dimensions or
// a non-positive dimension, or when the head has no outputs.
StatusOr<NnSpec> DefaultNnSpec(const std::vector<int>& input_shape, const HeadSpec& head);

}  // namespace tinyloop::train
