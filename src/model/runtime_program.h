// Lowering of a model IR Graph to the runtime program bytes (runtime/program_format.h) that
// src/runtime executes, with an offline memory planner for activation tensors: lifetimes from
// the op order, in-place sharing where a kernel allows it, first-fit offsets in several orders,
// 16-byte aligned. Host-only.
#pragma once

#include <cstdint>
#include <vector>

#include "base/status.h"
#include "model/ir.h"

namespace tinyloop::model {

// Where each activation tensor lives in the arena.
struct MemoryPlan {
  std::vector<int64_t> offsets;  // per Graph tensor; -1 for constants and unused tensors
  uint32_t bytes = 0;            // size of the activation area (multiple of 16)
};

// Plans the activation area: two tensors share bytes only when their lifetimes (first writer to
// last reader; graph inputs from the start, graph outputs to the end) do not overlap, or when an
// op's output overlaps an input whose lifetime ends at that op and the kernel allows it:
// RESHAPE (same bytes, no copy), ADD without broadcasting (in place), and batch-1 CONV_2D /
// DEPTHWISE_CONV_2D with the output starting WindowOverlapGap bytes below the input.
// Precondition: ValidateGraph(g) is ok.
MemoryPlan PlanActivations(const Graph& g);

// The kernel contract that makes conv outputs overlap their inputs: output rows are written in
// ascending order and output row oy reads no input row before max(0, oy * stride - pad). Then an
// output that starts at least this many bytes below its input never overwrites input bytes that
// are still to be read (the reference and the optimized kernels both keep the contract).
int64_t WindowOverlapGap(int64_t input_row_bytes, int64_t output_row_bytes, int64_t output_rows,
                         int64_t stride, int64_t pad);

struct RuntimeProgram {
  std::vector<uint8_t> bytes;     // the program; place it at a 16-byte aligned address
  uint32_t activation_bytes = 0;  // planned activation area
  uint32_t arena_bytes = 0;       // activations + interpreter state, measured by a host Prepare
  uint32_t constant_bytes = 0;    // size of the constant data section
};

// Lowers `g` and checks the result by preparing it in the host runtime.
// Errors: InvalidArgument when the graph is invalid or the runtime rejects an op (naming the op
// and the runtime status); Unimplemented for ops the runtime has no kernel for.
StatusOr<RuntimeProgram> LowerToRuntimeProgram(const Graph& g);

}  // namespace tinyloop::model
