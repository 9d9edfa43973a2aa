// FULLY_CONNECTED: Prepare (shapes, TFLite's multiplier derivation) and Eval adapters onto
// kernels/reference/fully_connected.h.
#include "runtime/kernels/reference/fully_connected.h"

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/kernels.h"
#include "runtime/kernels/reference/quantization.h"

namespace tinyloop::runtime {
namespace {

using reference::FullyConnectedParams;

Status EvalInt8(const OpState& op) {
  reference::FullyConnectedInt8(
      *static_cast<const FullyConnectedParams*>(op.params),
      static_cast<const int8_t*>(op.inputs[0]), static_cast<const int8_t*>(op.inputs[1]),
      static_cast<const int32_t*>(op.inputs[2]), static_cast<int8_t*>(op.outputs[0]));
  return Status::kOk;
}

Status EvalFloat(const OpState& op) {
  reference::FullyConnectedFloat(
      *static_cast<const FullyConnectedParams*>(op.params), static_cast<const float*>(op.inputs[0]),
      static_cast<const float*>(op.inputs[1]), static_cast<const float*>(op.inputs[2]),
      static_cast<float*>(op.outputs[0]));
  return Status::kOk;
}

}  // namespace

Status PrepareFullyConnected(PrepareContext& ctx) {
  TL_RT_RETURN_IF_ERROR(kernel_util::CheckArity(ctx, 2, 3, 2, 1));
  const TensorInfo& input = ctx.input(0);
  const TensorInfo& weights = ctx.input(1);
  const TensorInfo& output = ctx.output(0);
  if (weights.rank != 2 || input.rank < 1) return Status::kInvalidShape;
  FullyConnectedParams* p = ctx.Allocate<FullyConnectedParams>();
  if (p == nullptr) return Status::kArenaTooSmall;
  p->units = weights.dims[0];
  p->accum_depth = weights.dims[1];
  if (p->accum_depth > kernel_util::kMaxAccumulationDepth) return Status::kInvalidShape;
  if (input.ElementCount() % p->accum_depth != 0) return Status::kInvalidShape;
  p->batches = input.ElementCount() / p->accum_depth;
  if (output.rank < 1 || output.dims[output.rank - 1] != p->units ||
      output.ElementCount() != p->batches * p->units) {
    return Status::kInvalidShape;
  }
  if (ctx.HasInput(2) && ctx.input(2).ElementCount() != p->units) return Status::kInvalidShape;
  ctx.state()->params = p;
  const FusedActivation activation = ctx.op().activation;

  if (input.type == TensorType::kFloat32) {
    if (weights.type != TensorType::kFloat32 || output.type != TensorType::kFloat32 ||
        (ctx.HasInput(2) && ctx.input(2).type != TensorType::kFloat32)) {
      return Status::kUnsupportedType;
    }
    reference::ActivationRangeFloat(activation, &p->float_min, &p->float_max);
    ctx.state()->eval = EvalFloat;
    return Status::kOk;
  }
  if (input.type != TensorType::kInt8 || weights.type != TensorType::kInt8 ||
      output.type != TensorType::kInt8 ||
      (ctx.HasInput(2) && ctx.input(2).type != TensorType::kInt32)) {
    return Status::kUnsupportedType;
  }
  if (!kernel_util::HasInt8Quantization(input) || !kernel_util::HasInt8Quantization(output)) {
    return Status::kInvalidQuantization;
  }
  p->input_offset = -input.zero_point;
  p->output_offset = output.zero_point;
  if (weights.channel_count > 0) {
    TL_RT_RETURN_IF_ERROR(kernel_util::PerChannelMultipliers(ctx, input, weights, output, p->units,
                                                             0, &p->multipliers, &p->shifts));
  } else {
    if (!(weights.scale > 0.0f) || weights.zero_point != 0) return Status::kInvalidQuantization;
    // TFLite's GetQuantizedConvolutionMultipler: the scale product is taken in float.
    const double real =
        static_cast<double>(input.scale * weights.scale) / static_cast<double>(output.scale);
    int shift = 0;
    TL_RT_RETURN_IF_ERROR(reference::QuantizeMultiplier(real, &p->multiplier, &shift));
    p->shift = shift;
  }
  TL_RT_RETURN_IF_ERROR(reference::ActivationRangeInt8(activation, output.scale, output.zero_point,
                                                       &p->act_min, &p->act_max));
  ctx.state()->eval = EvalInt8;
  return Status::kOk;
}

}  // namespace tinyloop::runtime
