// Acceptance of int8 deployment (issue 4) on the real recordings in ../shared/datasets, read in
// place: a tinyloop-trained model's model.tflite and model_int8.tflite re-export to the same
// bytes and re-import to bit-identical outputs, and the int8 model's accuracy on the test split
// is within 1 percentage point of the float model's. Skipped, naming the folder, when absent.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "impulse/features.h"
#include "impulse/model_runner.h"
#include "impulse/pipeline.h"
#include "model/tflite_export.h"
#include "model/tflite_import.h"

namespace tinyloop::impulse {
namespace {
namespace fs = std::filesystem;

fs::path DatasetDir(const std::string& name) {
  return fs::path(TINYLOOP_SOURCE_DIR) / ".." / "shared" / "datasets" / name;
}

#define SKIP_WITHOUT(dir) \
  if (!fs::is_directory(dir)) GTEST_SKIP() << "dataset folder not found: " << (dir).string()

std::vector<uint8_t> ReadBytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string s = buf.str();
  return std::vector<uint8_t>(s.begin(), s.end());
}

// Model outputs of `file` on `rows`, after checking that its re-export is byte-identical and
// its re-import computes bit-identical outputs.
std::vector<float> ExpectReimportIdentical(const fs::path& file, const std::vector<float>& rows) {
  const std::vector<uint8_t> bytes = ReadBytes(file);
  auto graph = model::ImportTflite(bytes);
  EXPECT_TRUE(graph.ok()) << file << ": " << graph.status().message();
  if (!graph.ok()) return {};
  auto again = model::ExportTflite(*graph);
  EXPECT_TRUE(again.ok() && *again == bytes) << file << " does not re-export to the same bytes";
  auto reimported = model::ImportTflite(*again);
  EXPECT_TRUE(reimported.ok() && *reimported == *graph) << file;
  auto first = ModelRunner::Create(*graph);
  auto second = ModelRunner::Create(*reimported);
  EXPECT_TRUE(first.ok() && second.ok()) << file;
  if (!first.ok() || !second.ok()) return {};
  auto a = (*first)->Predict(rows);
  auto b = (*second)->Predict(rows);
  EXPECT_TRUE(a.ok() && b.ok() && a->size() == b->size()) << file;
  if (!a.ok() || !b.ok() || a->size() != b->size()) return {};
  EXPECT_EQ(std::memcmp(a->data(), b->data(), a->size() * sizeof(float)), 0) << file;
  return *a;
}

TEST(Int8AcceptanceTest, StHarInt8WithinOnePointAndReimportsIdentically) {
  const fs::path dir = DatasetDir("st_har_iotnode");
  SKIP_WITHOUT(dir);
  const fs::path out =
      fs::temp_directory_path() / ("int8_acceptance_" + std::to_string(::getpid()));
  fs::remove_all(out);
  TrainRequest req;
  req.data_dir = dir.string();
  req.out_dir = (out / "model").string();
  auto result = TrainImpulse(req);
  ASSERT_TRUE(result.ok()) << result.status().message();
  std::printf(
      "[ figure   ] st_har test accuracy: float32 %.4f, int8 %.4f (%+.2f points) on %lld "
      "windows\n",
      result->classification.accuracy, result->int8_classification.accuracy,
      100 * (result->int8_classification.accuracy - result->classification.accuracy),
      static_cast<long long>(result->classification.samples));
  EXPECT_LE(std::fabs(result->int8_classification.accuracy - result->classification.accuracy),
            0.01);

  // Outputs of both written files on the windows of (up to) 300 recordings.
  auto loaded = LoadDataset(dir.string());
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  std::vector<const formats::DecodedSample*> samples;
  for (const Recording& r : loaded->recordings) {
    if (samples.size() < 300) samples.push_back(&r.sample);
  }
  ASSERT_FALSE(samples.empty());
  auto features = ComputeFeatures(result->impulse, samples);
  ASSERT_TRUE(features.ok()) << features.status().message();
  const std::vector<float> float_out =
      ExpectReimportIdentical(fs::path(req.out_dir) / "model.tflite", features->values);
  const std::vector<float> int8_out =
      ExpectReimportIdentical(fs::path(req.out_dir) / "model_int8.tflite", features->values);
  ASSERT_EQ(float_out.size(), int8_out.size());
  fs::remove_all(out);
}

}  // namespace
}  // namespace tinyloop::impulse
