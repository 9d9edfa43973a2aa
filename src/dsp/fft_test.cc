#include "dsp/fft.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "dsp/reference_test.h"

namespace tinyloop::dsp {
namespace {

using testing::kPi;

std::vector<float> Transform(const std::vector<float>& x) {
  const uint32_t n = static_cast<uint32_t>(x.size());
  std::vector<float> table(RealFft::TableFloats(n));
  RealFft fft;
  EXPECT_EQ(fft.Init(n, table.data(), table.size()), DspStatus::kOk);
  std::vector<float> buffer(x);
  buffer.resize(n + 2);
  fft.Forward(buffer.data());
  return buffer;
}

TEST(RealFftTest, SineLandsInItsBin) {
  const uint32_t n = 256;
  for (uint32_t bin : {1u, 7u, 32u, 127u}) {
    std::vector<float> x(n);
    for (uint32_t t = 0; t < n; ++t) x[t] = static_cast<float>(std::sin(2 * kPi * bin * t / n));
    const std::vector<float> bins = Transform(x);
    std::vector<float> power(n / 2 + 1);
    PowerFromBins(bins.data(), n, power.data());
    uint32_t best = 0;
    for (uint32_t k = 0; k <= n / 2; ++k) best = power[k] > power[best] ? k : best;
    EXPECT_EQ(best, bin);
    // A unit sine of n points has |X| = n / 2 in its bin: power n / 4.
    EXPECT_NEAR(power[bin], n / 4.0, 1e-3 * n);
    for (uint32_t k = 0; k <= n / 2; ++k) {
      if (k != bin) {
        EXPECT_LT(power[k], 1e-6 * n) << "bin " << k;
      }
    }
  }
}

TEST(RealFftTest, MatchesNaiveDftForEveryLength) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (uint32_t n = kMinFftLength; n <= 2048; n *= 2) {
    std::vector<float> x(n);
    for (float& v : x) v = dist(rng);
    const std::vector<float> bins = Transform(x);
    double max_err = 0, max_mag = 0;
    for (uint32_t k = 0; k <= n / 2; ++k) {
      double re = 0, im = 0;
      for (uint32_t t = 0; t < n; ++t) {
        const double angle = -2 * kPi * static_cast<double>((uint64_t{k} * t) % n) / n;
        re += x[t] * std::cos(angle);
        im += x[t] * std::sin(angle);
      }
      max_err = std::max({max_err, std::fabs(re - bins[2 * k]), std::fabs(im - bins[2 * k + 1])});
      max_mag = std::max(max_mag, std::hypot(re, im));
    }
    EXPECT_LT(max_err / max_mag, 2e-6) << "n=" << n;
    EXPECT_EQ(bins[1], 0.0f);      // DC is real
    EXPECT_EQ(bins[n + 1], 0.0f);  // Nyquist is real
  }
}

TEST(RealFftTest, RejectsBadLengthsAndShortTables) {
  std::vector<float> table(8192);
  RealFft fft;
  EXPECT_EQ(fft.Init(100, table.data(), table.size()), DspStatus::kInvalidConfig);
  EXPECT_EQ(fft.Init(8, table.data(), table.size()), DspStatus::kInvalidConfig);
  EXPECT_EQ(fft.Init(8192, table.data(), table.size()), DspStatus::kInvalidConfig);
  EXPECT_EQ(fft.Init(0, table.data(), table.size()), DspStatus::kInvalidConfig);
  EXPECT_EQ(fft.Init(256, table.data(), 255), DspStatus::kBufferTooSmall);
  EXPECT_EQ(fft.Init(256, nullptr, 256), DspStatus::kBufferTooSmall);
  EXPECT_EQ(fft.Init(4096, table.data(), table.size()), DspStatus::kOk);
  EXPECT_EQ(fft.length(), 4096u);
}

TEST(DspStatusTest, NamesAreStable) {
  EXPECT_STREQ(DspStatusName(DspStatus::kOk), "ok");
  EXPECT_STREQ(DspStatusName(DspStatus::kInvalidConfig), "invalid_config");
  EXPECT_STREQ(DspStatusName(DspStatus::kBufferTooSmall), "buffer_too_small");
  EXPECT_STREQ(DspStatusName(DspStatus::kShapeMismatch), "shape_mismatch");
}

}  // namespace
}  // namespace tinyloop::dsp
