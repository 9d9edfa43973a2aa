#include "model/quantize.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "model/graph_validate.h"
#include "model/runtime_program.h"
#include "model/test_util.h"
#include "model/tflite_export.h"
#include "model/tflite_import.h"

namespace tinyloop::model {
namespace {

int32_t AddTensor(Graph* g, const std::string& name, std::vector<int32_t> shape,
                  const std::vector<float>& data = {}) {
  Tensor t;
  t.name = name;
  t.shape = std::move(shape);
  t.data.resize(data.size() * 4);
  if (!data.empty()) std::memcpy(t.data.data(), data.data(), t.data.size());
  g->tensors.push_back(t);
  return int32_t(g->tensors.size() - 1);
}

std::vector<float> Random(size_t n, std::mt19937* rng, float scale) {
  std::normal_distribution<float> d(0.0f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = d(*rng);
  return v;
}

// input [1,8,8,1] -> CONV 3x3 x4 (relu, SAME) -> DEPTHWISE 3x3 (relu6) -> MEAN(H,W) ->
// FC 3 -> SOFTMAX, with random weights: exercises per-channel weights, both conv kinds,
// fused activations, global average pooling and the fixed softmax output parameters.
Graph ConvClassifier(std::mt19937* rng) {
  Graph g;
  const int32_t in = AddTensor(&g, "input", {1, 8, 8, 1});
  const int32_t w1 = AddTensor(&g, "conv_w", {4, 3, 3, 1}, Random(36, rng, 0.5f));
  const int32_t b1 = AddTensor(&g, "conv_b", {4}, Random(4, rng, 0.1f));
  const int32_t a1 = AddTensor(&g, "conv_out", {1, 8, 8, 4});
  const int32_t w2 = AddTensor(&g, "dw_w", {1, 3, 3, 4}, Random(36, rng, 0.5f));
  const int32_t b2 = AddTensor(&g, "dw_b", {4}, Random(4, rng, 0.1f));
  const int32_t a2 = AddTensor(&g, "dw_out", {1, 8, 8, 4});
  const int32_t a3 = AddTensor(&g, "pool_out", {1, 1, 1, 4});
  const int32_t w4 = AddTensor(&g, "fc_w", {3, 4}, Random(12, rng, 1.0f));
  const int32_t b4 = AddTensor(&g, "fc_b", {3}, Random(3, rng, 0.1f));
  const int32_t a4 = AddTensor(&g, "logits", {1, 3});
  const int32_t out = AddTensor(&g, "probabilities", {1, 3});
  Op conv;
  conv.type = OpType::kConv2D;
  conv.inputs = {in, w1, b1};
  conv.outputs = {a1};
  conv.options.padding = Padding::kSame;
  conv.options.activation = Activation::kRelu;
  Op dw;
  dw.type = OpType::kDepthwiseConv2D;
  dw.inputs = {a1, w2, b2};
  dw.outputs = {a2};
  dw.options.padding = Padding::kSame;
  dw.options.activation = Activation::kRelu6;
  // Global average pooling as AVERAGE_POOL_2D over the whole map: the runtime has no int8 MEAN.
  Op mean;
  mean.type = OpType::kAveragePool2D;
  mean.inputs = {a2};
  mean.outputs = {a3};
  mean.options.filter_h = 8;
  mean.options.filter_w = 8;
  Op fc;
  fc.type = OpType::kFullyConnected;
  fc.inputs = {a3, w4, b4};
  fc.outputs = {a4};
  Op softmax;
  softmax.type = OpType::kSoftmax;
  softmax.inputs = {a4};
  softmax.outputs = {out};
  g.ops = {conv, dw, mean, fc, softmax};
  g.inputs = {in};
  g.outputs = {out};
  return g;
}

std::vector<uint8_t> Bytes(const float* v, size_t n) {
  std::vector<uint8_t> b(n * 4);
  std::memcpy(b.data(), v, b.size());
  return b;
}

int Argmax(const std::vector<uint8_t>& probs) {
  std::vector<float> p(probs.size() / 4);
  std::memcpy(p.data(), probs.data(), probs.size());
  return int(std::max_element(p.begin(), p.end()) - p.begin());
}

TEST(QuantizeTest, Int8AgreesWithFloatAndRoundTripsThroughTflite) {
  std::mt19937 rng(7);
  const Graph float_graph = ConvClassifier(&rng);
  ASSERT_TRUE(ValidateGraph(float_graph).ok());
  CalibrationData calibration;
  calibration.examples = 200;
  calibration.values = Random(size_t(calibration.examples) * 64, &rng, 1.0f);
  auto quantized = QuantizeInt8(float_graph, calibration);
  ASSERT_TRUE(quantized.ok()) << quantized.status().ToString();
  ASSERT_TRUE(ValidateGraph(*quantized).ok());
  const Tensor& conv_w = quantized->tensors[1];
  EXPECT_EQ(conv_w.type, DType::kInt8);
  EXPECT_EQ(conv_w.quant.scale.size(), 4u);  // per channel
  EXPECT_EQ(quantized->tensors[2].type, DType::kInt32);
  int32_t softmax_out = -1;
  for (const Op& op : quantized->ops) {
    if (op.type == OpType::kSoftmax) softmax_out = op.outputs[0];
  }
  ASSERT_GE(softmax_out, 0);
  const Tensor& probabilities = quantized->tensors[softmax_out];
  EXPECT_EQ(probabilities.type, DType::kInt8);
  ASSERT_EQ(probabilities.quant.scale.size(), 1u);
  EXPECT_FLOAT_EQ(probabilities.quant.scale[0], 1.0f / 256.0f);
  EXPECT_EQ(probabilities.quant.zero_point[0], -128);

  // .tflite export and re-import give the same graph and the same bytes.
  auto bytes = ExportTflite(*quantized);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  auto reimported = ImportTflite(*bytes);
  ASSERT_TRUE(reimported.ok()) << reimported.status().ToString();
  auto bytes2 = ExportTflite(*reimported);
  ASSERT_TRUE(bytes2.ok());
  EXPECT_EQ(*bytes, *bytes2);

  auto float_program = LowerToRuntimeProgram(float_graph);
  ASSERT_TRUE(float_program.ok()) << float_program.status().ToString();
  auto int8_program = LowerToRuntimeProgram(*reimported);
  ASSERT_TRUE(int8_program.ok()) << int8_program.status().ToString();
  testing::ProgramRunner float_runner(*float_program);
  testing::ProgramRunner int8_runner(*int8_program);
  // Held-out inputs labelled by the float model: the int8 model must agree within 1 point.
  const int kTest = 500;
  const std::vector<float> test = Random(kTest * 64, &rng, 1.0f);
  // Random weights give many near-ties, where any rounding may flip the top class; judge the
  // inputs the float model decides with a margin of at least 0.1 in probability.
  int agree = 0, decided = 0, agree_all = 0;
  for (int i = 0; i < kTest; ++i) {
    const std::vector<uint8_t> x = Bytes(test.data() + i * 64, 64);
    const std::vector<uint8_t> f = float_runner.Run(x);
    const std::vector<uint8_t> q = int8_runner.Run(x);
    ASSERT_EQ(f.size(), 12u);
    ASSERT_EQ(q.size(), 12u);
    std::vector<float> p(3);
    std::memcpy(p.data(), f.data(), 12);
    std::sort(p.begin(), p.end());
    agree_all += Argmax(f) == Argmax(q);
    if (p[2] - p[1] < 0.1f) continue;
    ++decided;
    agree += Argmax(f) == Argmax(q);
  }
  ASSERT_GE(decided, 30);
  EXPECT_GE(double(agree) / decided, 0.99) << agree << " of " << decided;
  EXPECT_GE(double(agree_all) / kTest, 0.9) << agree_all << " of " << kTest;
}

TEST(QuantizeTest, Int8IoAndBadCalibration) {
  std::mt19937 rng(3);
  const Graph g = ConvClassifier(&rng);
  CalibrationData calibration;
  calibration.examples = 2;
  calibration.values = Random(100, &rng, 1.0f);
  auto bad = QuantizeInt8(g, calibration);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("64 values"), std::string::npos);
  calibration.values = Random(128, &rng, 1.0f);
  QuantizeOptions options;
  options.int8_io = true;
  auto q = QuantizeInt8(g, calibration, options);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->tensors[size_t(q->inputs[0])].type, DType::kInt8);
  EXPECT_EQ(q->tensors[size_t(q->outputs[0])].type, DType::kInt8);
  EXPECT_EQ(q->ops.size(), g.ops.size());
  EXPECT_FALSE(QuantizeInt8(*q, calibration).ok());  // already quantized
}

}  // namespace
}  // namespace tinyloop::model
