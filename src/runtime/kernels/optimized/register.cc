// Prepare functions of the optimized kernels: the reference Prepare (validation, multipliers,
// arena use unchanged), then the int8 Eval swapped for the optimized one.
#include "runtime/kernels/kernels.h"
#include "runtime/kernels/optimized/optimized.h"

namespace tinyloop::runtime {
namespace {

using reference::ConvParams;
using reference::FullyConnectedParams;

Status EvalConv(const OpState& op) {
  optimized::ConvPerChannelInt8(
      *static_cast<const ConvParams*>(op.params), static_cast<const int8_t*>(op.inputs[0]),
      static_cast<const int8_t*>(op.inputs[1]), static_cast<const int32_t*>(op.inputs[2]),
      static_cast<int8_t*>(op.outputs[0]));
  return Status::kOk;
}

Status EvalDepthwise(const OpState& op) {
  optimized::DepthwiseConvPerChannelInt8(
      *static_cast<const ConvParams*>(op.params), static_cast<const int8_t*>(op.inputs[0]),
      static_cast<const int8_t*>(op.inputs[1]), static_cast<const int32_t*>(op.inputs[2]),
      static_cast<int8_t*>(op.outputs[0]));
  return Status::kOk;
}

Status EvalFullyConnected(const OpState& op) {
  optimized::FullyConnectedInt8(
      *static_cast<const FullyConnectedParams*>(op.params),
      static_cast<const int8_t*>(op.inputs[0]), static_cast<const int8_t*>(op.inputs[1]),
      static_cast<const int32_t*>(op.inputs[2]), static_cast<int8_t*>(op.outputs[0]));
  return Status::kOk;
}

// Runs `prepare`, then replaces the Eval when the op computes in int8.
template <Status (*prepare)(PrepareContext&), EvalFn eval>
Status PrepareInt8(PrepareContext& ctx) {
  TL_RT_RETURN_IF_ERROR(prepare(ctx));
  if (ctx.input(0).type == TensorType::kInt8) ctx.state()->eval = eval;
  return Status::kOk;
}

}  // namespace

Status AddOptimizedKernels(OpResolverBase* resolver) {
  TL_RT_RETURN_IF_ERROR(resolver->Add(OpCode::kConv2D, PrepareInt8<PrepareConv2D, EvalConv>));
  TL_RT_RETURN_IF_ERROR(
      resolver->Add(OpCode::kDepthwiseConv2D, PrepareInt8<PrepareDepthwiseConv2D, EvalDepthwise>));
  TL_RT_RETURN_IF_ERROR(resolver->Add(OpCode::kFullyConnected,
                                      PrepareInt8<PrepareFullyConnected, EvalFullyConnected>));
  return Status::kOk;
}

}  // namespace tinyloop::runtime
