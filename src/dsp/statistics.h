// Per-axis summary statistics (mean, min, max, RMS, standard deviation, skewness, kurtosis)
// used by the flatten and spectral-analysis blocks. Population (biased) moments, as numpy and
// scipy.stats compute them by default; freestanding, float32, two passes over the data.
#pragma once

#include <cstdint>

namespace tinyloop::dsp {

struct Moments {
  float mean = 0.0f;
  float minimum = 0.0f;
  float maximum = 0.0f;
  float rms = 0.0f;       // sqrt(mean(x^2))
  float stdev = 0.0f;     // sqrt(m2), m_k = mean((x - mean)^k)
  float skewness = 0.0f;  // m3 / m2^1.5; 0 for a constant signal
  float kurtosis = 0.0f;  // m4 / m2^2 - 3 (Fisher); 0 for a constant signal
};

// Computes the moments of `count` values data[0], data[stride], ..., each multiplied by `scale`.
// Preconditions: count >= 1, stride >= 1, data holds (count - 1) * stride + 1 floats.
Moments ComputeMoments(const float* data, uint32_t count, uint32_t stride, float scale);

}  // namespace tinyloop::dsp
