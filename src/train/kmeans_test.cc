#include "train/kmeans.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "eval/metrics.h"
#include "train/anomaly_test_data.h"

namespace tinyloop::train {
namespace {

using testing::Blob;
using testing::TestRandom;
using testing::ToMatrix;
using testing::TwoBlobs;

// 400 normal training points in 4-D; a test set of 200 normal and 200 points shifted by 3 sigma in
// two dimensions (the ideal score, distance to the mean, reaches AUC 0.987 here). Scores of the
// test set go through the eval module's ROC AUC.
double SyntheticAuc(const std::function<std::vector<double>(const FeatureMatrix&,
                                                            const FeatureMatrix&)>& train_score) {
  TestRandom rng(11);
  const FeatureMatrix train = ToMatrix(Blob(&rng, 400, {0, 0, 0, 0}, 1.0));
  auto test = Blob(&rng, 200, {0, 0, 0, 0}, 1.0);
  auto shifted = Blob(&rng, 200, {3.0, 0, -3.0, 0}, 1.0);
  std::vector<bool> truth(200, false);
  truth.resize(400, true);
  test.insert(test.end(), shifted.begin(), shifted.end());
  const std::vector<double> scores = train_score(train, ToMatrix(test));
  auto report = eval::EvaluateAnomaly(scores, truth, {});
  EXPECT_TRUE(report.ok()) << report.status().ToString();
  return report.ok() ? report->roc_auc : 0;
}

TEST(KMeansTest, TwoBlobsFarPointsScoreHigher) {
  KMeansConfig config;
  config.clusters = 2;
  auto model = KMeansModel::Train(TwoBlobs(), config);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_TRUE(model->converged());
  EXPECT_EQ(model->clusters(), 2);
  EXPECT_EQ(model->cluster_sizes()[0] + model->cluster_sizes()[1], 200);
  EXPECT_EQ(model->cluster_sizes()[0], 100);

  auto near = model->Score({0.2f, -0.1f, 0.3f});
  auto near_b = model->Score({9.8f, 10.1f, 10.0f});
  auto midway = model->Score({5.0f, 5.0f, 5.0f});
  auto far = model->Score({30.0f, -20.0f, 4.0f});
  ASSERT_TRUE(near.ok() && near_b.ok() && midway.ok() && far.ok());
  EXPECT_LT(*near, model->training_score_p99());
  EXPECT_LT(*near_b, model->training_score_p99());
  EXPECT_GT(*midway, model->training_score_max());
  EXPECT_GT(*far, *midway);

  auto training_scores = model->ScoreAll(TwoBlobs());
  ASSERT_TRUE(training_scores.ok());
  EXPECT_LT(*std::max_element(training_scores->begin(), training_scores->end()), *midway);
}

TEST(KMeansTest, SyntheticShiftAucAtLeast095) {
  const double auc = SyntheticAuc([](const FeatureMatrix& train, const FeatureMatrix& test) {
    auto model = KMeansModel::Train(train, KMeansConfig{});
    EXPECT_TRUE(model.ok());
    return model->ScoreAll(test).value();
  });
  EXPECT_GE(auc, 0.95);
}

TEST(KMeansTest, DeterministicJsonBytes) {
  const FeatureMatrix x = TwoBlobs();
  KMeansConfig config;
  config.seed = 42;
  auto a = KMeansModel::Train(x, config);
  auto b = KMeansModel::Train(x, config);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(DumpJson(a->ToJson()), DumpJson(b->ToJson()));
  config.seed = 43;
  auto c = KMeansModel::Train(x, config);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(DumpJson(a->ToJson()), DumpJson(c->ToJson()));
}

TEST(KMeansTest, JsonRoundTripScoresTheSame) {
  KMeansConfig config;
  config.clusters = 4;
  config.normalize_by_cluster_distance = true;
  auto model = KMeansModel::Train(TwoBlobs(), config);
  ASSERT_TRUE(model.ok());
  auto parsed = ParseJson(DumpJson(model->ToJson()));
  ASSERT_TRUE(parsed.ok());
  auto back = KMeansModel::FromJson(*parsed);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(DumpJson(back->ToJson()), DumpJson(model->ToJson()));
  for (const std::vector<float>& row : {std::vector<float>{1, 2, 3}, {9, 9, 12}, {-5, 0, 20}}) {
    EXPECT_EQ(*model->Score(row), *back->Score(row));
  }

  Json broken = model->ToJson();
  broken["centroids"][1] = Json::array({1.0});
  auto bad = KMeansModel::FromJson(broken);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("centroid"), std::string::npos) << bad.status().message();
  EXPECT_FALSE(KMeansModel::FromJson(Json{{"type", "gmm"}}).ok());
  broken = model->ToJson();
  broken["training"]["iterations"] = "many";
  EXPECT_FALSE(KMeansModel::FromJson(broken).ok());
}

TEST(KMeansTest, DefaultClustersCappedAtHalfTheRows) {
  TestRandom rng(3);
  auto model = KMeansModel::Train(ToMatrix(Blob(&rng, 10, {0, 0}, 1.0)), KMeansConfig{});
  ASSERT_TRUE(model.ok());
  EXPECT_EQ(model->clusters(), 5);
  auto big = KMeansModel::Train(TwoBlobs(), KMeansConfig{});
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->clusters(), kDefaultKMeansClusters);
}

TEST(KMeansTest, SelectedFeaturesIgnoreTheOthers) {
  KMeansConfig config;
  config.clusters = 2;
  config.features = {0, 2};
  auto model = KMeansModel::Train(TwoBlobs(), config);
  ASSERT_TRUE(model.ok());
  EXPECT_EQ(model->features(), (std::vector<int>{0, 2}));
  EXPECT_EQ(*model->Score({0, 0, 0}), *model->Score({0, 1000, 0}));
  auto wrong_size = model->Score({0, 0});
  ASSERT_FALSE(wrong_size.ok());
  EXPECT_NE(wrong_size.status().message().find("expects 3"), std::string::npos);
  // NaN in an unused column is fine; in a used one it is an error.
  EXPECT_TRUE(model->Score({0, NAN, 0}).ok());
  EXPECT_FALSE(model->Score({NAN, 0, 0}).ok());
}

TEST(KMeansTest, DuplicatePointsDoNotBreakTraining) {
  auto x = MakeFeatureMatrix(std::vector<std::vector<float>>(20, {1.0f, 1.0f}));
  ASSERT_TRUE(x.ok());
  KMeansConfig config;
  config.clusters = 3;
  auto model = KMeansModel::Train(*x, config);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ(*model->Score({1.0f, 1.0f}), 0.0);
  EXPECT_GT(*model->Score({2.0f, 1.0f}), 0.0);
}

TEST(KMeansTest, BadConfigsNameTheField) {
  const FeatureMatrix x = TwoBlobs();
  auto message = [&](const KMeansConfig& c) {
    auto m = KMeansModel::Train(x, c);
    EXPECT_FALSE(m.ok());
    EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
    return m.status().message();
  };
  KMeansConfig c;
  c.clusters = 0;
  EXPECT_NE(message(c).find("clusters must be >= 1"), std::string::npos);
  c.clusters = 201;
  EXPECT_NE(message(c).find("clusters (201) exceeds the 200 training samples"), std::string::npos);
  c = KMeansConfig{};
  c.features = {0, 3};
  EXPECT_NE(message(c).find("features[1] = 3 is outside [0, 3)"), std::string::npos);
  c = KMeansConfig{};
  c.max_iterations = 0;
  EXPECT_NE(message(c).find("max_iterations"), std::string::npos);

  FeatureMatrix with_nan = x;
  with_nan.values[7] = NAN;
  auto nan_model = KMeansModel::Train(with_nan, KMeansConfig{});
  ASSERT_FALSE(nan_model.ok());
  EXPECT_NE(nan_model.status().message().find("NaN or infinite value at row 2, column 1"),
            std::string::npos)
      << nan_model.status().message();
  EXPECT_FALSE(KMeansModel::Train(FeatureMatrix{}, KMeansConfig{}).ok());
}

TEST(KMeansConfigTest, JsonRoundTripAndUnknownKey) {
  KMeansConfig c;
  c.clusters = 8;
  c.seed = 5;
  c.features = {1, 2};
  c.normalize_by_cluster_distance = true;
  auto back = KMeansConfigFromJson(ToJson(c));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(ToJson(*back), ToJson(c));
  EXPECT_FALSE(KMeansConfigFromJson(Json::object()).value().clusters.has_value());

  auto unknown = KMeansConfigFromJson(Json{{"clustres", 4}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("unknown key 'clustres'"), std::string::npos);
  auto mistyped = KMeansConfigFromJson(Json{{"seed", "abc"}});
  ASSERT_FALSE(mistyped.ok());
  EXPECT_NE(mistyped.status().message().find("'seed'"), std::string::npos);
  EXPECT_FALSE(KMeansConfigFromJson(Json{{"features", {1, "x"}}}).ok());
}

}  // namespace
}  // namespace tinyloop::train
