// Portable build of int8_kernels.h: the reference kernels themselves (host and non-DSP targets).
#include "runtime/kernels/cortex_m4/int8_kernels.h"

namespace tinyloop::runtime::cortex_m4 {

void ConvPerChannelInt8(const reference::ConvParams& p, const int8_t* input, const int8_t* filter,
                        const int32_t* bias, int8_t* output) {
  reference::ConvPerChannelInt8(p, input, filter, bias, output);
}

void DepthwiseConvPerChannelInt8(const reference::ConvParams& p, const int8_t* input,
                                 const int8_t* filter, const int32_t* bias, int8_t* output) {
  reference::DepthwiseConvPerChannelInt8(p, input, filter, bias, output);
}

void FullyConnectedInt8(const reference::FullyConnectedParams& p, const int8_t* input,
                        const int8_t* weights, const int32_t* bias, int8_t* output) {
  reference::FullyConnectedInt8(p, input, weights, bias, output);
}

void AddInt8(const reference::AddParams& p, const int8_t* input1, const int8_t* input2,
             int8_t* output) {
  reference::AddInt8(p, input1, input2, output);
}

}  // namespace tinyloop::runtime::cortex_m4
