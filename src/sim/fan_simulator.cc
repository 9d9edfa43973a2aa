#include "sim/fan_simulator.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

namespace tinyloop::sim {
namespace {

constexpr double kPi = 3.14159265358979323846264338327950;
constexpr double kTwoPi = 2.0 * kPi;
constexpr double kDegToRad = kPi / 180.0;

// Unit direction of the motor hum in the fan frame. The stator's 2 x mains vibration is mostly
// radial; this direction, seen through the default 12 degree tilt, gives the x : y : z =
// 1 : 0.8 : 0.37 ratio of the aliased line in the real data.
constexpr std::array<double, 3> kHumDirection = {0.7503, 0.5290, 0.3962};
// Horizontal share of the blade-pass line (aerodynamic thrust pulses are mostly axial).
constexpr double kBladePassHorizontal = 0.15;

std::string FormatNumber(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.9g", value);
  return buffer;
}

// InvalidArgument unless lo <= value <= hi (NaN fails too).
Status CheckRange(const char* field, double value, double lo, double hi) {
  if (value >= lo && value <= hi) return OkStatus();
  return InvalidArgumentError(std::string(field) + " must be in [" + FormatNumber(lo) + ", " +
                              FormatNumber(hi) + "], got " + FormatNumber(value));
}

// InvalidArgument unless 0 < value <= hi.
Status CheckPositive(const char* field, double value, double hi) {
  if (value > 0.0 && value <= hi) return OkStatus();
  return InvalidArgumentError(std::string(field) + " must be in (0, " + FormatNumber(hi) +
                              "], got " + FormatNumber(value));
}

// Keeps an accumulated phase in [0, 2 pi) so that hours of samples lose no precision.
double WrapPhase(double phase) {
  phase = std::fmod(phase, kTwoPi);
  return phase < 0.0 ? phase + kTwoPi : phase;
}

}  // namespace

std::string_view FanSpeedName(FanSpeed speed) {
  switch (speed) {
    case FanSpeed::kOff:
      return "off";
    case FanSpeed::kLow:
      return "low";
    case FanSpeed::kMedium:
      return "medium";
    case FanSpeed::kHigh:
      return "high";
  }
  return "unknown";
}

double NominalRotationHz(FanSpeed speed) {
  switch (speed) {
    case FanSpeed::kOff:
      return 0.0;
    case FanSpeed::kLow:
      return 1.2;
    case FanSpeed::kMedium:
      return 2.0;
    case FanSpeed::kHigh:
      return 2.8;
  }
  return 0.0;
}

double NominalHumAmplitudeG(FanSpeed speed) {
  switch (speed) {
    case FanSpeed::kOff:
      return 0.0;
    case FanSpeed::kLow:
      return 0.013;
    case FanSpeed::kMedium:
      return 0.032;
    case FanSpeed::kHigh:
      return 0.070;
  }
  return 0.0;
}

double SensorSpec::LsbG() const { return 2.0 * full_scale_g / std::ldexp(1.0, resolution_bits); }

Status ValidateFanConditions(const FanConditions& c) {
  const int speed = static_cast<int>(c.speed);
  if (speed < static_cast<int>(FanSpeed::kOff) || speed > static_cast<int>(FanSpeed::kHigh)) {
    return InvalidArgumentError("FanConditions.speed must be off, low, medium or high, got " +
                                std::to_string(speed));
  }
  TL_RETURN_IF_ERROR(CheckPositive("FanConditions.speed_scale", c.speed_scale, 10.0));
  TL_RETURN_IF_ERROR(CheckRange("FanConditions.speed_jitter", c.speed_jitter, 0.0, 0.5));
  TL_RETURN_IF_ERROR(CheckRange("FanConditions.blade_count", c.blade_count, 1, 16));
  TL_RETURN_IF_ERROR(CheckRange("FanConditions.imbalance_grams", c.imbalance_grams, 0.0, 1e4));
  TL_RETURN_IF_ERROR(CheckPositive("FanConditions.imbalance_radius_m", c.imbalance_radius_m, 5.0));
  TL_RETURN_IF_ERROR(
      CheckRange("FanConditions.residual_imbalance_grams", c.residual_imbalance_grams, 0.0, 1e4));
  TL_RETURN_IF_ERROR(CheckRange("FanConditions.residual_imbalance_angle_deg",
                                c.residual_imbalance_angle_deg, -360.0, 360.0));
  TL_RETURN_IF_ERROR(CheckPositive("FanConditions.effective_mass_kg", c.effective_mass_kg, 1e4));
  TL_RETURN_IF_ERROR(CheckRange("FanConditions.rocking_ratio", c.rocking_ratio, 0.0, 10.0));
  TL_RETURN_IF_ERROR(
      CheckRange("FanConditions.harmonic2_g_per_hz2", c.harmonic2_g_per_hz2, 0.0, 1.0));
  TL_RETURN_IF_ERROR(
      CheckRange("FanConditions.harmonic3_g_per_hz2", c.harmonic3_g_per_hz2, 0.0, 1.0));
  TL_RETURN_IF_ERROR(
      CheckRange("FanConditions.blade_pass_g_per_hz2", c.blade_pass_g_per_hz2, 0.0, 1.0));
  TL_RETURN_IF_ERROR(
      CheckRange("FanConditions.running_noise_g_per_hz2", c.running_noise_g_per_hz2, 0.0, 1.0));
  TL_RETURN_IF_ERROR(CheckRange("FanConditions.mains_hz", c.mains_hz, 1.0, 1000.0));
  TL_RETURN_IF_ERROR(CheckRange("FanConditions.mains_jitter_hz", c.mains_jitter_hz, 0.0, 10.0));
  TL_RETURN_IF_ERROR(CheckRange("FanConditions.hum_scale", c.hum_scale, 0.0, 100.0));
  TL_RETURN_IF_ERROR(CheckRange("FanConditions.tilt_deg", c.tilt_deg, 0.0, 180.0));
  TL_RETURN_IF_ERROR(
      CheckRange("FanConditions.tilt_azimuth_deg", c.tilt_azimuth_deg, -360.0, 360.0));
  return OkStatus();
}

Status ValidateSensorSpec(const SensorSpec& s) {
  TL_RETURN_IF_ERROR(CheckPositive("SensorSpec.sample_rate_hz", s.sample_rate_hz, 1e5));
  TL_RETURN_IF_ERROR(CheckRange("SensorSpec.clock_error_ppm", s.clock_error_ppm, -1e5, 1e5));
  const double max_jitter_ms = 0.25 * 1000.0 / s.sample_rate_hz;
  if (!(s.timing_jitter_ms >= 0.0 && s.timing_jitter_ms < max_jitter_ms)) {
    return InvalidArgumentError("SensorSpec.timing_jitter_ms must be in [0, " +
                                FormatNumber(max_jitter_ms) + ") (a quarter interval), got " +
                                FormatNumber(s.timing_jitter_ms));
  }
  TL_RETURN_IF_ERROR(CheckPositive("SensorSpec.full_scale_g", s.full_scale_g, 64.0));
  TL_RETURN_IF_ERROR(CheckRange("SensorSpec.resolution_bits", s.resolution_bits, 8, 24));
  static constexpr const char* kNoiseFields[] = {"SensorSpec.noise_g[0]", "SensorSpec.noise_g[1]",
                                                 "SensorSpec.noise_g[2]"};
  static constexpr const char* kOffsetFields[] = {
      "SensorSpec.offset_g[0]", "SensorSpec.offset_g[1]", "SensorSpec.offset_g[2]"};
  for (int axis = 0; axis < 3; ++axis) {
    TL_RETURN_IF_ERROR(CheckRange(kNoiseFields[axis], s.noise_g[axis], 0.0, s.full_scale_g));
    TL_RETURN_IF_ERROR(
        CheckRange(kOffsetFields[axis], s.offset_g[axis], -s.full_scale_g, s.full_scale_g));
  }
  return OkStatus();
}

StatusOr<FanSimulator> FanSimulator::Create(const FanConditions& conditions,
                                            const SensorSpec& sensor, uint64_t seed) {
  TL_RETURN_IF_ERROR(ValidateFanConditions(conditions));
  TL_RETURN_IF_ERROR(ValidateSensorSpec(sensor));
  return FanSimulator(conditions, sensor, seed);
}

FanSimulator::FanSimulator(const FanConditions& conditions, const SensorSpec& sensor, uint64_t seed)
    : conditions_(conditions), sensor_(sensor), rng_(seed) {
  // A recording starts at an arbitrary moment: every line gets a random phase. The draw order
  // is fixed so a seed always means the same recording.
  speed_z_ = rng_.Gaussian();
  mains_z_ = rng_.Gaussian();
  rotation_phase_ = kTwoPi * rng_.Uniform();
  hum_phase_ = kTwoPi * rng_.Uniform();
  harmonic2_phase_ = kTwoPi * rng_.Uniform();
  harmonic3_phase_ = kTwoPi * rng_.Uniform();
  blade_pass_phase_ = kTwoPi * rng_.Uniform();
  UpdateDerived();
}

Status FanSimulator::SetConditions(const FanConditions& conditions) {
  TL_RETURN_IF_ERROR(ValidateFanConditions(conditions));
  conditions_ = conditions;
  UpdateDerived();
  return OkStatus();
}

void FanSimulator::UpdateDerived() {
  const FanConditions& c = conditions_;
  // Rodrigues rotation about the horizontal axis u = (-sin a, cos a, 0) by the tilt angle: it
  // maps the fan-frame vertical (0, 0, 1) onto (sin t cos a, sin t sin a, cos t).
  const double tilt = c.tilt_deg * kDegToRad;
  const double azimuth = c.tilt_azimuth_deg * kDegToRad;
  const double ux = -std::sin(azimuth);
  const double uy = std::cos(azimuth);
  const double ct = std::cos(tilt);
  const double st = std::sin(tilt);
  to_sensor_ = {ct + (1 - ct) * ux * ux,
                (1 - ct) * ux * uy,
                st * uy,  //
                (1 - ct) * ux * uy,
                ct + (1 - ct) * uy * uy,
                -st * ux,  //
                -st * uy,
                st * ux,
                ct};

  // The coin sits on blade 0, the residual imbalance at its own angle: their sum is one rotating
  // force m*r*w^2 whose magnitude and phase set the 1x line.
  const double residual_angle = c.residual_imbalance_angle_deg * kDegToRad;
  const double sum_x = c.imbalance_grams + c.residual_imbalance_grams * std::cos(residual_angle);
  const double sum_y = c.residual_imbalance_grams * std::sin(residual_angle);
  const double mass_kg = std::hypot(sum_x, sum_y) * 1e-3;
  // Acceleration per (rad/s)^2, in g.
  imbalance_g_ = mass_kg * c.imbalance_radius_m / c.effective_mass_kg / kStandardGravity;
  imbalance_phase_ = std::atan2(sum_y, sum_x);
}

double FanSimulator::rotation_hz() const {
  if (conditions_.speed == FanSpeed::kOff) return 0.0;
  const double jitter = std::max(0.0, 1.0 + conditions_.speed_jitter * speed_z_);
  return NominalRotationHz(conditions_.speed) * conditions_.speed_scale * jitter;
}

double FanSimulator::hum_hz() const {
  if (conditions_.speed == FanSpeed::kOff) return 0.0;
  return std::max(0.0, 2.0 * (conditions_.mains_hz + conditions_.mains_jitter_hz * mains_z_));
}

StatusOr<Recording> FanSimulator::Generate(double seconds) {
  const double rows_exact = std::round(seconds * sensor_.sample_rate_hz);
  if (!(rows_exact >= 1.0 && rows_exact <= static_cast<double>(kMaxRowsPerCall))) {
    return InvalidArgumentError("seconds x sample_rate_hz must round to [1, " +
                                std::to_string(kMaxRowsPerCall) + "] rows, got " +
                                FormatNumber(seconds) + " s x " +
                                FormatNumber(sensor_.sample_rate_hz) + " Hz");
  }
  const auto rows = static_cast<int64_t>(rows_exact);
  const FanConditions& c = conditions_;

  Recording recording;
  recording.axes = {"accX", "accY", "accZ"};
  recording.units = "g";
  recording.interval_ms = 1000.0 / sensor_.sample_rate_hz;
  recording.rotation_hz = rotation_hz();
  recording.hum_hz = hum_hz();
  recording.values.reserve(static_cast<size_t>(rows) * 3);

  const double f_rot = recording.rotation_hz;
  const double f_hum = recording.hum_hz;
  const double omega = kTwoPi * f_rot;
  const double f_rot2 = f_rot * f_rot;
  const double a1 = imbalance_g_ * omega * omega;
  const double a2 = c.harmonic2_g_per_hz2 * f_rot2;
  const double a3 = c.harmonic3_g_per_hz2 * f_rot2;
  const double a_blade = c.blade_pass_g_per_hz2 * f_rot2;
  const double sigma_running = c.running_noise_g_per_hz2 * f_rot2;
  const double a_hum = NominalHumAmplitudeG(c.speed) * c.hum_scale;
  const double blades = c.blade_count;

  const double dt = (1.0 + sensor_.clock_error_ppm * 1e-6) / sensor_.sample_rate_hz;
  const double jitter_s = sensor_.timing_jitter_ms * 1e-3;
  const double lsb = sensor_.LsbG();
  const double max_code = std::ldexp(1.0, sensor_.resolution_bits - 1) - 1.0;
  const double min_code = -max_code - 1.0;
  const std::array<double, 9>& r = to_sensor_;

  for (int64_t row = 0; row < rows; ++row) {
    // Every draw happens whatever the conditions, so two recordings with the same seed share
    // their noise and differ only by the physics (e.g. imbalanced vs balanced).
    const double delta_t = jitter_s * rng_.Gaussian();
    const double theta = rotation_phase_ + omega * delta_t;
    const double psi = hum_phase_ + kTwoPi * f_hum * delta_t;
    const double n_x = rng_.Gaussian();
    const double n_y = rng_.Gaussian();
    const double n_z = rng_.Gaussian();

    const double p1 = theta + imbalance_phase_;
    const double p2 = 2.0 * theta + harmonic2_phase_;
    const double p3 = 3.0 * theta + harmonic3_phase_;
    const double pb = blades * theta + blade_pass_phase_;
    const double hum = a_hum * std::cos(psi);
    const double blade = a_blade * std::cos(pb);
    const double blade_h = kBladePassHorizontal * a_blade;

    const double fan_x = a1 * std::cos(p1) + a2 * std::cos(p2) + a3 * std::cos(p3) +
                         blade_h * std::cos(pb) + hum * kHumDirection[0] + sigma_running * n_x;
    const double fan_y = a1 * std::sin(p1) + a2 * std::sin(p2) + a3 * std::sin(p3) +
                         blade_h * std::sin(pb) + hum * kHumDirection[1] + sigma_running * n_y;
    const double fan_z = 1.0 + c.rocking_ratio * a1 * std::sin(p1) + blade +
                         hum * kHumDirection[2] + sigma_running * n_z;

    for (int axis = 0; axis < 3; ++axis) {
      const double g = r[3 * axis] * fan_x + r[3 * axis + 1] * fan_y + r[3 * axis + 2] * fan_z +
                       sensor_.offset_g[axis] + sensor_.noise_g[axis] * rng_.Gaussian();
      const double code = std::clamp(std::round(g / lsb), min_code, max_code);
      recording.values.push_back(static_cast<float>(code * lsb));
    }

    rotation_phase_ = WrapPhase(rotation_phase_ + omega * dt);
    hum_phase_ = WrapPhase(hum_phase_ + kTwoPi * f_hum * dt);
  }
  return recording;
}

StatusOr<Recording> Simulate(const FanConditions& conditions, const SensorSpec& sensor,
                             double seconds, uint64_t seed) {
  TL_ASSIGN_OR_RETURN(FanSimulator simulator, FanSimulator::Create(conditions, sensor, seed));
  return simulator.Generate(seconds);
}

}  // namespace tinyloop::sim
