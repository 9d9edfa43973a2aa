// Deterministic physics-based simulator of a 3-axis accelerometer taped to a ceiling fan's motor
// housing: the demo's data source on machines without real datasets and the fleet simulator's
// signal source. Models the sensor of shared/datasets/ceiling_fan_vibration (Adafruit MSA301 read
// by an ESP32 at ~200 Hz, values in g) and is calibrated against that recording set.
//
// Signal model, in the fan frame (z up; then rotated into the tilted sensor frame):
//   gravity            +1 g on z (an accelerometer at rest reads the upward specific force)
//   1x imbalance       rotating horizontal vector, amplitude m*r*w^2 / M (see FanConditions)
//   2x, 3x harmonics   rotating horizontal vectors, amplitude c*f^2 (misalignment, looseness)
//   blade pass         blades x rotation, mostly axial (z), amplitude c*f^2 (aerodynamic)
//   motor hum          2 x mains (120 Hz), sampled at 200 Hz it aliases to 80 Hz: the strongest
//                      line of the real data while running, growing with the speed setting
//   running noise      broadband, isotropic, sigma c*f^2 (bearings, air turbulence)
// then the sensor adds per-axis white noise and offset, clips to the full-scale range and rounds
// to the LSB grid. Everything is a pure function of the inputs and the seed (bit-identical on one
// platform; another libm may move a rare value by one LSB).
// Defaults match the real data's per-axis spread per speed within ~15%. Not modelled: the
// +-14 Hz sidebands around the real 80 Hz line, and the real coin's weak effect (the recordings
// barely show a 1x line; this model follows the textbook m*r*w^2, ~15 mg on high).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/random.h"

namespace tinyloop::sim {

// Standard gravity in m/s^2: converts mechanical accelerations to g.
inline constexpr double kStandardGravity = 9.80665;
// Mass of a US quarter in grams: the coin taped to a blade in the real dataset.
inline constexpr double kUsQuarterGrams = 5.67;

// The fan's switch position.
enum class FanSpeed { kOff = 0, kLow = 1, kMedium = 2, kHigh = 3 };

// "off", "low", "medium", "high".
std::string_view FanSpeedName(FanSpeed speed);

// Nominal rotation frequency in Hz of a 52-inch, 5-blade residential ceiling fan: off 0,
// low 1.2 (72 rpm), medium 2.0 (120 rpm), high 2.8 (168 rpm).
double NominalRotationHz(FanSpeed speed);

// Nominal peak amplitude in g of the motor hum line along its direction of vibration: off 0,
// low 0.013, medium 0.032, high 0.070. Calibrated so the sensor x axis shows the 10 / 24 / 52 mg
// aliased 80 Hz line measured in the real dataset (fan_0_{low,med,high}_0_weight).
double NominalHumAmplitudeG(FanSpeed speed);

// Everything about the fan and its mounting that shapes the signal. Each field is a physical
// quantity that later code (drift injection, fleet variation) may perturb independently; the
// defaults reproduce the real dataset's fan. Validated by Simulate()/FanSimulator.
struct FanConditions {
  // Switch position; selects the nominal rotation frequency and hum amplitude.
  FanSpeed speed = FanSpeed::kLow;
  // Multiplies the nominal rotation frequency (e.g. 0.95 for a sagging mains voltage). Default 1.
  double speed_scale = 1.0;
  // Relative standard deviation of the rotation frequency between recordings (mains voltage,
  // temperature, bearing friction). Default 0.02. Range [0, 0.5].
  double speed_jitter = 0.02;
  // Number of blades; the blade-pass line lies at blade_count x rotation. Default 5. [1, 16].
  int blade_count = 5;

  // Added mass on blade 0 in grams: the anomaly. 0 = balanced; kUsQuarterGrams reproduces the
  // real dataset's "_1_weight" recordings. Default 0. Range [0, 10000].
  double imbalance_grams = 0.0;
  // Radius of the added mass from the rotation axis in metres. Default 0.45 (mid-blade).
  double imbalance_radius_m = 0.45;
  // Manufacturing residual imbalance in grams at the same radius, always present. Default 1.
  double residual_imbalance_grams = 1.0;
  // Angle of the residual imbalance from blade 0 in degrees; sets how it adds to the coin.
  // Default 120.
  double residual_imbalance_angle_deg = 120.0;
  // Effective moving mass of the fan body in kilograms. The fan hangs from its downrod as a
  // pendulum (~0.5 Hz), far below the rotation frequency, so the housing responds like a free
  // mass: 1x acceleration = m * r * (2 pi f)^2 / M, i.e. it grows with mass and with speed^2.
  // Default 5.0. Must be > 0.
  double effective_mass_kg = 5.0;
  // Ratio of the vertical (rocking) to the horizontal 1x amplitude. Default 0.15.
  double rocking_ratio = 0.15;

  // Amplitude coefficients in g per Hz^2 of rotation frequency (amplitude = c * f_rot^2).
  // 2x line (misalignment, looseness). Default 2e-4 (1.6 mg on high).
  double harmonic2_g_per_hz2 = 2e-4;
  // 3x line. Default 1e-4 (0.8 mg on high).
  double harmonic3_g_per_hz2 = 1e-4;
  // Blade-pass line, mostly axial. Default 4e-4 (3.1 mg on high).
  double blade_pass_g_per_hz2 = 4e-4;
  // Standard deviation of the broadband running noise per axis. Default 1.5e-3 (12 mg on high).
  double running_noise_g_per_hz2 = 1.5e-3;

  // Mains frequency in Hz; the hum lies at 2 x mains. Default 60 (the real dataset is from the
  // US). Range [1, 1000].
  double mains_hz = 60.0;
  // Standard deviation in Hz of the mains frequency between recordings. Default 0.02.
  double mains_jitter_hz = 0.02;
  // Multiplies NominalHumAmplitudeG(speed) (worn bearings, a different motor). Default 1.
  double hum_scale = 1.0;

  // Resting tilt of the sensor's z axis from vertical in degrees: the sensor reads
  // (sin t cos a, sin t sin a, cos t) g at rest. Default 12 (the real data's mean is
  // (-0.01, 0.21, 0.98) g). Range [0, 180].
  double tilt_deg = 12.0;
  // Azimuth a of the tilt in the sensor's x-y plane in degrees (0 = toward +x). Default 90.
  double tilt_azimuth_deg = 90.0;
};

// The accelerometer and its sampling. Defaults: an Adafruit MSA301 as its Arduino library
// configures it (±4 g, 14-bit, so 1/2048 g per LSB: every value of the real dataset lies on this
// grid), polled by the ESP32 at 200 Hz.
struct SensorSpec {
  // Nominal sample rate in Hz; interval_ms = 1000 / sample_rate_hz. Default 200. (0, 100000].
  double sample_rate_hz = 200.0;
  // Fixed error of the sampling clock in parts per million (true interval = nominal *
  // (1 + ppm * 1e-6)). Default 0. Range [-100000, 100000].
  double clock_error_ppm = 0.0;
  // Standard deviation of each sample instant around its ideal time in milliseconds (polling
  // jitter). Default 0. Must be below a quarter of the sample interval.
  double timing_jitter_ms = 0.0;
  // Full-scale range: values are clipped to [-full_scale_g, full_scale_g - lsb]. Default 4.
  // Range (0, 64].
  double full_scale_g = 4.0;
  // Converter resolution; lsb = 2 * full_scale_g / 2^bits. Default 14. Range [8, 24].
  int resolution_bits = 14;
  // Standard deviation of the white sensor noise per axis (x, y, z) in g. Default
  // (1.3, 1.5, 3.6) mg, the real dataset's fan-off spread. Each >= 0.
  std::array<double, 3> noise_g = {0.0013, 0.0015, 0.0036};
  // Zero-g offset per axis in g. Default 0. Each within ±full_scale_g.
  std::array<double, 3> offset_g = {0.0, 0.0, 0.0};

  // Size of one quantization step in g.
  double LsbG() const;
};

// Checks every field against the ranges documented above. InvalidArgument naming the field and
// its limit.
Status ValidateFanConditions(const FanConditions& conditions);
Status ValidateSensorSpec(const SensorSpec& sensor);

// A block of consecutive samples, ready for the Edge Impulse acquisition format.
struct Recording {
  // Axis names, in column order: {"accX", "accY", "accZ"}.
  std::vector<std::string> axes;
  // Unit of every value: "g".
  std::string units;
  // Nominal sample interval in milliseconds (what the device reports).
  double interval_ms = 0.0;
  // Row-major values: row i is (values[3i], values[3i+1], values[3i+2]). Every value is an
  // exact multiple of SensorSpec::LsbG() within the full-scale range.
  std::vector<float> values;
  // The rotation frequency in Hz actually simulated (after speed_scale and jitter); 0 when off.
  double rotation_hz = 0.0;
  // The physical hum frequency in Hz (2 x mains after jitter); 0 when off. Its apparent
  // frequency in the samples is aliased by the sample rate.
  double hum_hz = 0.0;

  // Number of rows (samples per axis).
  size_t rows() const { return axes.empty() ? 0 : values.size() / axes.size(); }
};

// Upper bound on the rows one call may produce (10 h at 200 Hz).
inline constexpr int64_t kMaxRowsPerCall = int64_t{200} * 3600 * 10;

// A stream of samples from one fan: successive Generate() calls continue the signal without a
// phase jump, and conditions may change between calls (drift) while the random draws that make
// this recording unique (speed and mains jitter, phases) stay fixed. Copyable value type; not
// thread-safe (use one per thread).
class FanSimulator {
 public:
  // InvalidArgument (naming the field) when conditions or sensor are out of range.
  static StatusOr<FanSimulator> Create(const FanConditions& conditions, const SensorSpec& sensor,
                                       uint64_t seed);

  // The next round(seconds * sample_rate_hz) rows. InvalidArgument when that is below 1 or
  // above kMaxRowsPerCall.
  StatusOr<Recording> Generate(double seconds);

  // Replaces the conditions for the following Generate() calls. InvalidArgument when out of
  // range (the old conditions stay).
  Status SetConditions(const FanConditions& conditions);

  const FanConditions& conditions() const { return conditions_; }
  const SensorSpec& sensor() const { return sensor_; }
  // Current rotation and hum frequencies in Hz (0 when off).
  double rotation_hz() const;
  double hum_hz() const;

 private:
  FanSimulator(const FanConditions& conditions, const SensorSpec& sensor, uint64_t seed);
  void UpdateDerived();

  FanConditions conditions_;
  SensorSpec sensor_;
  Rng rng_;
  // Per-stream standard-normal draws behind the speed and mains jitter.
  double speed_z_ = 0.0;
  double mains_z_ = 0.0;
  // Phases in radians: blade 0's angle and the hum's, advanced sample by sample.
  double rotation_phase_ = 0.0;
  double hum_phase_ = 0.0;
  // Fixed phase offsets of the 2x, 3x and blade-pass lines.
  double harmonic2_phase_ = 0.0;
  double harmonic3_phase_ = 0.0;
  double blade_pass_phase_ = 0.0;
  // Derived from conditions_: fan frame -> sensor frame rotation, 1x amplitude and phase.
  std::array<double, 9> to_sensor_{};
  double imbalance_g_ = 0.0;
  double imbalance_phase_ = 0.0;
};

// One-shot convenience: FanSimulator::Create(conditions, sensor, seed) then Generate(seconds).
// Same seed and inputs give identical values; errors as for Create and Generate.
StatusOr<Recording> Simulate(const FanConditions& conditions, const SensorSpec& sensor,
                             double seconds, uint64_t seed);

}  // namespace tinyloop::sim
