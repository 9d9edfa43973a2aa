// RESHAPE, QUANTIZE, DEQUANTIZE and RELU: Prepare and Eval adapters onto
// kernels/reference/elementwise.h.
#include <cstring>

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/kernels.h"
#include "runtime/kernels/reference/elementwise.h"
#include "runtime/kernels/reference/quantization.h"

namespace tinyloop::runtime {
namespace {

using reference::QuantizeParams;

struct CopyParams {
  uint32_t bytes = 0;
};

Status EvalReshape(const OpState& op) {
  const auto* p = static_cast<const CopyParams*>(op.params);
  if (op.outputs[0] != op.inputs[0]) std::memmove(op.outputs[0], op.inputs[0], p->bytes);
  return Status::kOk;
}

Status EvalQuantizeFloat(const OpState& op) {
  reference::QuantizeFloatToInt8(*static_cast<const QuantizeParams*>(op.params),
                                 static_cast<const float*>(op.inputs[0]),
                                 static_cast<int8_t*>(op.outputs[0]));
  return Status::kOk;
}

Status EvalRequantize(const OpState& op) {
  reference::RequantizeInt8(*static_cast<const QuantizeParams*>(op.params),
                            static_cast<const int8_t*>(op.inputs[0]),
                            static_cast<int8_t*>(op.outputs[0]));
  return Status::kOk;
}

Status EvalDequantize(const OpState& op) {
  reference::DequantizeInt8(*static_cast<const QuantizeParams*>(op.params),
                            static_cast<const int8_t*>(op.inputs[0]),
                            static_cast<float*>(op.outputs[0]));
  return Status::kOk;
}

Status EvalRelu(const OpState& op) {
  reference::ReluFloat(static_cast<const QuantizeParams*>(op.params)->count,
                       static_cast<const float*>(op.inputs[0]), static_cast<float*>(op.outputs[0]));
  return Status::kOk;
}

}  // namespace

Status PrepareReshape(PrepareContext& ctx) {
  // The optional second input (the target shape) is already reflected in the output shape.
  TL_RT_RETURN_IF_ERROR(kernel_util::CheckArity(ctx, 1, 2, 1, 1));
  const TensorInfo& input = ctx.input(0);
  const TensorInfo& output = ctx.output(0);
  if (input.type != output.type) return Status::kUnsupportedType;
  if (input.byte_size != output.byte_size) return Status::kInvalidShape;
  CopyParams* p = ctx.Allocate<CopyParams>();
  if (p == nullptr) return Status::kArenaTooSmall;
  p->bytes = input.byte_size;
  ctx.state()->params = p;
  ctx.state()->eval = EvalReshape;
  return Status::kOk;
}

Status PrepareQuantize(PrepareContext& ctx) {
  TL_RT_RETURN_IF_ERROR(kernel_util::CheckArity(ctx, 1, 1, 1, 1));
  const TensorInfo& input = ctx.input(0);
  const TensorInfo& output = ctx.output(0);
  if (input.ElementCount() != output.ElementCount()) return Status::kInvalidShape;
  if (!kernel_util::HasInt8Quantization(output)) return Status::kInvalidQuantization;
  QuantizeParams* p = ctx.Allocate<QuantizeParams>();
  if (p == nullptr) return Status::kArenaTooSmall;
  p->count = input.ElementCount();
  p->scale = output.scale;
  p->zero_point = output.zero_point;
  ctx.state()->params = p;
  if (input.type == TensorType::kFloat32) {
    ctx.state()->eval = EvalQuantizeFloat;
    return Status::kOk;
  }
  if (input.type != TensorType::kInt8) return Status::kUnsupportedType;
  if (!kernel_util::HasInt8Quantization(input)) return Status::kInvalidQuantization;
  p->input_zero_point = input.zero_point;
  int shift = 0;
  TL_RT_RETURN_IF_ERROR(reference::QuantizeMultiplier(
      static_cast<double>(input.scale) / static_cast<double>(output.scale), &p->multiplier,
      &shift));
  p->shift = shift;
  ctx.state()->eval = EvalRequantize;
  return Status::kOk;
}

Status PrepareDequantize(PrepareContext& ctx) {
  TL_RT_RETURN_IF_ERROR(kernel_util::CheckArity(ctx, 1, 1, 1, 1));
  const TensorInfo& input = ctx.input(0);
  const TensorInfo& output = ctx.output(0);
  if (input.ElementCount() != output.ElementCount()) return Status::kInvalidShape;
  if (input.type != TensorType::kInt8 || output.type != TensorType::kFloat32) {
    return Status::kUnsupportedType;
  }
  if (!kernel_util::HasInt8Quantization(input)) return Status::kInvalidQuantization;
  QuantizeParams* p = ctx.Allocate<QuantizeParams>();
  if (p == nullptr) return Status::kArenaTooSmall;
  p->count = input.ElementCount();
  p->scale = input.scale;
  p->zero_point = input.zero_point;
  ctx.state()->params = p;
  ctx.state()->eval = EvalDequantize;
  return Status::kOk;
}

Status PrepareRelu(PrepareContext& ctx) {
  TL_RT_RETURN_IF_ERROR(kernel_util::CheckArity(ctx, 1, 1, 1, 1));
  const TensorInfo& input = ctx.input(0);
  const TensorInfo& output = ctx.output(0);
  if (input.ElementCount() != output.ElementCount()) return Status::kInvalidShape;
  if (input.type != TensorType::kFloat32 || output.type != TensorType::kFloat32) {
    return Status::kUnsupportedType;
  }
  QuantizeParams* p = ctx.Allocate<QuantizeParams>();
  if (p == nullptr) return Status::kArenaTooSmall;
  p->count = input.ElementCount();
  ctx.state()->params = p;
  ctx.state()->eval = EvalRelu;
  return Status::kOk;
}

Status AddReferenceKernels(OpResolverBase* resolver) {
  const OpResolverBase::Entry kernels[] = {
      {OpCode::kConv2D, PrepareConv2D},
      {OpCode::kDepthwiseConv2D, PrepareDepthwiseConv2D},
      {OpCode::kFullyConnected, PrepareFullyConnected},
      {OpCode::kAveragePool2D, PrepareAveragePool2D},
      {OpCode::kMaxPool2D, PrepareMaxPool2D},
      {OpCode::kMean, PrepareMean},
      {OpCode::kAdd, PrepareAdd},
      {OpCode::kSoftmax, PrepareSoftmax},
      {OpCode::kReshape, PrepareReshape},
      {OpCode::kQuantize, PrepareQuantize},
      {OpCode::kDequantize, PrepareDequantize},
      {OpCode::kRelu, PrepareRelu},
      {OpCode::kMul, PrepareMul},
      {OpCode::kLogistic, PrepareLogistic},
      {OpCode::kTanh, PrepareTanh},
  };
  static_assert(sizeof(kernels) / sizeof(kernels[0]) == kReferenceKernelCount, "count");
  for (const auto& k : kernels) TL_RT_RETURN_IF_ERROR(resolver->Add(k.op, k.prepare));
  return Status::kOk;
}

}  // namespace tinyloop::runtime
