#include "dsp/mfe.h"

#include <cmath>

#include "dsp/internal/common.h"
#include "dsp/internal/mel.h"

namespace tinyloop::dsp {
namespace {

internal::MelParams ToMelParams(const MfeConfig& c) {
  return {c.sample_rate_hz,   c.frame_length_s,    c.frame_stride_s, c.fft_length, c.num_filters,
          c.low_frequency_hz, c.high_frequency_hz, c.pre_emphasis,   c.input_scale};
}

}  // namespace

DspStatus PlanMfe(const MfeConfig& config, const SignalShape& input, BlockPlan* plan) {
  *plan = BlockPlan();
  if (!std::isfinite(config.noise_floor_db) || config.noise_floor_db < -200.0f ||
      config.noise_floor_db > 0.0f) {
    return internal::Fail(plan, DspStatus::kInvalidConfig, "noise_floor_db");
  }
  const internal::MelParams params = ToMelParams(config);
  internal::MelGeometry geometry;
  const DspStatus status = internal::CheckMel(params, input, &geometry, plan);
  if (status != DspStatus::kOk) return status;
  internal::SetShape(&plan->output, 2, geometry.num_frames, config.num_filters);
  internal::ScratchLayout layout;
  internal::LayoutMelScratch(params, &layout);
  plan->scratch_bytes = layout.bytes();
  return DspStatus::kOk;
}

DspStatus RunMfe(const MfeConfig& config, const SignalShape& input_shape, const float* input,
                 float* output, size_t output_size, void* scratch, size_t scratch_bytes) {
  BlockPlan plan;
  DspStatus status = PlanMfe(config, input_shape, &plan);
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

  const float floor_db = config.noise_floor_db;
  const float inv_range = 1.0f / (12.0f - floor_db);
  for (uint32_t f = 0; f < geometry.num_frames; ++f) {
    float* mel = output + size_t{f} * config.num_filters;
    float energy = 0.0f;
    front_end.Frame(input, input_shape.frames, f, mel, &energy);
    for (uint32_t i = 0; i < config.num_filters; ++i) {
      const float db = 10.0f * std::log10(mel[i] > 1e-30f ? mel[i] : 1e-30f);
      float v = (db - floor_db) * inv_range;
      v = v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v;
      if (config.quantize) {
        // Edge Impulse stores round(v * 256) in a uint8; 256 (v == 1) is kept at 255.
        const float q = std::floor(v * 256.0f + 0.5f);
        v = (q > 255.0f ? 255.0f : q) * (1.0f / 256.0f);
      }
      mel[i] = v;
    }
  }
  return DspStatus::kOk;
}

}  // namespace tinyloop::dsp
