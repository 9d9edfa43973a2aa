// Optimized int8 kernels: CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED, bit-exact with the
// reference math in kernels/reference/ and written so the compiler vectorizes the inner loops.
// AddOptimizedKernels() registers them over the reference kernels of the same op codes; they
// reuse the reference Prepare (same validation, same arena use) and swap only the int8 Eval.
#pragma once

#include <cstdint>

#include "runtime/kernels/reference/conv.h"
#include "runtime/kernels/reference/fully_connected.h"
#include "runtime/op_resolver.h"
#include "runtime/status.h"

namespace tinyloop::runtime {

// Number of op codes AddOptimizedKernels registers (all of them replace reference entries).
inline constexpr size_t kOptimizedKernelCount = 3;

// Registers the optimized kernels; call after AddReferenceKernels so they replace those.
Status AddOptimizedKernels(OpResolverBase* resolver);

namespace optimized {

// Same contracts and results as the reference functions of the same names; shapes outside the
// fast paths (grouped convolutions, patches above blocks::kMaxPatch, non-zero filter offsets)
// run the reference function. Output rows are produced in ascending order and row `oy` reads
// no input row before oy * stride_h - pad_h, so the output may overlap the input as the memory
// planner allows (see model/runtime_program.h).
void ConvPerChannelInt8(const reference::ConvParams& p, const int8_t* input, const int8_t* filter,
                        const int32_t* bias, int8_t* output);
void DepthwiseConvPerChannelInt8(const reference::ConvParams& p, const int8_t* input,
                                 const int8_t* filter, const int32_t* bias, int8_t* output);
void FullyConnectedInt8(const reference::FullyConnectedParams& p, const int8_t* input,
                        const int8_t* weights, const int32_t* bias, int8_t* output);

}  // namespace optimized
}  // namespace tinyloop::runtime
