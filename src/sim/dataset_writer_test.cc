#include "sim/dataset_writer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace tinyloop::sim {
namespace {

namespace fs = std::filesystem;

class DatasetWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(TINYLOOP_BINARY_DIR) / "sim_test_tmp" / info->name();
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string ReadFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // Relative paths of all regular files under dir_.
  std::set<std::string> ListFiles() const {
    std::set<std::string> files;
    for (const auto& entry : fs::recursive_directory_iterator(dir_)) {
      if (entry.is_regular_file()) files.insert(fs::relative(entry.path(), dir_).string());
    }
    return files;
  }

  fs::path dir_;
};

TEST_F(DatasetWriterTest, WritesExpectedTreeOfValidAcquisitionFiles) {
  DemoDatasetOptions options;
  options.training_samples_per_label = 4;
  options.testing_samples_per_label = 2;
  options.anomaly_samples_per_label = 3;
  ASSERT_TRUE(WriteDemoDataset(dir_.string(), options).ok());

  std::set<std::string> expected;
  for (const char* label : {"off", "low", "medium", "high"}) {
    for (int n = 1; n <= 4; ++n) {
      expected.insert(std::string("training/") + label + "/" + label + "." + std::to_string(n) +
                      ".json");
    }
    for (int n = 1; n <= 2; ++n) {
      expected.insert(std::string("testing/") + label + "/" + label + "." + std::to_string(n) +
                      ".json");
    }
  }
  for (const char* label : {"low_imbalance", "medium_imbalance", "high_imbalance"}) {
    for (int n = 1; n <= 3; ++n) {
      expected.insert(std::string("anomaly/") + label + "/" + label + "." + std::to_string(n) +
                      ".json");
    }
  }
  EXPECT_EQ(ListFiles(), expected);

  std::set<std::string> device_names;
  for (const std::string& relative : expected) {
    SCOPED_TRACE(relative);
    auto parsed = ParseJson(ReadFile(dir_ / relative));
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    const Json& doc = *parsed;
    EXPECT_EQ(doc["protected"]["ver"], "v1");
    EXPECT_EQ(doc["protected"]["alg"], "none");
    EXPECT_EQ(doc["protected"]["iat"], 1700000000);
    EXPECT_EQ(doc["signature"], std::string(64, '0'));
    const Json& payload = doc["payload"];
    EXPECT_EQ(payload["device_type"], "TINYLOOP_FAN_SIM");
    device_names.insert(payload["device_name"].get<std::string>());
    ASSERT_TRUE(payload["interval_ms"].is_number_integer());
    EXPECT_EQ(payload["interval_ms"], 5);
    ASSERT_EQ(payload["sensors"].size(), 3u);
    EXPECT_EQ(payload["sensors"][0], (Json{{"name", "accX"}, {"units", "g"}}));
    EXPECT_EQ(payload["sensors"][1], (Json{{"name", "accY"}, {"units", "g"}}));
    EXPECT_EQ(payload["sensors"][2], (Json{{"name", "accZ"}, {"units", "g"}}));
    ASSERT_EQ(payload["values"].size(), 200u);
    for (const Json& row : payload["values"]) {
      ASSERT_EQ(row.size(), 3u);
      for (const Json& v : row) {
        ASSERT_TRUE(v.is_number());
        const double code = v.get<double>() * 2048.0;  // exact on the MSA301 grid
        ASSERT_EQ(code, std::round(code));
      }
    }
  }
  EXPECT_EQ(device_names, (std::set<std::string>{"sim-fan-1", "sim-fan-2", "sim-fan-3"}));
}

TEST_F(DatasetWriterTest, IsDeterministicAndSeedDependent) {
  DemoDatasetOptions options;
  options.training_samples_per_label = 2;
  options.testing_samples_per_label = 1;
  options.include_imbalance = false;
  const fs::path a = dir_ / "a", b = dir_ / "b", c = dir_ / "c";
  ASSERT_TRUE(WriteDemoDataset(a.string(), options).ok());
  ASSERT_TRUE(WriteDemoDataset(b.string(), options).ok());
  options.seed = 43;
  ASSERT_TRUE(WriteDemoDataset(c.string(), options).ok());
  EXPECT_FALSE(fs::exists(a / "anomaly"));
  const fs::path file = fs::path("training") / "high" / "high.2.json";
  EXPECT_EQ(ReadFile(a / file), ReadFile(b / file));
  EXPECT_NE(ReadFile(a / file), ReadFile(c / file));
}

TEST_F(DatasetWriterTest, DefaultDatasetIsFast) {
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(WriteDemoDataset(dir_.string(), DemoDatasetOptions{}).ok());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(ListFiles().size(), 4u * 40 + 4u * 10 + 3u * 10);
  // Well under a second in an optimized build; the bound leaves room for sanitizers.
  EXPECT_LT(seconds, 20.0);
  std::printf("default demo dataset (230 files) written in %.3f s\n", seconds);
}

TEST_F(DatasetWriterTest, ReportsUnwritablePath) {
  fs::create_directories(dir_);
  const fs::path blocker = dir_ / "blocker";
  std::ofstream(blocker) << "a file, not a directory";
  const fs::path out = blocker / "dataset";
  Status status = WriteDemoDataset(out.string(), DemoDatasetOptions{});
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find(out.string()), std::string::npos) << status.message();
}

TEST_F(DatasetWriterTest, RejectsBadOptionsNamingTheField) {
  DemoDatasetOptions options;
  options.seconds_per_sample = 0.0;
  Status status = WriteDemoDataset(dir_.string(), options);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("seconds_per_sample"), std::string::npos);
  options = DemoDatasetOptions{};
  options.training_samples_per_label = -1;
  EXPECT_NE(WriteDemoDataset(dir_.string(), options).message().find("training_samples_per_label"),
            std::string::npos);
  options = DemoDatasetOptions{};
  options.sensor.resolution_bits = 2;
  EXPECT_NE(WriteDemoDataset(dir_.string(), options).message().find("sensor"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_));  // nothing written on bad options
}

TEST(DemoDatasetLabelsTest, ListsNormalThenImbalanceLabels) {
  DemoDatasetOptions options;
  EXPECT_EQ(DemoDatasetLabels(options),
            (std::vector<std::string>{"off", "low", "medium", "high", "low_imbalance",
                                      "medium_imbalance", "high_imbalance"}));
  options.include_imbalance = false;
  EXPECT_EQ(DemoDatasetLabels(options), (std::vector<std::string>{"off", "low", "medium", "high"}));
}

TEST(MakeAcquisitionJsonTest, KeepsFloatValuesExactAndFractionalInterval) {
  Recording recording;
  recording.axes = {"accX"};
  recording.units = "g";
  recording.interval_ms = 0.0625;
  recording.values = {0.1f, -1.0f / 3.0f, 97.0f / 2048.0f};
  const Json doc = MakeAcquisitionJson(recording, "dev", 5);
  auto parsed = ParseJson(DumpJson(doc));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ((*parsed)["payload"]["interval_ms"].get<double>(), 0.0625);
  const Json& values = (*parsed)["payload"]["values"];
  ASSERT_EQ(values.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(static_cast<float>(values[i][0].get<double>()), recording.values[i]);
  }
  EXPECT_NE(DumpJson(doc).find("0.04736328125"), std::string::npos) << DumpJson(doc);
}

}  // namespace
}  // namespace tinyloop::sim
