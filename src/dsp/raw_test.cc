#include "dsp/raw.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "dsp/flatten.h"
#include "dsp/reference_test.h"

namespace tinyloop::dsp {
namespace {

TEST(RawTest, ScalesEveryValueAndKeepsTheShape) {
  const SignalShape shape{4, 3};
  std::vector<float> in(12), out(12);
  for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<float>(i) - 5.0f;
  BlockPlan plan;
  ASSERT_EQ(PlanRaw({0.5f}, shape, &plan), DspStatus::kOk);
  EXPECT_EQ(plan.output.rank, 2u);
  EXPECT_EQ(plan.output.dims[0], 4u);
  EXPECT_EQ(plan.output.dims[1], 3u);
  EXPECT_EQ(plan.output.num_features, 12u);
  EXPECT_EQ(plan.scratch_bytes, 0u);
  ASSERT_EQ(RunRaw({0.5f}, shape, in.data(), out.data(), out.size()), DspStatus::kOk);
  for (size_t i = 0; i < in.size(); ++i) EXPECT_EQ(out[i], in[i] * 0.5f);
}

TEST(RawTest, RejectsBadConfigAndBuffers) {
  std::vector<float> in(12), out(12);
  BlockPlan plan;
  EXPECT_EQ(PlanRaw({std::numeric_limits<float>::infinity()}, {4, 3}, &plan),
            DspStatus::kInvalidConfig);
  EXPECT_STREQ(plan.error, "scale");
  EXPECT_EQ(PlanRaw({}, {0, 3}, &plan), DspStatus::kShapeMismatch);
  EXPECT_EQ(RunRaw({}, {4, 3}, in.data(), out.data(), 11), DspStatus::kBufferTooSmall);
  EXPECT_EQ(RunRaw({}, {4, 3}, nullptr, out.data(), 12), DspStatus::kBufferTooSmall);
}

TEST(FlattenTest, MatchesDoubleStatisticsPerAxis) {
  const SignalShape shape{200, 3};
  std::mt19937 rng(11);
  std::gamma_distribution<float> skewed(2.0f, 1.5f);  // asymmetric, so skew/kurtosis != 0
  std::vector<float> in(600);
  for (float& v : in) v = skewed(rng) + 3.0f;
  FlattenConfig config;
  config.scale = 2.0f;
  config.skewness = config.kurtosis = true;
  BlockPlan plan;
  ASSERT_EQ(PlanFlatten(config, shape, &plan), DspStatus::kOk);
  ASSERT_EQ(plan.output.num_features, 21u);
  std::vector<float> out(21);
  ASSERT_EQ(RunFlatten(config, shape, in.data(), out.data(), out.size()), DspStatus::kOk);
  for (uint32_t axis = 0; axis < 3; ++axis) {
    std::vector<double> x;
    for (uint32_t f = 0; f < 200; ++f) x.push_back(2.0 * in[f * 3 + axis]);
    const testing::RefMoments m = testing::NaiveMoments(x);
    const double want[] = {m.mean, m.min, m.max, m.rms, m.stdev, m.skew, m.kurt};
    for (int s = 0; s < 7; ++s) {
      EXPECT_NEAR(out[axis * 7 + s], want[s], 1e-5 * std::max(1.0, std::fabs(want[s])))
          << "axis " << axis << " stat " << s;
    }
  }
}

TEST(FlattenTest, SelectsStatisticsInFixedOrder) {
  FlattenConfig config;
  config.average = config.minimum = config.rms = config.stdev = false;
  config.maximum = config.kurtosis = true;  // max, kurtosis
  const std::vector<float> in = {1, 5, 2, 5};
  std::vector<float> out(2);
  ASSERT_EQ(RunFlatten(config, {4, 1}, in.data(), out.data(), out.size()), DspStatus::kOk);
  EXPECT_EQ(out[0], 5.0f);
  EXPECT_NEAR(out[1], testing::NaiveMoments({1, 5, 2, 5}).kurt, 1e-5);
}

TEST(FlattenTest, ConstantSignalHasZeroShapeStatistics) {
  FlattenConfig config;
  config.skewness = config.kurtosis = true;
  const std::vector<float> in(50, 1.1f);
  std::vector<float> out(7);
  ASSERT_EQ(RunFlatten(config, {50, 1}, in.data(), out.data(), out.size()), DspStatus::kOk);
  EXPECT_FLOAT_EQ(out[0], 1.1f);
  EXPECT_EQ(out[5], 0.0f);
  EXPECT_EQ(out[6], 0.0f);
}

TEST(FlattenTest, RejectsNoStatistics) {
  FlattenConfig config;
  config.average = config.minimum = config.maximum = config.rms = config.stdev = false;
  BlockPlan plan;
  EXPECT_EQ(PlanFlatten(config, {4, 1}, &plan), DspStatus::kInvalidConfig);
  EXPECT_EQ(FlattenStatCount(config), 0u);
}

}  // namespace
}  // namespace tinyloop::dsp
