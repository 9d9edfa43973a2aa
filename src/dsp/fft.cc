#include "dsp/fft.h"

#include <cmath>

#include "dsp/internal/common.h"

namespace tinyloop::dsp {
namespace {

constexpr float kPi = 3.14159265358979f;

// In-place iterative radix-2 decimation-in-time FFT of m complex values (re, im interleaved).
// The twiddle for stage length `len` and offset j is exp(-2 pi i j / len), which is entry
// j * (2m / len) of the table built for a real transform of n = 2m points.
void ComplexFft(float* z, uint32_t m, const float* twiddles) {
  for (uint32_t i = 1, j = 0; i < m; ++i) {
    uint32_t bit = m >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const float re = z[2 * i], im = z[2 * i + 1];
      z[2 * i] = z[2 * j];
      z[2 * i + 1] = z[2 * j + 1];
      z[2 * j] = re;
      z[2 * j + 1] = im;
    }
  }
  const uint32_t n = 2 * m;
  for (uint32_t len = 2; len <= m; len <<= 1) {
    const uint32_t half = len >> 1;
    const uint32_t step = n / len;
    for (uint32_t j = 0; j < half; ++j) {
      const float wr = twiddles[2 * j * step];
      const float wi = twiddles[2 * j * step + 1];
      for (uint32_t i = j; i < m; i += len) {
        float* a = z + 2 * i;
        float* b = z + 2 * (i + half);
        const float vr = b[0] * wr - b[1] * wi;
        const float vi = b[0] * wi + b[1] * wr;
        b[0] = a[0] - vr;
        b[1] = a[1] - vi;
        a[0] += vr;
        a[1] += vi;
      }
    }
  }
}

}  // namespace

DspStatus RealFft::Init(uint32_t fft_length, float* table, size_t table_floats) {
  if (!internal::IsPowerOfTwo(fft_length) || fft_length < kMinFftLength ||
      fft_length > kMaxFftLength) {
    return DspStatus::kInvalidConfig;
  }
  if (table == nullptr || table_floats < TableFloats(fft_length)) return DspStatus::kBufferTooSmall;
  // float trigonometry: double is emulated in software on a Cortex-M4.
  const float step = -2.0f * kPi / static_cast<float>(fft_length);
  for (uint32_t k = 0; k < fft_length / 2; ++k) {
    const float angle = step * static_cast<float>(k);
    table[2 * k] = std::cos(angle);
    table[2 * k + 1] = std::sin(angle);
  }
  n_ = fft_length;
  twiddles_ = table;
  return DspStatus::kOk;
}

void RealFft::Forward(float* buffer) const {
  // Pack the real input as m = n/2 complex values z_t = x_2t + i x_2t+1, transform, then split
  // Z into the spectra of the even and odd samples: X_k = E_k + w^k O_k.
  const uint32_t m = n_ / 2;
  ComplexFft(buffer, m, twiddles_);
  const float z0r = buffer[0], z0i = buffer[1];
  buffer[0] = z0r + z0i;
  buffer[1] = 0.0f;
  buffer[2 * m] = z0r - z0i;
  buffer[2 * m + 1] = 0.0f;
  for (uint32_t k = 1; k <= m / 2; ++k) {
    float* a = buffer + 2 * k;
    float* b = buffer + 2 * (m - k);
    // E = (a + conj b) / 2, O = (a - conj b) / (2i).
    const float er = 0.5f * (a[0] + b[0]);
    const float ei = 0.5f * (a[1] - b[1]);
    const float or_ = 0.5f * (a[1] + b[1]);
    const float oi = -0.5f * (a[0] - b[0]);
    const float wr = twiddles_[2 * k], wi = twiddles_[2 * k + 1];
    const float tr = wr * or_ - wi * oi;
    const float ti = wr * oi + wi * or_;
    // X_k = E + wO; X_{m-k} = conj(E - wO).
    a[0] = er + tr;
    a[1] = ei + ti;
    b[0] = er - tr;
    b[1] = -(ei - ti);
  }
}

void PowerFromBins(const float* bins, uint32_t fft_length, float* power) {
  const float inv_n = 1.0f / static_cast<float>(fft_length);
  for (uint32_t k = 0; k <= fft_length / 2; ++k) {
    const float re = bins[2 * k], im = bins[2 * k + 1];
    power[k] = (re * re + im * im) * inv_n;
  }
}

}  // namespace tinyloop::dsp
