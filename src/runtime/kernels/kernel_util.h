// Prepare-time checks shared by the reference kernels: arity, types, shapes, quantization and
// per-channel multipliers. Internal to src/runtime/kernels.
#pragma once

#include <cstdint>

#include "runtime/kernel_api.h"
#include "runtime/status.h"

namespace tinyloop::runtime::kernel_util {

// Upper bound on products accumulated into one int32 (keeps int8 sums from overflowing).
inline constexpr int32_t kMaxAccumulationDepth = 1 << 16;

// kInvalidShape unless input_count in [min_inputs, max_inputs], output_count == outputs and
// the first `required` inputs are present.
Status CheckArity(const PrepareContext& ctx, int32_t min_inputs, int32_t max_inputs,
                  int32_t required, int32_t outputs);

bool SameShape(const TensorInfo& a, const TensorInfo& b);

// Element strides of `t` (right-aligned to 4D) over the 4D output `dims`, 0 along broadcast
// axes (NumPy broadcasting). False when `t` has rank > 4 or does not broadcast to `dims`.
bool BroadcastStrides(const TensorInfo& t, const int32_t dims[4], int32_t strides[4]);

// Per-tensor int8 quantization present and sane (scale > 0, zero point in int8 range).
bool HasInt8Quantization(const TensorInfo& t);

// Per-channel output multipliers/shifts of a conv-like op (TFLite's
// PopulateConvolutionQuantizationParams): input_scale * filter_scale[c] / output_scale in double.
// The filter is per-tensor (broadcast) or per-channel with `channels` scales along `axis`.
Status PerChannelMultipliers(PrepareContext& ctx, const TensorInfo& input, const TensorInfo& filter,
                             const TensorInfo& output, int32_t channels, int32_t axis,
                             const int32_t** multipliers, const int8_t** shifts);

}  // namespace tinyloop::runtime::kernel_util
