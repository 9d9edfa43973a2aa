// MUL: Prepare (broadcast strides, TFLite's int8 output multiplier for
// input1_scale * input2_scale / output_scale) and Eval adapters onto kernels/reference/mul.h.
#include "runtime/kernels/reference/mul.h"

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/kernels.h"
#include "runtime/kernels/reference/quantization.h"

namespace tinyloop::runtime {
namespace {

using reference::MulParams;

Status EvalInt8(const OpState& op) {
  reference::MulInt8(*static_cast<const MulParams*>(op.params),
                     static_cast<const int8_t*>(op.inputs[0]),
                     static_cast<const int8_t*>(op.inputs[1]), static_cast<int8_t*>(op.outputs[0]));
  return Status::kOk;
}

Status EvalFloat(const OpState& op) {
  reference::MulFloat(*static_cast<const MulParams*>(op.params),
                      static_cast<const float*>(op.inputs[0]),
                      static_cast<const float*>(op.inputs[1]), static_cast<float*>(op.outputs[0]));
  return Status::kOk;
}

}  // namespace

Status PrepareMul(PrepareContext& ctx) {
  TL_RT_RETURN_IF_ERROR(kernel_util::CheckArity(ctx, 2, 2, 2, 1));
  const TensorInfo& in1 = ctx.input(0);
  const TensorInfo& in2 = ctx.input(1);
  const TensorInfo& output = ctx.output(0);
  MulParams* p = ctx.Allocate<MulParams>();
  if (p == nullptr) return Status::kArenaTooSmall;
  TL_RT_RETURN_IF_ERROR(kernel_util::PrepareBroadcast(ctx, p));
  ctx.state()->params = p;
  if (in1.type != in2.type || in1.type != output.type) return Status::kUnsupportedType;
  const FusedActivation activation = ctx.op().activation;
  if (in1.type == TensorType::kFloat32) {
    reference::ActivationRangeFloat(activation, &p->float_min, &p->float_max);
    ctx.state()->eval = EvalFloat;
    return Status::kOk;
  }
  if (in1.type != TensorType::kInt8) return Status::kUnsupportedType;
  if (!kernel_util::HasInt8Quantization(in1) || !kernel_util::HasInt8Quantization(in2) ||
      !kernel_util::HasInt8Quantization(output)) {
    return Status::kInvalidQuantization;
  }
  p->input1_offset = -in1.zero_point;
  p->input2_offset = -in2.zero_point;
  p->output_offset = output.zero_point;
  const double real = static_cast<double>(in1.scale) * static_cast<double>(in2.scale) /
                      static_cast<double>(output.scale);
  int shift = 0;
  TL_RT_RETURN_IF_ERROR(reference::QuantizeMultiplier(real, &p->output_multiplier, &shift));
  p->output_shift = shift;
  TL_RT_RETURN_IF_ERROR(reference::ActivationRangeInt8(activation, output.scale, output.zero_point,
                                                       &p->act_min, &p->act_max));
  ctx.state()->eval = EvalInt8;
  return Status::kOk;
}

}  // namespace tinyloop::runtime
