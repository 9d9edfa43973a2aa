// Test-only float64 references for the DSP blocks: a naive DFT, moments, a direct mel
// filterbank, the orthonormal DCT-II and the MFE/MFCC pipelines written straightforwardly in
// double, plus small signal generators. Included by the *_test.cc files of src/dsp only.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace tinyloop::dsp::testing {

constexpr double kPi = 3.14159265358979323846;

// |X_k|^2 / n for k = 0..n/2 of x zero-padded or truncated to n points (numpy rfft(x, n)).
inline std::vector<double> NaivePowerSpectrum(const std::vector<double>& x, size_t n) {
  std::vector<double> power(n / 2 + 1);
  for (size_t k = 0; k <= n / 2; ++k) {
    double re = 0, im = 0;
    for (size_t t = 0; t < std::min(n, x.size()); ++t) {
      const double angle = -2.0 * kPi * static_cast<double>((k * t) % n) / n;
      re += x[t] * std::cos(angle);
      im += x[t] * std::sin(angle);
    }
    power[k] = (re * re + im * im) / n;
  }
  return power;
}

struct RefMoments {
  double mean, min, max, rms, stdev, skew, kurt;
};

inline RefMoments NaiveMoments(const std::vector<double>& x) {
  const double n = static_cast<double>(x.size());
  double sum = 0, sq = 0;
  for (double v : x) sum += v, sq += v * v;
  const double mean = sum / n;
  double m2 = 0, m3 = 0, m4 = 0;
  for (double v : x) {
    const double d = v - mean;
    m2 += d * d / n;
    m3 += d * d * d / n;
    m4 += d * d * d * d / n;
  }
  return {mean,
          *std::min_element(x.begin(), x.end()),
          *std::max_element(x.begin(), x.end()),
          std::sqrt(sq / n),
          std::sqrt(m2),
          m3 / std::pow(m2, 1.5),
          m4 / (m2 * m2) - 3.0};
}

struct RefMelConfig {
  double sample_rate = 16000;
  double frame_length_s = 0.02;
  double frame_stride_s = 0.02;
  size_t fft_length = 256;
  size_t num_filters = 32;
  double low_hz = 300;
  double high_hz = 0;  // 0: Nyquist
  double pre_emphasis = 0.98;
  double scale = 1.0;
};

// Triangular filters between mel-spaced points; point i at bin floor((n + 1) * hz_i / fs).
inline std::vector<std::vector<double>> NaiveMelFilterbank(const RefMelConfig& c) {
  const double high = c.high_hz == 0 ? c.sample_rate / 2 : c.high_hz;
  auto to_mel = [](double hz) { return 1127.0 * std::log(1.0 + hz / 700.0); };
  auto to_hz = [](double mel) { return 700.0 * (std::exp(mel / 1127.0) - 1.0); };
  std::vector<int> bins(c.num_filters + 2);
  for (size_t i = 0; i < bins.size(); ++i) {
    const double mel =
        to_mel(c.low_hz) + (to_mel(high) - to_mel(c.low_hz)) * i / (c.num_filters + 1);
    bins[i] = static_cast<int>(std::floor((c.fft_length + 1) * to_hz(mel) / c.sample_rate));
  }
  std::vector<std::vector<double>> bank(c.num_filters,
                                        std::vector<double>(c.fft_length / 2 + 1, 0.0));
  for (size_t i = 0; i < c.num_filters; ++i) {
    const int l = bins[i], m = bins[i + 1], r = bins[i + 2];
    for (int k = l; k <= r; ++k) {
      double w = 0;
      if (k > l && k <= m) w = double(k - l) / (m - l);
      if (k >= m && k < r) w = double(r - k) / (r - m);
      bank[i][k] = w;
    }
  }
  return bank;
}

struct RefMelFrames {
  std::vector<std::vector<double>> mel;  // frames x filters, linear energies
  std::vector<double> energy;            // per frame, sum of the power spectrum
};

inline RefMelFrames NaiveMelEnergies(const std::vector<double>& signal, const RefMelConfig& c) {
  const size_t n = signal.size();
  std::vector<double> y(n);
  for (size_t t = 0; t < n; ++t) {
    y[t] = c.scale * signal[t] - c.pre_emphasis * c.scale * signal[(t + n - 1) % n];
  }
  const size_t len = static_cast<size_t>(std::llround(c.frame_length_s * c.sample_rate));
  const size_t stride = static_cast<size_t>(std::llround(c.frame_stride_s * c.sample_rate));
  const size_t frames = (n - len) / stride + 1;
  const auto bank = NaiveMelFilterbank(c);
  RefMelFrames out;
  for (size_t f = 0; f < frames; ++f) {
    std::vector<double> frame(y.begin() + f * stride, y.begin() + f * stride + len);
    const auto power = NaivePowerSpectrum(frame, c.fft_length);
    double energy = 0;
    for (double p : power) energy += p;
    out.energy.push_back(energy);
    std::vector<double> mel(c.num_filters, 0.0);
    for (size_t i = 0; i < c.num_filters; ++i) {
      for (size_t k = 0; k < power.size(); ++k) mel[i] += bank[i][k] * power[k];
    }
    out.mel.push_back(mel);
  }
  return out;
}

inline std::vector<double> NaiveDct2Ortho(const std::vector<double>& x, size_t count) {
  const size_t n = x.size();
  std::vector<double> out(count);
  for (size_t k = 0; k < count; ++k) {
    double sum = 0;
    for (size_t i = 0; i < n; ++i) sum += x[i] * std::cos(kPi * k * (2.0 * i + 1) / (2.0 * n));
    out[k] = sum * std::sqrt((k == 0 ? 1.0 : 2.0) / n);
  }
  return out;
}

// MFCC in double: log mel, DCT, optional c0 = log energy, optional mean normalization over a
// window with numpy-"symmetric" padding (built explicitly as a padded matrix).
inline std::vector<std::vector<double>> NaiveMfcc(const std::vector<double>& signal,
                                                  const RefMelConfig& c, size_t num_cepstral,
                                                  bool dc_elimination, size_t cmvn_window) {
  const RefMelFrames mel = NaiveMelEnergies(signal, c);
  std::vector<std::vector<double>> cep;
  for (size_t f = 0; f < mel.mel.size(); ++f) {
    std::vector<double> logs;
    for (double e : mel.mel[f]) logs.push_back(std::log(e == 0 ? 2.220446049250313e-16 : e));
    auto row = NaiveDct2Ortho(logs, num_cepstral);
    if (dc_elimination) row[0] = std::log(mel.energy[f]);
    cep.push_back(row);
  }
  if (cmvn_window == 0) return cep;
  const long rows = static_cast<long>(cep.size());
  const long pad = static_cast<long>(cmvn_window / 2);
  // Row index of each position of the padded matrix, mirrored until it lands inside.
  std::vector<long> ext;
  for (long j = -pad; j < rows + pad; ++j) {
    long m = j;
    while (m < 0 || m >= rows) m = m < 0 ? -m - 1 : 2 * rows - m - 1;
    ext.push_back(m);
  }
  std::vector<std::vector<double>> out = cep;
  for (long i = 0; i < rows; ++i) {
    for (size_t k = 0; k < num_cepstral; ++k) {
      double sum = 0;
      for (long j = 0; j < static_cast<long>(cmvn_window); ++j) sum += cep[ext[i + j]][k];
      out[i][k] = cep[i][k] - sum / cmvn_window;
    }
  }
  return out;
}

// A reproducible test signal: two tones plus a little noise, amplitude around `amplitude`.
inline std::vector<float> TestSignal(size_t n, double rate, double amplitude, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0.0, 0.05);
  std::vector<float> out(n);
  for (size_t t = 0; t < n; ++t) {
    const double s =
        std::sin(2 * kPi * 440.0 * t / rate) + 0.5 * std::sin(2 * kPi * 1250.0 * t / rate);
    out[t] = static_cast<float>(amplitude * (s + noise(rng)));
  }
  return out;
}

inline std::vector<double> ToDouble(const std::vector<float>& v) {
  return std::vector<double>(v.begin(), v.end());
}

}  // namespace tinyloop::dsp::testing
