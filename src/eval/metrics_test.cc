#include "eval/metrics.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tinyloop::eval {
namespace {

// Six samples over labels {a, b, c}; class c is never predicted. Hand-computed:
//   confusion [[2,1,0],[1,1,0],[0,1,0]], accuracy 3/6,
//   a: P 2/3 R 2/3 F1 2/3;  b: P 1/3 R 1/2 F1 0.4;  c: P 0 R 0 F1 0.
//   confidences 0.92 ok, 0.65 ok, 0.75 wrong, 0.82 ok, 0.55 wrong, 0.88 wrong.
ClassificationInput SixSamples() {
  ClassificationInput in;
  in.labels = {"a", "b", "c"};
  auto add = [&](std::string id, int label, std::vector<float> p, std::string device) {
    in.samples.push_back({std::move(id),
                          label,
                          std::move(p),
                          {{"device_name", std::move(device)}, {"device_type", "x"}}});
  };
  add("s1", 0, {0.92f, 0.04f, 0.04f}, "d1");
  add("s2", 0, {0.65f, 0.35f, 0.0f}, "d1");
  add("s3", 0, {0.25f, 0.75f, 0.0f}, "d1");
  add("s4", 1, {0.18f, 0.82f, 0.0f}, "d2");
  add("s5", 1, {0.55f, 0.45f, 0.0f}, "d2");
  add("s6", 2, {0.07f, 0.88f, 0.05f}, "d2");
  return in;
}

TEST(WilsonIntervalTest, MatchesPublishedValue) {
  // 8 of 10 at 95 %: the textbook Wilson interval is [0.4902, 0.9433].
  const Interval ci = WilsonInterval(8, 10);
  EXPECT_NEAR(ci.lo, 0.490157, 1e-6);
  EXPECT_NEAR(ci.hi, 0.943319, 1e-6);
}

TEST(WilsonIntervalTest, EdgesStayInsideUnitInterval) {
  const Interval zero = WilsonInterval(0, 5);
  EXPECT_GE(zero.lo, 0.0);
  EXPECT_NEAR(zero.hi, 0.434491, 1e-6);
  const Interval none = WilsonInterval(0, 0);
  EXPECT_EQ(none.lo, 0.0);
  EXPECT_EQ(none.hi, 1.0);
}

TEST(EvaluateClassificationTest, ConfusionMatrixAndPerClass) {
  auto r = EvaluateClassification(SixSamples());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->confusion_matrix,
            (std::vector<std::vector<int64_t>>{{2, 1, 0}, {1, 1, 0}, {0, 1, 0}}));
  EXPECT_EQ(r->samples, 6);
  EXPECT_EQ(r->correct, 3);
  EXPECT_DOUBLE_EQ(r->accuracy, 0.5);
  const Interval ci = WilsonInterval(3, 6);
  EXPECT_DOUBLE_EQ(r->accuracy_ci95.lo, ci.lo);
  EXPECT_NEAR(r->accuracy_ci95.lo, 0.187613, 1e-6);

  ASSERT_EQ(r->per_class.size(), 3u);
  EXPECT_NEAR(r->per_class[0].precision, 2.0 / 3, 1e-12);
  EXPECT_NEAR(r->per_class[0].recall, 2.0 / 3, 1e-12);
  EXPECT_NEAR(r->per_class[0].f1, 2.0 / 3, 1e-12);
  EXPECT_NEAR(r->per_class[1].precision, 1.0 / 3, 1e-12);
  EXPECT_NEAR(r->per_class[1].recall, 0.5, 1e-12);
  EXPECT_NEAR(r->per_class[1].f1, 0.4, 1e-12);
  EXPECT_EQ(r->per_class[1].predicted, 3);
  // Never predicted: precision is 0, not NaN.
  EXPECT_EQ(r->per_class[2].predicted, 0);
  EXPECT_EQ(r->per_class[2].precision, 0.0);
  EXPECT_EQ(r->per_class[2].f1, 0.0);
  EXPECT_NEAR(r->f1_macro, (2.0 / 3 + 0.4) / 3, 1e-12);
  EXPECT_NEAR(r->f1_weighted, (3 * 2.0 / 3 + 2 * 0.4) / 6, 1e-12);
}

TEST(EvaluateClassificationTest, CalibrationByHand) {
  auto r = EvaluateClassification(SixSamples());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->calibration.bins.size(), 10u);
  // Bins 5 (0.55 wrong), 6 (0.65 ok), 7 (0.75 wrong), 8 (0.82 ok, 0.88 wrong), 9 (0.92 ok).
  // ECE = (0.08 + 0.35 + 0.75 + 2 * 0.35 + 0.55) / 6 = 0.405.
  EXPECT_NEAR(r->calibration.ece, 0.405, 1e-6);
  EXPECT_EQ(r->calibration.bins[8].count, 2);
  EXPECT_NEAR(r->calibration.bins[8].mean_confidence, 0.85, 1e-6);
  EXPECT_DOUBLE_EQ(r->calibration.bins[8].accuracy, 0.5);
  EXPECT_EQ(r->calibration.bins[0].count, 0);
  EXPECT_NEAR(r->calibration.overconfidence, 4.57 / 6 - 0.5, 1e-6);
}

TEST(EvaluateClassificationTest, ThresholdSweepAndMostConfused) {
  auto r = EvaluateClassification(SixSamples());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->threshold_sweep.size(), 20u);
  EXPECT_EQ(r->threshold_sweep[0].covered, 6);
  EXPECT_DOUBLE_EQ(r->threshold_sweep[0].accuracy, 0.5);
  const ThresholdPoint& t60 = r->threshold_sweep[12];
  EXPECT_DOUBLE_EQ(t60.threshold, 0.6);
  EXPECT_EQ(t60.covered, 5);
  EXPECT_NEAR(t60.coverage, 5.0 / 6, 1e-12);
  EXPECT_DOUBLE_EQ(t60.accuracy, 0.6);
  EXPECT_EQ(r->threshold_sweep[19].covered, 0);
  EXPECT_EQ(r->threshold_sweep[19].accuracy, 0.0);

  ASSERT_EQ(r->most_confused.size(), 3u);
  EXPECT_EQ(r->most_confused[0].id, "s6");
  EXPECT_EQ(r->most_confused[0].true_label, 2);
  EXPECT_EQ(r->most_confused[0].predicted_label, 1);
  EXPECT_NEAR(r->most_confused[0].true_probability, 0.05, 1e-6);
  EXPECT_EQ(r->most_confused[1].id, "s3");
  EXPECT_EQ(r->most_confused[2].id, "s5");

  ClassificationInput limited = SixSamples();
  limited.options.most_confused = 1;
  limited.options.uncertain_threshold = 0.7;
  auto l = EvaluateClassification(limited);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->most_confused.size(), 1u);
  EXPECT_EQ(l->uncertain, 2);  // 0.65 and 0.55
  EXPECT_DOUBLE_EQ(l->accuracy_when_certain, 0.5);
}

TEST(EvaluateClassificationTest, Slices) {
  auto r = EvaluateClassification(SixSamples());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->slices.size(), 3u);
  EXPECT_EQ(r->slices[0].key, "device_name");
  EXPECT_EQ(r->slices[0].value, "d1");
  EXPECT_EQ(r->slices[0].count, 3);
  EXPECT_NEAR(r->slices[0].accuracy, 2.0 / 3, 1e-12);
  // d1: a has F1 0.8 (P 1, R 2/3), b is predicted once with no support (F1 0).
  EXPECT_NEAR(r->slices[0].f1_macro, 0.4, 1e-12);
  EXPECT_EQ(r->slices[1].value, "d2");
  EXPECT_NEAR(r->slices[1].accuracy, 1.0 / 3, 1e-12);
  EXPECT_NEAR(r->slices[1].f1_macro, 0.5 / 3, 1e-12);
  EXPECT_EQ(r->slices[2].key, "device_type");
  EXPECT_EQ(r->slices[2].count, 6);
  EXPECT_NEAR(r->slices[2].f1_macro, r->f1_macro, 1e-12);
}

TEST(EvaluateClassificationTest, RejectsBadInput) {
  ClassificationInput in = SixSamples();
  in.samples[2].true_label = 3;
  auto r = EvaluateClassification(in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("s3"), std::string::npos);

  in = SixSamples();
  in.samples[0].probabilities.pop_back();
  r = EvaluateClassification(in);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("2 probabilities for 3 labels"), std::string::npos);

  in = SixSamples();
  in.labels.clear();
  EXPECT_FALSE(EvaluateClassification(in).ok());

  in = SixSamples();
  in.options.calibration_bins = 0;
  r = EvaluateClassification(in);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("calibration_bins"), std::string::npos);
}

TEST(EvaluateClassificationTest, EmptySampleListGivesZeros) {
  ClassificationInput in;
  in.labels = {"a", "b"};
  auto r = EvaluateClassification(in);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->samples, 0);
  EXPECT_EQ(r->accuracy, 0.0);
  EXPECT_EQ(r->calibration.ece, 0.0);
}

TEST(ClassificationJsonTest, StableShape) {
  auto r = EvaluateClassification(SixSamples());
  ASSERT_TRUE(r.ok());
  const Json j = ToJson(*r);
  for (const char* key :
       {"accuracy", "accuracy_ci95", "f1_macro", "f1_weighted", "labels", "confusion_matrix",
        "per_class", "slices", "calibration", "threshold_sweep", "most_confused", "samples"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_DOUBLE_EQ(j["accuracy"].get<double>(), 0.5);
  ASSERT_EQ(j["accuracy_ci95"].size(), 2u);
  EXPECT_EQ(j["labels"], Json::array({"a", "b", "c"}));
  EXPECT_EQ(j["confusion_matrix"][0], Json::array({2, 1, 0}));
  EXPECT_EQ(j["per_class"][1]["label"], "b");
  EXPECT_NEAR(j["per_class"][1]["f1"].get<double>(), 0.4, 1e-12);
  EXPECT_EQ(j["slices"][0]["key"], "device_name");
  EXPECT_NEAR(j["calibration"]["ece"].get<double>(), 0.405, 1e-6);
  EXPECT_EQ(j["calibration"]["bins"].size(), 10u);
  EXPECT_EQ(j["threshold_sweep"].size(), 20u);
  EXPECT_EQ(j["most_confused"][0]["id"], "s6");
  EXPECT_EQ(j["most_confused"][0]["true_label"], "c");
  EXPECT_EQ(j["most_confused"][0]["predicted_label"], "b");
  // Round-trips through the base serializer.
  auto parsed = ParseJson(DumpJson(j));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, j);
}

TEST(ClassificationTextTest, MentionsHeadlines) {
  auto r = EvaluateClassification(SixSamples());
  ASSERT_TRUE(r.ok());
  const std::string text = ToText(*r);
  EXPECT_NE(text.find("accuracy 50.0 %"), std::string::npos) << text;
  EXPECT_NE(text.find("ECE 0.405"), std::string::npos) << text;
  EXPECT_NE(text.find("s6  true c, predicted b"), std::string::npos) << text;
}

TEST(SummarizeAnomalousInputTest, DominantLabelAndConfidence) {
  auto b = SummarizeAnomalousInput({"off", "low"}, {{0.9f, 0.1f}, {0.7f, 0.3f}, {0.2f, 0.8f}});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->count, 3);
  EXPECT_EQ(b->dominant_label, "off");
  EXPECT_NEAR(b->dominant_share, 2.0 / 3, 1e-12);
  EXPECT_NEAR(b->mean_confidence, 0.8, 1e-6);
  EXPECT_NEAR(b->share_confident, 2.0 / 3, 1e-12);
  EXPECT_FALSE(SummarizeAnomalousInput({"off", "low"}, {{1.0f}}).ok());
}

}  // namespace
}  // namespace tinyloop::eval
