#include "impulse/pipeline.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "impulse/features.h"
#include "impulse/impulse_picker.h"
#include "impulse/int8_model.h"
#include "impulse/model_runner.h"
#include "model/tflite_export.h"
#include "model/tflite_import.h"
#include "sim/dataset_writer.h"

namespace tinyloop::impulse {
namespace {
namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("impulse_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

void WriteText(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

// A headerless 3-column CSV of sines at `hz` (signal frequency) sampled at 50 Hz.
std::string SineCsv(double hz, int rows, double phase) {
  std::ostringstream out;
  for (int i = 0; i < rows; ++i) {
    const double t = i / 50.0;
    out << std::sin(2 * M_PI * hz * t + phase) << "," << 0.5 * std::cos(2 * M_PI * hz * t) << ","
        << 0.1 * phase << "\n";
  }
  return out.str();
}

sim::DemoDatasetOptions SmallFan() {
  sim::DemoDatasetOptions o;
  o.training_samples_per_label = 30;
  o.testing_samples_per_label = 8;
  o.anomaly_samples_per_label = 8;
  return o;
}

// `file` re-exports to the same bytes, and its re-import computes bit-identical outputs on
// `rows` (the test windows' features).
void ExpectReimportIdentical(const fs::path& file, const std::vector<float>& rows) {
  const std::string text = ReadAll(file);
  const std::vector<uint8_t> bytes(text.begin(), text.end());
  auto graph = model::ImportTflite(bytes);
  ASSERT_TRUE(graph.ok()) << file << ": " << graph.status().message();
  auto again = model::ExportTflite(*graph);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(*again, bytes) << file;
  auto reimported = model::ImportTflite(*again);
  ASSERT_TRUE(reimported.ok()) << reimported.status().message();
  EXPECT_TRUE(*reimported == *graph) << file;
  auto first = ModelRunner::Create(*graph);
  auto second = ModelRunner::Create(*reimported);
  ASSERT_TRUE(first.ok() && second.ok()) << file;
  auto a = (*first)->Predict(rows);
  auto b = (*second)->Predict(rows);
  ASSERT_TRUE(a.ok() && b.ok()) << file;
  ASSERT_EQ(a->size(), b->size());
  EXPECT_EQ(std::memcmp(a->data(), b->data(), a->size() * sizeof(float)), 0) << file;
}

TEST(PipelineTest, Int8ModelOfSimulatedFanReimportsIdenticallyWithinOnePoint) {
  TempDir data, out;
  ASSERT_TRUE(sim::WriteDemoDataset(data.path().string(), SmallFan()).ok());
  TrainRequest req;
  req.data_dir = data.path().string();
  req.out_dir = (out.path() / "model").string();
  auto result = TrainImpulse(req);
  ASSERT_TRUE(result.ok()) << result.status().message();
  const fs::path dir(req.out_dir);
  ASSERT_TRUE(fs::exists(dir / "model_int8.tflite"));
  EXPECT_EQ(ReadAll(dir / "model_int8.tflite"),
            std::string(result->model_int8_tflite.begin(), result->model_int8_tflite.end()));
  // The int8 graph is int8 inside: every weighted op reads int8 weights.
  auto int8_graph = model::ImportTflite(result->model_int8_tflite);
  ASSERT_TRUE(int8_graph.ok());
  int int8_weighted = 0;
  for (const model::Op& op : int8_graph->ops) {
    if (op.type == model::OpType::kFullyConnected || op.type == model::OpType::kConv2D) {
      EXPECT_EQ(int8_graph->tensors[op.inputs[1]].type, model::DType::kInt8);
      ++int8_weighted;
    }
  }
  EXPECT_GT(int8_weighted, 0);

  auto test = LoadDataset((data.path() / "testing").string());
  ASSERT_TRUE(test.ok()) << test.status().message();
  std::vector<const formats::DecodedSample*> samples;
  for (const Recording& r : test->recordings) samples.push_back(&r.sample);
  auto features = ComputeFeatures(result->impulse, samples);
  ASSERT_TRUE(features.ok()) << features.status().message();
  ExpectReimportIdentical(dir / "model.tflite", features->values);
  ExpectReimportIdentical(dir / "model_int8.tflite", features->values);

  auto evaluation = ParseJson(ReadAll(dir / "evaluation.json"));
  ASSERT_TRUE(evaluation.ok());
  const Json& int8 = (*evaluation)["int8"];
  EXPECT_DOUBLE_EQ(int8["accuracy"].get<double>(), result->int8_classification.accuracy);
  EXPECT_NEAR(int8["accuracy_delta_pp"].get<double>(),
              100 * (result->int8_classification.accuracy - result->classification.accuracy), 1e-9);
  EXPECT_GT(int8["resources"]["arena_bytes"].get<int64_t>(), 0);
  std::printf("[ figure   ] simulated fan: float %.4f, int8 %.4f on %lld test windows\n",
              result->classification.accuracy, result->int8_classification.accuracy,
              static_cast<long long>(result->classification.samples));
  EXPECT_LE(std::fabs(int8["accuracy_delta_pp"].get<double>()), 1.0);
  // The model card's hardware fields are the int8 model's.
  const std::string card = ReadAll(dir / "model_card.md");
  EXPECT_NE(card.find(std::to_string(int8["resources"]["arena_bytes"].get<int64_t>()) + " bytes"),
            std::string::npos);
}

TEST(PipelineTest, CalibrationSampleIsEvenlySpacedAndBounded) {
  train::FeatureMatrix m;
  m.cols = 2;
  for (int r = 0; r < 10; ++r) {
    m.values.push_back(float(r));
    m.values.push_back(float(-r));
    ++m.rows;
  }
  int64_t examples = 0;
  const std::vector<float> sample = CalibrationSample(m, 4, &examples);
  EXPECT_EQ(examples, 4);  // rows 0, 3, 6, 9
  EXPECT_EQ(sample, (std::vector<float>{0, 0, 3, -3, 6, -6, 9, -9}));
  EXPECT_EQ(CalibrationSample(m, 100, &examples).size(), 20u);
  EXPECT_EQ(examples, 10);
  train::FeatureMatrix empty;
  EXPECT_FALSE(BuildInt8Model(model::Graph(), empty).ok());
}

TEST(PipelineTest, TrainsOnSimulatedFanAndWritesModelDir) {
  TempDir data, out;
  ASSERT_TRUE(sim::WriteDemoDataset(data.path().string(), SmallFan()).ok());
  TrainRequest req;
  req.data_dir = data.path().string();
  req.out_dir = (out.path() / "model").string();
  int epochs = 0;
  auto result = TrainImpulse(req, [&](const ProgressEvent& e) { epochs += e.epoch ? 1 : 0; });
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_TRUE(result->impulse_picked);
  EXPECT_EQ(result->impulse.dsp.type, dsp::BlockType::kSpectral);
  EXPECT_GT(epochs, 0);
  EXPECT_EQ(result->classification.labels,
            (std::vector<std::string>{"high", "low", "medium", "off"}));
  EXPECT_GE(result->classification.accuracy, 0.9) << result->evaluation.dump();
  ASSERT_TRUE(result->anomaly.has_value());
  EXPECT_GT(result->anomaly->roc_auc, 0.5);
  for (const char* f : {"impulse.json", "model.tflite", "labels.txt", "anomaly.json",
                        "evaluation.json", "model_card.md", "dataset.json"}) {
    EXPECT_TRUE(fs::exists(fs::path(req.out_dir) / f)) << f;
  }
  EXPECT_EQ(ReadAll(fs::path(req.out_dir) / "labels.txt"), "high\nlow\nmedium\noff\n");
  auto version = ParseJson(ReadAll(fs::path(req.out_dir) / "dataset.json"));
  ASSERT_TRUE(version.ok());
  EXPECT_EQ((*version)["hash"].get<std::string>().size(), 64u);
  EXPECT_EQ((*version)["recordings"].size(), 4u * 38 + 3 * 8);

  // The written impulse reads back, and eval on the folder reproduces the test metrics.
  auto eval = EvaluateImpulse(req.out_dir, (data.path() / "testing").string());
  ASSERT_TRUE(eval.ok()) << eval.status().message();
  EXPECT_EQ(eval->classification.samples, result->classification.samples);
  EXPECT_DOUBLE_EQ(eval->classification.accuracy, result->classification.accuracy);
  auto full = EvaluateImpulse(req.out_dir, data.path().string());
  ASSERT_TRUE(full.ok()) << full.status().message();
  ASSERT_TRUE(full->anomaly.has_value());
}

TEST(PipelineTest, SameSeedSameModelBytes) {
  TempDir data, out;
  sim::DemoDatasetOptions o = SmallFan();
  o.include_imbalance = false;
  o.training_samples_per_label = 6;
  ASSERT_TRUE(sim::WriteDemoDataset(data.path().string(), o).ok());
  std::vector<std::string> models;
  for (int run = 0; run < 2; ++run) {
    TrainRequest req;
    req.data_dir = data.path().string();
    req.out_dir = (out.path() / ("m" + std::to_string(run))).string();
    req.seed = 7;
    auto result = TrainImpulse(req);
    ASSERT_TRUE(result.ok()) << result.status().message();
    models.push_back(ReadAll(fs::path(req.out_dir) / "model.tflite"));
    models.push_back(ReadAll(fs::path(req.out_dir) / "model_int8.tflite"));
    EXPECT_EQ(ReadAll(fs::path(req.out_dir) / "dataset.json"),
              ReadAll(out.path() / "m0" / "dataset.json"));
  }
  ASSERT_FALSE(models[0].empty());
  ASSERT_FALSE(models[1].empty());
  EXPECT_EQ(models[0], models[2]);  // model.tflite
  EXPECT_EQ(models[1], models[3]);  // model_int8.tflite
}

TEST(PipelineTest, LabelFoldersWithoutTestingAreHeldOutByFile) {
  TempDir data;
  for (int i = 0; i < 6; ++i) {
    WriteText(data.path() / "slow" / ("slow_" + std::to_string(i) + "_50Hz.csv"),
              SineCsv(1.0, 300, i * 0.3));
    WriteText(data.path() / "fast" / ("fast_" + std::to_string(i) + "_50Hz.csv"),
              SineCsv(8.0, 300, i * 0.3));
  }
  WriteText(data.path() / "README.md", "not a sample");
  TrainRequest req;
  req.data_dir = data.path().string();
  auto result = TrainImpulse(req);
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_FLOAT_EQ(result->impulse.input.time_series.frequency_hz, 50);
  EXPECT_GE(result->classification.accuracy, 0.9);
  int test_files = 0;
  for (const Json& r : result->dataset_version["recordings"]) {
    test_files += r["split"] == "test" ? 1 : 0;
  }
  EXPECT_EQ(test_files, 2);  // 20 % of 6 files per label, rounded
  EXPECT_TRUE(result->model_dir.empty());
}

TEST(PipelineTest, ShiftedCopiesAddTrainingWindows) {
  TempDir data;
  for (int i = 0; i < 5; ++i) {
    WriteText(data.path() / "slow" / ("slow_" + std::to_string(i) + "_50Hz.csv"),
              SineCsv(1.0, 100, i * 0.3));
    WriteText(data.path() / "fast" / ("fast_" + std::to_string(i) + "_50Hz.csv"),
              SineCsv(8.0, 100, i * 0.3));
  }
  auto loaded = LoadDataset(data.path().string());
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  auto picked = PickImpulse(DescribeData(*loaded), loaded->labels);
  ASSERT_TRUE(picked.ok());
  std::vector<size_t> windows;
  for (int copies : {0, 2}) {
    TrainRequest req;
    req.dataset = *loaded;
    req.impulse = *picked;
    req.impulse->learning.shifted_copies = copies;
    req.impulse->learning.time_shift_ms = 200;
    auto result = TrainImpulse(req);
    ASSERT_TRUE(result.ok()) << result.status().message();
    windows.push_back(result->evaluation["training"]["train_windows"].get<size_t>());
  }
  EXPECT_EQ(windows[1], 3 * windows[0]);
}

TEST(PipelineTest, MixedAxesNameBothFiles) {
  TempDir data;
  WriteText(data.path() / "a" / "one_50Hz.csv", "1,2,3\n4,5,6\n");
  WriteText(data.path() / "b" / "two_50Hz.csv", "1,2\n4,5\n");
  auto loaded = LoadDataset(data.path().string());
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("a/one_50Hz.csv"), std::string::npos)
      << loaded.status().message();
  EXPECT_NE(loaded.status().message().find("b/two_50Hz.csv"), std::string::npos);
}

TEST(PipelineTest, BadFileIsNamed) {
  TempDir data;
  WriteText(data.path() / "a" / "good_50Hz.csv", "1,2,3\n4,5,6\n");
  WriteText(data.path() / "b" / "bad_50Hz.csv", "1,2,3\n4,x,6\n");
  auto loaded = LoadDataset(data.path().string());
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("bad_50Hz.csv"), std::string::npos)
      << loaded.status().message();
}

TEST(PipelineTest, BadImpulseIsRejectedBeforeTraining) {
  TempDir data, out;
  sim::DemoDatasetOptions o = SmallFan();
  o.include_imbalance = false;
  ASSERT_TRUE(sim::WriteDemoDataset(data.path().string(), o).ok());
  auto loaded = LoadDataset(data.path().string());
  ASSERT_TRUE(loaded.ok());
  TrainRequest req;
  req.dataset = *loaded;
  req.out_dir = (out.path() / "model").string();
  ImpulseConfig config;
  config.input.time_series.frequency_hz = 200;
  config.input.time_series.window_size_ms = 5000;
  config.dsp.type = dsp::BlockType::kRaw;
  config.learning.nn.input_shape = {1000 * 3};
  config.learning.nn.head.outputs = 4;
  req.impulse = config;
  auto result = TrainImpulse(req);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("window_size_ms 5000"), std::string::npos)
      << result.status().message();
  EXPECT_FALSE(fs::exists(req.out_dir));
}

TEST(PipelineTest, RemoveMeanCentersEachWindow) {
  ImpulseConfig config;
  config.input.time_series = {100, 100, 100, false};  // 10-sample windows at 100 Hz
  config.input.remove_mean = true;
  config.dsp.type = dsp::BlockType::kRaw;
  formats::DecodedSample s;
  s.axes = {{"x", ""}, {"y", ""}};
  s.length = 20;
  for (int i = 0; i < 20; ++i) {
    s.values.push_back(5.0f + (i % 2));
    s.values.push_back(-3.0f);
  }
  auto rows = ComputeFeatures(config, {&s});
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  EXPECT_EQ(rows->rows, 2);
  EXPECT_EQ(rows->cols, 20);
  EXPECT_FLOAT_EQ(rows->values[0], -0.5f);
  EXPECT_FLOAT_EQ(rows->values[1], 0.0f);
  EXPECT_EQ(rows->window[1], 1u);
}

}  // namespace
}  // namespace tinyloop::impulse
