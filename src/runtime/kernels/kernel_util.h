// Prepare-time checks shared by the reference kernels: arity, types, shapes, quantization and
// per-channel multipliers. Internal to src/runtime/kernels.
#pragma once

#include <cstdint>

#include "runtime/kernel_api.h"
#include "runtime/kernels/reference/quantization.h"
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

// The part of Prepare that binary elementwise ops share (ADD, MUL): two inputs and one output,
// all float32 or all int8; params (dims[4], strides1[4], strides2[4], the offsets, act_min/max,
// float_min/max) allocated in the arena with the output shape right-aligned to 4D and NumPy
// broadcast strides of both inputs; the fused activation's range. A float op is complete here
// (eval = `eval_float`, *int8_params = nullptr). For int8 the per-tensor quantization is checked
// and the zero-point offsets set; *int8_params is the params, and the caller adds its
// multipliers and its int8 eval.
template <typename Params>
Status PrepareBinaryElementwise(PrepareContext& ctx, EvalFn eval_float, Params** int8_params) {
  *int8_params = nullptr;
  TL_RT_RETURN_IF_ERROR(CheckArity(ctx, 2, 2, 2, 1));
  const TensorInfo& in1 = ctx.input(0);
  const TensorInfo& in2 = ctx.input(1);
  const TensorInfo& output = ctx.output(0);
  Params* p = ctx.Allocate<Params>();
  if (p == nullptr) return Status::kArenaTooSmall;
  if (output.rank > 4) return Status::kInvalidShape;
  for (int32_t i = 0; i < output.rank; ++i) p->dims[4 - output.rank + i] = output.dims[i];
  if (!BroadcastStrides(in1, p->dims, p->strides1) ||
      !BroadcastStrides(in2, p->dims, p->strides2)) {
    return Status::kInvalidShape;
  }
  ctx.state()->params = p;
  if (in1.type != in2.type || in1.type != output.type) return Status::kUnsupportedType;
  const FusedActivation activation = ctx.op().activation;
  if (in1.type == TensorType::kFloat32) {
    reference::ActivationRangeFloat(activation, &p->float_min, &p->float_max);
    ctx.state()->eval = eval_float;
    return Status::kOk;
  }
  if (in1.type != TensorType::kInt8) return Status::kUnsupportedType;
  if (!HasInt8Quantization(in1) || !HasInt8Quantization(in2) || !HasInt8Quantization(output)) {
    return Status::kInvalidQuantization;
  }
  p->input1_offset = -in1.zero_point;
  p->input2_offset = -in2.zero_point;
  p->output_offset = output.zero_point;
  TL_RT_RETURN_IF_ERROR(reference::ActivationRangeInt8(activation, output.scale, output.zero_point,
                                                       &p->act_min, &p->act_max));
  *int8_params = p;
  return Status::kOk;
}

// Per-channel output multipliers/shifts of a conv-like op (TFLite's
// PopulateConvolutionQuantizationParams): input_scale * filter_scale[c] / output_scale in double.
// The filter is per-tensor (broadcast) or per-channel with `channels` scales along `axis`.
Status PerChannelMultipliers(PrepareContext& ctx, const TensorInfo& input, const TensorInfo& filter,
                             const TensorInfo& output, int32_t channels, int32_t axis,
                             const int32_t** multipliers, const int8_t** shifts);

}  // namespace tinyloop::runtime::kernel_util
