// The resource report of a model: arena bytes (offline plan), weight bytes, flash estimate,
// op counts, multiply-accumulates and estimated cycles per target. `tinyloop compile --json`
// prints it and the model card's hardware fields come from it. Host-only.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "base/json.h"
#include "model/ir.h"

namespace tinyloop::model {

struct ResourceReport {
  std::string target;                // what the figures describe, e.g. "cpp-lib", "cortex-m4"
  uint64_t arena_bytes = 0;          // activation arena planned by PlanActivations (RAM)
  uint64_t weights_bytes = 0;        // bytes of constant tensors the ops read
  uint64_t code_bytes_estimate = 0;  // kernels + generated calls, see EstimateCodeBytes
  uint64_t flash_bytes = 0;     // measured (flash_measured) or weights + params + code estimate
  bool flash_measured = false;  // true when flash_bytes is arm-none-eabi-size text+data
  uint64_t ram_bytes = 0;       // measured data+bss of a built firmware; 0 when not built
  uint64_t macs = 0;            // multiply-accumulates per inference (conv, depthwise, FC)
  std::map<std::string, int64_t> ops;  // op counts by TFLite name, e.g. {"CONV_2D": 5}
  // Estimated cycles per inference by target ("cortex-m4", "host"), see EstimateCycles.
  std::map<std::string, uint64_t> estimated_cycles;
};

// Multiply-accumulates of one op: CONV_2D out_elements x kh x kw x in_channels_per_group,
// DEPTHWISE_CONV_2D out_elements x kh x kw, FULLY_CONNECTED batches x units x depth; 0 for
// every other op (they are counted as element operations by the cycle model).
uint64_t OpMacs(const Graph& g, const Op& op);

// Output elements of ops without MACs (pooling windows count each input read once).
uint64_t OpElementOps(const Graph& g, const Op& op);

// A simple documented cycle model of the reference kernels: cycles = macs x c_mac +
// element_ops x c_elem + ops x c_op, with per target (c_mac, c_elem, c_op):
// "cortex-m4" (16, 12, 200), from TFLM's reference-kernel instruction counts on the MLPerf
// Tiny models (TFLM_CORTEX_M4.md: 10-19 instructions per MAC); "host" (3, 2, 100) for x86-64 at
// -O2. Instructions, not stall cycles: a real M4 with flash wait states needs more.
uint64_t EstimateCycles(const Graph& g, const std::string& target);

// Flash for code of a generated library on a Cortex-M4 at -O2: a fixed part (startup, the
// library's glue, memcpy) plus each distinct reference kernel file used plus ~24 bytes per op.
uint64_t EstimateCodeBytes(const Graph& g);

// Report for `g` with flash_bytes = weights + per-channel parameters + code estimate.
// Precondition: ValidateGraph(g) is ok.
ResourceReport ComputeResourceReport(const Graph& g, const std::string& target);

// {"target","arena_bytes","weights_bytes","flash_bytes","flash_measured","code_bytes_estimate",
//  "ram_bytes","macs","ops":{...},"estimated_cycles":{...}}
Json ResourceReportJson(const ResourceReport& report);

}  // namespace tinyloop::model
