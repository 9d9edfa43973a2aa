// LOGISTIC and TANH: Prepare (type and fixed output quantization checks, TFLite's input
// rescaling) and Eval adapters onto kernels/reference/activations.h.
#include "runtime/kernels/reference/activations.h"

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/kernels.h"

namespace tinyloop::runtime {
namespace {

using reference::LogisticTanhParams;

template <void (*Fn)(const LogisticTanhParams&, const int8_t*, int8_t*)>
Status EvalInt8(const OpState& op) {
  Fn(*static_cast<const LogisticTanhParams*>(op.params), static_cast<const int8_t*>(op.inputs[0]),
     static_cast<int8_t*>(op.outputs[0]));
  return Status::kOk;
}

template <void (*Fn)(int32_t, const float*, float*)>
Status EvalFloat(const OpState& op) {
  Fn(static_cast<const LogisticTanhParams*>(op.params)->count,
     static_cast<const float*>(op.inputs[0]), static_cast<float*>(op.outputs[0]));
  return Status::kOk;
}

bool NearlyEqual(float a, float b) { return a > b - b * 1e-3f && a < b + b * 1e-3f; }

// The int8 output must be quantized as TFLite requires: logistic [0, 1) with scale 1/256 and
// zero point -128, tanh [-1, 1) with scale 1/128 and zero point 0.
Status PrepareLogisticOrTanh(PrepareContext& ctx, bool logistic) {
  TL_RT_RETURN_IF_ERROR(kernel_util::CheckArity(ctx, 1, 1, 1, 1));
  const TensorInfo& input = ctx.input(0);
  const TensorInfo& output = ctx.output(0);
  if (input.ElementCount() != output.ElementCount()) return Status::kInvalidShape;
  LogisticTanhParams* p = ctx.Allocate<LogisticTanhParams>();
  if (p == nullptr) return Status::kArenaTooSmall;
  p->count = input.ElementCount();
  ctx.state()->params = p;
  if (input.type != output.type) return Status::kUnsupportedType;
  if (input.type == TensorType::kFloat32) {
    ctx.state()->eval =
        logistic ? EvalFloat<reference::LogisticFloat> : EvalFloat<reference::TanhFloat>;
    return Status::kOk;
  }
  if (input.type != TensorType::kInt8) return Status::kUnsupportedType;
  if (!kernel_util::HasInt8Quantization(input) || !kernel_util::HasInt8Quantization(output)) {
    return Status::kInvalidQuantization;
  }
  const bool fixed_output = logistic
                                ? output.zero_point == -128 && NearlyEqual(output.scale, 1.0f / 256)
                                : output.zero_point == 0 && NearlyEqual(output.scale, 1.0f / 128);
  if (!fixed_output) return Status::kInvalidQuantization;
  if (!reference::PrepareLogisticTanhInt8(input.scale, input.zero_point, p)) {
    return Status::kInvalidQuantization;
  }
  ctx.state()->eval = logistic ? EvalInt8<reference::LogisticInt8> : EvalInt8<reference::TanhInt8>;
  return Status::kOk;
}

}  // namespace

Status PrepareLogistic(PrepareContext& ctx) { return PrepareLogisticOrTanh(ctx, true); }

Status PrepareTanh(PrepareContext& ctx) { return PrepareLogisticOrTanh(ctx, false); }

}  // namespace tinyloop::runtime
