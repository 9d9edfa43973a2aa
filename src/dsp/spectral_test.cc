#include "dsp/spectral.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "dsp/reference_test.h"

namespace tinyloop::dsp {
namespace {

using testing::kPi;

struct Result {
  DspStatus status;
  BlockPlan plan;
  std::vector<float> features;
};

Result RunBlock(const SpectralConfig& config, const SignalShape& shape,
                const std::vector<float>& in) {
  Result r;
  r.status = PlanSpectral(config, shape, &r.plan);
  if (r.status != DspStatus::kOk) return r;
  std::vector<unsigned char> scratch(r.plan.scratch_bytes);
  r.features.resize(r.plan.output.num_features);
  r.status = RunSpectral(config, shape, in.data(), r.features.data(), r.features.size(),
                         scratch.data(), scratch.size());
  return r;
}

// 3 axes, 2 s at 100 Hz: a 12.5 Hz sine, a 30 Hz sine on an offset, and skewed noise.
std::vector<float> ThreeAxes(uint32_t frames) {
  std::mt19937 rng(5);
  std::exponential_distribution<float> noise(1.0f);
  std::vector<float> in(frames * 3);
  for (uint32_t t = 0; t < frames; ++t) {
    in[t * 3 + 0] = static_cast<float>(std::sin(2 * kPi * 12.5 * t / 100.0));
    in[t * 3 + 1] = static_cast<float>(0.3 + 2.0 * std::sin(2 * kPi * 30.0 * t / 100.0 + 0.4));
    in[t * 3 + 2] = noise(rng);
  }
  return in;
}

std::vector<double> Axis(const std::vector<float>& in, uint32_t axes, uint32_t axis, double scale) {
  std::vector<double> out;
  for (size_t i = axis; i < in.size(); i += axes) out.push_back(in[i] * scale);
  return out;
}

// Welch power spectrum in double: frames of n every hop (whole frames), mean or max.
std::vector<double> RefSpectrum(const std::vector<double>& x, size_t n, size_t hop, bool max_hold) {
  std::vector<double> acc(n / 2 + 1, 0.0);
  const size_t frames = x.size() <= n ? 1 : (x.size() - n) / hop + 1;
  for (size_t f = 0; f < frames; ++f) {
    std::vector<double> frame(x.begin() + f * hop, x.begin() + std::min(x.size(), f * hop + n));
    const auto p = testing::NaivePowerSpectrum(frame, n);
    for (size_t k = 0; k < acc.size(); ++k) {
      acc[k] = max_hold ? std::max(acc[k], p[k]) : acc[k] + p[k] / frames;
    }
  }
  return acc;
}

TEST(SpectralTest, StatisticsMatchDoubleFormulas) {
  SpectralConfig config;
  config.fft_length = 128;
  config.scale = 1.5f;
  const std::vector<float> in = ThreeAxes(200);
  const Result r = RunBlock(config, {200, 3}, in);
  ASSERT_EQ(r.status, DspStatus::kOk);
  const uint32_t per_axis = SpectralFeaturesPerAxis(config);
  EXPECT_EQ(per_axis, 3u + 64u);
  EXPECT_EQ(r.plan.output.dims[0], 3u);
  EXPECT_EQ(r.plan.output.dims[1], per_axis);
  for (uint32_t axis = 0; axis < 3; ++axis) {
    const auto m = testing::NaiveMoments(Axis(in, 3, axis, 1.5));
    EXPECT_NEAR(r.features[axis * per_axis + 0], m.rms, 1e-5 * m.rms);
    EXPECT_NEAR(r.features[axis * per_axis + 1], m.skew, 1e-4 * std::max(1.0, std::fabs(m.skew)));
    EXPECT_NEAR(r.features[axis * per_axis + 2], m.kurt, 1e-4 * std::max(1.0, std::fabs(m.kurt)));
  }
}

TEST(SpectralTest, SineLandsInItsBin) {
  SpectralConfig config;
  config.fft_length = 128;  // 0.78125 Hz per bin: 12.5 Hz is bin 16
  const Result r = RunBlock(config, {200, 3}, ThreeAxes(200));
  ASSERT_EQ(r.status, DspStatus::kOk);
  const uint32_t per_axis = SpectralFeaturesPerAxis(config);
  uint32_t best = 0;
  for (uint32_t k = 0; k < 64; ++k) {
    if (r.features[3 + k] > r.features[3 + best]) best = k;
  }
  EXPECT_EQ(best + 1, 16u);  // output starts at bin 1 (DC skipped)
  best = 0;
  for (uint32_t k = 0; k < 64; ++k) {
    if (r.features[per_axis + 3 + k] > r.features[per_axis + 3 + best]) best = k;
  }
  EXPECT_NEAR((best + 1) * 100.0 / 128, 30.0, 100.0 / 128);
}

TEST(SpectralTest, WelchMeanAndMaxHoldMatchNaiveDft) {
  const std::vector<float> in = ThreeAxes(200);
  for (bool max_hold : {false, true}) {
    for (bool overlap : {false, true}) {
      SpectralConfig config;
      config.fft_length = 64;
      config.fft_overlap = overlap;
      config.combine = max_hold ? SpectrumCombine::kMaxHold : SpectrumCombine::kMean;
      config.skip_dc_bin = false;
      config.log_power = !max_hold;  // cover both linear and log output
      const Result r = RunBlock(config, {200, 3}, in);
      ASSERT_EQ(r.status, DspStatus::kOk);
      const uint32_t per_axis = SpectralFeaturesPerAxis(config);
      ASSERT_EQ(per_axis, 3u + 33u);
      for (uint32_t axis = 0; axis < 3; ++axis) {
        const auto want = RefSpectrum(Axis(in, 3, axis, 1.0), 64, overlap ? 32 : 64, max_hold);
        double peak = 0;
        for (double p : want) peak = std::max(peak, p);
        for (uint32_t k = 0; k <= 32; ++k) {
          const float got = r.features[axis * per_axis + 3 + k];
          if (config.log_power) {
            // Absolute error in log10 for bins with real energy; tiny bins are noise.
            if (want[k] > 1e-6 * peak) {
              EXPECT_NEAR(got, std::log10(want[k]), 1e-4) << k;
            }
          } else {
            EXPECT_NEAR(got, want[k], 1e-5 * peak) << "axis " << axis << " bin " << k;
          }
        }
      }
    }
  }
}

TEST(SpectralTest, BandPowersSumTheBins) {
  SpectralConfig config;
  config.fft_length = 128;
  config.log_power = false;
  const float edges[] = {0.0f, 10.0f, 25.0f, 50.0f};
  config.num_band_edges = 4;
  for (int i = 0; i < 4; ++i) config.band_edges_hz[i] = edges[i];
  const std::vector<float> in = ThreeAxes(200);
  const Result r = RunBlock(config, {200, 3}, in);
  ASSERT_EQ(r.status, DspStatus::kOk);
  const uint32_t per_axis = SpectralFeaturesPerAxis(config);
  ASSERT_EQ(per_axis, 3u + 64u + 3u);
  for (uint32_t axis = 0; axis < 3; ++axis) {
    const auto spectrum = RefSpectrum(Axis(in, 3, axis, 1.0), 128, 64, false);
    for (int b = 0; b < 3; ++b) {
      double want = 0;
      for (size_t k = 0; k < spectrum.size(); ++k) {
        const double hz = k * 100.0 / 128;
        if (hz >= edges[b] && (hz < edges[b + 1] || (b == 2 && hz <= edges[b + 1]))) {
          want += spectrum[k];
        }
      }
      EXPECT_NEAR(r.features[axis * per_axis + 3 + 64 + b], want, 1e-5 * std::max(1.0, want))
          << "axis " << axis << " band " << b;
    }
  }
}

TEST(SpectralTest, FilterRunsBeforeStatisticsAndSpectrum) {
  // Low-pass 5 Hz: the 12.5 Hz sine of axis 0 is attenuated by the analytic gain.
  SpectralConfig config;
  config.fft_length = 128;
  config.filter_type = FilterType::kLowPass;
  config.filter_cutoff_hz = 5.0f;
  config.filter_order = 4;
  const uint32_t frames = 2000;
  std::vector<float> in(frames);
  for (uint32_t t = 0; t < frames; ++t) {
    in[t] = static_cast<float>(std::sin(2 * kPi * 12.5 * t / 100.0));
  }
  const Result r = RunBlock(config, {frames, 1}, in);
  ASSERT_EQ(r.status, DspStatus::kOk);
  // Reference: the same sections in double (sosfilt), then RMS.
  BiquadCascade c;
  ASSERT_EQ(DesignButterworth(FilterType::kLowPass, 4, 5.0f, 100.0f, &c), DspStatus::kOk);
  std::vector<double> x(in.begin(), in.end());
  for (uint32_t s = 0; s < c.num_sections; ++s) {
    const Biquad& q = c.sections[s];
    double z1 = 0, z2 = 0;
    for (double& v : x) {
      const double y = q.b0 * v + z1;
      z1 = q.b1 * v - q.a1 * y + z2;
      z2 = q.b2 * v - q.a2 * y;
      v = y;
    }
  }
  const auto m = testing::NaiveMoments(x);
  EXPECT_NEAR(r.features[0], m.rms, 1e-4 * m.rms);
  // Unfiltered the RMS would be 0.707; |H(12.5 Hz)| is about 0.021 (plus the start transient).
  EXPECT_LT(r.features[0], 0.03f);
}

TEST(SpectralTest, ShortWindowIsOneZeroPaddedFrame) {
  SpectralConfig config;
  config.fft_length = 64;
  config.log_power = false;
  config.skip_dc_bin = false;
  std::vector<float> in(40);
  for (size_t t = 0; t < in.size(); ++t) in[t] = static_cast<float>(std::cos(0.3 * t));
  const Result r = RunBlock(config, {40, 1}, in);
  ASSERT_EQ(r.status, DspStatus::kOk);
  const auto want = testing::NaivePowerSpectrum(testing::ToDouble(in), 64);
  for (size_t k = 0; k <= 32; ++k) EXPECT_NEAR(r.features[3 + k], want[k], 1e-5 * 40) << k;
}

TEST(SpectralTest, RejectsBadConfigsWithTheField) {
  BlockPlan plan;
  SpectralConfig config;
  config.fft_length = 100;
  EXPECT_EQ(PlanSpectral(config, {200, 3}, &plan), DspStatus::kInvalidConfig);
  EXPECT_STREQ(plan.error, "fft_length");
  config = SpectralConfig();
  config.filter_type = FilterType::kHighPass;
  config.filter_cutoff_hz = 50.0f;
  EXPECT_EQ(PlanSpectral(config, {200, 3}, &plan), DspStatus::kInvalidConfig);
  EXPECT_STREQ(plan.error, "filter_cutoff_hz");
  config.filter_cutoff_hz = 5.0f;
  config.filter_order = 9;
  EXPECT_EQ(PlanSpectral(config, {200, 3}, &plan), DspStatus::kInvalidConfig);
  EXPECT_STREQ(plan.error, "filter_order");
  config = SpectralConfig();
  config.num_band_edges = 3;
  config.band_edges_hz[0] = 1;
  config.band_edges_hz[1] = 1;
  config.band_edges_hz[2] = 4;
  EXPECT_EQ(PlanSpectral(config, {200, 3}, &plan), DspStatus::kInvalidConfig);
  EXPECT_STREQ(plan.error, "band_edges_hz");
  config.num_band_edges = 1;
  EXPECT_EQ(PlanSpectral(config, {200, 3}, &plan), DspStatus::kInvalidConfig);
  config = SpectralConfig();
  config.sample_rate_hz = 0;
  EXPECT_EQ(PlanSpectral(config, {200, 3}, &plan), DspStatus::kInvalidConfig);
  EXPECT_EQ(PlanSpectral(SpectralConfig(), {0, 3}, &plan), DspStatus::kShapeMismatch);
}

TEST(SpectralTest, RejectsShortBuffers) {
  SpectralConfig config;
  config.fft_length = 128;
  BlockPlan plan;
  ASSERT_EQ(PlanSpectral(config, {200, 3}, &plan), DspStatus::kOk);
  const std::vector<float> in = ThreeAxes(200);
  std::vector<float> out(plan.output.num_features);
  std::vector<unsigned char> scratch(plan.scratch_bytes);
  EXPECT_EQ(RunSpectral(config, {200, 3}, in.data(), out.data(), out.size(), scratch.data(),
                        scratch.size() - 1),
            DspStatus::kBufferTooSmall);
  EXPECT_EQ(RunSpectral(config, {200, 3}, in.data(), out.data(), out.size() - 1, scratch.data(),
                        scratch.size()),
            DspStatus::kBufferTooSmall);
  EXPECT_EQ(
      RunSpectral(config, {200, 3}, in.data(), out.data(), out.size(), nullptr, scratch.size()),
      DspStatus::kBufferTooSmall);
  // An unaligned scratch pointer works: the block aligns inside its reported size.
  std::vector<unsigned char> big(plan.scratch_bytes + 1);
  EXPECT_EQ(RunSpectral(config, {200, 3}, in.data(), out.data(), out.size(), big.data() + 1,
                        plan.scratch_bytes),
            DspStatus::kOk);
}

}  // namespace
}  // namespace tinyloop::dsp
