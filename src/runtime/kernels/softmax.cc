// SOFTMAX: Prepare (TFLite's softmax input scaling) and Eval adapters onto
// kernels/reference/softmax.h.
#include "runtime/kernels/reference/softmax.h"

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/kernels.h"

namespace tinyloop::runtime {
namespace {

using reference::SoftmaxParams;

Status EvalInt8(const OpState& op) {
  reference::SoftmaxInt8(*static_cast<const SoftmaxParams*>(op.params),
                         static_cast<const int8_t*>(op.inputs[0]),
                         static_cast<int8_t*>(op.outputs[0]));
  return Status::kOk;
}

Status EvalFloat(const OpState& op) {
  reference::SoftmaxFloat(*static_cast<const SoftmaxParams*>(op.params),
                          static_cast<const float*>(op.inputs[0]),
                          static_cast<float*>(op.outputs[0]));
  return Status::kOk;
}

}  // namespace

Status PrepareSoftmax(PrepareContext& ctx) {
  TL_RT_RETURN_IF_ERROR(kernel_util::CheckArity(ctx, 1, 1, 1, 1));
  const TensorInfo& input = ctx.input(0);
  const TensorInfo& output = ctx.output(0);
  if (input.rank < 1 || !kernel_util::SameShape(input, output)) return Status::kInvalidShape;
  SoftmaxParams* p = ctx.Allocate<SoftmaxParams>();
  if (p == nullptr) return Status::kArenaTooSmall;
  p->depth = input.dims[input.rank - 1];
  p->outer = input.ElementCount() / p->depth;
  p->beta = ctx.op().beta;
  ctx.state()->params = p;
  if (input.type == TensorType::kFloat32 && output.type == TensorType::kFloat32) {
    ctx.state()->eval = EvalFloat;
    return Status::kOk;
  }
  if (input.type != TensorType::kInt8 || output.type != TensorType::kInt8) {
    return Status::kUnsupportedType;
  }
  if (!kernel_util::HasInt8Quantization(input) || !kernel_util::HasInt8Quantization(output)) {
    return Status::kInvalidQuantization;
  }
  // TFLite requires the int8 output to be quantized as [0, 1) with 256 steps.
  if (output.zero_point != -128 || output.scale < 1.0f / 256 - 0.001f / 256 ||
      output.scale > 1.0f / 256 + 0.001f / 256) {
    return Status::kInvalidQuantization;
  }
  if (!reference::PrepareSoftmaxInt8(p->beta, input.scale, p)) {
    return Status::kInvalidQuantization;
  }
  ctx.state()->eval = EvalInt8;
  return Status::kOk;
}

}  // namespace tinyloop::runtime
