// The int8 deployment model of networks using every layer the NN spec offers: each op the
// exporter emits (FULLY_CONNECTED, CONV_2D, DEPTHWISE_CONV_2D, pools, MEAN, MUL and ADD of an
// unfolded batch norm, LOGISTIC, TANH, fused RELU/RELU6, RESHAPE, SOFTMAX) quantizes, runs in
// the runtime's int8 kernels and stays close to the float model.
#include "impulse/int8_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "base/json.h"
#include "impulse/model_runner.h"
#include "train/nn_trainer.h"

namespace tinyloop::impulse {
namespace {

using model::OpType;

train::NnSpec ParseSpec(const std::string& text) {
  auto json = ParseJson(text);
  EXPECT_TRUE(json.ok());
  auto spec = train::NnSpecFromJson(*json);
  EXPECT_TRUE(spec.ok()) << spec.status().ToString();
  return *spec;
}

// Rows of standard normal features with a label that depends on them.
train::TrainData RandomData(const train::NnSpec& spec, int rows, uint32_t seed) {
  int64_t features = 1;
  for (int d : spec.input_shape) features *= d;
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  train::TrainData data;
  for (int r = 0; r < rows; ++r) {
    float sum = 0;
    for (int64_t f = 0; f < features; ++f) {
      const float v = normal(rng);
      sum += f % 2 == 0 ? v : -0.5f * v;
      data.features.push_back(v);
    }
    if (spec.head.type == train::HeadType::kClassifier) {
      data.labels.push_back(std::abs(static_cast<int>(sum)) % spec.head.outputs);
    } else {
      for (int o = 0; o < spec.head.outputs; ++o) data.targets.push_back(sum * (o + 1) * 0.1f);
    }
  }
  return data;
}

// Trains briefly, quantizes with the training rows as calibration, and compares the int8
// model's outputs with the float model's on unseen rows, both run by the runtime.
void ExpectInt8CloseToFloat(const std::string& spec_text, std::vector<OpType> must_contain,
                            double tolerance) {
  const train::NnSpec spec = ParseSpec(spec_text);
  const train::TrainData train_rows = RandomData(spec, 200, 1);
  const train::TrainData test = RandomData(spec, 32, 2);
  train::TrainOptions options;
  options.epochs = 4;
  options.patience = 0;
  auto net = train::TrainNetwork(spec, train_rows, {}, options);
  ASSERT_TRUE(net.ok()) << net.status().ToString();
  auto graph = net->ExportGraph();
  ASSERT_TRUE(graph.ok()) << graph.status().ToString();
  train::FeatureMatrix calibration;
  calibration.cols = int64_t(train_rows.features.size() / 200);
  calibration.rows = 200;
  calibration.values = train_rows.features;
  auto int8 = BuildInt8Model(*graph, calibration);
  ASSERT_TRUE(int8.ok()) << int8.status().ToString();
  EXPECT_EQ(int8->calibration_windows, 200);
  for (OpType type : must_contain) {
    EXPECT_TRUE(std::any_of(int8->graph.ops.begin(), int8->graph.ops.end(),
                            [&](const model::Op& op) {
                              return op.type == type &&
                                     int8->graph.tensors[op.inputs[0]].type == model::DType::kInt8;
                            }))
        << "no int8 " << model::OpTypeName(type);
  }
  auto float_runner = ModelRunner::Create(*graph);
  ASSERT_TRUE(float_runner.ok()) << float_runner.status().ToString();
  auto int8_runner = ModelRunner::Create(int8->graph);
  ASSERT_TRUE(int8_runner.ok()) << int8_runner.status().ToString();
  auto expected = (*float_runner)->Predict(test.features);
  auto got = (*int8_runner)->Predict(test.features);
  ASSERT_TRUE(expected.ok() && got.ok());
  ASSERT_EQ(expected->size(), got->size());
  double max_abs = 0, max_error = 0;
  for (size_t i = 0; i < got->size(); ++i) {
    max_abs = std::max(max_abs, std::fabs(double((*expected)[i])));
    max_error = std::max(max_error, std::fabs(double((*got)[i]) - (*expected)[i]));
  }
  EXPECT_GT(max_abs, 0.0);
  EXPECT_LE(max_error, tolerance * std::max(1.0, max_abs)) << "max |float| " << max_abs;
  EXPECT_GT(int8->resources.arena_bytes, 0u);
  EXPECT_GT(int8->resources.macs, 0u);
}

TEST(Int8ModelTest, DenseTanhRelu6) {
  ExpectInt8CloseToFloat(R"({"input_shape": [12], "layers": [
      {"type": "dense", "units": 16}, {"type": "dropout", "rate": 0.2},
      {"type": "dense", "units": 8, "activation": "tanh"},
      {"type": "dense", "units": 8, "activation": "relu6"}],
      "output": {"type": "classifier", "classes": 3}})",
                         {OpType::kFullyConnected, OpType::kTanh, OpType::kSoftmax}, 0.06);
}

TEST(Int8ModelTest, Conv1dBatchNormPoolsSigmoid) {
  ExpectInt8CloseToFloat(R"({"input_shape": [48], "layers": [
      {"type": "batch_norm"},
      {"type": "reshape", "shape": [16, 3]},
      {"type": "conv1d", "filters": 8, "kernel": 3, "activation": "none"},
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
                          OpType::kAveragePool2D, OpType::kLogistic},
                         0.06);
}

TEST(Int8ModelTest, Conv2dDepthwiseGlobalAveragePool) {
  ExpectInt8CloseToFloat(R"({"input_shape": [9, 8, 2], "layers": [
      {"type": "conv2d", "filters": 4, "kernel": [3, 2], "stride": [1, 2], "activation": "relu6"},
      {"type": "depthwise_conv2d", "depth_multiplier": 2, "padding": "valid"},
      {"type": "max_pool2d", "pool_size": 2, "padding": "same"},
      {"type": "depthwise_conv2d", "kernel": 2, "stride": 2, "activation": "none"},
      {"type": "batch_norm", "activation": "relu"},
      {"type": "conv2d", "filters": 5, "kernel": 1},
      {"type": "global_avg_pool"}],
      "output": {"type": "classifier", "classes": 3}})",
                         {OpType::kConv2D, OpType::kDepthwiseConv2D, OpType::kMean}, 0.06);
}

TEST(Int8ModelTest, StandardizationRunsInFloatBeforeQuantize) {
  // Features of ranges from 0.001 to 1000: the network sees them standardized, the int8 model
  // takes them raw and standardizes in float32 before its single int8 input scale.
  const train::NnSpec spec = ParseSpec(R"({"input_shape": [8], "layers": [
      {"type": "dense", "units": 16, "activation": "relu"}],
      "output": {"type": "classifier", "classes": 3}})");
  const train::TrainData z = RandomData(spec, 200, 5);
  const train::TrainData z_test = RandomData(spec, 32, 6);
  InputStandardization s;
  for (int f = 0; f < 8; ++f) {
    const float range = std::pow(10.0f, float(f % 7) - 3.0f);
    s.scale.push_back(1.0f / range);
    s.shift.push_back(-0.5f);
  }
  // raw = (z - shift) / scale, so raw * scale + shift == z up to float rounding.
  auto raw = [&](const std::vector<float>& rows) {
    std::vector<float> out(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) out[i] = (rows[i] - s.shift[i % 8]) / s.scale[i % 8];
    return out;
  };
  train::TrainOptions options;
  options.epochs = 4;
  options.patience = 0;
  auto net = train::TrainNetwork(spec, z, {}, options);
  ASSERT_TRUE(net.ok()) << net.status().ToString();
  auto graph = net->ExportGraph();
  ASSERT_TRUE(graph.ok());
  train::FeatureMatrix calibration;
  calibration.cols = 8;
  calibration.rows = 200;
  calibration.values = raw(z.features);
  auto int8 = BuildInt8Model(*graph, calibration, s);
  ASSERT_TRUE(int8.ok()) << int8.status().ToString();
  ASSERT_GE(int8->graph.ops.size(), 3u);
  EXPECT_EQ(int8->graph.ops[0].type, OpType::kMul);
  EXPECT_EQ(int8->graph.ops[1].type, OpType::kAdd);
  EXPECT_EQ(int8->graph.ops[2].type, OpType::kQuantize);
  EXPECT_EQ(int8->graph.tensors[int8->graph.inputs[0]].type, model::DType::kFloat32);
  auto float_runner = ModelRunner::Create(*graph);
  auto int8_runner = ModelRunner::Create(int8->graph);
  ASSERT_TRUE(float_runner.ok() && int8_runner.ok());
  auto expected = (*float_runner)->Predict(z_test.features);
  auto got = (*int8_runner)->Predict(raw(z_test.features));
  ASSERT_TRUE(expected.ok() && got.ok());
  double max_error = 0;
  for (size_t i = 0; i < got->size(); ++i) {
    max_error = std::max(max_error, std::fabs(double((*got)[i]) - (*expected)[i]));
  }
  EXPECT_LE(max_error, 0.06);

  InputStandardization wrong = s;
  wrong.scale.pop_back();
  EXPECT_EQ(BuildInt8Model(*graph, calibration, wrong).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tinyloop::impulse
