#include "runtime/kernels/reference/conv.h"

#include "runtime/kernels/reference/fixed_point.h"

namespace tinyloop::runtime::reference {
namespace {

inline int32_t Clamp(int32_t v, int32_t lo, int32_t hi) { return v < lo ? lo : (v > hi ? hi : v); }
inline float ClampF(float v, float lo, float hi) { return v < lo ? lo : (v > hi ? hi : v); }

}  // namespace

void ConvPerChannelInt8(const ConvParams& p, const int8_t* input, const int8_t* filter,
                        const int32_t* bias, int8_t* output) {
  const int32_t groups = p.input_c / p.filter_c;
  const int32_t filters_per_group = p.output_c / groups;
  for (int32_t b = 0; b < p.batches; ++b) {
    for (int32_t oy = 0; oy < p.output_h; ++oy) {
      const int32_t in_y_origin = oy * p.stride_h - p.pad_h;
      for (int32_t ox = 0; ox < p.output_w; ++ox) {
        const int32_t in_x_origin = ox * p.stride_w - p.pad_w;
        int8_t* out = output + ((b * p.output_h + oy) * p.output_w + ox) * p.output_c;
        for (int32_t oc = 0; oc < p.output_c; ++oc) {
          const int32_t group_base = (oc / filters_per_group) * p.filter_c;
          int32_t acc = 0;
          for (int32_t fy = 0; fy < p.filter_h; ++fy) {
            const int32_t in_y = in_y_origin + p.dilation_h * fy;
            if (in_y < 0 || in_y >= p.input_h) continue;
            for (int32_t fx = 0; fx < p.filter_w; ++fx) {
              const int32_t in_x = in_x_origin + p.dilation_w * fx;
              if (in_x < 0 || in_x >= p.input_w) continue;
              const int8_t* in =
                  input + ((b * p.input_h + in_y) * p.input_w + in_x) * p.input_c + group_base;
              const int8_t* f = filter + ((oc * p.filter_h + fy) * p.filter_w + fx) * p.filter_c;
              for (int32_t ic = 0; ic < p.filter_c; ++ic) {
                acc +=
                    static_cast<int32_t>(f[ic]) * (static_cast<int32_t>(in[ic]) + p.input_offset);
              }
            }
          }
          if (bias) acc = WrappingAdd(acc, bias[oc]);
          acc = MultiplyByQuantizedMultiplier(acc, p.multipliers[oc], p.shifts[oc]);
          acc = WrappingAdd(acc, p.output_offset);
          out[oc] = static_cast<int8_t>(Clamp(acc, p.act_min, p.act_max));
        }
      }
    }
  }
}

void ConvFloat(const ConvParams& p, const float* input, const float* filter, const float* bias,
               float* output) {
  const int32_t groups = p.input_c / p.filter_c;
  const int32_t filters_per_group = p.output_c / groups;
  for (int32_t b = 0; b < p.batches; ++b) {
    for (int32_t oy = 0; oy < p.output_h; ++oy) {
      const int32_t in_y_origin = oy * p.stride_h - p.pad_h;
      for (int32_t ox = 0; ox < p.output_w; ++ox) {
        const int32_t in_x_origin = ox * p.stride_w - p.pad_w;
        float* out = output + ((b * p.output_h + oy) * p.output_w + ox) * p.output_c;
        for (int32_t oc = 0; oc < p.output_c; ++oc) {
          const int32_t group_base = (oc / filters_per_group) * p.filter_c;
          float total = 0.0f;
          for (int32_t fy = 0; fy < p.filter_h; ++fy) {
            const int32_t in_y = in_y_origin + p.dilation_h * fy;
            if (in_y < 0 || in_y >= p.input_h) continue;
            for (int32_t fx = 0; fx < p.filter_w; ++fx) {
              const int32_t in_x = in_x_origin + p.dilation_w * fx;
              if (in_x < 0 || in_x >= p.input_w) continue;
              const float* in =
                  input + ((b * p.input_h + in_y) * p.input_w + in_x) * p.input_c + group_base;
              const float* f = filter + ((oc * p.filter_h + fy) * p.filter_w + fx) * p.filter_c;
              for (int32_t ic = 0; ic < p.filter_c; ++ic) total += in[ic] * f[ic];
            }
          }
          const float bias_value = bias ? bias[oc] : 0.0f;
          out[oc] = ClampF(total + bias_value, p.float_min, p.float_max);
        }
      }
    }
  }
}

void DepthwiseConvPerChannelInt8(const ConvParams& p, const int8_t* input, const int8_t* filter,
                                 const int32_t* bias, int8_t* output) {
  for (int32_t b = 0; b < p.batches; ++b) {
    for (int32_t oy = 0; oy < p.output_h; ++oy) {
      const int32_t in_y_origin = oy * p.stride_h - p.pad_h;
      for (int32_t ox = 0; ox < p.output_w; ++ox) {
        const int32_t in_x_origin = ox * p.stride_w - p.pad_w;
        int8_t* out = output + ((b * p.output_h + oy) * p.output_w + ox) * p.output_c;
        for (int32_t ic = 0; ic < p.input_c; ++ic) {
          for (int32_t m = 0; m < p.depth_multiplier; ++m) {
            const int32_t oc = m + ic * p.depth_multiplier;
            int32_t acc = 0;
            for (int32_t fy = 0; fy < p.filter_h; ++fy) {
              const int32_t in_y = in_y_origin + p.dilation_h * fy;
              if (in_y < 0 || in_y >= p.input_h) continue;
              for (int32_t fx = 0; fx < p.filter_w; ++fx) {
                const int32_t in_x = in_x_origin + p.dilation_w * fx;
                if (in_x < 0 || in_x >= p.input_w) continue;
                const int32_t in_val =
                    input[((b * p.input_h + in_y) * p.input_w + in_x) * p.input_c + ic];
                const int32_t f_val = filter[(fy * p.filter_w + fx) * p.output_c + oc];
                acc += f_val * (in_val + p.input_offset);
              }
            }
            if (bias) acc = WrappingAdd(acc, bias[oc]);
            acc = MultiplyByQuantizedMultiplier(acc, p.multipliers[oc], p.shifts[oc]);
            acc = WrappingAdd(acc, p.output_offset);
            out[oc] = static_cast<int8_t>(Clamp(acc, p.act_min, p.act_max));
          }
        }
      }
    }
  }
}

void DepthwiseConvFloat(const ConvParams& p, const float* input, const float* filter,
                        const float* bias, float* output) {
  for (int32_t b = 0; b < p.batches; ++b) {
    for (int32_t oy = 0; oy < p.output_h; ++oy) {
      const int32_t in_y_origin = oy * p.stride_h - p.pad_h;
      for (int32_t ox = 0; ox < p.output_w; ++ox) {
        const int32_t in_x_origin = ox * p.stride_w - p.pad_w;
        float* out = output + ((b * p.output_h + oy) * p.output_w + ox) * p.output_c;
        for (int32_t ic = 0; ic < p.input_c; ++ic) {
          for (int32_t m = 0; m < p.depth_multiplier; ++m) {
            const int32_t oc = m + ic * p.depth_multiplier;
            float total = 0.0f;
            for (int32_t fy = 0; fy < p.filter_h; ++fy) {
              const int32_t in_y = in_y_origin + p.dilation_h * fy;
              if (in_y < 0 || in_y >= p.input_h) continue;
              for (int32_t fx = 0; fx < p.filter_w; ++fx) {
                const int32_t in_x = in_x_origin + p.dilation_w * fx;
                if (in_x < 0 || in_x >= p.input_w) continue;
                total += input[((b * p.input_h + in_y) * p.input_w + in_x) * p.input_c + ic] *
                         filter[(fy * p.filter_w + fx) * p.output_c + oc];
              }
            }
            const float bias_value = bias ? bias[oc] : 0.0f;
            out[oc] = ClampF(total + bias_value, p.float_min, p.float_max);
          }
        }
      }
    }
  }
}

}  // namespace tinyloop::runtime::reference
