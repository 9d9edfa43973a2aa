#include "runtime/kernels/reference/pooling.h"

#include <cmath>

namespace tinyloop::runtime::reference {
namespace {

inline int32_t Max(int32_t a, int32_t b) { return a > b ? a : b; }
inline int32_t Min(int32_t a, int32_t b) { return a < b ? a : b; }

// Calls body(b, oy, ox, c, fy_begin, fy_end, fx_begin, fx_end, in_y_origin, in_x_origin, out_index)
// for each output element; the window is clipped to the image as TFLite does.
template <typename Body>
void ForEachWindow(const PoolParams& p, Body body) {
  for (int32_t b = 0; b < p.batches; ++b) {
    for (int32_t oy = 0; oy < p.output_h; ++oy) {
      const int32_t in_y_origin = oy * p.stride_h - p.pad_h;
      const int32_t fy_begin = Max(0, -in_y_origin);
      const int32_t fy_end = Min(p.filter_h, p.input_h - in_y_origin);
      for (int32_t ox = 0; ox < p.output_w; ++ox) {
        const int32_t in_x_origin = ox * p.stride_w - p.pad_w;
        const int32_t fx_begin = Max(0, -in_x_origin);
        const int32_t fx_end = Min(p.filter_w, p.input_w - in_x_origin);
        const int32_t out_base = ((b * p.output_h + oy) * p.output_w + ox) * p.channels;
        for (int32_t c = 0; c < p.channels; ++c) {
          body(b, c, fy_begin, fy_end, fx_begin, fx_end, in_y_origin, in_x_origin, out_base + c);
        }
      }
    }
  }
}

template <typename T>
inline const T& At(const PoolParams& p, const T* input, int32_t b, int32_t y, int32_t x,
                   int32_t c) {
  return input[((b * p.input_h + y) * p.input_w + x) * p.channels + c];
}

}  // namespace

void AveragePoolInt8(const PoolParams& p, const int8_t* input, int8_t* output) {
  ForEachWindow(p, [&](int32_t b, int32_t c, int32_t fy0, int32_t fy1, int32_t fx0, int32_t fx1,
                       int32_t iy, int32_t ix, int32_t out) {
    int32_t acc = 0;
    int32_t count = 0;
    for (int32_t fy = fy0; fy < fy1; ++fy) {
      for (int32_t fx = fx0; fx < fx1; ++fx) {
        acc += At(p, input, b, iy + fy, ix + fx, c);
        ++count;
      }
    }
    if (count == 0) count = 1;  // unreachable after Prepare; avoids a division by zero
    acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
    acc = Max(acc, p.act_min);
    acc = Min(acc, p.act_max);
    output[out] = static_cast<int8_t>(acc);
  });
}

void AveragePoolFloat(const PoolParams& p, const float* input, float* output) {
  ForEachWindow(p, [&](int32_t b, int32_t c, int32_t fy0, int32_t fy1, int32_t fx0, int32_t fx1,
                       int32_t iy, int32_t ix, int32_t out) {
    float total = 0.0f;
    float count = 0.0f;
    for (int32_t fy = fy0; fy < fy1; ++fy) {
      for (int32_t fx = fx0; fx < fx1; ++fx) {
        total += At(p, input, b, iy + fy, ix + fx, c);
        count += 1.0f;
      }
    }
    const float v = count > 0.0f ? total / count : 0.0f;
    output[out] = v < p.float_min ? p.float_min : (v > p.float_max ? p.float_max : v);
  });
}

void MaxPoolInt8(const PoolParams& p, const int8_t* input, int8_t* output) {
  ForEachWindow(p, [&](int32_t b, int32_t c, int32_t fy0, int32_t fy1, int32_t fx0, int32_t fx1,
                       int32_t iy, int32_t ix, int32_t out) {
    int32_t m = -128;
    for (int32_t fy = fy0; fy < fy1; ++fy) {
      for (int32_t fx = fx0; fx < fx1; ++fx) m = Max(m, At(p, input, b, iy + fy, ix + fx, c));
    }
    m = Max(m, p.act_min);
    m = Min(m, p.act_max);
    output[out] = static_cast<int8_t>(m);
  });
}

void MaxPoolFloat(const PoolParams& p, const float* input, float* output) {
  ForEachWindow(p, [&](int32_t b, int32_t c, int32_t fy0, int32_t fy1, int32_t fx0, int32_t fx1,
                       int32_t iy, int32_t ix, int32_t out) {
    float m = -3.402823466e38f;
    for (int32_t fy = fy0; fy < fy1; ++fy) {
      for (int32_t fx = fx0; fx < fx1; ++fx) {
        const float v = At(p, input, b, iy + fy, ix + fx, c);
        m = v > m ? v : m;
      }
    }
    output[out] = m < p.float_min ? p.float_min : (m > p.float_max ? p.float_max : m);
  });
}

void MeanHwFloat(const MeanParams& p, const float* input, float* output) {
  const float count = static_cast<float>(p.input_h * p.input_w);
  for (int32_t b = 0; b < p.batches; ++b) {
    for (int32_t c = 0; c < p.channels; ++c) {
      float total = 0.0f;
      for (int32_t y = 0; y < p.input_h; ++y) {
        for (int32_t x = 0; x < p.input_w; ++x) {
          total += input[((b * p.input_h + y) * p.input_w + x) * p.channels + c];
        }
      }
      output[b * p.channels + c] = total / count;
    }
  }
}

void MeanHwInt8(const MeanParams& p, const int8_t* input, int8_t* output) {
  const int32_t count = p.input_h * p.input_w;
  for (int32_t b = 0; b < p.batches; ++b) {
    for (int32_t c = 0; c < p.channels; ++c) {
      int32_t sum = 0;
      for (int32_t y = 0; y < p.input_h; ++y) {
        for (int32_t x = 0; x < p.input_w; ++x) {
          sum += input[((b * p.input_h + y) * p.input_w + x) * p.channels + c];
        }
      }
      if (p.same_quantization) {
        output[b * p.channels + c] = static_cast<int8_t>(sum / count);
        continue;
      }
      const float mean = static_cast<float>(sum) / static_cast<float>(count);
      float result = std::round(mean * p.scale + p.bias) + static_cast<float>(p.output_zero_point);
      result = result > 127.0f ? 127.0f : result;
      result = result < -128.0f ? -128.0f : result;
      output[b * p.channels + c] = static_cast<int8_t>(result);
    }
  }
}

}  // namespace tinyloop::runtime::reference
