// AVERAGE_POOL_2D, MAX_POOL_2D and MEAN (over H and W; int8 and float32): Prepare and Eval
// adapters onto kernels/reference/pooling.h.
#include "runtime/kernels/reference/pooling.h"

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/kernels.h"
#include "runtime/kernels/reference/quantization.h"

namespace tinyloop::runtime {
namespace {

using reference::MeanParams;
using reference::PoolParams;

constexpr int32_t kMaxWindow = 1 << 12;

template <void (*Fn)(const PoolParams&, const int8_t*, int8_t*)>
Status EvalInt8(const OpState& op) {
  Fn(*static_cast<const PoolParams*>(op.params), static_cast<const int8_t*>(op.inputs[0]),
     static_cast<int8_t*>(op.outputs[0]));
  return Status::kOk;
}

template <void (*Fn)(const PoolParams&, const float*, float*)>
Status EvalFloat(const OpState& op) {
  Fn(*static_cast<const PoolParams*>(op.params), static_cast<const float*>(op.inputs[0]),
     static_cast<float*>(op.outputs[0]));
  return Status::kOk;
}

Status EvalMeanFloat(const OpState& op) {
  reference::MeanHwFloat(*static_cast<const MeanParams*>(op.params),
                         static_cast<const float*>(op.inputs[0]),
                         static_cast<float*>(op.outputs[0]));
  return Status::kOk;
}

Status EvalMeanInt8(const OpState& op) {
  reference::MeanHwInt8(*static_cast<const MeanParams*>(op.params),
                        static_cast<const int8_t*>(op.inputs[0]),
                        static_cast<int8_t*>(op.outputs[0]));
  return Status::kOk;
}

Status PreparePool(PrepareContext& ctx, bool average) {
  TL_RT_RETURN_IF_ERROR(kernel_util::CheckArity(ctx, 1, 1, 1, 1));
  const TensorInfo& input = ctx.input(0);
  const TensorInfo& output = ctx.output(0);
  const OpInfo& op = ctx.op();
  if (input.rank != 4 || output.rank != 4) return Status::kInvalidShape;
  if (op.stride_h > kMaxWindow || op.stride_w > kMaxWindow || op.filter_h > kMaxWindow ||
      op.filter_w > kMaxWindow) {
    return Status::kInvalidOptions;
  }
  PoolParams* p = ctx.Allocate<PoolParams>();
  if (p == nullptr) return Status::kArenaTooSmall;
  p->batches = input.dims[0];
  p->input_h = input.dims[1];
  p->input_w = input.dims[2];
  p->channels = input.dims[3];
  p->output_h = output.dims[1];
  p->output_w = output.dims[2];
  p->filter_h = op.filter_h;
  p->filter_w = op.filter_w;
  p->stride_h = op.stride_h;
  p->stride_w = op.stride_w;
  if (output.dims[0] != p->batches || output.dims[3] != p->channels) return Status::kInvalidShape;
  if (reference::ComputeOutputSize(op.padding, p->input_h, p->filter_h, p->stride_h, 1) !=
          p->output_h ||
      reference::ComputeOutputSize(op.padding, p->input_w, p->filter_w, p->stride_w, 1) !=
          p->output_w) {
    return Status::kInvalidShape;
  }
  if (static_cast<int64_t>(p->filter_h) * p->filter_w > kernel_util::kMaxAccumulationDepth) {
    return Status::kInvalidShape;
  }
  p->pad_h = reference::ComputePadding(p->stride_h, 1, p->input_h, p->filter_h, p->output_h);
  p->pad_w = reference::ComputePadding(p->stride_w, 1, p->input_w, p->filter_w, p->output_w);
  ctx.state()->params = p;
  if (input.type != output.type) return Status::kUnsupportedType;
  if (input.type == TensorType::kFloat32) {
    reference::ActivationRangeFloat(op.activation, &p->float_min, &p->float_max);
    ctx.state()->eval =
        average ? EvalFloat<reference::AveragePoolFloat> : EvalFloat<reference::MaxPoolFloat>;
    return Status::kOk;
  }
  if (input.type != TensorType::kInt8) return Status::kUnsupportedType;
  if (!kernel_util::HasInt8Quantization(input) || !kernel_util::HasInt8Quantization(output)) {
    return Status::kInvalidQuantization;
  }
  TL_RT_RETURN_IF_ERROR(reference::ActivationRangeInt8(
      op.activation, output.scale, output.zero_point, &p->act_min, &p->act_max));
  ctx.state()->eval =
      average ? EvalInt8<reference::AveragePoolInt8> : EvalInt8<reference::MaxPoolInt8>;
  return Status::kOk;
}

}  // namespace

Status PrepareAveragePool2D(PrepareContext& ctx) { return PreparePool(ctx, true); }

Status PrepareMaxPool2D(PrepareContext& ctx) { return PreparePool(ctx, false); }

Status PrepareMean(PrepareContext& ctx) {
  TL_RT_RETURN_IF_ERROR(kernel_util::CheckArity(ctx, 2, 2, 2, 1));
  const TensorInfo& input = ctx.input(0);
  const TensorInfo& axes = ctx.input(1);
  const TensorInfo& output = ctx.output(0);
  // Global average pooling only: a constant int32 axes tensor holding {1, 2} in any order.
  if (input.rank != 4 || axes.type != TensorType::kInt32 ||
      axes.storage != TensorStorage::kConstant || axes.ElementCount() != 2) {
    return Status::kInvalidShape;
  }
  const int32_t* axis = static_cast<const int32_t*>(ctx.state()->inputs[1]);
  const bool hw = (axis[0] == 1 && axis[1] == 2) || (axis[0] == 2 && axis[1] == 1);
  if (!hw) return Status::kInvalidShape;
  if (output.ElementCount() != input.dims[0] * input.dims[3]) return Status::kInvalidShape;
  if (static_cast<int64_t>(input.dims[1]) * input.dims[2] > kernel_util::kMaxAccumulationDepth ||
      input.dims[1] * input.dims[2] == 0) {
    return Status::kInvalidShape;
  }
  MeanParams* p = ctx.Allocate<MeanParams>();
  if (p == nullptr) return Status::kArenaTooSmall;
  p->batches = input.dims[0];
  p->input_h = input.dims[1];
  p->input_w = input.dims[2];
  p->channels = input.dims[3];
  ctx.state()->params = p;
  if (input.type != output.type) return Status::kUnsupportedType;
  if (input.type == TensorType::kFloat32) {
    ctx.state()->eval = EvalMeanFloat;
    return Status::kOk;
  }
  if (input.type != TensorType::kInt8) return Status::kUnsupportedType;
  if (!kernel_util::HasInt8Quantization(input) || !kernel_util::HasInt8Quantization(output)) {
    return Status::kInvalidQuantization;
  }
  // TFLite Micro runs keep_dims MEAN over H and W through a different integer kernel; tinyloop
  // emits keep_dims false only, so that variant is not implemented.
  if (ctx.op().keep_dims) return Status::kInvalidOptions;
  p->same_quantization = input.zero_point == output.zero_point && input.scale == output.scale;
  p->output_zero_point = output.zero_point;
  p->scale = input.scale / output.scale;
  p->bias = static_cast<float>(-input.zero_point) * p->scale;
  ctx.state()->eval = EvalMeanInt8;
  return Status::kOk;
}

}  // namespace tinyloop::runtime
