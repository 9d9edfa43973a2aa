#include "dsp/mfcc.h"

#include <cmath>

#include "dsp/internal/common.h"
#include "dsp/internal/mel.h"

namespace tinyloop::dsp {
namespace {

constexpr float kPi = 3.14159265358979f;
constexpr uint32_t kMaxCmvnWindow = 1001;
// speechpy replaces zero energies by numpy's double epsilon before the log.
constexpr float kZeroEnergy = 2.220446049250313e-16f;

internal::MelParams ToMelParams(const MfccConfig& c) {
  return {c.sample_rate_hz,   c.frame_length_s,    c.frame_stride_s, c.fft_length, c.num_filters,
          c.low_frequency_hz, c.high_frequency_hz, c.pre_emphasis,   c.input_scale};
}

void LayoutScratch(const MfccConfig& c, const internal::MelGeometry& g,
                   internal::ScratchLayout* layout) {
  internal::LayoutMelScratch(ToMelParams(c), layout);
  layout->Add<float>(c.num_filters);                           // log mel energies of a frame
  layout->Add<float>(size_t{c.num_cepstral} * c.num_filters);  // DCT matrix
  if (c.cmvn_window != 0) {
    layout->Add<float>(size_t{g.num_frames} * c.num_cepstral);  // coefficients before CMN
    layout->Add<float>(c.num_cepstral);                         // running window sums
  }
}

// Row of the frame that position `j` of the symmetric extension of rows [0, rows) holds:
// ... r1 r0 | r0 r1 ... r(n-1) | r(n-1) r(n-2) ..., repeating with period 2n (numpy's
// "symmetric" padding, which speechpy's cmvnw uses).
uint32_t ReflectRow(int64_t j, uint32_t rows) {
  const int64_t period = 2 * int64_t{rows};
  int64_t m = j % period;
  if (m < 0) m += period;
  return static_cast<uint32_t>(m < rows ? m : period - 1 - m);
}

// out[f][c] = in[f][c] - mean of in over rows f - half .. f + half (reflected), with one
// running sum per coefficient.
void SubtractWindowMean(const float* in, uint32_t rows, uint32_t cols, uint32_t window, float* sums,
                        float* out) {
  const int64_t half = window / 2;
  for (uint32_t c = 0; c < cols; ++c) sums[c] = 0.0f;
  for (int64_t j = -half; j <= half; ++j) {
    const float* row = in + size_t{ReflectRow(j, rows)} * cols;
    for (uint32_t c = 0; c < cols; ++c) sums[c] += row[c];
  }
  const float inv_window = 1.0f / static_cast<float>(window);
  for (uint32_t f = 0; f < rows; ++f) {
    for (uint32_t c = 0; c < cols; ++c) {
      out[size_t{f} * cols + c] = in[size_t{f} * cols + c] - sums[c] * inv_window;
    }
    if (f + 1 == rows) break;
    const float* leaving = in + size_t{ReflectRow(int64_t{f} - half, rows)} * cols;
    const float* entering = in + size_t{ReflectRow(int64_t{f} + half + 1, rows)} * cols;
    for (uint32_t c = 0; c < cols; ++c) sums[c] += entering[c] - leaving[c];
  }
}

}  // namespace

DspStatus PlanMfcc(const MfccConfig& config, const SignalShape& input, BlockPlan* plan) {
  *plan = BlockPlan();
  const internal::MelParams params = ToMelParams(config);
  internal::MelGeometry geometry;
  // Config errors come before shape errors, so the shape check's result waits.
  const DspStatus status = internal::CheckMel(params, input, &geometry, plan);
  if (status == DspStatus::kInvalidConfig) return status;
  if (config.num_cepstral < 1 || config.num_cepstral > config.num_filters) {
    return internal::Fail(plan, DspStatus::kInvalidConfig, "num_cepstral");
  }
  if (config.cmvn_window > kMaxCmvnWindow ||
      (config.cmvn_window != 0 && config.cmvn_window % 2 == 0)) {
    return internal::Fail(plan, DspStatus::kInvalidConfig, "cmvn_window");
  }
  if (status != DspStatus::kOk) return status;
  internal::SetShape(&plan->output, 2, geometry.num_frames, config.num_cepstral);
  internal::ScratchLayout layout;
  LayoutScratch(config, geometry, &layout);
  plan->scratch_bytes = layout.bytes();
  return DspStatus::kOk;
}

DspStatus RunMfcc(const MfccConfig& config, const SignalShape& input_shape, const float* input,
                  float* output, size_t output_size, void* scratch, size_t scratch_bytes) {
  BlockPlan plan;
  DspStatus status = PlanMfcc(config, input_shape, &plan);
  if (status != DspStatus::kOk) return status;
  status = internal::CheckBuffers(input, output, output_size, plan);
  if (status != DspStatus::kOk) return status;
  if (scratch_bytes < plan.scratch_bytes) return DspStatus::kBufferTooSmall;
  const internal::MelParams params = ToMelParams(config);
  internal::MelGeometry geometry;
  status = internal::CheckMel(params, input_shape, &geometry, &plan);
  if (status != DspStatus::kOk) return status;

  internal::ScratchArena arena(scratch, scratch_bytes);
  internal::MelFrontEnd front_end;
  status = front_end.Init(params, geometry, &arena);
  if (status != DspStatus::kOk) return status;
  const uint32_t nf = config.num_filters, nc = config.num_cepstral;
  float* log_mel = arena.Take<float>(nf);
  float* dct = arena.Take<float>(size_t{nc} * nf);
  float* raw = nullptr;
  float* sums = nullptr;
  if (config.cmvn_window != 0) {
    raw = arena.Take<float>(size_t{geometry.num_frames} * nc);
    sums = arena.Take<float>(nc);
    if (raw == nullptr || sums == nullptr) return DspStatus::kBufferTooSmall;
  }
  if (log_mel == nullptr || dct == nullptr) return DspStatus::kBufferTooSmall;

  // Orthonormal DCT-II: c_k = s_k sum_n x_n cos(pi k (2n + 1) / (2 N)), s_0 = sqrt(1/N),
  // s_k = sqrt(2/N).
  for (uint32_t k = 0; k < nc; ++k) {
    const float s = std::sqrt((k == 0 ? 1.0f : 2.0f) / static_cast<float>(nf));
    for (uint32_t i = 0; i < nf; ++i) {
      // Reduce k (2i + 1) modulo the period 4N in integers so the float angle stays < 2 pi.
      const uint32_t phase = (k * (2 * i + 1)) % (4 * nf);
      const float angle = kPi * static_cast<float>(phase) / static_cast<float>(2 * nf);
      dct[size_t{k} * nf + i] = s * std::cos(angle);
    }
  }
  float* cepstra = raw != nullptr ? raw : output;
  for (uint32_t f = 0; f < geometry.num_frames; ++f) {
    float energy = 0.0f;
    front_end.Frame(input, input_shape.frames, f, log_mel, &energy);
    for (uint32_t i = 0; i < nf; ++i) {
      log_mel[i] = std::log(log_mel[i] > 0.0f ? log_mel[i] : kZeroEnergy);
    }
    float* row = cepstra + size_t{f} * nc;
    for (uint32_t k = 0; k < nc; ++k) {
      const float* basis = dct + size_t{k} * nf;
      float sum = 0.0f;
      for (uint32_t i = 0; i < nf; ++i) sum += basis[i] * log_mel[i];
      row[k] = sum;
    }
    if (config.dc_elimination) row[0] = std::log(energy > 0.0f ? energy : kZeroEnergy);
  }
  if (raw != nullptr) {
    SubtractWindowMean(raw, geometry.num_frames, nc, config.cmvn_window, sums, output);
  }
  return DspStatus::kOk;
}

}  // namespace tinyloop::dsp
