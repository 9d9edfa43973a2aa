#include "dsp/statistics.h"

#include <cmath>

namespace tinyloop::dsp {

Moments ComputeMoments(const float* data, uint32_t count, uint32_t stride, float scale) {
  Moments m;
  float sum = 0.0f, sum_sq = 0.0f;
  float lo = data[0] * scale, hi = lo;
  for (uint32_t i = 0; i < count; ++i) {
    const float x = data[static_cast<size_t>(i) * stride] * scale;
    sum += x;
    sum_sq += x * x;
    lo = x < lo ? x : lo;
    hi = x > hi ? x : hi;
  }
  const float inv_count = 1.0f / static_cast<float>(count);
  m.mean = sum * inv_count;
  m.minimum = lo;
  m.maximum = hi;
  m.rms = std::sqrt(sum_sq * inv_count);
  // Central moments in a second pass: the one-pass formulas cancel badly in float32.
  float m2 = 0.0f, m3 = 0.0f, m4 = 0.0f;
  for (uint32_t i = 0; i < count; ++i) {
    const float d = data[static_cast<size_t>(i) * stride] * scale - m.mean;
    const float d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  m2 *= inv_count;
  m3 *= inv_count;
  m4 *= inv_count;
  m.stdev = std::sqrt(m2);
  // A (numerically) constant signal has no defined shape; report 0 rather than NaN or noise.
  const float range = hi - lo;
  if (m2 > 0.0f && range > 1e-6f * (std::fabs(hi) + std::fabs(lo))) {
    m.skewness = m3 / (m2 * m.stdev);
    m.kurtosis = m4 / (m2 * m2) - 3.0f;
  }
  return m;
}

}  // namespace tinyloop::dsp
