// Image block, modeled on Edge Impulse's "Image" block and its resize modes: optional center
// crop to the target aspect ratio ("fit shortest") or none ("squash"), bilinear resize to
// width x height, optional grayscale (ITU-R BT.601 luma), values scaled to [0, 1] floats.
// Input: interleaved 8-bit RGB or grayscale pixels. Output {height, width, channels}; no scratch.
#pragma once

#include <cstddef>
#include <cstdint>

#include "dsp/dsp_types.h"

namespace tinyloop::dsp {

constexpr uint32_t kMaxImageSide = 4096;

enum class ImageColor : uint8_t {
  kRgb,        // 3 output channels; a grayscale input is replicated
  kGrayscale,  // 1 output channel: 0.299 R + 0.587 G + 0.114 B
};

enum class ResizeMode : uint8_t {
  kSquash,       // resize the whole image, changing its aspect ratio if needed
  kFitShortest,  // crop the center to the target aspect ratio first, then resize. Default.
};

struct ImageConfig {
  uint32_t width = 96;   // [1, kMaxImageSide]
  uint32_t height = 96;  // [1, kMaxImageSide]
  ImageColor color = ImageColor::kRgb;
  ResizeMode resize_mode = ResizeMode::kFitShortest;
};

// Output shape {height, width, 3 or 1}; no scratch. kInvalidConfig names the field in
// plan->error; kShapeMismatch for an input with a zero or over-kMaxImageSide side, or with
// other than 1 or 3 channels.
DspStatus PlanImage(const ImageConfig& config, const ImageShape& input, BlockPlan* plan);

// Bilinear resampling with pixel centers at half-integers (src = (dst + 0.5) * in / out - 0.5,
// clamped to the edge), the convention of OpenCV's INTER_LINEAR and TensorFlow's
// half_pixel_centers. `pixels` holds height * width * channels bytes.
// Errors as PlanImage, plus kBufferTooSmall for null buffers, pixel_bytes short of the input
// shape, or output_size short of the plan.
DspStatus RunImage(const ImageConfig& config, const ImageShape& input_shape, const uint8_t* pixels,
                   size_t pixel_bytes, float* output, size_t output_size);

}  // namespace tinyloop::dsp
