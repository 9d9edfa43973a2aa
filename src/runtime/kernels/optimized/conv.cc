// Optimized int8 CONV_2D and DEPTHWISE_CONV_2D. Convolution gathers each output pixel's window
// into an int16 patch (input + offset, zeros where the window leaves the image, which is what the
// reference's skipped terms contribute) and takes four filter rows at a time against it.
// Depthwise accumulates contiguous channel runs per window tap. Bounds are hoisted per row/pixel.
#include "runtime/kernels/optimized/int8_blocks.h"
#include "runtime/kernels/optimized/optimized.h"

namespace tinyloop::runtime::optimized {
namespace {

using reference::ConvParams;

// [lo, hi): the filter taps k with 0 <= origin + dilation * k < size, k < extent.
inline void ValidTaps(int32_t origin, int32_t dilation, int32_t size, int32_t extent, int32_t* lo,
                      int32_t* hi) {
  int32_t a = origin < 0 ? (-origin + dilation - 1) / dilation : 0;
  int32_t b = size - 1 - origin < 0 ? 0 : (size - 1 - origin) / dilation + 1;
  if (b > extent) b = extent;
  if (a > extent) a = extent;
  if (b < a) b = a;
  *lo = a;
  *hi = b;
}

// One output pixel's channels [c0, c0 + kBlock) of a depthwise conv (depth multiplier 1) over
// the valid taps [fy0, fy1) x [fx0, fx1); the accumulators stay in registers over the taps.
template <int32_t kBlock>
inline void DepthwiseBlock(const ConvParams& p, const int8_t* image, const int8_t* filter,
                           const int32_t* bias, int32_t in_y0, int32_t fy0, int32_t fy1,
                           int32_t in_x0, int32_t fx0, int32_t fx1, int32_t c0, int8_t* out) {
  const int32_t channels = p.input_c;
  const int16_t offset = static_cast<int16_t>(p.input_offset);
  int32_t acc[kBlock] = {};
  for (int32_t fy = fy0; fy < fy1; ++fy) {
    const int8_t* row = image + (in_y0 + p.dilation_h * fy) * p.input_w * channels + c0;
    const int8_t* taps = filter + fy * p.filter_w * channels + c0;
    for (int32_t fx = fx0; fx < fx1; ++fx) {
      blocks::MacBlock<kBlock>(taps + fx * channels, row + (in_x0 + p.dilation_w * fx) * channels,
                               offset, acc);
    }
  }
  for (int32_t c = 0; c < kBlock; ++c) {
    const int32_t oc = c0 + c;
    out[oc] = blocks::Requantize(acc[c], bias ? bias[oc] : 0, p.multipliers[oc], p.shifts[oc],
                                 p.output_offset, p.act_min, p.act_max);
  }
}

}  // namespace

void ConvPerChannelInt8(const ConvParams& p, const int8_t* input, const int8_t* filter,
                        const int32_t* bias, int8_t* output) {
  const int32_t depth = p.filter_h * p.filter_w * p.filter_c;
  if (p.filter_c != p.input_c || depth > blocks::kMaxPatch) {
    reference::ConvPerChannelInt8(p, input, filter, bias, output);
    return;
  }
  int16_t patch[blocks::kMaxPatch];
  const int16_t offset = static_cast<int16_t>(p.input_offset);
  const int32_t c_in = p.input_c;
  const bool tap_run = p.dilation_w == 1;  // window columns contiguous in the input
  for (int32_t b = 0; b < p.batches; ++b) {
    const int8_t* image = input + b * p.input_h * p.input_w * c_in;
    for (int32_t oy = 0; oy < p.output_h; ++oy) {
      const int32_t in_y0 = oy * p.stride_h - p.pad_h;
      int32_t fy0, fy1;
      ValidTaps(in_y0, p.dilation_h, p.input_h, p.filter_h, &fy0, &fy1);
      for (int32_t ox = 0; ox < p.output_w; ++ox) {
        const int32_t in_x0 = ox * p.stride_w - p.pad_w;
        int32_t fx0, fx1;
        ValidTaps(in_x0, p.dilation_w, p.input_w, p.filter_w, &fx0, &fx1);
        if (fy0 != 0 || fy1 != p.filter_h || fx0 != 0 || fx1 != p.filter_w) {
          for (int32_t k = 0; k < depth; ++k) patch[k] = 0;
        }
        for (int32_t fy = fy0; fy < fy1; ++fy) {
          const int8_t* row = image + (in_y0 + p.dilation_h * fy) * p.input_w * c_in;
          int16_t* dst = patch + fy * p.filter_w * c_in;
          if (tap_run) {
            blocks::Widen(row + (in_x0 + fx0) * c_in, offset, dst + fx0 * c_in, (fx1 - fx0) * c_in);
            continue;
          }
          for (int32_t fx = fx0; fx < fx1; ++fx) {
            blocks::Widen(row + (in_x0 + p.dilation_w * fx) * c_in, offset, dst + fx * c_in, c_in);
          }
        }
        int8_t* out = output + ((b * p.output_h + oy) * p.output_w + ox) * p.output_c;
        int32_t oc = 0;
        int32_t acc[4];
        for (; oc + 4 <= p.output_c; oc += 4) {
          blocks::Dot4(filter + oc * depth, patch, depth, acc);
          for (int32_t j = 0; j < 4; ++j) {
            out[oc + j] =
                blocks::Requantize(acc[j], bias ? bias[oc + j] : 0, p.multipliers[oc + j],
                                   p.shifts[oc + j], p.output_offset, p.act_min, p.act_max);
          }
        }
        for (; oc < p.output_c; ++oc) {
          const int32_t a = blocks::Dot(filter + oc * depth, patch, depth);
          out[oc] = blocks::Requantize(a, bias ? bias[oc] : 0, p.multipliers[oc], p.shifts[oc],
                                       p.output_offset, p.act_min, p.act_max);
        }
      }
    }
  }
}

void DepthwiseConvPerChannelInt8(const ConvParams& p, const int8_t* input, const int8_t* filter,
                                 const int32_t* bias, int8_t* output) {
  if (p.depth_multiplier != 1) {
    reference::DepthwiseConvPerChannelInt8(p, input, filter, bias, output);
    return;
  }
  const int32_t channels = p.input_c;
  for (int32_t b = 0; b < p.batches; ++b) {
    const int8_t* image = input + b * p.input_h * p.input_w * channels;
    for (int32_t oy = 0; oy < p.output_h; ++oy) {
      const int32_t in_y0 = oy * p.stride_h - p.pad_h;
      int32_t fy0, fy1;
      ValidTaps(in_y0, p.dilation_h, p.input_h, p.filter_h, &fy0, &fy1);
      for (int32_t ox = 0; ox < p.output_w; ++ox) {
        const int32_t in_x0 = ox * p.stride_w - p.pad_w;
        int32_t fx0, fx1;
        ValidTaps(in_x0, p.dilation_w, p.input_w, p.filter_w, &fx0, &fx1);
        int8_t* out = output + ((b * p.output_h + oy) * p.output_w + ox) * channels;
        int32_t c0 = 0;
        for (; c0 + blocks::kLanes <= channels; c0 += blocks::kLanes) {
          DepthwiseBlock<blocks::kLanes>(p, image, filter, bias, in_y0, fy0, fy1, in_x0, fx0, fx1,
                                         c0, out);
        }
        for (; c0 + blocks::kHalfLanes <= channels; c0 += blocks::kHalfLanes) {
          DepthwiseBlock<blocks::kHalfLanes>(p, image, filter, bias, in_y0, fy0, fy1, in_x0, fx0,
                                             fx1, c0, out);
        }
        for (; c0 < channels; ++c0) {
          int32_t acc = 0;
          for (int32_t fy = fy0; fy < fy1; ++fy) {
            const int8_t* row = image + (in_y0 + p.dilation_h * fy) * p.input_w * channels + c0;
            const int8_t* taps = filter + fy * p.filter_w * channels + c0;
            for (int32_t fx = fx0; fx < fx1; ++fx) {
              acc += static_cast<int32_t>(taps[fx * channels]) *
                     (static_cast<int32_t>(row[(in_x0 + p.dilation_w * fx) * channels]) +
                      p.input_offset);
            }
          }
          out[c0] = blocks::Requantize(acc, bias ? bias[c0] : 0, p.multipliers[c0], p.shifts[c0],
                                       p.output_offset, p.act_min, p.act_max);
        }
      }
    }
  }
}

}  // namespace tinyloop::runtime::optimized
