// The reference kernels' Prepare functions (one per op code) and a helper that registers all
// of them. Each Prepare validates shapes/types/quantization and selects a reference Eval from
// kernels/reference/; an optimized kernel can reuse a Prepare and swap only the Eval.
#pragma once

#include "runtime/kernel_api.h"
#include "runtime/op_resolver.h"
#include "runtime/status.h"

namespace tinyloop::runtime {

Status PrepareConv2D(PrepareContext& ctx);
Status PrepareDepthwiseConv2D(PrepareContext& ctx);
Status PrepareFullyConnected(PrepareContext& ctx);
Status PrepareAveragePool2D(PrepareContext& ctx);
Status PrepareMaxPool2D(PrepareContext& ctx);
Status PrepareMean(PrepareContext& ctx);
Status PrepareAdd(PrepareContext& ctx);
Status PrepareSoftmax(PrepareContext& ctx);
Status PrepareReshape(PrepareContext& ctx);
Status PrepareQuantize(PrepareContext& ctx);
Status PrepareDequantize(PrepareContext& ctx);
Status PrepareRelu(PrepareContext& ctx);
Status PrepareMul(PrepareContext& ctx);
Status PrepareLogistic(PrepareContext& ctx);
Status PrepareTanh(PrepareContext& ctx);

// Number of op codes AddReferenceKernels registers.
inline constexpr size_t kReferenceKernelCount = 15;

// Registers every reference kernel. kResolverFull if `resolver` has too little capacity.
Status AddReferenceKernels(OpResolverBase* resolver);

}  // namespace tinyloop::runtime
