// CONV_2D and DEPTHWISE_CONV_2D: Prepare (validation, padding, per-channel multipliers) and the
// Eval adapters onto kernels/reference/conv.h.
#include "runtime/kernels/reference/conv.h"

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/kernels.h"
#include "runtime/kernels/reference/quantization.h"

namespace tinyloop::runtime {
namespace {

using reference::ConvParams;

constexpr int32_t kMaxWindow = 1 << 12;  // stride, dilation and filter extent bound

Status EvalConvInt8(const OpState& op) {
  reference::ConvPerChannelInt8(
      *static_cast<const ConvParams*>(op.params), static_cast<const int8_t*>(op.inputs[0]),
      static_cast<const int8_t*>(op.inputs[1]), static_cast<const int32_t*>(op.inputs[2]),
      static_cast<int8_t*>(op.outputs[0]));
  return Status::kOk;
}

Status EvalConvFloat(const OpState& op) {
  reference::ConvFloat(*static_cast<const ConvParams*>(op.params),
                       static_cast<const float*>(op.inputs[0]),
                       static_cast<const float*>(op.inputs[1]),
                       static_cast<const float*>(op.inputs[2]), static_cast<float*>(op.outputs[0]));
  return Status::kOk;
}

Status EvalDepthwiseInt8(const OpState& op) {
  reference::DepthwiseConvPerChannelInt8(
      *static_cast<const ConvParams*>(op.params), static_cast<const int8_t*>(op.inputs[0]),
      static_cast<const int8_t*>(op.inputs[1]), static_cast<const int32_t*>(op.inputs[2]),
      static_cast<int8_t*>(op.outputs[0]));
  return Status::kOk;
}

Status EvalDepthwiseFloat(const OpState& op) {
  reference::DepthwiseConvFloat(
      *static_cast<const ConvParams*>(op.params), static_cast<const float*>(op.inputs[0]),
      static_cast<const float*>(op.inputs[1]), static_cast<const float*>(op.inputs[2]),
      static_cast<float*>(op.outputs[0]));
  return Status::kOk;
}

// Shared part of both convolutions: shapes, window, padding, types, activation range.
// `depthwise` selects the filter layout [1, kh, kw, out_c] instead of [out_c, kh, kw, in_c].
Status PrepareConvCommon(PrepareContext& ctx, bool depthwise) {
  TL_RT_RETURN_IF_ERROR(kernel_util::CheckArity(ctx, 2, 3, 2, 1));
  const TensorInfo& input = ctx.input(0);
  const TensorInfo& filter = ctx.input(1);
  const TensorInfo& output = ctx.output(0);
  const OpInfo& op = ctx.op();
  if (input.rank != 4 || filter.rank != 4 || output.rank != 4) return Status::kInvalidShape;
  if (op.stride_h > kMaxWindow || op.stride_w > kMaxWindow || op.dilation_h > kMaxWindow ||
      op.dilation_w > kMaxWindow || filter.dims[1] > kMaxWindow || filter.dims[2] > kMaxWindow) {
    return Status::kInvalidOptions;
  }
  ConvParams* p = ctx.Allocate<ConvParams>();
  if (p == nullptr) return Status::kArenaTooSmall;
  p->batches = input.dims[0];
  p->input_h = input.dims[1];
  p->input_w = input.dims[2];
  p->input_c = input.dims[3];
  p->filter_h = filter.dims[1];
  p->filter_w = filter.dims[2];
  p->output_h = output.dims[1];
  p->output_w = output.dims[2];
  p->output_c = output.dims[3];
  p->stride_h = op.stride_h;
  p->stride_w = op.stride_w;
  p->dilation_h = op.dilation_h;
  p->dilation_w = op.dilation_w;
  if (output.dims[0] != p->batches) return Status::kInvalidShape;
  if (depthwise) {
    if (filter.dims[0] != 1 || filter.dims[3] != p->output_c) return Status::kInvalidShape;
    if (p->output_c % p->input_c != 0) return Status::kInvalidShape;
    p->depth_multiplier = p->output_c / p->input_c;
    p->filter_c = 1;
  } else {
    if (filter.dims[0] != p->output_c) return Status::kInvalidShape;
    p->filter_c = filter.dims[3];
    if (p->input_c % p->filter_c != 0) return Status::kInvalidShape;
    const int32_t groups = p->input_c / p->filter_c;
    if (p->output_c % groups != 0) return Status::kInvalidShape;
  }
  const int64_t depth = static_cast<int64_t>(p->filter_h) * p->filter_w * p->filter_c;
  if (depth > kernel_util::kMaxAccumulationDepth) return Status::kInvalidShape;
  const int32_t out_h =
      reference::ComputeOutputSize(op.padding, p->input_h, p->filter_h, p->stride_h, p->dilation_h);
  const int32_t out_w =
      reference::ComputeOutputSize(op.padding, p->input_w, p->filter_w, p->stride_w, p->dilation_w);
  if (out_h != p->output_h || out_w != p->output_w) return Status::kInvalidShape;
  p->pad_h =
      reference::ComputePadding(p->stride_h, p->dilation_h, p->input_h, p->filter_h, p->output_h);
  p->pad_w =
      reference::ComputePadding(p->stride_w, p->dilation_w, p->input_w, p->filter_w, p->output_w);
  if (ctx.HasInput(2)) {
    const TensorInfo& bias = ctx.input(2);
    if (bias.ElementCount() != p->output_c) return Status::kInvalidShape;
  }
  ctx.state()->params = p;

  if (input.type == TensorType::kFloat32) {
    if (filter.type != TensorType::kFloat32 || output.type != TensorType::kFloat32 ||
        (ctx.HasInput(2) && ctx.input(2).type != TensorType::kFloat32)) {
      return Status::kUnsupportedType;
    }
    reference::ActivationRangeFloat(op.activation, &p->float_min, &p->float_max);
    ctx.state()->eval = depthwise ? EvalDepthwiseFloat : EvalConvFloat;
    return Status::kOk;
  }
  if (input.type != TensorType::kInt8 || filter.type != TensorType::kInt8 ||
      output.type != TensorType::kInt8 ||
      (ctx.HasInput(2) && ctx.input(2).type != TensorType::kInt32)) {
    return Status::kUnsupportedType;
  }
  if (!kernel_util::HasInt8Quantization(input) || !kernel_util::HasInt8Quantization(output)) {
    return Status::kInvalidQuantization;
  }
  p->input_offset = -input.zero_point;
  p->output_offset = output.zero_point;
  TL_RT_RETURN_IF_ERROR(reference::ActivationRangeInt8(
      op.activation, output.scale, output.zero_point, &p->act_min, &p->act_max));
  TL_RT_RETURN_IF_ERROR(kernel_util::PerChannelMultipliers(
      ctx, input, filter, output, p->output_c, depthwise ? 3 : 0, &p->multipliers, &p->shifts));
  ctx.state()->eval = depthwise ? EvalDepthwiseInt8 : EvalConvInt8;
  return Status::kOk;
}

}  // namespace

Status PrepareConv2D(PrepareContext& ctx) { return PrepareConvCommon(ctx, false); }

Status PrepareDepthwiseConv2D(PrepareContext& ctx) { return PrepareConvCommon(ctx, true); }

}  // namespace tinyloop::runtime
