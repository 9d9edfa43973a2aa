#include "sim/fan_simulator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <vector>

namespace tinyloop::sim {
namespace {

constexpr double kPi = 3.14159265358979323846;

Recording MustSimulate(const FanConditions& conditions, double seconds, uint64_t seed,
                       const SensorSpec& sensor = {}) {
  auto recording = Simulate(conditions, sensor, seconds, seed);
  EXPECT_TRUE(recording.ok()) << recording.status().ToString();
  return recording.ok() ? *std::move(recording) : Recording{};
}

// One axis in float64 with its mean removed.
std::vector<double> Axis(const Recording& recording, int axis) {
  std::vector<double> column;
  for (size_t row = 0; row < recording.rows(); ++row) {
    column.push_back(recording.values[row * 3 + axis]);
  }
  double mean = 0;
  for (double v : column) mean += v;
  mean /= static_cast<double>(column.size());
  for (double& v : column) v -= mean;
  return column;
}

double Mean(const Recording& recording, int axis) {
  double sum = 0;
  for (size_t row = 0; row < recording.rows(); ++row) sum += recording.values[row * 3 + axis];
  return sum / static_cast<double>(recording.rows());
}

// Peak amplitude of the sinusoid at `hz` (a single DFT bin evaluated at any frequency).
double LineAmplitude(const std::vector<double>& x, double sample_rate_hz, double hz) {
  const std::complex<double> step = std::polar(1.0, -2.0 * kPi * hz / sample_rate_hz);
  std::complex<double> phasor = 1.0, sum = 0.0;
  for (double v : x) {
    sum += v * phasor;
    phasor *= step;
  }
  return 2.0 * std::abs(sum) / static_cast<double>(x.size());
}

// The frequency of the strongest line in [lo_hz, hi_hz], searched in steps of step_hz.
double PeakFrequency(const std::vector<double>& x, double sample_rate_hz, double lo_hz,
                     double hi_hz, double step_hz) {
  double best_hz = lo_hz, best = -1;
  for (double hz = lo_hz; hz <= hi_hz; hz += step_hz) {
    const double amplitude = LineAmplitude(x, sample_rate_hz, hz);
    if (amplitude > best) {
      best = amplitude;
      best_hz = hz;
    }
  }
  return best_hz;
}

double Rms(const std::vector<double>& x) {
  double sum = 0;
  for (double v : x) sum += v * v;
  return std::sqrt(sum / static_cast<double>(x.size()));
}

// Conditions whose lines fall on exact DFT bins of a 30 s recording.
FanConditions Steady(FanSpeed speed, double imbalance_grams) {
  FanConditions c;
  c.speed = speed;
  c.imbalance_grams = imbalance_grams;
  c.speed_jitter = 0.0;
  c.mains_jitter_hz = 0.0;
  return c;
}

TEST(FanSimulatorTest, SameSeedGivesIdenticalValuesDifferentSeedDiffers) {
  FanConditions c;
  c.speed = FanSpeed::kMedium;
  const Recording a = MustSimulate(c, 1.0, 99);
  const Recording b = MustSimulate(c, 1.0, 99);
  const Recording other = MustSimulate(c, 1.0, 100);
  ASSERT_EQ(a.values.size(), 600u);
  EXPECT_EQ(a.values, b.values);
  EXPECT_EQ(a.rotation_hz, b.rotation_hz);
  EXPECT_NE(a.values, other.values);
  EXPECT_NE(a.rotation_hz, other.rotation_hz);  // per-recording speed jitter
}

TEST(FanSimulatorTest, RecordingShapeAndUnits) {
  const Recording r = MustSimulate(FanConditions{}, 1.0, 1);
  EXPECT_EQ(r.axes, (std::vector<std::string>{"accX", "accY", "accZ"}));
  EXPECT_EQ(r.units, "g");
  EXPECT_EQ(r.interval_ms, 5.0);
  EXPECT_EQ(r.rows(), 200u);
  EXPECT_NEAR(r.rotation_hz, 1.2, 0.2);
  EXPECT_NEAR(r.hum_hz, 120.0, 0.5);
}

TEST(FanSimulatorTest, ValuesLieOnQuantizationGridWithinRange) {
  const SensorSpec sensor;
  EXPECT_EQ(sensor.LsbG(), 1.0 / 2048.0);
  const Recording r = MustSimulate(Steady(FanSpeed::kHigh, kUsQuarterGrams), 5.0, 3);
  for (float v : r.values) {
    ASSERT_GE(v, -4.0f);
    ASSERT_LE(v, 4.0f - 1.0f / 2048.0f);
    const double code = static_cast<double>(v) * 2048.0;
    ASSERT_EQ(code, std::round(code)) << v;
  }
}

TEST(FanSimulatorTest, ClipsAtFullScale) {
  SensorSpec sensor;
  sensor.full_scale_g = 2.0;
  sensor.resolution_bits = 12;
  FanConditions c = Steady(FanSpeed::kHigh, 2000.0);  // 2 kg on a blade: a broken fan
  const Recording r = MustSimulate(c, 2.0, 5, sensor);
  const auto [lo, hi] = std::minmax_element(r.values.begin(), r.values.end());
  EXPECT_EQ(*lo, -2.0f);
  EXPECT_EQ(*hi, 2.0f - 1.0f / 1024.0f);
  for (float v : r.values) {
    const double code = static_cast<double>(v) * 1024.0;
    ASSERT_EQ(code, std::round(code)) << v;
  }
}

TEST(FanSimulatorTest, MeanFollowsGravityThroughTilt) {
  FanConditions c;
  c.speed = FanSpeed::kOff;
  const double tilt = 12.0 * kPi / 180.0;
  const Recording r = MustSimulate(c, 1.0, 11);
  EXPECT_NEAR(Mean(r, 2), std::cos(tilt), 0.002);
  EXPECT_NEAR(Mean(r, 1), std::sin(tilt), 0.002);
  EXPECT_NEAR(Mean(r, 0), 0.0, 0.002);

  c.tilt_deg = 30.0;
  c.tilt_azimuth_deg = 0.0;
  c.speed = FanSpeed::kHigh;  // vibration averages out too
  const Recording tilted = MustSimulate(c, 10.0, 12);
  EXPECT_NEAR(Mean(tilted, 0), 0.5, 0.003);
  EXPECT_NEAR(Mean(tilted, 1), 0.0, 0.003);
  EXPECT_NEAR(Mean(tilted, 2), std::cos(kPi / 6), 0.003);
}

TEST(FanSimulatorTest, StrongestRunningLineIsMotorHumAliasedBySampleRate) {
  FanConditions c;
  c.speed = FanSpeed::kHigh;
  const Recording r = MustSimulate(c, 10.0, 21);
  // Sampling 2 x 60 Hz at 200 Hz folds it to |120 - 200| = 80 Hz, the real dataset's top line.
  const double alias = std::fabs(r.hum_hz - 200.0 * std::round(r.hum_hz / 200.0));
  EXPECT_NEAR(alias, 80.0, 0.5);
  EXPECT_NEAR(PeakFrequency(Axis(r, 0), 200.0, 0.5, 100.0, 0.05), alias, 0.1);
  EXPECT_NEAR(PeakFrequency(Axis(r, 2), 200.0, 0.5, 100.0, 0.05), alias, 0.1);

  // A 500 Hz sensor sees the hum where it is.
  SensorSpec fast;
  fast.sample_rate_hz = 500.0;
  const Recording unaliased = MustSimulate(c, 2.0, 21, fast);
  EXPECT_NEAR(PeakFrequency(Axis(unaliased, 0), 500.0, 0.5, 250.0, 0.1), unaliased.hum_hz, 0.3);
}

TEST(FanSimulatorTest, ImbalanceMakesRotationTheStrongestMechanicalLine) {
  FanConditions c;
  c.speed = FanSpeed::kHigh;
  c.imbalance_grams = kUsQuarterGrams;
  const Recording r = MustSimulate(c, 10.0, 31);
  EXPECT_NEAR(PeakFrequency(Axis(r, 0), 200.0, 0.5, 30.0, 0.02), r.rotation_hz, 0.1);
  EXPECT_NEAR(PeakFrequency(Axis(r, 1), 200.0, 0.5, 30.0, 0.02), r.rotation_hz, 0.1);
}

TEST(FanSimulatorTest, BalancedFanAxialMechanicalLineIsBladePass) {
  FanConditions c;
  c.speed = FanSpeed::kHigh;
  const Recording r = MustSimulate(c, 10.0, 41);
  EXPECT_NEAR(PeakFrequency(Axis(r, 2), 200.0, 0.5, 30.0, 0.02), 5.0 * r.rotation_hz, 0.1);
}

TEST(FanSimulatorTest, OneXAmplitudeGrowsWithSpeedSquared) {
  double amplitude[4] = {};
  for (FanSpeed speed : {FanSpeed::kLow, FanSpeed::kMedium, FanSpeed::kHigh}) {
    const Recording r = MustSimulate(Steady(speed, kUsQuarterGrams), 30.0, 51);
    ASSERT_DOUBLE_EQ(r.rotation_hz, NominalRotationHz(speed));
    amplitude[static_cast<int>(speed)] = LineAmplitude(Axis(r, 0), 200.0, r.rotation_hz);
  }
  // Free-mass response: a = m r (2 pi f)^2 / M. With the residual imbalance that is
  // |5.67 g + 1 g at 120 deg| * 0.45 m / 5 kg; on high 14.7 mg.
  EXPECT_NEAR(amplitude[3], 0.0147, 0.0015);
  const auto squared = [](double low, double high) { return (high / low) * (high / low); };
  EXPECT_NEAR(amplitude[3] / amplitude[1], squared(1.2, 2.8), 0.10 * squared(1.2, 2.8));
  EXPECT_NEAR(amplitude[2] / amplitude[1], squared(1.2, 2.0), 0.10 * squared(1.2, 2.0));
}

TEST(FanSimulatorTest, OneXAmplitudeGrowsWithImbalanceMass) {
  const auto one_x = [](double grams, double residual_grams) {
    FanConditions c = Steady(FanSpeed::kHigh, grams);
    c.residual_imbalance_grams = residual_grams;
    const Recording r = MustSimulate(c, 30.0, 61);
    return LineAmplitude(Axis(r, 0), 200.0, r.rotation_hz);
  };
  // Without residual imbalance the 1x line is proportional to the coin mass.
  EXPECT_NEAR(one_x(2 * kUsQuarterGrams, 0.0) / one_x(kUsQuarterGrams, 0.0), 2.0, 0.1);
  // With it (1 g at 120 degrees) doubling the coin still roughly doubles the line.
  const double ratio = one_x(2 * kUsQuarterGrams, 1.0) / one_x(kUsQuarterGrams, 1.0);
  EXPECT_GT(ratio, 1.8);
  EXPECT_LT(ratio, 2.25);
  // A balanced fan keeps a small residual line, well below one coin's.
  EXPECT_LT(one_x(0.0, 1.0), 0.25 * one_x(kUsQuarterGrams, 1.0));
}

TEST(FanSimulatorTest, OffStateHasNoRotationLine) {
  const Recording r = MustSimulate(Steady(FanSpeed::kOff, kUsQuarterGrams), 30.0, 71);
  EXPECT_EQ(r.rotation_hz, 0.0);
  EXPECT_EQ(r.hum_hz, 0.0);
  for (int axis = 0; axis < 3; ++axis) {
    const std::vector<double> x = Axis(r, axis);
    for (FanSpeed speed : {FanSpeed::kLow, FanSpeed::kMedium, FanSpeed::kHigh}) {
      EXPECT_LT(LineAmplitude(x, 200.0, NominalRotationHz(speed)), 0.0003) << axis;
    }
    EXPECT_LT(Rms(x), 0.005) << axis;  // sensor noise only
  }
}

// The real dataset's per-state spread (x axis: 1.4 / 8.6 / 21 / 44 mg) must be reproduced well
// enough that a classifier trained on either separates the speeds.
TEST(FanSimulatorTest, SpeedsAreSeparableByRms) {
  const FanSpeed speeds[] = {FanSpeed::kOff, FanSpeed::kLow, FanSpeed::kMedium, FanSpeed::kHigh};
  double min_rms[4], max_rms[4];
  for (int s = 0; s < 4; ++s) {
    min_rms[s] = 1e9;
    max_rms[s] = 0;
    for (uint64_t seed = 0; seed < 12; ++seed) {
      FanConditions c;
      c.speed = speeds[s];
      c.tilt_deg = 8.0 + static_cast<double>(seed);  // different mountings
      const Recording r = MustSimulate(c, 1.0, 1000 + seed);
      double sum = 0;
      for (int axis = 0; axis < 3; ++axis) sum += std::pow(Rms(Axis(r, axis)), 2);
      const double rms = std::sqrt(sum);
      min_rms[s] = std::min(min_rms[s], rms);
      max_rms[s] = std::max(max_rms[s], rms);
    }
  }
  for (int s = 1; s < 4; ++s) {
    EXPECT_GT(min_rms[s], 1.5 * max_rms[s - 1])
        << FanSpeedName(speeds[s]) << " vs " << FanSpeedName(speeds[s - 1]);
  }
  const Recording high = MustSimulate(Steady(FanSpeed::kHigh, 0.0), 30.0, 81);
  const std::vector<double> x = Axis(high, 0);
  EXPECT_NEAR(LineAmplitude(x, 200.0, 80.0), 0.0525, 0.004);  // real: 52 mg
  EXPECT_NEAR(Rms(x), 0.040, 0.006);                          // real: 44 mg
}

TEST(FanSimulatorTest, StreamContinuesAcrossCallsAndFollowsNewConditions) {
  FanConditions c;
  c.speed = FanSpeed::kHigh;
  auto whole = FanSimulator::Create(c, SensorSpec{}, 7);
  auto parts = FanSimulator::Create(c, SensorSpec{}, 7);
  ASSERT_TRUE(whole.ok() && parts.ok());
  auto two = whole->Generate(2.0);
  auto first = parts->Generate(1.0);
  auto second = parts->Generate(1.0);
  ASSERT_TRUE(two.ok() && first.ok() && second.ok());
  std::vector<float> joined = first->values;
  joined.insert(joined.end(), second->values.begin(), second->values.end());
  EXPECT_EQ(joined, two->values);

  // Drift: the fan base moves (tilt changes); the rotation speed of this stream is kept.
  FanConditions moved = c;
  moved.tilt_deg = 25.0;
  ASSERT_TRUE(parts->SetConditions(moved).ok());
  EXPECT_EQ(parts->rotation_hz(), first->rotation_hz);
  auto after = parts->Generate(2.0);
  ASSERT_TRUE(after.ok());
  EXPECT_NEAR(Mean(*after, 2), std::cos(25.0 * kPi / 180.0), 0.005);
}

TEST(FanSimulatorTest, RejectsOutOfRangeInputsNamingTheField) {
  FanConditions c;
  c.speed_jitter = 0.7;
  auto r = Simulate(c, SensorSpec{}, 1.0, 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("FanConditions.speed_jitter"), std::string::npos)
      << r.status().message();

  c = FanConditions{};
  c.effective_mass_kg = 0.0;
  EXPECT_NE(Simulate(c, SensorSpec{}, 1.0, 1).status().message().find("effective_mass_kg"),
            std::string::npos);
  c.effective_mass_kg = std::nan("");
  EXPECT_FALSE(Simulate(c, SensorSpec{}, 1.0, 1).ok());
  c = FanConditions{};
  c.speed = static_cast<FanSpeed>(9);
  EXPECT_NE(Simulate(c, SensorSpec{}, 1.0, 1).status().message().find("speed"), std::string::npos);

  SensorSpec sensor;
  sensor.resolution_bits = 30;
  EXPECT_NE(Simulate(FanConditions{}, sensor, 1.0, 1).status().message().find("resolution_bits"),
            std::string::npos);
  sensor = SensorSpec{};
  sensor.timing_jitter_ms = 2.0;  // over a quarter of 5 ms
  EXPECT_NE(Simulate(FanConditions{}, sensor, 1.0, 1).status().message().find("timing_jitter_ms"),
            std::string::npos);

  auto empty = Simulate(FanConditions{}, SensorSpec{}, 0.001, 1);  // rounds to 0 rows
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("rows"), std::string::npos);
  EXPECT_FALSE(Simulate(FanConditions{}, SensorSpec{}, -1.0, 1).ok());
  EXPECT_FALSE(Simulate(FanConditions{}, SensorSpec{}, 1e9, 1).ok());
}

TEST(FanSimulatorTest, TimingJitterAndClockErrorStayDeterministic) {
  SensorSpec sensor;
  sensor.timing_jitter_ms = 0.1;
  sensor.clock_error_ppm = 50.0;
  FanConditions c;
  c.speed = FanSpeed::kHigh;
  const Recording a = MustSimulate(c, 1.0, 5, sensor);
  const Recording b = MustSimulate(c, 1.0, 5, sensor);
  EXPECT_EQ(a.values, b.values);
  EXPECT_NE(a.values, MustSimulate(c, 1.0, 5).values);
  EXPECT_EQ(a.interval_ms, 5.0);  // the device reports its nominal interval
}

}  // namespace
}  // namespace tinyloop::sim
