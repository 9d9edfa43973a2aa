// ADD: Prepare (kernel_util::PrepareBinaryElementwise, then TFLite's int8 rescaling
// multipliers) and Eval adapters onto kernels/reference/add.h.
#include "runtime/kernels/reference/add.h"

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/kernels.h"
#include "runtime/kernels/reference/quantization.h"

namespace tinyloop::runtime {
namespace {

using reference::AddParams;

Status EvalInt8(const OpState& op) {
  reference::AddInt8(*static_cast<const AddParams*>(op.params),
                     static_cast<const int8_t*>(op.inputs[0]),
                     static_cast<const int8_t*>(op.inputs[1]), static_cast<int8_t*>(op.outputs[0]));
  return Status::kOk;
}

Status EvalFloat(const OpState& op) {
  reference::AddFloat(*static_cast<const AddParams*>(op.params),
                      static_cast<const float*>(op.inputs[0]),
                      static_cast<const float*>(op.inputs[1]), static_cast<float*>(op.outputs[0]));
  return Status::kOk;
}

Status QuantizeSmallerThanOne(double real, int32_t* multiplier, int32_t* shift) {
  int s = 0;
  TL_RT_RETURN_IF_ERROR(reference::QuantizeMultiplier(real, multiplier, &s));
  if (s > 0) return Status::kInvalidQuantization;
  *shift = s;
  return Status::kOk;
}

}  // namespace

Status PrepareAdd(PrepareContext& ctx) {
  AddParams* p = nullptr;
  TL_RT_RETURN_IF_ERROR(kernel_util::PrepareBinaryElementwise(ctx, EvalFloat, &p));
  if (p == nullptr) return Status::kOk;  // float
  // TFLite's add_common.cc for int8.
  const TensorInfo& in1 = ctx.input(0);
  const TensorInfo& in2 = ctx.input(1);
  const TensorInfo& output = ctx.output(0);
  p->left_shift = 20;
  const double twice_max_input_scale =
      2 * static_cast<double>(in1.scale > in2.scale ? in1.scale : in2.scale);
  const double real1 = static_cast<double>(in1.scale) / twice_max_input_scale;
  const double real2 = static_cast<double>(in2.scale) / twice_max_input_scale;
  const double real_out =
      twice_max_input_scale / ((1 << p->left_shift) * static_cast<double>(output.scale));
  TL_RT_RETURN_IF_ERROR(QuantizeSmallerThanOne(real1, &p->input1_multiplier, &p->input1_shift));
  TL_RT_RETURN_IF_ERROR(QuantizeSmallerThanOne(real2, &p->input2_multiplier, &p->input2_shift));
  TL_RT_RETURN_IF_ERROR(QuantizeSmallerThanOne(real_out, &p->output_multiplier, &p->output_shift));
  ctx.state()->eval = EvalInt8;
  return Status::kOk;
}

}  // namespace tinyloop::runtime
