// Export of a trained network to the model IR (model/ir.h) as a float32 graph. Plain C++ on
// parameters in PyTorch's layouts, so the trainer (nn_trainer.h) stays the only place that
// includes libtorch: weights are transposed to NHWC/TFLite layouts, batch norm is folded into
// the preceding conv/dense layer where possible, dropout is dropped and classifiers end in
// SOFTMAX.
#pragma once

#include <vector>

#include "base/status.h"
#include "model/ir.h"
#include "train/nn_spec.h"

namespace tinyloop::train {

// Trained parameters of one layer, in PyTorch's layouts.
struct LayerParams {
  // dense and head: [units, inputs], where inputs are in channels-last (NHWC) flatten order;
  // conv1d/conv2d: [filters, in_channels, kh, kw] (kh = 1 for conv1d);
  // depthwise_conv2d: [in_channels * depth_multiplier, 1, kh, kw];
  // batch_norm: gamma [channels]. Empty for layers without parameters.
  std::vector<float> weight;
  std::vector<float> bias;          // [outputs]; batch_norm: beta [channels]
  std::vector<float> running_mean;  // batch_norm only, [channels]
  std::vector<float> running_var;   // batch_norm only, [channels]
  float epsilon = 1e-5f;            // batch_norm only
};

// One LayerParams per NnSpec layer (in order), plus the head.
struct NetworkParams {
  std::vector<LayerParams> layers;
  LayerParams head;
};

// Builds the float32 inference graph of `spec` with `params`. The graph's input is the flat
// feature vector [1, features] (what a DSP block produces) and its output [1, outputs]:
// probabilities for a classifier, raw values for a regressor. 1-D layers run as 2-D ops of
// height 1 on [1, 1, length, channels]. InvalidArgument when the spec is invalid or a
// parameter array does not have the size the spec implies.
StatusOr<model::Graph> ExportFloatGraph(const NnSpec& spec, const NetworkParams& params);

}  // namespace tinyloop::train
