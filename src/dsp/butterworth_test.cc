#include "dsp/butterworth.h"

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <vector>

#include "dsp/reference_test.h"

namespace tinyloop::dsp {
namespace {

using testing::kPi;

// |H(f)| of the designed cascade, evaluated in double at z = exp(i 2 pi f / fs).
double CascadeGain(const BiquadCascade& c, double f, double fs) {
  const std::complex<double> z1 = std::polar(1.0, -2 * kPi * f / fs);
  std::complex<double> h = 1.0;
  for (uint32_t i = 0; i < c.num_sections; ++i) {
    const Biquad& s = c.sections[i];
    const double b0 = s.b0, b1 = s.b1, b2 = s.b2, a1 = s.a1, a2 = s.a2;
    h *= (b0 + b1 * z1 + b2 * z1 * z1) / (1.0 + a1 * z1 + a2 * z1 * z1);
  }
  return std::abs(h);
}

// Analytic Butterworth magnitude after the bilinear transform.
double AnalyticGain(bool low_pass, int order, double f, double fc, double fs) {
  double ratio = std::tan(kPi * f / fs) / std::tan(kPi * fc / fs);
  if (!low_pass) ratio = 1.0 / ratio;
  return 1.0 / std::sqrt(1.0 + std::pow(ratio, 2.0 * order));
}

TEST(ButterworthTest, DesignMatchesAnalyticMagnitude) {
  const double fs = 100.0;
  for (FilterType type : {FilterType::kLowPass, FilterType::kHighPass}) {
    for (uint32_t order = 1; order <= kMaxFilterOrder; ++order) {
      for (double fc : {3.0, 10.0, 30.0}) {
        BiquadCascade c;
        ASSERT_EQ(DesignButterworth(type, order, static_cast<float>(fc), fs, &c), DspStatus::kOk);
        EXPECT_EQ(c.num_sections, (order + 1) / 2);
        for (double f : {0.5, 2.0, 3.0, 5.0, 10.0, 20.0, 30.0, 45.0}) {
          const double want = AnalyticGain(type == FilterType::kLowPass, order, f, fc, fs);
          EXPECT_NEAR(CascadeGain(c, f, fs), want, 1e-4 + 1e-3 * want)
              << "order " << order << " fc " << fc << " f " << f;
        }
        // -3 dB at the cutoff.
        EXPECT_NEAR(CascadeGain(c, fc, fs), std::sqrt(0.5), 1e-4);
      }
    }
  }
}

TEST(ButterworthTest, FilteredSineHasTheAnalyticAttenuation) {
  // A 20 Hz sine through a 6th-order 5 Hz low-pass at 100 Hz: measure the steady-state
  // amplitude after the transient and compare with |H(20 Hz)|.
  const double fs = 100.0, fc = 5.0, f = 20.0;
  BiquadCascade c;
  ASSERT_EQ(DesignButterworth(FilterType::kLowPass, 6, fc, fs, &c), DspStatus::kOk);
  std::vector<float> x(4000);
  for (size_t t = 0; t < x.size(); ++t) x[t] = static_cast<float>(std::sin(2 * kPi * f * t / fs));
  ApplyBiquads(c, x.data(), static_cast<uint32_t>(x.size()));
  double sq = 0;
  for (size_t t = 2000; t < x.size(); ++t) sq += double(x[t]) * x[t];
  const double amplitude = std::sqrt(2.0 * sq / 2000);
  const double want = AnalyticGain(true, 6, f, fc, fs);
  EXPECT_NEAR(amplitude / want, 1.0, 1e-3) << amplitude << " vs " << want;
  // Same for a high-pass passing 20 Hz and stopping 1 Hz.
  ASSERT_EQ(DesignButterworth(FilterType::kHighPass, 4, 10.0f, fs, &c), DspStatus::kOk);
  for (double tone : {1.0, 20.0}) {
    for (size_t t = 0; t < x.size(); ++t) {
      x[t] = static_cast<float>(std::sin(2 * kPi * tone * t / fs));
    }
    ApplyBiquads(c, x.data(), static_cast<uint32_t>(x.size()));
    sq = 0;
    for (size_t t = 2000; t < x.size(); ++t) sq += double(x[t]) * x[t];
    EXPECT_NEAR(std::sqrt(2.0 * sq / 2000) / AnalyticGain(false, 4, tone, 10.0, fs), 1.0, 2e-3)
        << tone << " Hz";
  }
}

TEST(ButterworthTest, RejectsBadDesigns) {
  BiquadCascade c;
  EXPECT_EQ(DesignButterworth(FilterType::kLowPass, 0, 5, 100, &c), DspStatus::kInvalidConfig);
  EXPECT_EQ(DesignButterworth(FilterType::kLowPass, kMaxFilterOrder + 1, 5, 100, &c),
            DspStatus::kInvalidConfig);
  EXPECT_EQ(DesignButterworth(FilterType::kLowPass, 2, 50, 100, &c), DspStatus::kInvalidConfig);
  EXPECT_EQ(DesignButterworth(FilterType::kHighPass, 2, 0, 100, &c), DspStatus::kInvalidConfig);
  EXPECT_EQ(DesignButterworth(FilterType::kHighPass, 2, 5, -1, &c), DspStatus::kInvalidConfig);
  EXPECT_EQ(DesignButterworth(FilterType::kHighPass, 2, NAN, 100, &c), DspStatus::kInvalidConfig);
  EXPECT_EQ(DesignButterworth(FilterType::kNone, 0, 0, 0, &c), DspStatus::kOk);
  EXPECT_EQ(c.num_sections, 0u);
}

}  // namespace
}  // namespace tinyloop::dsp
