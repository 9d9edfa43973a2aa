#include "train/feature_scaler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace tinyloop::train {
namespace {

TEST(FeatureScalerTest, MeanAndPopulationStdByHand) {
  // Column 0: {1, 3} → mean 2, std 1. Column 1 is constant → std floored.
  auto x = MakeFeatureMatrix({{1.0f, 5.0f}, {3.0f, 5.0f}});
  ASSERT_TRUE(x.ok());
  auto s = FeatureScaler::Fit(*x, 0.5);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_DOUBLE_EQ(s->mean()[0], 2.0);
  EXPECT_DOUBLE_EQ(s->scale()[0], 1.0);
  EXPECT_DOUBLE_EQ(s->mean()[1], 5.0);
  EXPECT_DOUBLE_EQ(s->scale()[1], 0.5);
  double z[2];
  const float row[2] = {4.0f, 6.0f};
  s->Transform(row, z);
  EXPECT_DOUBLE_EQ(z[0], 2.0);
  EXPECT_DOUBLE_EQ(z[1], 2.0);
}

TEST(FeatureScalerTest, JsonRoundTripAndErrors) {
  auto x = MakeFeatureMatrix({{1.0f, 2.0f}, {3.0f, 7.0f}});
  ASSERT_TRUE(x.ok());
  auto s = FeatureScaler::Fit(*x);
  ASSERT_TRUE(s.ok());
  auto back = FeatureScaler::FromJson(s->ToJson());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->ToJson(), s->ToJson());

  auto bad = FeatureScaler::FromJson(Json{{"mean", {0.0}}, {"scale", {0.0}}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("scaler.scale"), std::string::npos);
  EXPECT_FALSE(FeatureScaler::FromJson(Json{{"mean", {0.0, 1.0}}, {"scale", {1.0}}}).ok());
  EXPECT_FALSE(FeatureScaler::FromJson(Json{{"mean", "x"}, {"scale", {1.0}}}).ok());
}

TEST(FeatureMatrixTest, RejectsRaggedRowsAndNaN) {
  auto ragged = MakeFeatureMatrix({{1.0f, 2.0f}, {3.0f}});
  ASSERT_FALSE(ragged.ok());
  EXPECT_NE(ragged.status().message().find("row 1 has 1 values"), std::string::npos);

  auto x = MakeFeatureMatrix({{1.0f, 2.0f}, {3.0f, NAN}});
  ASSERT_TRUE(x.ok());
  const Status s = ValidateFeatures(*x);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("row 1, column 1"), std::string::npos) << s.message();
  EXPECT_FALSE(FeatureScaler::Fit(*x).ok());
}

TEST(SelectColumnsTest, SelectsInOrderAndNamesBadIndex) {
  auto x = MakeFeatureMatrix({{1.0f, 2.0f, 3.0f}, {4.0f, 5.0f, 6.0f}});
  ASSERT_TRUE(x.ok());
  auto sel = SelectColumns(*x, {2, 0});
  ASSERT_TRUE(sel.ok());
  EXPECT_EQ(sel->cols, 2);
  EXPECT_EQ(sel->values, (std::vector<float>{3.0f, 1.0f, 6.0f, 4.0f}));
  auto bad = SelectColumns(*x, {0, 7});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("features[1] = 7 is outside [0, 3)"), std::string::npos);
  auto repeated = SelectColumns(*x, {1, 1});
  ASSERT_FALSE(repeated.ok());
  EXPECT_NE(repeated.status().message().find("repeated"), std::string::npos);
}

}  // namespace
}  // namespace tinyloop::train
