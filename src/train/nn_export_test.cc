#include "train/nn_export.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <random>

#include "model/graph_validate.h"
#include "model/tflite_export.h"
#include "model/tflite_import.h"
#include "train/nn_trainer.h"

namespace tinyloop::train {
namespace {

using model::Graph;
using model::OpType;

// --- A naive float evaluator of model::Graph, written from TFLite's op definitions and
// independent of the exporter and of libtorch: plain loops over NHWC tensors. ---

std::vector<float> Floats(const model::Tensor& t) {
  std::vector<float> v(t.data.size() / 4);
  std::memcpy(v.data(), t.data.data(), t.data.size());
  return v;
}

std::vector<int32_t> Ints(const model::Tensor& t) {
  std::vector<int32_t> v(t.data.size() / 4);
  std::memcpy(v.data(), t.data.data(), t.data.size());
  return v;
}

float Act(float x, model::Activation a) {
  switch (a) {
    case model::Activation::kRelu:
      return std::max(x, 0.0f);
    case model::Activation::kRelu6:
      return std::min(std::max(x, 0.0f), 6.0f);
    case model::Activation::kReluN1To1:
      return std::min(std::max(x, -1.0f), 1.0f);
    case model::Activation::kNone:
      break;
  }
  return x;
}

// TFLite's output size and leading padding for one spatial dimension.
void Window(int in, int k, int s, model::Padding p, int* out, int* pad_before) {
  if (p == model::Padding::kSame) {
    *out = (in + s - 1) / s;
    *pad_before = std::max((*out - 1) * s + k - in, 0) / 2;
  } else {
    *out = (in - k) / s + 1;
    *pad_before = 0;
  }
}

class NaiveEvaluator {
 public:
  explicit NaiveEvaluator(const Graph& g) : g_(g) {}

  std::vector<float> Run(const std::vector<float>& input) {
    values_.clear();
    values_[g_.inputs.at(0)] = input;
    for (const model::Op& op : g_.ops) RunOp(op);
    return values_.at(g_.outputs.at(0));
  }

 private:
  const std::vector<float>& In(const model::Op& op, int i) {
    const int32_t t = op.inputs.at(i);
    if (values_.count(t) == 0) values_[t] = Floats(g_.tensors.at(t));
    return values_.at(t);
  }
  const std::vector<int32_t>& Shape(int32_t t) const { return g_.tensors.at(t).shape; }

  void RunOp(const model::Op& op) {
    const int32_t out_t = op.outputs.at(0);
    const std::vector<int32_t>& os = Shape(out_t);
    std::vector<float> out(g_.tensors[out_t].element_count(), 0.0f);
    const model::OpOptions& o = op.options;
    const std::vector<float>& x = In(op, 0);
    ASSERT_EQ(static_cast<int64_t>(x.size()), g_.tensors[op.inputs[0]].element_count());
    switch (op.type) {
      case OpType::kConv2D:
      case OpType::kDepthwiseConv2D: {
        const auto& is = Shape(op.inputs[0]);
        const auto& fs = Shape(op.inputs[1]);
        const std::vector<float>& w = In(op, 1);
        const std::vector<float>& b = In(op, 2);
        const int ih = is[1], iw = is[2], ic = is[3], kh = fs[1], kw = fs[2];
        const bool dw = op.type == OpType::kDepthwiseConv2D;
        int oh, ow, pt, pl;
        Window(ih, kh, o.stride_h, o.padding, &oh, &pt);
        Window(iw, kw, o.stride_w, o.padding, &ow, &pl);
        const int oc = dw ? ic * o.depth_multiplier : fs[0];
        ASSERT_EQ(os, (std::vector<int32_t>{1, oh, ow, oc}));
        for (int y = 0; y < oh; ++y)
          for (int xx = 0; xx < ow; ++xx)
            for (int c = 0; c < oc; ++c) {
              double acc = b[c];
              for (int ky = 0; ky < kh; ++ky)
                for (int kx = 0; kx < kw; ++kx) {
                  const int sy = y * o.stride_h - pt + ky, sx = xx * o.stride_w - pl + kx;
                  if (sy < 0 || sy >= ih || sx < 0 || sx >= iw) continue;
                  if (dw) {
                    const int in_c = c / o.depth_multiplier;
                    acc += x[(sy * iw + sx) * ic + in_c] * w[(ky * kw + kx) * oc + c];
                  } else {
                    for (int i = 0; i < ic; ++i) {
                      acc += x[(sy * iw + sx) * ic + i] * w[((c * kh + ky) * kw + kx) * ic + i];
                    }
                  }
                }
              out[(y * ow + xx) * oc + c] = Act(static_cast<float>(acc), o.activation);
            }
        break;
      }
      case OpType::kFullyConnected: {
        const auto& ws = Shape(op.inputs[1]);
        const std::vector<float>& w = In(op, 1);
        const std::vector<float>& b = In(op, 2);
        ASSERT_EQ(static_cast<int>(x.size()), ws[1]);
        for (int u = 0; u < ws[0]; ++u) {
          double acc = b[u];
          for (int i = 0; i < ws[1]; ++i) acc += x[i] * w[u * ws[1] + i];
          out[u] = Act(static_cast<float>(acc), o.activation);
        }
        break;
      }
      case OpType::kMaxPool2D:
      case OpType::kAveragePool2D: {
        const auto& is = Shape(op.inputs[0]);
        const int ih = is[1], iw = is[2], c = is[3];
        int oh, ow, pt, pl;
        Window(ih, o.filter_h, o.stride_h, o.padding, &oh, &pt);
        Window(iw, o.filter_w, o.stride_w, o.padding, &ow, &pl);
        ASSERT_EQ(os, (std::vector<int32_t>{1, oh, ow, c}));
        for (int y = 0; y < oh; ++y)
          for (int xx = 0; xx < ow; ++xx)
            for (int ch = 0; ch < c; ++ch) {
              double sum = 0, best = -INFINITY;
              int count = 0;
              for (int ky = 0; ky < o.filter_h; ++ky)
                for (int kx = 0; kx < o.filter_w; ++kx) {
                  const int sy = y * o.stride_h - pt + ky, sx = xx * o.stride_w - pl + kx;
                  if (sy < 0 || sy >= ih || sx < 0 || sx >= iw) continue;
                  const float v = x[(sy * iw + sx) * c + ch];
                  sum += v;
                  best = std::max<double>(best, v);
                  ++count;
                }
              const double r = op.type == OpType::kMaxPool2D ? best : sum / count;
              out[(y * ow + xx) * c + ch] = Act(static_cast<float>(r), o.activation);
            }
        break;
      }
      case OpType::kMean: {
        const auto& is = Shape(op.inputs[0]);
        ASSERT_EQ(Ints(g_.tensors[op.inputs[1]]), (std::vector<int32_t>{1, 2}));
        const int n = is[1] * is[2], c = is[3];
        for (int ch = 0; ch < c; ++ch) {
          double sum = 0;
          for (int p = 0; p < n; ++p) sum += x[p * c + ch];
          out[ch] = static_cast<float>(sum / n);
        }
        break;
      }
      case OpType::kReshape:
        ASSERT_EQ(Ints(g_.tensors[op.inputs[1]]), os);
        out = x;
        break;
      case OpType::kAdd:
      case OpType::kMul: {
        const std::vector<float>& y = In(op, 1);  // same size or one value per channel
        for (size_t i = 0; i < out.size(); ++i) {
          const float b = y[i % y.size()];
          out[i] = Act(op.type == OpType::kAdd ? x[i] + b : x[i] * b, o.activation);
        }
        break;
      }
      case OpType::kSoftmax: {
        const float m = *std::max_element(x.begin(), x.end());
        double sum = 0;
        for (float v : x) sum += std::exp(static_cast<double>(v - m) * o.beta);
        for (size_t i = 0; i < x.size(); ++i) {
          out[i] = static_cast<float>(std::exp(static_cast<double>(x[i] - m) * o.beta) / sum);
        }
        break;
      }
      case OpType::kTanh:
        for (size_t i = 0; i < x.size(); ++i) out[i] = std::tanh(x[i]);
        break;
      case OpType::kLogistic:
        for (size_t i = 0; i < x.size(); ++i) out[i] = 1.0f / (1.0f + std::exp(-x[i]));
        break;
      case OpType::kRelu:
        for (size_t i = 0; i < x.size(); ++i) out[i] = std::max(x[i], 0.0f);
        break;
      default:
        FAIL() << "op " << model::OpTypeName(op.type) << " not expected";
    }
    values_[out_t] = std::move(out);
  }

  const Graph& g_;
  std::map<int32_t, std::vector<float>> values_;
};

NnSpec ParseSpec(const std::string& text) {
  StatusOr<Json> json = ParseJson(text);
  EXPECT_TRUE(json.ok());
  StatusOr<NnSpec> spec = NnSpecFromJson(*json);
  EXPECT_TRUE(spec.ok()) << spec.status().ToString();
  return *spec;
}

// Random features with labels that depend on them, so that training moves the weights and
// batch-norm statistics away from their initial values.
TrainData RandomData(const NnSpec& spec, int rows, uint32_t seed) {
  int64_t features = 1;
  for (int d : spec.input_shape) features *= d;
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.5f, 1.5f);
  TrainData data;
  for (int r = 0; r < rows; ++r) {
    float sum = 0;
    for (int64_t f = 0; f < features; ++f) {
      const float v = normal(rng);
      sum += f % 2 == 0 ? v : -0.5f * v;
      data.features.push_back(v);
    }
    if (spec.head.type == HeadType::kClassifier) {
      data.labels.push_back(static_cast<int32_t>(std::abs(static_cast<int>(sum))) %
                            spec.head.outputs);
    } else {
      for (int o = 0; o < spec.head.outputs; ++o) data.targets.push_back(sum * (o + 1) * 0.1f);
    }
  }
  return data;
}

// Trains briefly, exports, and checks the graph against libtorch's predictions.
void ExpectExportMatchesTorch(const std::string& spec_text, std::vector<OpType> must_contain) {
  const NnSpec spec = ParseSpec(spec_text);
  const TrainData train = RandomData(spec, 200, 1);
  const TrainData test = RandomData(spec, 16, 2);
  TrainOptions options;
  options.epochs = 4;
  options.patience = 0;
  StatusOr<TrainedNetwork> net = TrainNetwork(spec, train, {}, options);
  ASSERT_TRUE(net.ok()) << net.status().ToString();
  StatusOr<Graph> graph = net->ExportGraph();
  ASSERT_TRUE(graph.ok()) << graph.status().ToString();
  // The graph is well formed for the model module and survives a .tflite round trip.
  const Status valid = model::ValidateGraph(*graph);
  EXPECT_TRUE(valid.ok()) << valid.ToString();
  StatusOr<std::vector<uint8_t>> tflite = model::ExportTflite(*graph);
  ASSERT_TRUE(tflite.ok()) << tflite.status().ToString();
  StatusOr<Graph> imported = model::ImportTflite(*tflite);
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  EXPECT_EQ(imported->ops.size(), graph->ops.size());
  for (OpType type : must_contain) {
    EXPECT_TRUE(std::any_of(graph->ops.begin(), graph->ops.end(),
                            [&](const model::Op& op) { return op.type == type; }))
        << "no " << model::OpTypeName(type);
  }
  for (const model::Tensor& t : graph->tensors) {
    if (t.is_constant()) {
      EXPECT_EQ(t.byte_size(), static_cast<int64_t>(t.data.size())) << t.name;
    }
  }
  StatusOr<std::vector<float>> expected = net->Predict(test.features);
  ASSERT_TRUE(expected.ok());
  const size_t features = test.features.size() / 16, outputs = spec.head.outputs;
  NaiveEvaluator evaluator(*graph);
  float max_abs = 0;
  for (size_t r = 0; r < 16; ++r) {
    std::vector<float> row(test.features.begin() + r * features,
                           test.features.begin() + (r + 1) * features);
    const std::vector<float> got = evaluator.Run(row);
    ASSERT_EQ(got.size(), outputs);
    for (size_t o = 0; o < outputs; ++o) {
      EXPECT_NEAR(got[o], (*expected)[r * outputs + o], 1e-4) << "row " << r << " output " << o;
      max_abs = std::max(max_abs, std::abs((*expected)[r * outputs + o]));
    }
  }
  EXPECT_GT(max_abs, 0.0f);
}

TEST(NnExportTest, DenseNetworkMatchesTorch) {
  ExpectExportMatchesTorch(R"({"input_shape": [12], "layers": [
      {"type": "dense", "units": 16}, {"type": "dropout", "rate": 0.2},
      {"type": "dense", "units": 8, "activation": "tanh"},
      {"type": "dense", "units": 8, "activation": "relu6"}],
      "output": {"type": "classifier", "classes": 3}})",
                           {OpType::kFullyConnected, OpType::kTanh, OpType::kSoftmax});
}

TEST(NnExportTest, Conv1dWithBatchNormMatchesTorch) {
  ExpectExportMatchesTorch(R"({"input_shape": [48], "layers": [
      {"type": "batch_norm"},
      {"type": "reshape", "shape": [16, 3]},
      {"type": "conv1d", "filters": 8, "kernel": 3, "activation": "none"},
      {"type": "dropout", "rate": 0.1},
      {"type": "batch_norm", "activation": "relu"},
      {"type": "max_pool1d", "pool_size": 2},
      {"type": "conv1d", "filters": 6, "kernel": 4, "stride": 2},
      {"type": "batch_norm"},
      {"type": "avg_pool1d", "pool_size": 3, "stride": 2, "padding": "same"},
      {"type": "flatten"},
      {"type": "dense", "units": 6, "activation": "none"},
      {"type": "batch_norm", "activation": "sigmoid"}],
      "output": {"type": "classifier", "classes": 4}})",
                           {OpType::kConv2D, OpType::kMul, OpType::kAdd, OpType::kMaxPool2D,
                            OpType::kAveragePool2D, OpType::kLogistic, OpType::kReshape});
}

TEST(NnExportTest, Conv2dAndDepthwiseMatchTorch) {
  ExpectExportMatchesTorch(R"({"input_shape": [9, 8, 2], "layers": [
      {"type": "conv2d", "filters": 4, "kernel": [3, 2], "stride": [1, 2], "activation": "relu6"},
      {"type": "depthwise_conv2d", "depth_multiplier": 2, "padding": "valid"},
      {"type": "max_pool2d", "pool_size": 2, "padding": "same"},
      {"type": "depthwise_conv2d", "kernel": 2, "stride": 2, "activation": "none"},
      {"type": "batch_norm", "activation": "relu"},
      {"type": "conv2d", "filters": 5, "kernel": 1},
      {"type": "global_avg_pool"}],
      "output": {"type": "regressor", "outputs": 2}})",
                           {OpType::kConv2D, OpType::kDepthwiseConv2D, OpType::kMean});
}

TEST(NnExportTest, FoldsBatchNormIntoDense) {
  // y = bn(W x + b) with hand-set parameters; no torch involved.
  const NnSpec spec = ParseSpec(R"({"input_shape": [2], "layers": [
      {"type": "dense", "units": 2, "activation": "none"},
      {"type": "batch_norm", "activation": "relu"}],
      "output": {"type": "regressor", "outputs": 1}})");
  NetworkParams params;
  params.layers.resize(2);
  params.layers[0].weight = {1, 2, 3, 4};
  params.layers[0].bias = {0.5f, -1};
  params.layers[1].weight = {2, 1};  // gamma
  params.layers[1].bias = {0, 1};    // beta
  params.layers[1].running_mean = {1, 2};
  params.layers[1].running_var = {3, 0};
  params.layers[1].epsilon = 1;
  params.head.weight = {1, -1};
  params.head.bias = {0.25f};
  StatusOr<Graph> graph = ExportFloatGraph(spec, params);
  ASSERT_TRUE(graph.ok()) << graph.status().ToString();
  EXPECT_TRUE(model::ValidateGraph(*graph).ok());
  ASSERT_EQ(graph->ops.size(), 2u);  // batch norm folded into the first FULLY_CONNECTED
  EXPECT_EQ(graph->ops[0].options.activation, model::Activation::kRelu);
  EXPECT_EQ(graph->tensors[graph->inputs[0]].shape, (std::vector<int32_t>{1, 2}));
  // x = (1, 1): dense → (3.5, 6); bn → (2 * 2.5 / 2, 4 / 1 + 1) = (2.5, 5); relu; head → -2.25.
  NaiveEvaluator evaluator(*graph);
  const std::vector<float> out = evaluator.Run({1, 1});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NEAR(out[0], -2.25f, 1e-6);

  params.head.bias.clear();
  StatusOr<Graph> bad = ExportFloatGraph(spec, params);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("output bias has 0 values, expected 1"), std::string::npos);
}

}  // namespace
}  // namespace tinyloop::train
