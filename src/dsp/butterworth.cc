#include "dsp/butterworth.h"

#include <cmath>

namespace tinyloop::dsp {
namespace {

constexpr double kPi = 3.14159265358979323846;

}  // namespace

DspStatus DesignButterworth(FilterType type, uint32_t order, float cutoff_hz, float sample_rate_hz,
                            BiquadCascade* cascade) {
  *cascade = BiquadCascade();
  if (type == FilterType::kNone) return DspStatus::kOk;
  if (type != FilterType::kLowPass && type != FilterType::kHighPass) {
    return DspStatus::kInvalidConfig;
  }
  if (order < 1 || order > kMaxFilterOrder) return DspStatus::kInvalidConfig;
  if (!std::isfinite(sample_rate_hz) || !std::isfinite(cutoff_hz) || sample_rate_hz <= 0.0f ||
      cutoff_hz <= 0.0f || cutoff_hz >= 0.5f * sample_rate_hz) {
    return DspStatus::kInvalidConfig;
  }
  const bool low_pass = type == FilterType::kLowPass;
  // Analog cutoff pre-warped for s = (1 - z^-1) / (1 + z^-1).
  const double w = std::tan(kPi * cutoff_hz / sample_rate_hz);
  const double w2 = w * w;
  // Each conjugate pole pair of the normalized prototype gives s^2 + a s + 1 with
  // a = 2 sin(pi (2k + 1) / (2 order)); low-pass w^2 / (s^2 + a w s + w^2), high-pass
  // s^2 / (same), mapped through the bilinear transform.
  for (uint32_t k = 0; k < order / 2; ++k) {
    const double a = 2.0 * std::sin(kPi * (2.0 * k + 1.0) / (2.0 * order));
    const double d0 = 1.0 + a * w + w2;
    Biquad& s = cascade->sections[cascade->num_sections++];
    const double g = low_pass ? w2 / d0 : 1.0 / d0;
    s.b0 = static_cast<float>(g);
    s.b1 = static_cast<float>(low_pass ? 2.0 * g : -2.0 * g);
    s.b2 = static_cast<float>(g);
    s.a1 = static_cast<float>(2.0 * (w2 - 1.0) / d0);
    s.a2 = static_cast<float>((1.0 - a * w + w2) / d0);
  }
  if (order % 2 == 1) {
    // The real pole at s = -1: w / (s + w) or s / (s + w).
    Biquad& s = cascade->sections[cascade->num_sections++];
    const double g = low_pass ? w / (1.0 + w) : 1.0 / (1.0 + w);
    s.b0 = static_cast<float>(g);
    s.b1 = static_cast<float>(low_pass ? g : -g);
    s.b2 = 0.0f;
    s.a1 = static_cast<float>((w - 1.0) / (w + 1.0));
    s.a2 = 0.0f;
  }
  return DspStatus::kOk;
}

void ApplyBiquads(const BiquadCascade& cascade, float* data, uint32_t count) {
  for (uint32_t i = 0; i < cascade.num_sections; ++i) {
    const Biquad& s = cascade.sections[i];
    float z1 = 0.0f, z2 = 0.0f;
    for (uint32_t t = 0; t < count; ++t) {
      const float x = data[t];
      const float y = s.b0 * x + z1;
      z1 = s.b1 * x - s.a1 * y + z2;
      z2 = s.b2 * x - s.a2 * y;
      data[t] = y;
    }
  }
}

}  // namespace tinyloop::dsp
