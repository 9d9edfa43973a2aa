// dsp_bench: cost of the DSP blocks on one window (see README.md, "dsp_bench").
//  - MFCC of 1 s of 16 kHz audio with Edge Impulse's default MFCC config (frame 0.02 s,
//    stride 0.02 s, 32 filters, fft 256, 13 coefficients, mean normalization over 101 frames);
//  - spectral analysis of a 3-axis window of 2 s at 100 Hz (fft 128, 6th-order 3 Hz low-pass,
//    log spectrum, Welch mean with 50 % overlap).
// Prints ns per call (best and median of several rounds). `--only mfcc|spectral` and
// `--iterations N` let bench/dsp_run count instructions of one block under callgrind.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "dsp/mfcc.h"
#include "dsp/spectral.h"

namespace {

using tinyloop::dsp::BlockPlan;
using tinyloop::dsp::DspStatus;
using tinyloop::dsp::SignalShape;

struct Options {
  std::string only;    // "", "mfcc" or "spectral"
  int iterations = 0;  // 0: per-block default
  int rounds = 7;
};

// A deterministic 1 s utterance-like signal: two tones with a slow envelope plus noise, in
// int16 range like Edge Impulse's audio samples.
std::vector<float> Audio() {
  std::vector<float> x(16000);
  uint32_t seed = 12345;
  for (size_t t = 0; t < x.size(); ++t) {
    seed = seed * 1664525u + 1013904223u;
    const double noise = (static_cast<double>(seed >> 8) / (1 << 24) - 0.5) * 400.0;
    const double env = 0.5 + 0.5 * std::sin(2 * 3.14159265 * 3.0 * t / 16000.0);
    x[t] = static_cast<float>(env * (6000 * std::sin(2 * 3.14159265 * 440.0 * t / 16000.0) +
                                     3000 * std::sin(2 * 3.14159265 * 1330.0 * t / 16000.0)) +
                              noise);
  }
  return x;
}

// 2 s at 100 Hz of a 3-axis accelerometer on a vibrating fan: interleaved x, y, z.
std::vector<float> Motion() {
  std::vector<float> x(200 * 3);
  for (size_t t = 0; t < 200; ++t) {
    const double s = t / 100.0;
    x[t * 3 + 0] = static_cast<float>(0.2 * std::sin(2 * 3.14159265 * 12.0 * s));
    x[t * 3 + 1] = static_cast<float>(0.1 * std::sin(2 * 3.14159265 * 24.0 * s + 1.0));
    x[t * 3 + 2] = static_cast<float>(9.81 + 0.05 * std::sin(2 * 3.14159265 * 1.5 * s));
  }
  return x;
}

template <typename Fn>
void Measure(const char* name, int iterations, int rounds, Fn&& fn) {
  std::vector<double> per_call;
  for (int r = 0; r < rounds; ++r) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < iterations; ++i) fn();
    const auto stop = std::chrono::steady_clock::now();
    per_call.push_back(std::chrono::duration<double, std::nano>(stop - start).count() / iterations);
  }
  std::sort(per_call.begin(), per_call.end());
  std::printf("%-44s %8d calls x %d rounds   best %10.0f ns   median %10.0f ns\n", name, iterations,
              rounds, per_call.front(), per_call[per_call.size() / 2]);
}

int Fail(const char* what, DspStatus status) {
  std::fprintf(stderr, "dsp_bench: %s failed: %s\n", what, tinyloop::dsp::DspStatusName(status));
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      options.only = argv[++i];
    } else if (std::strcmp(argv[i], "--iterations") == 0 && i + 1 < argc) {
      options.iterations = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
      options.rounds = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr,
                   "usage: dsp_bench [--only mfcc|spectral] [--iterations N] [--rounds R]\n");
      return 2;
    }
  }
  float checksum = 0.0f;

  if (options.only.empty() || options.only == "mfcc") {
    const tinyloop::dsp::MfccConfig config;  // Edge Impulse's defaults
    const SignalShape shape{16000, 1};
    const std::vector<float> audio = Audio();
    BlockPlan plan;
    DspStatus status = tinyloop::dsp::PlanMfcc(config, shape, &plan);
    if (status != DspStatus::kOk) return Fail("PlanMfcc", status);
    std::vector<float> out(plan.output.num_features);
    std::vector<unsigned char> scratch(plan.scratch_bytes);
    std::printf("mfcc: %u x %u features, %zu scratch bytes\n", plan.output.dims[0],
                plan.output.dims[1], plan.scratch_bytes);
    Measure("MFCC, 1 s of 16 kHz audio", options.iterations > 0 ? options.iterations : 200,
            options.rounds, [&] {
              status = tinyloop::dsp::RunMfcc(config, shape, audio.data(), out.data(), out.size(),
                                              scratch.data(), scratch.size());
            });
    if (status != DspStatus::kOk) return Fail("RunMfcc", status);
    checksum += out[0] + out[out.size() - 1];
  }

  if (options.only.empty() || options.only == "spectral") {
    tinyloop::dsp::SpectralConfig config;
    config.sample_rate_hz = 100.0f;
    config.fft_length = 128;
    config.filter_type = tinyloop::dsp::FilterType::kLowPass;
    config.filter_cutoff_hz = 3.0f;
    config.filter_order = 6;
    const SignalShape shape{200, 3};
    const std::vector<float> motion = Motion();
    BlockPlan plan;
    DspStatus status = tinyloop::dsp::PlanSpectral(config, shape, &plan);
    if (status != DspStatus::kOk) return Fail("PlanSpectral", status);
    std::vector<float> out(plan.output.num_features);
    std::vector<unsigned char> scratch(plan.scratch_bytes);
    std::printf("spectral: %u x %u features, %zu scratch bytes\n", plan.output.dims[0],
                plan.output.dims[1], plan.scratch_bytes);
    Measure("spectral analysis, 3 axes x 2 s at 100 Hz",
            options.iterations > 0 ? options.iterations : 5000, options.rounds, [&] {
              status = tinyloop::dsp::RunSpectral(config, shape, motion.data(), out.data(),
                                                  out.size(), scratch.data(), scratch.size());
            });
    if (status != DspStatus::kOk) return Fail("RunSpectral", status);
    checksum += out[0] + out[out.size() - 1];
  }
  std::printf("checksum %g\n", static_cast<double>(checksum));
  return 0;
}
