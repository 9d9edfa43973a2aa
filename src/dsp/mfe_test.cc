#include "dsp/mfe.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "dsp/reference_test.h"

namespace tinyloop::dsp {
namespace {

testing::RefMelConfig RefFor(const MfeConfig& c) {
  testing::RefMelConfig r;
  r.sample_rate = c.sample_rate_hz;
  r.frame_length_s = c.frame_length_s;
  r.frame_stride_s = c.frame_stride_s;
  r.fft_length = c.fft_length;
  r.num_filters = c.num_filters;
  r.low_hz = c.low_frequency_hz;
  r.high_hz = c.high_frequency_hz;
  r.pre_emphasis = c.pre_emphasis;
  r.scale = c.input_scale;
  return r;
}

std::vector<float> RunOk(const MfeConfig& config, const std::vector<float>& in, BlockPlan* plan) {
  const SignalShape shape{static_cast<uint32_t>(in.size()), 1};
  EXPECT_EQ(PlanMfe(config, shape, plan), DspStatus::kOk);
  std::vector<float> out(plan->output.num_features);
  std::vector<unsigned char> scratch(plan->scratch_bytes);
  EXPECT_EQ(
      RunMfe(config, shape, in.data(), out.data(), out.size(), scratch.data(), scratch.size()),
      DspStatus::kOk);
  return out;
}

TEST(MfeTest, EdgeImpulseDefaultShape) {
  BlockPlan plan;
  ASSERT_EQ(PlanMfe(MfeConfig(), {16000, 1}, &plan), DspStatus::kOk);
  EXPECT_EQ(plan.output.rank, 2u);
  EXPECT_EQ(plan.output.dims[0], 99u);  // (16000 - 320) / 160 + 1
  EXPECT_EQ(plan.output.dims[1], 40u);
  EXPECT_EQ(plan.output.num_features, 99u * 40u);
  EXPECT_GT(plan.scratch_bytes, 0u);
  EXPECT_LT(plan.scratch_bytes, 4096u);  // small enough for a microcontroller
}

TEST(MfeTest, MatchesDoubleReferenceWithoutQuantization) {
  MfeConfig config;
  config.quantize = false;
  config.low_frequency_hz = 80.0f;
  const std::vector<float> in = testing::TestSignal(16000, 16000, 3000, 1);
  BlockPlan plan;
  const std::vector<float> out = RunOk(config, in, &plan);
  const auto ref = testing::NaiveMelEnergies(testing::ToDouble(in), RefFor(config));
  ASSERT_EQ(ref.mel.size(), plan.output.dims[0]);
  int in_range = 0;
  for (size_t f = 0; f < ref.mel.size(); ++f) {
    for (size_t i = 0; i < config.num_filters; ++i) {
      const double db = 10 * std::log10(std::max(ref.mel[f][i], 1e-30));
      const double v = std::min(1.0, std::max(0.0, (db + 52.0) / 64.0));
      in_range += v > 0 && v < 1;
      EXPECT_NEAR(out[f * config.num_filters + i], v, 2e-5) << "frame " << f << " filter " << i;
    }
  }
  EXPECT_GT(in_range, 1000);  // the test exercises the unclipped range
}

TEST(MfeTest, QuantizesToMultiplesOf1Over256) {
  MfeConfig config;
  const std::vector<float> in = testing::TestSignal(8000, 16000, 3000, 2);
  BlockPlan plan;
  const std::vector<float> out = RunOk(config, in, &plan);
  config.quantize = false;
  const std::vector<float> raw = RunOk(config, in, &plan);
  for (size_t i = 0; i < out.size(); ++i) {
    const float q = out[i] * 256.0f;
    EXPECT_EQ(q, std::round(q));
    EXPECT_LE(out[i], 255.0f / 256.0f);
    EXPECT_NEAR(out[i], raw[i], 0.5f / 256.0f + 1e-6f);
  }
}

TEST(MfeTest, SilenceSitsAtTheNoiseFloor) {
  const std::vector<float> in(4000, 0.0f);
  BlockPlan plan;
  const std::vector<float> out = RunOk(MfeConfig(), in, &plan);
  for (float v : out) EXPECT_EQ(v, 0.0f);
}

TEST(MfeTest, RejectsBadConfigsAndShapes) {
  BlockPlan plan;
  MfeConfig config;
  config.noise_floor_db = 20.0f;
  EXPECT_EQ(PlanMfe(config, {16000, 1}, &plan), DspStatus::kInvalidConfig);
  EXPECT_STREQ(plan.error, "noise_floor_db");
  config = MfeConfig();
  config.fft_length = 300;
  EXPECT_EQ(PlanMfe(config, {16000, 1}, &plan), DspStatus::kInvalidConfig);
  EXPECT_STREQ(plan.error, "fft_length");
  config = MfeConfig();
  config.high_frequency_hz = 9000.0f;
  EXPECT_EQ(PlanMfe(config, {16000, 1}, &plan), DspStatus::kInvalidConfig);
  config = MfeConfig();
  config.low_frequency_hz = 8000.0f;
  EXPECT_EQ(PlanMfe(config, {16000, 1}, &plan), DspStatus::kInvalidConfig);
  config = MfeConfig();
  config.num_filters = 1;
  EXPECT_EQ(PlanMfe(config, {16000, 1}, &plan), DspStatus::kInvalidConfig);
  config = MfeConfig();
  config.frame_stride_s = 0.00001f;  // rounds to 0 samples
  EXPECT_EQ(PlanMfe(config, {16000, 1}, &plan), DspStatus::kInvalidConfig);
  EXPECT_EQ(PlanMfe(MfeConfig(), {16000, 2}, &plan), DspStatus::kShapeMismatch);
  EXPECT_EQ(PlanMfe(MfeConfig(), {100, 1}, &plan), DspStatus::kShapeMismatch);
  std::vector<float> in(16000), out(10);
  std::vector<unsigned char> scratch(100000);
  EXPECT_EQ(RunMfe(MfeConfig(), {16000, 1}, in.data(), out.data(), out.size(), scratch.data(),
                   scratch.size()),
            DspStatus::kBufferTooSmall);
}

}  // namespace
}  // namespace tinyloop::dsp
