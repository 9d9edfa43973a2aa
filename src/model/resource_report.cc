#include "model/resource_report.h"

#include <set>

#include "model/runtime_program.h"

namespace tinyloop::model {
namespace {

struct CycleModel {
  const char* target;
  uint64_t per_mac, per_element, per_op;
};

constexpr CycleModel kCycleModels[] = {
    {"cortex-m4", 16, 12, 200},
    {"host", 3, 2, 100},
};

int64_t Dim(const Tensor& t, size_t i) {
  return i < t.shape.size() ? static_cast<int64_t>(t.shape[i]) : 1;
}

// Code bytes of each reference kernel at -O2 for a Cortex-M4 (the int8 paths; from the
// symbol sizes of the generated kws firmware: conv + depthwise 1.2 KB, softmax 1.6 KB).
uint64_t KernelCodeBytes(OpType type) {
  switch (type) {
    case OpType::kConv2D:
    case OpType::kDepthwiseConv2D:
      return 1200;
    case OpType::kFullyConnected:
      return 500;
    case OpType::kAveragePool2D:
    case OpType::kMaxPool2D:
    case OpType::kMean:
      return 400;
    case OpType::kAdd:
    case OpType::kMul:
      return 500;
    case OpType::kLogistic:
    case OpType::kTanh:
      return 900;  // the fixed-point exp and reciprocal
    case OpType::kSoftmax:
      return 1600;  // with the fixed-point exp and reciprocal
    case OpType::kQuantize:
    case OpType::kDequantize:
    case OpType::kRelu:
      return 300;
    default:
      return 0;
  }
}

}  // namespace

uint64_t OpMacs(const Graph& g, const Op& op) {
  if (op.inputs.size() < 2 || op.outputs.empty() || op.inputs[1] < 0) return 0;
  const Tensor& out = g.tensors[op.outputs[0]];
  const Tensor& filter = g.tensors[op.inputs[1]];
  const uint64_t out_elements = static_cast<uint64_t>(out.element_count());
  switch (op.type) {
    case OpType::kConv2D:
      return out_elements * static_cast<uint64_t>(Dim(filter, 1) * Dim(filter, 2) * Dim(filter, 3));
    case OpType::kDepthwiseConv2D:
      return out_elements * static_cast<uint64_t>(Dim(filter, 1) * Dim(filter, 2));
    case OpType::kFullyConnected:
      return out_elements * static_cast<uint64_t>(Dim(filter, 1));
    default:
      return 0;
  }
}

uint64_t OpElementOps(const Graph& g, const Op& op) {
  if (OpMacs(g, op) > 0 || op.outputs.empty()) return 0;
  const uint64_t out = static_cast<uint64_t>(g.tensors[op.outputs[0]].element_count());
  switch (op.type) {
    case OpType::kAveragePool2D:
    case OpType::kMaxPool2D:
      return out * static_cast<uint64_t>(op.options.filter_h) *
             static_cast<uint64_t>(op.options.filter_w);
    case OpType::kMean:
      return static_cast<uint64_t>(g.tensors[op.inputs[0]].element_count());
    case OpType::kReshape:
      return out / 4;  // a memcpy
    default:
      return out;
  }
}

uint64_t EstimateCycles(const Graph& g, const std::string& target) {
  for (const CycleModel& m : kCycleModels) {
    if (target != m.target) continue;
    uint64_t cycles = 0;
    for (const Op& op : g.ops) {
      cycles += OpMacs(g, op) * m.per_mac + OpElementOps(g, op) * m.per_element + m.per_op;
    }
    return cycles;
  }
  return 0;
}

uint64_t EstimateCodeBytes(const Graph& g) {
  uint64_t bytes = 1000;  // startup, tinyloop_run glue, memcpy/memmove
  std::set<OpType> types;
  for (const Op& op : g.ops) {
    types.insert(op.type);
    bytes += 24;
  }
  for (OpType t : types) {
    const bool conv = t == OpType::kConv2D || t == OpType::kDepthwiseConv2D;
    bytes += conv ? KernelCodeBytes(t) / 2 : KernelCodeBytes(t);
  }
  return bytes;
}

ResourceReport ComputeResourceReport(const Graph& g, const std::string& target) {
  ResourceReport r;
  r.target = target;
  r.arena_bytes = PlanActivations(g).bytes;
  std::set<int32_t> constants;
  uint64_t param_bytes = 0;
  for (const Op& op : g.ops) {
    ++r.ops[OpTypeName(op.type)];
    r.macs += OpMacs(g, op);
    for (int32_t id : op.inputs) {
      if (id >= 0 && g.tensors[id].is_constant()) constants.insert(id);
    }
    param_bytes += 96;  // the op's parameter struct
    if (op.type == OpType::kConv2D || op.type == OpType::kDepthwiseConv2D ||
        op.type == OpType::kFullyConnected) {
      const Tensor& out = g.tensors[op.outputs[0]];
      param_bytes += 5 * static_cast<uint64_t>(Dim(out, out.shape.size() - 1));
    }
  }
  for (int32_t id : constants) r.weights_bytes += g.tensors[id].data.size();
  r.code_bytes_estimate = EstimateCodeBytes(g);
  r.flash_bytes = r.weights_bytes + param_bytes + r.code_bytes_estimate;
  for (const CycleModel& m : kCycleModels)
    r.estimated_cycles[m.target] = EstimateCycles(g, m.target);
  return r;
}

Json ResourceReportJson(const ResourceReport& report) {
  Json ops = Json::object();
  for (const auto& [name, count] : report.ops) ops[name] = count;
  Json cycles = Json::object();
  for (const auto& [target, c] : report.estimated_cycles) cycles[target] = c;
  return Json{{"target", report.target},
              {"arena_bytes", report.arena_bytes},
              {"weights_bytes", report.weights_bytes},
              {"flash_bytes", report.flash_bytes},
              {"flash_measured", report.flash_measured},
              {"code_bytes_estimate", report.code_bytes_estimate},
              {"ram_bytes", report.ram_bytes},
              {"macs", report.macs},
              {"ops", ops},
              {"estimated_cycles", cycles}};
}

}  // namespace tinyloop::model
