#include "train/gmm.h"

#include <gtest/gtest.h>

#include <cmath>
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

TEST(GmmTest, TwoBlobsFarPointsScoreHigher) {
  GmmConfig config;
  config.components = 2;
  auto model = GmmModel::Train(TwoBlobs(), config);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ(model->components(), 2);
  EXPECT_NEAR(model->weights()[0], 0.5, 1e-6);
  EXPECT_NEAR(model->weights()[0] + model->weights()[1], 1.0, 1e-12);
  auto near = model->Score({0.2f, -0.1f, 0.3f});
  auto midway = model->Score({5.0f, 5.0f, 5.0f});
  auto far = model->Score({30.0f, -20.0f, 4.0f});
  ASSERT_TRUE(near.ok() && midway.ok() && far.ok());
  EXPECT_LT(*near, model->training_score_p99());
  EXPECT_GT(*midway, model->training_score_max());
  EXPECT_GT(*far, *midway);
  EXPECT_TRUE(std::isfinite(*far));
}

TEST(GmmTest, SyntheticShiftAucAtLeast095) {
  TestRandom rng(11);
  const FeatureMatrix train = ToMatrix(Blob(&rng, 400, {0, 0, 0, 0}, 1.0));
  auto test = Blob(&rng, 200, {0, 0, 0, 0}, 1.0);
  auto shifted = Blob(&rng, 200, {3.0, 0, -3.0, 0}, 1.0);
  test.insert(test.end(), shifted.begin(), shifted.end());
  std::vector<bool> truth(200, false);
  truth.resize(400, true);
  auto model = GmmModel::Train(train, GmmConfig{});
  ASSERT_TRUE(model.ok());
  auto scores = model->ScoreAll(ToMatrix(test));
  ASSERT_TRUE(scores.ok());
  auto report = eval::EvaluateAnomaly(*scores, truth, {});
  ASSERT_TRUE(report.ok());
  EXPECT_GE(report->roc_auc, 0.95);
}

TEST(GmmTest, DeterministicJsonBytesAndRoundTrip) {
  const FeatureMatrix x = TwoBlobs();
  GmmConfig config;
  config.seed = 9;
  config.components = 3;
  auto a = GmmModel::Train(x, config);
  auto b = GmmModel::Train(x, config);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(DumpJson(a->ToJson()), DumpJson(b->ToJson()));

  auto parsed = ParseJson(DumpJson(a->ToJson()));
  ASSERT_TRUE(parsed.ok());
  auto back = GmmModel::FromJson(*parsed);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(DumpJson(back->ToJson()), DumpJson(a->ToJson()));
  EXPECT_EQ(*a->Score({3, 4, 5}), *back->Score({3, 4, 5}));

  Json broken = a->ToJson();
  broken["variances"][0][1] = -1.0;
  auto bad = GmmModel::FromJson(broken);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("variances"), std::string::npos) << bad.status().message();
  broken = a->ToJson();
  broken["weights"].erase(0);
  EXPECT_FALSE(GmmModel::FromJson(broken).ok());
}

TEST(GmmTest, VarianceFloorKeepsConstantFeatureFinite) {
  TestRandom rng(5);
  auto rows = Blob(&rng, 50, {0, 0}, 1.0);
  for (auto& row : rows) row[1] = 3.0f;  // constant column
  GmmConfig config;
  config.components = 2;
  config.variance_floor = 0.01;
  auto model = GmmModel::Train(ToMatrix(rows), config);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  for (const auto& var : model->variances()) {
    for (double v : var) EXPECT_GE(v, 0.01);
  }
  auto s = model->Score({0.0f, 3.5f});
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(std::isfinite(*s));
  EXPECT_GT(*s, *model->Score({0.0f, 3.0f}));
}

TEST(GmmTest, BadConfigsNameTheField) {
  const FeatureMatrix x = TwoBlobs();
  auto message = [&](const GmmConfig& c) {
    auto m = GmmModel::Train(x, c);
    EXPECT_FALSE(m.ok());
    return m.status().message();
  };
  GmmConfig c;
  c.components = 0;
  EXPECT_NE(message(c).find("components must be >= 1"), std::string::npos);
  c.components = 500;
  EXPECT_NE(message(c).find("components (500) exceeds the 200 training samples"),
            std::string::npos);
  c = GmmConfig{};
  c.variance_floor = 0;
  EXPECT_NE(message(c).find("variance_floor"), std::string::npos);
  c = GmmConfig{};
  c.features = {-1};
  EXPECT_NE(message(c).find("features[0] = -1"), std::string::npos);
}

}  // namespace
}  // namespace tinyloop::train
