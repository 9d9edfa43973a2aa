// Cortex-M4 int8 CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and ADD: the same math and bytes as
// reference/conv.h, reference/fully_connected.h and reference/add.h, with the M4 DSP extension
// (dual 16-bit MACs, SSAT). conv.cc, depthwise_conv.cc, fully_connected.cc and add.cc need
// arm_acle.h (Cortex-M4 only); on any other target int8_kernels_portable.cc provides the same
// functions by calling the reference kernels.
#pragma once

#include <cstdint>

#include "runtime/kernels/reference/add.h"
#include "runtime/kernels/reference/conv.h"
#include "runtime/kernels/reference/fully_connected.h"

namespace tinyloop::runtime::cortex_m4 {

void ConvPerChannelInt8(const reference::ConvParams& p, const int8_t* input, const int8_t* filter,
                        const int32_t* bias, int8_t* output);
void DepthwiseConvPerChannelInt8(const reference::ConvParams& p, const int8_t* input,
                                 const int8_t* filter, const int32_t* bias, int8_t* output);
void FullyConnectedInt8(const reference::FullyConnectedParams& p, const int8_t* input,
                        const int8_t* weights, const int32_t* bias, int8_t* output);
void AddInt8(const reference::AddParams& p, const int8_t* input1, const int8_t* input2,
             int8_t* output);

}  // namespace tinyloop::runtime::cortex_m4
