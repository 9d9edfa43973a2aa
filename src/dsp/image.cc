#include "dsp/image.h"

#include <cmath>

#include "dsp/internal/common.h"

namespace tinyloop::dsp {
namespace {

using internal::Fail;

struct Crop {
  uint32_t x = 0, y = 0, width = 0, height = 0;
};

Crop CropFor(const ImageConfig& config, const ImageShape& in) {
  Crop crop{0, 0, in.width, in.height};
  if (config.resize_mode != ResizeMode::kFitShortest) return crop;
  const uint64_t lhs = uint64_t{in.width} * config.height;
  const uint64_t rhs = uint64_t{in.height} * config.width;
  if (lhs > rhs) {  // input is wider than the target: keep the full height
    uint32_t w = static_cast<uint32_t>((rhs + config.height / 2) / config.height);
    crop.width = w == 0 ? 1 : w;
    crop.x = (in.width - crop.width) / 2;
  } else if (lhs < rhs) {  // input is taller: keep the full width
    uint32_t h = static_cast<uint32_t>((lhs + config.width / 2) / config.width);
    crop.height = h == 0 ? 1 : h;
    crop.y = (in.height - crop.height) / 2;
  }
  return crop;
}

// Source position of output index `dst` along one side: index of the lower neighbour, the
// upper neighbour and the weight of the upper one.
struct Tap {
  uint32_t lo, hi;
  float frac;
};

Tap TapFor(uint32_t dst, uint32_t out_size, uint32_t in_size, uint32_t offset) {
  float src = (static_cast<float>(dst) + 0.5f) * static_cast<float>(in_size) /
                  static_cast<float>(out_size) -
              0.5f;
  const float last = static_cast<float>(in_size - 1);
  src = src < 0.0f ? 0.0f : src > last ? last : src;
  const uint32_t lo = static_cast<uint32_t>(src);
  const uint32_t hi = lo + 1 < in_size ? lo + 1 : lo;
  return {lo + offset, hi + offset, src - static_cast<float>(lo)};
}

}  // namespace

DspStatus PlanImage(const ImageConfig& config, const ImageShape& input, BlockPlan* plan) {
  *plan = BlockPlan();
  const DspStatus bad = DspStatus::kInvalidConfig;
  if (config.width < 1 || config.width > kMaxImageSide) return Fail(plan, bad, "width");
  if (config.height < 1 || config.height > kMaxImageSide) return Fail(plan, bad, "height");
  if (config.color != ImageColor::kRgb && config.color != ImageColor::kGrayscale) {
    return Fail(plan, bad, "color");
  }
  if (config.resize_mode != ResizeMode::kSquash && config.resize_mode != ResizeMode::kFitShortest) {
    return Fail(plan, bad, "resize_mode");
  }
  const DspStatus shape = DspStatus::kShapeMismatch;
  if (input.width < 1 || input.width > kMaxImageSide) return Fail(plan, shape, "input width");
  if (input.height < 1 || input.height > kMaxImageSide) return Fail(plan, shape, "input height");
  if (input.channels != 1 && input.channels != 3) return Fail(plan, shape, "input channels");
  const uint32_t channels = config.color == ImageColor::kRgb ? 3 : 1;
  internal::SetShape(&plan->output, 3, config.height, config.width, channels);
  return DspStatus::kOk;
}

DspStatus RunImage(const ImageConfig& config, const ImageShape& input_shape, const uint8_t* pixels,
                   size_t pixel_bytes, float* output, size_t output_size) {
  BlockPlan plan;
  DspStatus status = PlanImage(config, input_shape, &plan);
  if (status != DspStatus::kOk) return status;
  status = internal::CheckBuffers(pixels, output, output_size, plan);
  if (status != DspStatus::kOk) return status;
  const size_t in_channels = input_shape.channels;
  const size_t row_bytes = size_t{input_shape.width} * in_channels;
  if (pixel_bytes < row_bytes * input_shape.height) return DspStatus::kBufferTooSmall;

  const Crop crop = CropFor(config, input_shape);
  const bool gray_out = config.color == ImageColor::kGrayscale;
  constexpr float kInv255 = 1.0f / 255.0f;
  float* out = output;
  for (uint32_t y = 0; y < config.height; ++y) {
    const Tap ty = TapFor(y, config.height, crop.height, crop.y);
    const uint8_t* row0 = pixels + ty.lo * row_bytes;
    const uint8_t* row1 = pixels + ty.hi * row_bytes;
    for (uint32_t x = 0; x < config.width; ++x) {
      const Tap tx = TapFor(x, config.width, crop.width, crop.x);
      float value[3];
      for (size_t c = 0; c < in_channels; ++c) {
        const float p00 = row0[tx.lo * in_channels + c], p01 = row0[tx.hi * in_channels + c];
        const float p10 = row1[tx.lo * in_channels + c], p11 = row1[tx.hi * in_channels + c];
        const float top = p00 + (p01 - p00) * tx.frac;
        const float bottom = p10 + (p11 - p10) * tx.frac;
        value[c] = top + (bottom - top) * ty.frac;
      }
      if (in_channels == 1) {
        value[1] = value[2] = value[0];
      }
      if (gray_out) {
        const float luma =
            in_channels == 1 ? value[0] : 0.299f * value[0] + 0.587f * value[1] + 0.114f * value[2];
        *out++ = luma * kInv255;
      } else {
        *out++ = value[0] * kInv255;
        *out++ = value[1] * kInv255;
        *out++ = value[2] * kInv255;
      }
    }
  }
  return DspStatus::kOk;
}

}  // namespace tinyloop::dsp
