// Cortex-M4 int8 ADD (int8_kernels.h): without broadcasting (both inputs laid out like the
// output) one flat loop whose three requantizations per element are the one-SMLAL output stage
// of dsp.h, constants computed once per call. Broadcasting adds call the reference kernel.
#include <cstdint>

#include "runtime/kernels/cortex_m4/dsp.h"
#include "runtime/kernels/cortex_m4/int8_kernels.h"
#include "runtime/kernels/cortex_m4/requantize.h"

namespace tinyloop::runtime::cortex_m4 {
namespace {

// Whether `strides` walks a tensor of shape `dims` in row-major order (dims of 1 ignored).
bool Contiguous(const int32_t* dims, const int32_t* strides) {
  int32_t expected = 1;
  for (int32_t d = 3; d >= 0; --d) {
    if (dims[d] != 1 && strides[d] != expected) return false;
    expected *= dims[d];
  }
  return true;
}

template <bool kFullRange>
void FlatAdd(const reference::AddParams& p, const int8_t* in1, const int8_t* in2, int8_t* out,
             int32_t count) {
  const ChannelRequant q1 = MakeChannelRequant(p.input1_multiplier, p.input1_shift);
  const ChannelRequant q2 = MakeChannelRequant(p.input2_multiplier, p.input2_shift);
  const ChannelRequant qo = MakeChannelRequant(p.output_multiplier, p.output_shift);
  const OutputStage o{p.output_offset, p.act_min, p.act_max};
  const int32_t off1 = p.input1_offset, off2 = p.input2_offset, left_shift = p.left_shift;
  for (int32_t i = 0; i < count; ++i) {
    // As the reference: (offset + x) * 2^left_shift, |offset + x| <= 255, left_shift 20.
    const int32_t shifted1 = (off1 + in1[i]) * (1 << left_shift);
    const int32_t shifted2 = (off2 + in2[i]) * (1 << left_shift);
    const int32_t sum = reference::WrappingAdd(RequantM4(shifted1, q1), RequantM4(shifted2, q2));
    out[i] = static_cast<int8_t>(Finish<kFullRange>(RequantM4(sum, qo), o));
  }
}

}  // namespace

void AddInt8(const reference::AddParams& params, const int8_t* input1, const int8_t* input2,
             int8_t* output) {
  // A local copy: the int8 output stores could alias `params`, which would reload every field.
  const auto p = params;
  if (!Contiguous(p.dims, p.strides1) || !Contiguous(p.dims, p.strides2)) {
    reference::AddInt8(p, input1, input2, output);
    return;
  }
  const int32_t count = p.dims[0] * p.dims[1] * p.dims[2] * p.dims[3];
  if (OutputStage{p.output_offset, p.act_min, p.act_max}.FullRange()) {
    FlatAdd<true>(p, input1, input2, output, count);
  } else {
    FlatAdd<false>(p, input1, input2, output, count);
  }
}

}  // namespace tinyloop::runtime::cortex_m4
