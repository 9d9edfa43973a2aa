#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "eval/metrics.h"

namespace tinyloop::eval {
namespace {

TEST(EvaluateAnomalyTest, PerfectSeparationHasAucOne) {
  auto r = EvaluateAnomaly({1, 2, 3, 4, 5}, {false, false, false, true, true}, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_DOUBLE_EQ(r->roc_auc, 1.0);
  EXPECT_DOUBLE_EQ(r->chosen.threshold, 4.0);
  EXPECT_DOUBLE_EQ(r->chosen.tpr, 1.0);
  EXPECT_DOUBLE_EQ(r->chosen.fpr, 0.0);
  EXPECT_DOUBLE_EQ(r->chosen.precision, 1.0);
  EXPECT_EQ(r->normal, 3);
  EXPECT_EQ(r->anomalous, 2);
}

TEST(EvaluateAnomalyTest, ReversedAndConstantScores) {
  auto reversed = EvaluateAnomaly({5, 4, 3, 2, 1}, {false, false, false, true, true}, {});
  ASSERT_TRUE(reversed.ok());
  EXPECT_DOUBLE_EQ(reversed->roc_auc, 0.0);
  auto constant = EvaluateAnomaly({7, 7, 7, 7}, {false, true, false, true}, {});
  ASSERT_TRUE(constant.ok());
  EXPECT_DOUBLE_EQ(constant->roc_auc, 0.5);
  ASSERT_EQ(constant->roc.size(), 2u);
  EXPECT_TRUE(std::isinf(constant->roc[0].threshold));
  EXPECT_DOUBLE_EQ(constant->roc[1].tpr, 1.0);
}

TEST(EvaluateAnomalyTest, TiesCountHalf) {
  // Anomalous {2, 3} vs normal {1, 2, 2}: pairs won 1 + 0.5 + 0.5 + 3 = 5 of 6.
  auto r = EvaluateAnomaly({1, 2, 2, 2, 3}, {false, false, true, false, true}, {});
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->roc_auc, 5.0 / 6, 1e-12);
}

TEST(EvaluateAnomalyTest, KnownAucAndYoudenTieTakesHighestThreshold) {
  // The classic example: AUC 0.75. J = 0.5 at thresholds 0.8 and 0.35; the higher one wins.
  auto r =
      EvaluateAnomaly({0.1, 0.4, 0.35, 0.8}, {false, false, true, true}, {"n1", "n2", "a1", "a2"});
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r->roc_auc, 0.75);
  EXPECT_DOUBLE_EQ(r->chosen.threshold, 0.8);
  EXPECT_DOUBLE_EQ(r->chosen.tpr, 0.5);
  EXPECT_DOUBLE_EQ(r->chosen.fpr, 0.0);
  EXPECT_EQ(r->chosen.true_positives, 1);
  EXPECT_EQ(r->chosen.false_negatives, 1);
  // 99th percentile of normal {0.1, 0.4} with linear interpolation.
  EXPECT_NEAR(r->normal_percentile.threshold, 0.1 + 0.99 * 0.3, 1e-12);
  // 0.397 still flags the normal 0.4: interpolation lands below the highest normal score.
  EXPECT_DOUBLE_EQ(r->normal_percentile.fpr, 0.5);
  EXPECT_DOUBLE_EQ(r->normal_percentile.tpr, 0.5);
  ASSERT_EQ(r->top_false_alarms.size(), 2u);
  EXPECT_EQ(r->top_false_alarms[0].id, "n2");
  EXPECT_FALSE(r->top_false_alarms[0].above_threshold);
  EXPECT_EQ(r->top_false_alarms[1].id, "n1");
}

TEST(EvaluateAnomalyTest, RocIsDownsampled) {
  std::vector<double> scores;
  std::vector<bool> truth;
  for (int i = 0; i < 1000; ++i) {
    scores.push_back(i);
    truth.push_back(i % 3 == 0);
  }
  auto r = EvaluateAnomaly(scores, truth, {});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->roc.size(), 101u);
  EXPECT_TRUE(std::isinf(r->roc.front().threshold));
  EXPECT_DOUBLE_EQ(r->roc.back().fpr, 1.0);
  EXPECT_DOUBLE_EQ(r->roc.back().tpr, 1.0);
  for (size_t i = 1; i < r->roc.size(); ++i) {
    EXPECT_GE(r->roc[i].fpr, r->roc[i - 1].fpr);
    EXPECT_GE(r->roc[i].tpr, r->roc[i - 1].tpr);
  }
  EXPECT_EQ(r->top_false_alarms.size(), 10u);
  EXPECT_EQ(r->top_false_alarms[0].id, "998");
}

TEST(EvaluateAnomalyTest, RejectsBadInput) {
  auto r = EvaluateAnomaly({1, 2}, {false, false}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("at least one normal and one anomalous"), std::string::npos);
  EXPECT_FALSE(EvaluateAnomaly({1, 2}, {false}, {}).ok());
  EXPECT_FALSE(EvaluateAnomaly({1, 2}, {false, true}, {"only-one"}).ok());
  EXPECT_FALSE(EvaluateAnomaly({1, NAN}, {false, true}, {}).ok());
  AnomalyOptions bad;
  bad.normal_percentile = 101;
  EXPECT_FALSE(EvaluateAnomaly({1, 2}, {false, true}, {}, bad).ok());
}

TEST(AnomalyJsonTest, StableShape) {
  auto r = EvaluateAnomaly({0.1, 0.4, 0.35, 0.8}, {false, false, true, true}, {});
  ASSERT_TRUE(r.ok());
  const Json j = ToJson(*r);
  EXPECT_DOUBLE_EQ(j["roc_auc"].get<double>(), 0.75);
  EXPECT_DOUBLE_EQ(j["threshold"].get<double>(), 0.8);
  EXPECT_TRUE(j["roc"][0]["threshold"].is_null());
  EXPECT_EQ(j["roc"].size(), 5u);
  EXPECT_EQ(j["chosen"]["tp"], 1);
  EXPECT_DOUBLE_EQ(j["normal_percentile"]["percentile"].get<double>(), 99.0);
  EXPECT_EQ(j["top_false_alarms"][0]["id"], "1");
  EXPECT_NE(ToText(*r).find("ROC AUC 0.7500"), std::string::npos);
}

}  // namespace
}  // namespace tinyloop::eval
