#include "eval/model_card.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tinyloop::eval {
namespace {

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// 100 samples: "idle" and "walk" are perfect, "run" has recall 0.6 (confused with walk).
// Device "dev-b" holds all the run samples; "dev-c" has only 10 samples.
ClassificationReport WeakRunReport() {
  ClassificationInput in;
  in.labels = {"idle", "walk", "run"};
  int id = 0;
  auto add = [&](int truth, int predicted, const std::string& device) {
    std::vector<float> p(3, 0.05f);
    p[predicted] = 0.9f;
    in.samples.push_back({"s" + std::to_string(id++), truth, p, {{"device_name", device}}});
  };
  for (int i = 0; i < 30; ++i) add(0, 0, i < 20 ? "dev-a" : "dev-c");
  for (int i = 0; i < 30; ++i) add(1, 1, "dev-a");
  for (int i = 0; i < 24; ++i) add(2, 2, "dev-b");
  for (int i = 0; i < 16; ++i) add(2, 1, "dev-b");
  auto r = EvaluateClassification(in);
  EXPECT_TRUE(r.ok());
  return *r;
}

ModelCardInput BaseInput() {
  ModelCardInput in;
  in.model_name = "har-v1";
  in.sensor_kind = "accelerometer";
  in.labels = {"idle", "walk", "run"};
  in.dataset_version_id = "dv_0001";
  in.dataset_hash = "sha256:abcd";
  in.counts_per_label_split = {{"idle", {{"training", 120}, {"testing", 30}}},
                               {"walk", {{"training", 110}, {"testing", 30}}},
                               {"run", {{"training", 100}}}};
  in.counts_per_device = {{"dev-a", 200}, {"dev-b", 190}};
  in.dsp_config = Json{{"type", "spectral"}, {"fft_length", 64}};
  in.model_config = Json{{"type", "nn"}, {"layers", Json::array({"dense 20", "dense 10"})}};
  in.classification = WeakRunReport();
  return in;
}

TEST(ModelCardTest, SectionsDataAndDefaultIntendedUse) {
  const std::string card = RenderModelCard(BaseInput());
  for (const char* section : {"# Model card: har-v1", "## Intended use", "## Data", "## Impulse",
                              "## Metrics", "## Limitations", "## Hardware"}) {
    EXPECT_TRUE(Contains(card, section)) << section;
  }
  EXPECT_TRUE(Contains(card,
                       "Classifies windows of accelerometer data into one of 3 classes "
                       "(`idle`, `walk` and `run`)"))
      << card;
  EXPECT_TRUE(Contains(card, "`dv_0001`"));
  EXPECT_TRUE(Contains(card, "| label | testing | training | total |"));
  EXPECT_TRUE(Contains(card, "| run | 0 | 100 | 100 |"));
  EXPECT_TRUE(Contains(card, "| dev-b | 190 |"));
  EXPECT_TRUE(Contains(card, "\"fft_length\": 64"));
  EXPECT_TRUE(Contains(card, "Accuracy: **84.0 %**"));
  EXPECT_TRUE(Contains(card, "| run | 1.000 | 0.600 | 0.750 | 40 |"));
  EXPECT_FALSE(Contains(card, "Created:"));  // no timestamp unless given
}

TEST(ModelCardTest, LimitationsNameWeakClassesAndSlices) {
  ModelCardInput in = BaseInput();
  const std::vector<std::string> lines = GenerateLimitations(in);
  const std::string card = RenderModelCard(in);
  EXPECT_TRUE(Contains(card, "Class `run` is weak: recall 0.60")) << card;
  EXPECT_TRUE(Contains(card, "most often predicted as `walk` (16 of 40)"));
  EXPECT_FALSE(Contains(card, "Class `idle` is weak"));
  // walk has recall 1 but precision 30/46: weak by F1, and the card says where from.
  EXPECT_TRUE(Contains(card, "Class `walk` is weak: recall 1.00, precision 0.65, F1 0.79"));
  EXPECT_TRUE(Contains(card, "It is predicted for 16 `run` samples."));
  // dev-b: 24/40 = 60 % vs 84 % overall.
  EXPECT_TRUE(Contains(card, "Slice `device_name=dev-b` is weak: accuracy 60.0 %")) << card;
  EXPECT_TRUE(
      Contains(card, "Too few samples to judge (fewer than 30): `device_name=dev-c` (n=10)"));
  EXPECT_TRUE(Contains(card, "Behaviour on anomalous input was not evaluated"));
  // Perfectly confident at 0.9 on 84 % accuracy: ECE 0.06, no calibration warning.
  EXPECT_FALSE(Contains(card, "poorly calibrated"));

  in.options.weak_class_threshold = 0.5;
  in.options.min_slice_samples = 5;
  const std::string relaxed = RenderModelCard(in);
  EXPECT_FALSE(Contains(relaxed, "Class `run` is weak"));
  EXPECT_FALSE(Contains(relaxed, "Too few samples"));
}

TEST(ModelCardTest, AnomalousInputAndCalibrationWarnings) {
  ModelCardInput in = BaseInput();
  in.anomalous_input = AnomalousInputBehaviour{50, "walk", 0.8, 0.87, 0.7};
  in.classification->calibration.ece = 0.2;
  in.classification->calibration.overconfidence = 0.15;
  auto anomaly = EvaluateAnomaly({0.1, 0.4, 0.35, 0.8}, {false, false, true, true}, {});
  ASSERT_TRUE(anomaly.ok());
  in.anomaly = *anomaly;
  const std::string card = RenderModelCard(in);
  EXPECT_TRUE(Contains(card,
                       "On anomalous input (50 windows) the classifier assigns 80.0 % of "
                       "them to `walk` with mean confidence 0.87"))
      << card;
  EXPECT_TRUE(Contains(card, "poorly calibrated (ECE 0.200 > 0.10): the model is over-confident"));
  EXPECT_TRUE(Contains(card, "ROC AUC: **0.7500**"));
  EXPECT_TRUE(Contains(card, "separates normal from anomalous windows poorly"));
}

TEST(ModelCardTest, HardwareFieldsNotMeasuredThenFilled) {
  ModelCardInput in = BaseInput();
  const std::string card = RenderModelCard(in);
  EXPECT_TRUE(Contains(card, "| RAM (tensor arena) | not measured yet — run `tinyloop compile` |"));
  EXPECT_TRUE(Contains(card, "| Flash | not measured yet — run `tinyloop compile` |"));
  EXPECT_TRUE(Contains(card, "| Latency per inference | not measured yet"));

  in.hardware.target = "cortex-m4";
  in.hardware.arena_bytes = 2048;
  in.hardware.flash_bytes = 40960;
  in.hardware.latency_ms = 1.25;
  const std::string filled = RenderModelCard(in);
  EXPECT_FALSE(Contains(filled, "not measured yet"));
  EXPECT_TRUE(Contains(filled, "| RAM (tensor arena) | 2048 bytes (2.0 KiB) |"));
  EXPECT_TRUE(Contains(filled, "| Latency per inference | 1.250 ms |"));
}

TEST(ModelCardTest, DeterministicAndEscapesTableCells) {
  ModelCardInput in = BaseInput();
  EXPECT_EQ(RenderModelCard(in), RenderModelCard(in));
  in.counts_per_device["a|b"] = 3;
  EXPECT_TRUE(Contains(RenderModelCard(in), "| a\\|b | 3 |"));
}

TEST(ModelCardTest, AnomalyOnlyCard) {
  ModelCardInput in;
  in.sensor_kind = "vibration";
  auto anomaly = EvaluateAnomaly({1, 2, 3, 4, 5}, {false, false, false, true, true}, {});
  ASSERT_TRUE(anomaly.ok());
  in.anomaly = *anomaly;
  const std::string card = RenderModelCard(in);
  EXPECT_TRUE(Contains(card, "# Model card: Untitled model"));
  EXPECT_TRUE(Contains(card, "Flags windows of vibration data"));
  EXPECT_TRUE(Contains(card, "No class or slice fell below the thresholds"));
  EXPECT_FALSE(Contains(card, "Behaviour on anomalous input"));
}

}  // namespace
}  // namespace tinyloop::eval
