// The generated C++ library (codegen_cpp.h) built with the host compiler reproduces the
// runtime's outputs on a tiny model and TFLM's reference outputs on the four MLPerf Tiny
// models byte for byte, for every input in ../shared/models/mlperf_tiny/inputs.
#include "model/codegen_cpp.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "model/codegen_build.h"
#include "model/quantize.h"
#include "model/runtime_program.h"
#include "model/test_util.h"
#include "model/tflite_import.h"
#include "model/tiny_models.h"

namespace tinyloop::model {
namespace {

namespace fs = std::filesystem;
using testing::MlperfTinyDir;
using testing::ReadFileBytes;

fs::path FreshDir(const std::string& name) {
  const fs::path dir = fs::path(TINYLOOP_BINARY_DIR) / "codegen_test" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// Runs the host example on `input`; returns the raw output bytes (empty on failure).
std::vector<uint8_t> RunHostExample(const fs::path& exe, const std::vector<uint8_t>& input) {
  const fs::path in = exe.parent_path() / "in.bin";
  const fs::path out = exe.parent_path() / "out.bin";
  std::ofstream(in, std::ios::binary)
      .write(reinterpret_cast<const char*>(input.data()),
             static_cast<std::streamsize>(input.size()));
  fs::remove(out);
  const std::string command =
      "'" + exe.string() + "' '" + in.string() + "' '" + out.string() + "' > /dev/null";
  if (std::system(command.c_str()) != 0) return {};
  return ReadFileBytes(out);
}

TEST(CodegenCppTest, TinyConvMatchesTheRuntime) {
  auto graph = ImportTflite(testing::BuildTinyConvModel());
  ASSERT_TRUE(graph.ok()) << graph.status().ToString();
  auto lib = GenerateCppLibrary(*graph);
  ASSERT_TRUE(lib.ok()) << lib.status().ToString();
  EXPECT_EQ(lib->arena_bytes, 32u);
  auto exe = BuildHostExample(*lib, FreshDir("tiny_conv"));
  ASSERT_TRUE(exe.ok()) << exe.status().ToString();
  auto program = LowerToRuntimeProgram(*graph);
  ASSERT_TRUE(program.ok());
  testing::ProgramRunner runner(*program);
  std::vector<uint8_t> input(16);
  for (size_t i = 0; i < input.size(); ++i) input[i] = static_cast<uint8_t>(i * 29 + 3);
  EXPECT_EQ(RunHostExample(*exe, input), runner.Run(input));
}

// A float32 model like the ones tinyloop trains: CONV_2D (SAME, fused ReLU) -> MEAN over H,W ->
// RESHAPE -> FULLY_CONNECTED -> SOFTMAX. Float weights are emitted as exact hex literals.
Graph FloatClassifier() {
  Graph g;
  auto add = [&](std::vector<int32_t> shape, DType type, bool constant, int seed) {
    Tensor t;
    t.name = "t" + std::to_string(g.tensors.size());
    t.type = type;
    t.shape = std::move(shape);
    if (constant && type == DType::kFloat32) {
      std::vector<float> v(static_cast<size_t>(t.element_count()));
      for (size_t i = 0; i < v.size(); ++i) {
        v[i] = static_cast<float>(static_cast<int>((i * 37 + seed) % 19) - 9) / 7.0f;
      }
      t.data.resize(v.size() * 4);
      std::memcpy(t.data.data(), v.data(), t.data.size());
    }
    g.tensors.push_back(std::move(t));
    return static_cast<int32_t>(g.tensors.size() - 1);
  };
  const int32_t input = add({1, 5, 4, 2}, DType::kFloat32, false, 0);
  const int32_t conv_out = add({1, 5, 4, 3}, DType::kFloat32, false, 0);
  Op conv;
  conv.type = OpType::kConv2D;
  conv.inputs = {input, add({3, 3, 3, 2}, DType::kFloat32, true, 1),
                 add({3}, DType::kFloat32, true, 2)};
  conv.outputs = {conv_out};
  conv.options.padding = Padding::kSame;
  conv.options.activation = Activation::kRelu;
  const int32_t axes = add({2}, DType::kInt32, false, 0);
  g.tensors[axes].data = {1, 0, 0, 0, 2, 0, 0, 0};
  const int32_t mean_out = add({1, 1, 1, 3}, DType::kFloat32, false, 0);
  Op mean;
  mean.type = OpType::kMean;
  mean.inputs = {conv_out, axes};
  mean.outputs = {mean_out};
  mean.options.keep_dims = true;
  const int32_t flat = add({1, 3}, DType::kFloat32, false, 0);
  Op reshape;
  reshape.type = OpType::kReshape;
  reshape.inputs = {mean_out};
  reshape.outputs = {flat};
  reshape.options.new_shape = {1, 3};
  const int32_t logits = add({1, 4}, DType::kFloat32, false, 0);
  Op fc;
  fc.type = OpType::kFullyConnected;
  fc.inputs = {flat, add({4, 3}, DType::kFloat32, true, 3), add({4}, DType::kFloat32, true, 4)};
  fc.outputs = {logits};
  const int32_t probs = add({1, 4}, DType::kFloat32, false, 0);
  Op softmax;
  softmax.type = OpType::kSoftmax;
  softmax.inputs = {logits};
  softmax.outputs = {probs};
  g.ops = {conv, mean, reshape, fc, softmax};
  g.inputs = {input};
  g.outputs = {probs};
  return g;
}

// input [1,1,4,2] -> MUL [2] -> LOGISTIC -> TANH -> MEAN over H, W -> [1,2]: the ops of the
// learning blocks beyond the MLPerf Tiny set, float or int8 (post-training quantized).
Graph LearningOpsGraph() {
  Graph g;
  auto tensor = [&g](const std::string& name, DType type, std::vector<int32_t> shape,
                     std::vector<uint8_t> data = {}) {
    Tensor t;
    t.name = name;
    t.type = type;
    t.shape = std::move(shape);
    t.data = std::move(data);
    g.tensors.push_back(std::move(t));
    return int32_t(g.tensors.size() - 1);
  };
  auto bytes = [](const void* p, size_t n) {
    const uint8_t* b = static_cast<const uint8_t*>(p);
    return std::vector<uint8_t>(b, b + n);
  };
  const float scale[2] = {1.5f, -0.75f};
  const int32_t axes[2] = {1, 2};
  const int32_t in = tensor("in", DType::kFloat32, {1, 1, 4, 2});
  const int32_t s = tensor("scale", DType::kFloat32, {2}, bytes(scale, sizeof(scale)));
  const int32_t mul = tensor("mul", DType::kFloat32, {1, 1, 4, 2});
  const int32_t sig = tensor("sigmoid", DType::kFloat32, {1, 1, 4, 2});
  const int32_t th = tensor("tanh", DType::kFloat32, {1, 1, 4, 2});
  const int32_t ax = tensor("axes", DType::kInt32, {2}, bytes(axes, sizeof(axes)));
  const int32_t out = tensor("mean", DType::kFloat32, {1, 2});
  auto op = [&g](OpType type, std::vector<int32_t> inputs, int32_t output) {
    Op o;
    o.type = type;
    o.inputs = std::move(inputs);
    o.outputs = {output};
    g.ops.push_back(o);
  };
  op(OpType::kMul, {in, s}, mul);
  op(OpType::kLogistic, {mul}, sig);
  op(OpType::kTanh, {sig}, th);
  op(OpType::kMean, {th, ax}, out);
  g.inputs = {in};
  g.outputs = {out};
  return g;
}

TEST(CodegenCppTest, LearningOpsMatchTheRuntimeFloatAndInt8) {
  const Graph float_graph = LearningOpsGraph();
  CalibrationData calibration;
  for (int i = 0; i < 8 * 16; ++i) calibration.values.push_back(float(i % 13) * 0.4f - 2.5f);
  calibration.examples = 16;
  auto int8_graph = QuantizeInt8(float_graph, calibration);
  ASSERT_TRUE(int8_graph.ok()) << int8_graph.status().ToString();
  int round = 0;
  const Graph* graphs[2] = {&float_graph, &*int8_graph};
  for (const Graph* g : graphs) {
    auto lib = GenerateCppLibrary(*g);
    ASSERT_TRUE(lib.ok()) << lib.status().ToString();
    auto exe = BuildHostExample(*lib, FreshDir("learning_ops_" + std::to_string(round++)));
    ASSERT_TRUE(exe.ok()) << exe.status().ToString();
    auto program = LowerToRuntimeProgram(*g);
    ASSERT_TRUE(program.ok()) << program.status().ToString();
    testing::ProgramRunner runner(*program);
    ASSERT_EQ(runner.prepare_status(), runtime::Status::kOk);
    const float x[8] = {-3.0f, 2.5f, 0.0f, 1.0f, 0.7f, -1.2f, 2.2f, -0.4f};
    std::vector<uint8_t> input(sizeof(x));
    std::memcpy(input.data(), x, sizeof(x));
    const std::vector<uint8_t> expected = runner.Run(input);
    ASSERT_EQ(expected.size(), 8u);
    EXPECT_EQ(RunHostExample(*exe, input), expected) << "round " << round;
  }
}

TEST(CodegenCppTest, FloatModelMatchesTheRuntime) {
  const Graph g = FloatClassifier();
  auto lib = GenerateCppLibrary(g);
  ASSERT_TRUE(lib.ok()) << lib.status().ToString();
  auto exe = BuildHostExample(*lib, FreshDir("float_classifier"));
  ASSERT_TRUE(exe.ok()) << exe.status().ToString();
  auto program = LowerToRuntimeProgram(g);
  ASSERT_TRUE(program.ok()) << program.status().ToString();
  testing::ProgramRunner runner(*program);
  ASSERT_EQ(runner.prepare_status(), runtime::Status::kOk);
  std::vector<float> values(40);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i % 7) * 0.3f - 0.8f;
  std::vector<uint8_t> input(values.size() * 4);
  std::memcpy(input.data(), values.data(), input.size());
  const auto expected = runner.Run(input);
  ASSERT_EQ(expected.size(), 16u);
  EXPECT_EQ(RunHostExample(*exe, input), expected);
}

TEST(CodegenCppTest, LabelsMustMatchTheOutputCount) {
  auto graph = ImportTflite(testing::BuildTinyConvModel());
  ASSERT_TRUE(graph.ok());
  CppLibraryOptions options;
  options.labels = {"a", "b"};
  auto lib = GenerateCppLibrary(*graph, options);
  ASSERT_FALSE(lib.ok());
  EXPECT_NE(lib.status().message().find("2 labels, but the model has 8 outputs"), std::string::npos)
      << lib.status().ToString();
}

TEST(CodegenCppTest, ClassifierApiReportsTheTopLabel) {
  const auto dir = MlperfTinyDir();
  if (!fs::exists(dir)) GTEST_SKIP() << "missing folder " << dir;
  auto graph = ImportTflite(ReadFileBytes(dir / "kws.tflite"));
  ASSERT_TRUE(graph.ok());
  CppLibraryOptions options;
  for (int i = 0; i < 12; ++i) options.labels.push_back("class" + std::to_string(i));
  options.dsp_config_json = R"({"type":"mfcc"})";
  auto lib = GenerateCppLibrary(*graph, options);
  ASSERT_TRUE(lib.ok()) << lib.status().ToString();
  const fs::path out = FreshDir("kws_labels");
  lib->files.push_back({"main_host.cc", R"(#include <cstdio>
#include "tinyloop_model.h"
int main() {
  static tinyloop_input_t input[TINYLOOP_INPUT_ELEMENTS];
  for (auto& v : input) v = TINYLOOP_INPUT_ZERO_POINT;
  tinyloop_result r;
  if (tinyloop_run(input, &r) != 0) return 1;
  std::printf("%s %d %.4f %s\n", r.top_label, r.top_index, r.top_score, tinyloop_dsp_config_json);
  return 0;
})"});
  auto exe = BuildHostExample(*lib, out);
  ASSERT_TRUE(exe.ok()) << exe.status().ToString();
  std::FILE* pipe = ::popen(("'" + exe->string() + "'").c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char line[256] = {};
  ASSERT_NE(std::fgets(line, sizeof(line), pipe), nullptr);
  EXPECT_EQ(::pclose(pipe), 0);
  // kws on all-zero MFCCs: TFLM's output is -112 ... 10, the top class is the last one (11)
  // with (10 + 128) / 256 = 0.5391.
  EXPECT_EQ(std::string(line), "class11 11 0.5391 {\"type\":\"mfcc\"}\n");
}

void CheckModel(const std::string& name) {
  const auto dir = MlperfTinyDir();
  if (!fs::exists(dir)) GTEST_SKIP() << "missing folder " << dir;
  auto graph = ImportTflite(ReadFileBytes(dir / (name + ".tflite")));
  ASSERT_TRUE(graph.ok()) << graph.status().ToString();
  auto lib = GenerateCppLibrary(*graph);
  ASSERT_TRUE(lib.ok()) << lib.status().ToString();
  auto exe = BuildHostExample(*lib, FreshDir(name));
  ASSERT_TRUE(exe.ok()) << exe.status().ToString();
  std::printf("%s: arena %u B, constants %llu B\n", name.c_str(), lib->arena_bytes,
              static_cast<unsigned long long>(lib->constant_bytes));
  for (int i = 0; i < 8; ++i) {
    const std::string file = name + "_" + std::to_string(i) + ".bin";
    const auto expected = ReadFileBytes(dir / "outputs" / file);
    ASSERT_FALSE(expected.empty()) << file;
    EXPECT_EQ(RunHostExample(*exe, ReadFileBytes(dir / "inputs" / file)), expected) << file;
  }
}

TEST(CodegenCppTest, KwsHostBuildBitExact) { CheckModel("kws"); }
TEST(CodegenCppTest, VwwHostBuildBitExact) { CheckModel("vww"); }
TEST(CodegenCppTest, IcHostBuildBitExact) { CheckModel("ic"); }
TEST(CodegenCppTest, AdHostBuildBitExact) { CheckModel("ad"); }

}  // namespace
}  // namespace tinyloop::model
