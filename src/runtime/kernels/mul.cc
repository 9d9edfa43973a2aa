// MUL: Prepare (kernel_util::PrepareBinaryElementwise, then TFLite's int8 output multiplier
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
  MulParams* p = nullptr;
  TL_RT_RETURN_IF_ERROR(kernel_util::PrepareBinaryElementwise(ctx, EvalFloat, &p));
  if (p == nullptr) return Status::kOk;  // float
  const double real = static_cast<double>(ctx.input(0).scale) *
                      static_cast<double>(ctx.input(1).scale) /
                      static_cast<double>(ctx.output(0).scale);
  int shift = 0;
  TL_RT_RETURN_IF_ERROR(reference::QuantizeMultiplier(real, &p->output_multiplier, &shift));
  p->output_shift = shift;
  ctx.state()->eval = EvalInt8;
  return Status::kOk;
}

}  // namespace tinyloop::runtime
