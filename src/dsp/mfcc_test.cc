#include "dsp/mfcc.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "dsp/reference_test.h"

namespace tinyloop::dsp {
namespace {

testing::RefMelConfig RefFor(const MfccConfig& c) {
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

std::vector<float> RunOk(const MfccConfig& config, const std::vector<float>& in, BlockPlan* plan) {
  const SignalShape shape{static_cast<uint32_t>(in.size()), 1};
  EXPECT_EQ(PlanMfcc(config, shape, plan), DspStatus::kOk);
  std::vector<float> out(plan->output.num_features);
  std::vector<unsigned char> scratch(plan->scratch_bytes);
  EXPECT_EQ(
      RunMfcc(config, shape, in.data(), out.data(), out.size(), scratch.data(), scratch.size()),
      DspStatus::kOk);
  return out;
}

// Largest |got - want| relative to the largest |want|.
double RelativeError(const std::vector<float>& got, const std::vector<std::vector<double>>& want) {
  double err = 0, scale = 0;
  size_t i = 0;
  for (const auto& row : want) {
    for (double v : row) {
      err = std::max(err, std::fabs(got.at(i++) - v));
      scale = std::max(scale, std::fabs(v));
    }
  }
  EXPECT_EQ(i, got.size());
  return err / scale;
}

TEST(MfccTest, EdgeImpulseDefaultShape) {
  BlockPlan plan;
  ASSERT_EQ(PlanMfcc(MfccConfig(), {16000, 1}, &plan), DspStatus::kOk);
  EXPECT_EQ(plan.output.dims[0], 50u);
  EXPECT_EQ(plan.output.dims[1], 13u);
  EXPECT_EQ(plan.output.num_features, 650u);
  EXPECT_LT(plan.scratch_bytes, 8192u);
}

TEST(MfccTest, MatchesDoubleReferenceWithoutNormalization) {
  MfccConfig config;
  config.cmvn_window = 0;
  const std::vector<float> in = testing::TestSignal(16000, 16000, 3000, 7);
  for (bool dc : {false, true}) {
    config.dc_elimination = dc;
    BlockPlan plan;
    const std::vector<float> out = RunOk(config, in, &plan);
    const auto want = testing::NaiveMfcc(testing::ToDouble(in), RefFor(config), 13, dc, 0);
    EXPECT_LT(RelativeError(out, want), 1e-4) << "dc_elimination " << dc;
    // Coefficient by coefficient too, where the value is not near zero.
    for (size_t f = 0; f < want.size(); ++f) {
      for (size_t k = 0; k < 13; ++k) {
        if (std::fabs(want[f][k]) > 0.1) {
          EXPECT_NEAR(out[f * 13 + k], want[f][k], 1e-4 * std::fabs(want[f][k]) + 1e-5);
        }
      }
    }
  }
}

TEST(MfccTest, MatchesDoubleReferenceWithMeanNormalization) {
  // 0.25 s: 12 frames, far fewer than the 101-frame window, so the reflection wraps.
  for (uint32_t samples : {16000u, 4000u}) {
    for (uint32_t window : {101u, 5u, 1u}) {
      MfccConfig config;
      config.cmvn_window = window;
      const std::vector<float> in = testing::TestSignal(samples, 16000, 3000, samples + window);
      BlockPlan plan;
      const std::vector<float> out = RunOk(config, in, &plan);
      const auto want = testing::NaiveMfcc(testing::ToDouble(in), RefFor(config), 13, true, window);
      if (window == 1) {
        for (float v : out) EXPECT_NEAR(v, 0.0f, 1e-5f);
        continue;
      }
      EXPECT_LT(RelativeError(out, want), 1e-4) << samples << " samples, window " << window;
    }
  }
}

TEST(MfccTest, FrameLongerThanFftIsTruncated) {
  MfccConfig config;
  config.frame_length_s = 0.05f;  // 800 samples, fft 256
  config.cmvn_window = 0;
  config.fft_length = 256;
  const std::vector<float> in = testing::TestSignal(8000, 16000, 1.0, 3);
  BlockPlan plan;
  const std::vector<float> out = RunOk(config, in, &plan);
  const auto want = testing::NaiveMfcc(testing::ToDouble(in), RefFor(config), 13, true, 0);
  EXPECT_LT(RelativeError(out, want), 1e-4);
}

// 16-bit PCM mono WAV samples, or empty.
std::vector<float> ReadWav(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(file)), {});
  std::vector<float> out;
  for (size_t at = 12; at + 8 <= bytes.size();) {
    uint32_t size = 0;
    std::memcpy(&size, &bytes[at + 4], 4);
    if (std::memcmp(&bytes[at], "data", 4) == 0) {
      for (size_t i = at + 8; i + 1 < std::min(bytes.size(), at + 8 + size); i += 2) {
        int16_t s = 0;
        std::memcpy(&s, &bytes[i], 2);
        out.push_back(s);
      }
      break;
    }
    at += 8 + size + (size & 1);
  }
  return out;
}

TEST(MfccTest, MatchesDoubleReferenceOnSpeechCommandsClip) {
  const auto folder = std::filesystem::path(TINYLOOP_SOURCE_DIR) / ".." / "shared" / "datasets" /
                      "speech_commands_v002_test_subset" / "yes";
  if (!std::filesystem::is_directory(folder)) {
    GTEST_SKIP() << "no real audio: " << folder << " is missing";
  }
  std::filesystem::path wav;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.path().extension() == ".wav" && (wav.empty() || entry.path() < wav)) {
      wav = entry.path();
    }
  }
  ASSERT_FALSE(wav.empty()) << "no .wav in " << folder;
  const std::vector<float> in = ReadWav(wav);
  ASSERT_EQ(in.size(), 16000u) << wav;
  const MfccConfig config;
  BlockPlan plan;
  const std::vector<float> out = RunOk(config, in, &plan);
  const auto want = testing::NaiveMfcc(testing::ToDouble(in), RefFor(config), 13, true, 101);
  EXPECT_LT(RelativeError(out, want), 1e-4) << wav;
}

TEST(MfccTest, RejectsBadConfigsAndShapes) {
  BlockPlan plan;
  MfccConfig config;
  config.num_cepstral = 40;  // more than 32 filters
  EXPECT_EQ(PlanMfcc(config, {16000, 1}, &plan), DspStatus::kInvalidConfig);
  EXPECT_STREQ(plan.error, "num_cepstral");
  config.num_cepstral = 0;
  EXPECT_EQ(PlanMfcc(config, {10, 1}, &plan), DspStatus::kInvalidConfig);  // config first
  config = MfccConfig();
  config.cmvn_window = 100;
  EXPECT_EQ(PlanMfcc(config, {16000, 1}, &plan), DspStatus::kInvalidConfig);
  EXPECT_STREQ(plan.error, "cmvn_window");
  config = MfccConfig();
  config.pre_emphasis = 1.5f;
  EXPECT_EQ(PlanMfcc(config, {16000, 1}, &plan), DspStatus::kInvalidConfig);
  EXPECT_STREQ(plan.error, "pre_emphasis");
  config = MfccConfig();
  config.sample_rate_hz = NAN;
  EXPECT_EQ(PlanMfcc(config, {16000, 1}, &plan), DspStatus::kInvalidConfig);
  EXPECT_EQ(PlanMfcc(MfccConfig(), {200, 1}, &plan), DspStatus::kShapeMismatch);
  std::vector<float> in(16000), out(650);
  ASSERT_EQ(PlanMfcc(MfccConfig(), {16000, 1}, &plan), DspStatus::kOk);
  std::vector<unsigned char> scratch(plan.scratch_bytes);
  EXPECT_EQ(RunMfcc(MfccConfig(), {16000, 1}, in.data(), out.data(), out.size(), scratch.data(),
                    scratch.size() - 16),
            DspStatus::kBufferTooSmall);
}

}  // namespace
}  // namespace tinyloop::dsp
