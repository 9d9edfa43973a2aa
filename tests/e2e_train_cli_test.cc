// End-to-end test of `tinyloop train` and `tinyloop eval`: simulate a fan dataset with the real
// binary, train on it with --json, check the model folder and the JSON, evaluate it again, and
// check that bad input fails with a one-line message.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "base/json.h"
#include "e2e_support.h"

namespace tinyloop::e2e {
namespace {
namespace fs = std::filesystem;

Json LastJson(const ProcessResult& r) {
  auto json = ParseJson(LastLine(r.out));
  if (!json.ok() || !json->is_object()) {
    ADD_FAILURE() << "last stdout line is not a JSON object.\nstdout: " << r.out
                  << "\nstderr: " << r.err;
    return nullptr;
  }
  return *json;
}

TEST(TrainCliTest, TrainsAndEvaluatesSimulatedFan) {
  TempDir dir;
  const std::string data = dir.path() + "/data", model = dir.path() + "/model";
  ProcessResult sim = RunTinyloop({"simulate", "--out", data});
  ASSERT_EQ(sim.exit_code, 0) << sim.err;

  ProcessResult r = RunTinyloop({"train", data, "--out", model, "--seed", "3", "--json"}, 300);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("epoch"), std::string::npos) << "progress on stderr: " << r.err;
  const Json j = LastJson(r);
  ASSERT_TRUE(j.is_object());
  ASSERT_TRUE(j["accuracy"].is_number());
  EXPECT_GE(j["accuracy"].get<double>(), 0.9) << j.dump();
  EXPECT_TRUE(j["f1_macro"].is_number());
  EXPECT_EQ(j["labels"], Json({"high", "low", "medium", "off"}));
  ASSERT_TRUE(j["confusion_matrix"].is_array());
  EXPECT_EQ(j["confusion_matrix"].size(), 4u);
  EXPECT_EQ(j["model_dir"], model);
  EXPECT_TRUE(j["anomaly_auc"].is_number()) << j.dump();
  EXPECT_TRUE(j["train_seconds"].is_number());
  for (const char* f : {"impulse.json", "model.tflite", "model_int8.tflite", "labels.txt",
                        "anomaly.json", "evaluation.json", "model_card.md", "dataset.json"}) {
    EXPECT_TRUE(fs::exists(fs::path(model) / f)) << f;
  }
  // Issue 4: the int8 model's accuracy, and compile deploys model_int8.tflite from a MODEL_DIR
  // to a device target while --target tflite keeps the float model.
  ASSERT_TRUE(j["int8_accuracy"].is_number()) << j.dump();
  EXPECT_LE(std::abs(j["int8_accuracy"].get<double>() - j["accuracy"].get<double>()), 0.05)
      << j.dump();
  ProcessResult lib = RunTinyloop(
      {"compile", model, "--target", "cpp-lib", "--out", dir.path() + "/lib", "--json"});
  ASSERT_EQ(lib.exit_code, 0) << lib.err;
  const Json report = LastJson(lib);
  EXPECT_EQ(report["model_file"], "model_int8.tflite") << report.dump();
  EXPECT_GT(report["arena_bytes"].get<int64_t>(), 0);
  EXPECT_GT(report["ops"]["FULLY_CONNECTED"].get<int64_t>(), 0) << report.dump();
  EXPECT_GT(report["ops"]["QUANTIZE"].get<int64_t>(), 0) << report.dump();
  ProcessResult file = RunTinyloop(
      {"compile", model, "--target", "tflite", "--out", dir.path() + "/m.tflite", "--json"});
  ASSERT_EQ(file.exit_code, 0) << file.err;
  EXPECT_EQ(LastJson(file)["model_file"], "model.tflite");

  // The impulse it wrote trains again with --impulse, and eval reproduces the test figures.
  ProcessResult again = RunTinyloop({"train", data, "--out", dir.path() + "/model2", "--impulse",
                                     model + "/impulse.json", "--seed", "3", "--json"},
                                    300);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(LastJson(again)["accuracy"], j["accuracy"]);

  ProcessResult ev = RunTinyloop({"eval", model, data + "/testing", "--json"});
  ASSERT_EQ(ev.exit_code, 0) << ev.err;
  const Json e = LastJson(ev);
  EXPECT_EQ(e["accuracy"], j["accuracy"]);
  EXPECT_EQ(e["confusion_matrix"], j["confusion_matrix"]);
}

// The error is one "tinyloop: ..." line, the last on stderr (after any progress lines).
void ExpectOneLineError(const ProcessResult& r, const std::string& needle = "") {
  EXPECT_NE(r.exit_code, 0);
  int error_lines = 0;
  for (const std::string& line : Lines(r.err)) error_lines += line.rfind("tinyloop: ", 0) == 0;
  EXPECT_EQ(error_lines, 1) << r.err;
  EXPECT_EQ(LastLine(r.err).rfind("tinyloop: ", 0), 0u) << r.err;
  if (!needle.empty()) {
    EXPECT_NE(LastLine(r.err).find(needle), std::string::npos) << r.err;
  }
}

TEST(TrainCliTest, ErrorsAreOneLine) {
  TempDir dir;
  ProcessResult missing = RunTinyloop({"train", dir.path() + "/nope", "--out", dir.path() + "/m"});
  ExpectOneLineError(missing, "no such folder");

  const std::string data = dir.path() + "/data";
  ASSERT_EQ(RunTinyloop({"simulate", "--out", data}).exit_code, 0);
  std::ofstream(dir.path() + "/bad.json") << R"({"input":{"type":"time-series"},
      "dsp":{"type":"spectral","fft_length":100},"learning":{"nn":{}}})";
  ProcessResult bad = RunTinyloop(
      {"train", data, "--out", dir.path() + "/m", "--impulse", dir.path() + "/bad.json"});
  ExpectOneLineError(bad, "fft_length");

  ProcessResult eval = RunTinyloop({"eval", dir.path() + "/none", data});
  ExpectOneLineError(eval, "no such model folder");
}

}  // namespace
}  // namespace tinyloop::e2e
