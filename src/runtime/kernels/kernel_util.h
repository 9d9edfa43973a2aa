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

// The output shape (right-aligned to 4D) and both inputs' broadcast strides of a binary
// elementwise op, into params with dims[4], strides1[4] and strides2[4] (ADD, MUL).
// kInvalidShape when the output has rank > 4 or an input does not broadcast to it.
template <typename Params>
Status PrepareBroadcast(const PrepareContext& ctx, Params* p) {
  const TensorInfo& output = ctx.output(0);
  if (output.rank > 4) return Status::kInvalidShape;
  for (int32_t i = 0; i < output.rank; ++i) p->dims[4 - output.rank + i] = output.dims[i];
  if (!BroadcastStrides(ctx.input(0), p->dims, p->strides1) ||
      !BroadcastStrides(ctx.input(1), p->dims, p->strides2)) {
    return Status::kInvalidShape;
  }
  return Status::kOk;
}

// Per-tensor int8 quantization present and sane (scale > 0, zero point in int8 range).
bool HasInt8Quantization(const TensorInfo& t);

// Per-channel output multipliers/shifts of a conv-like op (TFLite's
// PopulateConvolutionQuantizationParams): input_scale * filter_scale[c] / output_scale in double.
// The filter is per-tensor (broadcast) or per-channel with `channels` scales along `axis`.
Status PerChannelMultipliers(PrepareContext& ctx, const TensorInfo& input, const TensorInfo& filter,
                             const TensorInfo& output, int32_t channels, int32_t axis,
                             const int32_t** multipliers, const int8_t** shifts);

}  // namespace tinyloop::runtime::kernel_util
