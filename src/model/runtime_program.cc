#include "model/runtime_program.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <string>

#include "model/graph_validate.h"
#include "runtime/interpreter.h"
#include "runtime/kernels/kernels.h"
#include "runtime/kernels/reference/quantization.h"
#include "runtime/program_format.h"

namespace tinyloop::model {
namespace {

namespace rt = tinyloop::runtime;

constexpr uint32_t kAlign = rt::kDataAlignment;

uint64_t AlignUp(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

class ByteWriter {
 public:
  explicit ByteWriter(std::vector<uint8_t>* out) : out_(out) {}
  void U8(uint8_t v) { out_->push_back(v); }
  void U16(uint16_t v) {
    U8(static_cast<uint8_t>(v));
    U8(static_cast<uint8_t>(v >> 8));
  }
  void U32(uint32_t v) {
    U16(static_cast<uint16_t>(v));
    U16(static_cast<uint16_t>(v >> 16));
  }
  void I16(int16_t v) { U16(static_cast<uint16_t>(v)); }
  void I32(int32_t v) { U32(static_cast<uint32_t>(v)); }
  void F32(float f) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    U32(bits);
  }

 private:
  std::vector<uint8_t>* out_;
};

StatusOr<rt::OpCode> ToOpCode(OpType type, size_t index) {
  switch (type) {
    case OpType::kConv2D:
      return rt::OpCode::kConv2D;
    case OpType::kDepthwiseConv2D:
      return rt::OpCode::kDepthwiseConv2D;
    case OpType::kFullyConnected:
      return rt::OpCode::kFullyConnected;
    case OpType::kAveragePool2D:
      return rt::OpCode::kAveragePool2D;
    case OpType::kMaxPool2D:
      return rt::OpCode::kMaxPool2D;
    case OpType::kAdd:
      return rt::OpCode::kAdd;
    case OpType::kReshape:
      return rt::OpCode::kReshape;
    case OpType::kSoftmax:
      return rt::OpCode::kSoftmax;
    case OpType::kQuantize:
      return rt::OpCode::kQuantize;
    case OpType::kDequantize:
      return rt::OpCode::kDequantize;
    case OpType::kMean:
      return rt::OpCode::kMean;
    case OpType::kRelu:
      return rt::OpCode::kRelu;
    case OpType::kMul:
      return rt::OpCode::kMul;
    case OpType::kLogistic:
      return rt::OpCode::kLogistic;
    case OpType::kTanh:
      return rt::OpCode::kTanh;
    default:
      return UnimplementedError("operator " + std::to_string(index) + ": the runtime has no " +
                                OpTypeName(type) + " kernel");
  }
}

rt::TensorType ToTensorType(DType t) {
  switch (t) {
    case DType::kFloat32:
      return rt::TensorType::kFloat32;
    case DType::kInt8:
      return rt::TensorType::kInt8;
    case DType::kInt16:
      return rt::TensorType::kInt16;
    case DType::kInt32:
      return rt::TensorType::kInt32;
    case DType::kUint8:
      return rt::TensorType::kUint8;
    case DType::kInt64:
      return rt::TensorType::kInt64;
    case DType::kBool:
      return rt::TensorType::kBool;
  }
  return rt::TensorType::kFloat32;
}

rt::FusedActivation ToFusedActivation(Activation a) {
  switch (a) {
    case Activation::kNone:
      return rt::FusedActivation::kNone;
    case Activation::kRelu:
      return rt::FusedActivation::kRelu;
    case Activation::kRelu6:
      return rt::FusedActivation::kRelu6;
    case Activation::kReluN1To1:
      return rt::FusedActivation::kReluN1To1;
  }
  return rt::FusedActivation::kNone;
}

// Inputs the runtime op reads: RESHAPE's shape tensor is folded into the output shape.
std::vector<int32_t> RuntimeInputs(const Op& op) {
  if (op.type == OpType::kReshape) return {op.inputs[0]};
  return op.inputs;
}

// Applies `visit(tensor_id, op_index)` to every tensor an op reads or writes.
template <typename Fn>
void ForEachUse(const Graph& g, Fn visit) {
  for (size_t i = 0; i < g.ops.size(); ++i) {
    for (int32_t id : RuntimeInputs(g.ops[i])) {
      if (id >= 0) visit(id, static_cast<int64_t>(i));
    }
    for (int32_t id : g.ops[i].outputs) visit(id, static_cast<int64_t>(i));
  }
}

// Bytes by which op `op`'s output may start below its input `input` while sharing memory with
// it, or -1 when the two must not overlap. See WindowOverlapGap for the window ops; ADD (same
// shape, no broadcast) and RESHAPE read element i before writing element i.
int64_t OverlapGap(const Graph& g, const Op& op, int32_t input) {
  const Tensor& in = g.tensors[input];
  const Tensor& out = g.tensors[op.outputs[0]];
  if (in.type != out.type) return -1;
  switch (op.type) {
    case OpType::kReshape:
      return in.byte_size() == out.byte_size() ? 0 : -1;
    case OpType::kAdd:
      return in.shape == out.shape ? 0 : -1;
    case OpType::kConv2D:
    case OpType::kDepthwiseConv2D: {
      if (op.inputs.size() < 2 || op.inputs[0] != input || op.inputs[1] < 0) return -1;
      const Tensor& filter = g.tensors[op.inputs[1]];
      if (in.shape.size() != 4 || out.shape.size() != 4 || filter.shape.size() != 4 ||
          in.shape[0] != 1 || out.shape[0] != 1) {
        return -1;
      }
      const int64_t esize = DTypeSize(in.type);
      const auto& o = op.options;
      const int64_t pad = rt::reference::ComputePadding(o.stride_h, o.dilation_h, in.shape[1],
                                                        filter.shape[1], out.shape[1]);
      return WindowOverlapGap(in.shape[2] * in.shape[3] * esize,
                              out.shape[2] * out.shape[3] * esize, out.shape[1], o.stride_h, pad);
    }
    default:
      return -1;
  }
}

// A chain of tensors that share memory at fixed relative offsets (an op's output `gap` bytes
// below its dying input), placed as one unit; a tensor that shares nothing is a chain of one.
struct Chain {
  std::vector<std::pair<int32_t, uint64_t>> members;  // tensor, offset from the chain's base
  uint64_t extent = 0;
  int64_t first = 0;  // earliest member use
};

}  // namespace

int64_t WindowOverlapGap(int64_t input_row_bytes, int64_t output_row_bytes, int64_t output_rows,
                         int64_t stride, int64_t pad) {
  int64_t gap = 0;
  for (int64_t oy = 0; oy < output_rows; ++oy) {
    const int64_t first_read_row = std::max<int64_t>(0, oy * stride - pad);
    gap = std::max(gap, (oy + 1) * output_row_bytes - first_read_row * input_row_bytes);
  }
  return gap;
}

MemoryPlan PlanActivations(const Graph& g) {
  const size_t n = g.tensors.size();
  const int64_t end = static_cast<int64_t>(g.ops.size());
  std::vector<int64_t> first(n, std::numeric_limits<int64_t>::max());
  std::vector<int64_t> last(n, -1);
  auto use = [&](int32_t id, int64_t at) {
    first[id] = std::min(first[id], at);
    last[id] = std::max(last[id], at);
  };
  ForEachUse(g, use);
  for (int32_t id : g.inputs) use(id, 0);
  for (int32_t id : g.outputs) use(id, end);

  auto planned = [&](int32_t id) { return !g.tensors[id].is_constant() && last[id] >= 0; };
  auto size_of = [&](int32_t id) {
    return AlignUp(static_cast<uint64_t>(g.tensors[id].byte_size()), kAlign);
  };

  // Sharing candidates: an op's output may sit `gap` bytes below an input that dies at that op.
  std::vector<int32_t> shares_with(n, -1);  // output -> input it overlaps
  std::vector<uint64_t> share_gap(n, 0);
  std::vector<bool> taken(n, false);  // input already overlapped by an output
  for (size_t k = 0; k < g.ops.size(); ++k) {
    const Op& op = g.ops[k];
    if (op.outputs.size() != 1) continue;
    const int32_t out = op.outputs[0];
    if (!planned(out) || first[out] != static_cast<int64_t>(k)) continue;
    int32_t best = -1;
    int64_t best_gap = -1;
    for (int32_t id : RuntimeInputs(op)) {
      if (id < 0 || id == out || !planned(id) || taken[id] || last[id] != static_cast<int64_t>(k)) {
        continue;
      }
      const int64_t gap = OverlapGap(g, op, id);
      if (gap < 0) continue;
      if (best < 0 || first[id] > first[best]) {  // the most recently produced input
        best = id;
        best_gap = gap;
      }
    }
    if (best < 0) continue;
    shares_with[out] = best;
    share_gap[out] = AlignUp(static_cast<uint64_t>(best_gap), kAlign);
    taken[best] = true;
  }

  // Chains from sharing (or singletons); `share` false plans every tensor on its own.
  auto make_chains = [&](bool share) {
    std::vector<Chain> chains;
    std::vector<bool> done(n, false);
    for (size_t i = 0; i < n; ++i) {
      const int32_t id = static_cast<int32_t>(i);
      if (!planned(id) || done[i]) continue;
      if (share && taken[i]) continue;  // not a chain end: reached from its overlapping output
      // Walk from the chain's last tensor back to its head, each step `gap` bytes higher.
      Chain c;
      for (int32_t t = id; t >= 0; t = share ? shares_with[t] : -1) {
        c.members.emplace_back(t, 0);
        done[t] = true;
      }
      // members[j] sits sum(gaps of members[0..j-1]) above members[0].
      uint64_t offset = 0;
      for (size_t j = 0; j < c.members.size(); ++j) {
        const int32_t m = c.members[j].first;
        c.members[j].second = offset;
        c.extent = std::max(c.extent, offset + size_of(m));
        if (j + 1 < c.members.size()) offset += share_gap[m];
      }
      c.first = std::numeric_limits<int64_t>::max();
      for (const auto& [m, off] : c.members) c.first = std::min(c.first, first[m]);
      chains.push_back(std::move(c));
    }
    return chains;
  };

  // First-fit placement of chains in a given order; returns the area size.
  auto place = [&](const std::vector<Chain>& order, std::vector<int64_t>* offsets) {
    offsets->assign(n, -1);
    std::vector<int32_t> placed;
    uint64_t total = 0;
    for (const Chain& c : order) {
      std::vector<std::pair<uint64_t, uint64_t>> busy;  // base ranges that collide
      std::vector<uint64_t> candidates = {0};
      for (const auto& [m, rel] : c.members) {
        for (int32_t other : placed) {
          if (first[other] > last[m] || first[m] > last[other]) continue;
          const uint64_t begin = static_cast<uint64_t>((*offsets)[other]);
          const uint64_t stop = begin + size_of(other);
          // Base b collides when [b + rel, b + rel + size) meets [begin, stop).
          const uint64_t lo = begin + 1 > rel + size_of(m) ? begin + 1 - rel - size_of(m) : 0;
          if (stop > rel) busy.emplace_back(lo, stop - rel);
          if (stop >= rel) candidates.push_back(stop - rel);
        }
      }
      std::sort(candidates.begin(), candidates.end());
      uint64_t base = 0;
      for (uint64_t b : candidates) {
        bool free = true;
        for (const auto& [lo, hi] : busy) {
          if (b >= lo && b < hi) {
            free = false;
            break;
          }
        }
        if (free) {
          base = b;
          break;
        }
      }
      for (const auto& [m, rel] : c.members) {
        (*offsets)[m] = static_cast<int64_t>(base + rel);
        placed.push_back(m);
      }
      total = std::max(total, base + c.extent);
    }
    return total;
  };

  // Greedy first-fit is order-sensitive: try a few orders (all deterministic), with and without
  // sharing, and keep the smallest.
  using Less = std::function<bool(const Chain&, const Chain&)>;
  auto life = [&](const Chain& c) {
    int64_t l = 0;
    for (const auto& [m, rel] : c.members) l = std::max(l, last[m]);
    return static_cast<uint64_t>(l - c.first + 1);
  };
  const Less orders[] = {
      [&](const Chain& a, const Chain& b) {  // largest first
        return a.extent != b.extent ? a.extent > b.extent : a.first < b.first;
      },
      [&](const Chain& a, const Chain& b) {  // execution order
        return a.first != b.first ? a.first < b.first : a.extent > b.extent;
      },
      [&](const Chain& a, const Chain& b) {  // largest size x lifetime first
        const uint64_t ka = a.extent * life(a);
        const uint64_t kb = b.extent * life(b);
        return ka != kb ? ka > kb : a.first < b.first;
      },
  };
  MemoryPlan plan;
  plan.offsets.assign(n, -1);
  uint64_t total = std::numeric_limits<uint64_t>::max();
  bool any = false;
  for (bool share : {true, false}) {
    const std::vector<Chain> chains = make_chains(share);
    if (chains.empty()) continue;
    any = true;
    for (const Less& less : orders) {
      std::vector<Chain> order = chains;
      std::stable_sort(order.begin(), order.end(), less);
      std::vector<int64_t> offsets;
      const uint64_t bytes = place(order, &offsets);
      if (bytes < total) {
        total = bytes;
        plan.offsets = std::move(offsets);
      }
    }
  }
  plan.bytes = any ? static_cast<uint32_t>(total) : 0;
  return plan;
}

StatusOr<RuntimeProgram> LowerToRuntimeProgram(const Graph& g) {
  TL_RETURN_IF_ERROR(ValidateGraph(g));
  if (g.tensors.size() > 0x7fff || g.ops.size() > 0xffff) {
    return InvalidArgumentError("graph too large for the runtime program format");
  }
  const MemoryPlan plan = PlanActivations(g);

  // Tensors the program keeps: those ops or the graph IO use; ids are renumbered densely.
  std::vector<int32_t> program_id(g.tensors.size(), -1);
  std::vector<int32_t> kept;
  auto keep = [&](int32_t id, int64_t) {
    if (program_id[id] < 0) {
      program_id[id] = static_cast<int32_t>(kept.size());
      kept.push_back(id);
    }
  };
  for (int32_t id : g.inputs) keep(id, 0);
  ForEachUse(g, keep);
  for (int32_t id : g.outputs) keep(id, 0);

  // Constant data section: tensor data and per-channel scales, each 16-byte aligned.
  std::vector<uint8_t> data;
  auto append = [&](const void* bytes, size_t size) {
    data.resize(AlignUp(data.size(), kAlign), 0);
    const uint32_t at = static_cast<uint32_t>(data.size());
    data.insert(data.end(), static_cast<const uint8_t*>(bytes),
                static_cast<const uint8_t*>(bytes) + size);
    return at;
  };

  std::vector<uint8_t> tensor_table;
  ByteWriter tw(&tensor_table);
  for (int32_t id : kept) {
    const Tensor& t = g.tensors[id];
    const std::string label = "tensor " + std::to_string(id) + " '" + t.name + "'";
    if (t.shape.size() > static_cast<size_t>(rt::kMaxRank)) {
      return InvalidArgumentError(label + ": rank above " + std::to_string(rt::kMaxRank));
    }
    const bool constant = t.is_constant();
    const uint32_t offset =
        constant ? append(t.data.data(), t.data.size()) : static_cast<uint32_t>(plan.offsets[id]);
    tw.U8(static_cast<uint8_t>(ToTensorType(t.type)));
    tw.U8(
        static_cast<uint8_t>(constant ? rt::TensorStorage::kConstant : rt::TensorStorage::kArena));
    tw.U8(static_cast<uint8_t>(t.shape.size()));
    tw.U8(0);
    for (int d = 0; d < rt::kMaxRank; ++d) {
      tw.I32(d < static_cast<int>(t.shape.size()) ? t.shape[d] : 0);
    }
    tw.U32(offset);
    tw.U32(static_cast<uint32_t>(t.byte_size()));
    // The runtime reads quantization of 8/16-bit tensors only (bias scales are implied).
    const bool quantized = !t.quant.empty() && (t.type == DType::kInt8 || t.type == DType::kUint8 ||
                                                t.type == DType::kInt16);
    const bool per_channel = quantized && t.quant.scale.size() > 1;
    if (quantized) {
      for (int64_t zp : t.quant.zero_point) {
        if (zp < std::numeric_limits<int32_t>::min() || zp > std::numeric_limits<int32_t>::max() ||
            (per_channel && zp != 0)) {
          return InvalidArgumentError(label + ": zero point " + std::to_string(zp) +
                                      " not representable (per-channel zero points must be 0)");
        }
      }
    }
    tw.F32(quantized && !per_channel ? t.quant.scale[0] : 0.0f);
    tw.I32(quantized && !per_channel ? static_cast<int32_t>(t.quant.zero_point[0]) : 0);
    if (per_channel) {
      tw.U32(append(t.quant.scale.data(), t.quant.scale.size() * sizeof(float)));
      tw.U16(static_cast<uint16_t>(t.quant.scale.size()));
      tw.I16(static_cast<int16_t>(t.quant.axis));
    } else {
      tw.U32(0);
      tw.U16(0);
      tw.I16(0);
    }
  }

  std::vector<uint8_t> op_table;
  ByteWriter ow(&op_table);
  for (size_t i = 0; i < g.ops.size(); ++i) {
    const Op& op = g.ops[i];
    TL_ASSIGN_OR_RETURN(const rt::OpCode code, ToOpCode(op.type, i));
    const std::vector<int32_t> inputs = RuntimeInputs(op);
    if (inputs.size() > static_cast<size_t>(rt::kMaxOpInputs) ||
        op.outputs.size() > static_cast<size_t>(rt::kMaxOpOutputs)) {
      return InvalidArgumentError("operator " + std::to_string(i) + ": too many inputs/outputs");
    }
    const OpOptions& o = op.options;
    const int32_t window[7] = {o.stride_h,
                               o.stride_w,
                               o.dilation_h,
                               o.dilation_w,
                               o.filter_h,
                               o.filter_w,
                               std::max(o.depth_multiplier, 1)};
    for (int32_t v : window) {
      if (v < 1 || v > 0x7fff) {
        return InvalidArgumentError("operator " + std::to_string(i) + ": stride, dilation or " +
                                    "filter size " + std::to_string(v) + " outside 1..32767");
      }
    }
    ow.U16(static_cast<uint16_t>(code));
    ow.U8(static_cast<uint8_t>(ToFusedActivation(o.activation)));
    ow.U8(o.padding == Padding::kSame ? 0 : 1);
    ow.U8(static_cast<uint8_t>(inputs.size()));
    ow.U8(static_cast<uint8_t>(op.outputs.size()));
    ow.U8(o.keep_dims ? 1 : 0);
    ow.U8(0);
    for (int k = 0; k < rt::kMaxOpInputs; ++k) {
      ow.I16(static_cast<int16_t>(
          k < static_cast<int>(inputs.size()) && inputs[k] >= 0 ? program_id[inputs[k]] : -1));
    }
    for (int k = 0; k < rt::kMaxOpOutputs; ++k) {
      ow.I16(static_cast<int16_t>(
          k < static_cast<int>(op.outputs.size()) ? program_id[op.outputs[k]] : -1));
    }
    for (int32_t v : window) ow.I16(static_cast<int16_t>(v));
    ow.I16(0);
    ow.F32(o.beta);
  }

  const uint32_t tensors_offset = rt::kHeaderSize;
  const uint32_t ops_offset = tensors_offset + static_cast<uint32_t>(tensor_table.size());
  const uint32_t io_offset = ops_offset + static_cast<uint32_t>(op_table.size());
  const uint32_t io_size = 2 * static_cast<uint32_t>(g.inputs.size() + g.outputs.size());
  const uint32_t data_offset = static_cast<uint32_t>(AlignUp(io_offset + io_size, kAlign));
  data.resize(AlignUp(data.size(), kAlign), 0);
  const uint64_t total = static_cast<uint64_t>(data_offset) + data.size();
  if (total > 0x7fffffffu) return InvalidArgumentError("runtime program above 2 GiB");

  RuntimeProgram program;
  program.activation_bytes = plan.bytes;
  program.constant_bytes = static_cast<uint32_t>(data.size());
  std::vector<uint8_t>& out = program.bytes;
  ByteWriter hw(&out);
  hw.U32(rt::kProgramMagic);
  hw.U16(rt::kProgramVersion);
  hw.U16(rt::kHeaderSize);
  hw.U32(static_cast<uint32_t>(total));
  hw.U32(plan.bytes);
  hw.U16(static_cast<uint16_t>(kept.size()));
  hw.U16(static_cast<uint16_t>(g.ops.size()));
  hw.U16(static_cast<uint16_t>(g.inputs.size()));
  hw.U16(static_cast<uint16_t>(g.outputs.size()));
  hw.U32(tensors_offset);
  hw.U32(ops_offset);
  hw.U32(io_offset);
  hw.U32(data_offset);
  hw.U32(static_cast<uint32_t>(data.size()));
  hw.U32(0);
  out.insert(out.end(), tensor_table.begin(), tensor_table.end());
  out.insert(out.end(), op_table.begin(), op_table.end());
  for (int32_t id : g.inputs) hw.U16(static_cast<uint16_t>(program_id[id]));
  for (int32_t id : g.outputs) hw.U16(static_cast<uint16_t>(program_id[id]));
  out.resize(data_offset, 0);
  out.insert(out.end(), data.begin(), data.end());

  // Prepare once in the host runtime: proves the program is accepted and measures the arena.
  rt::OpResolver<rt::kReferenceKernelCount> resolver;
  if (rt::AddReferenceKernels(&resolver) != rt::Status::kOk) {
    return InternalError("cannot register the reference kernels");
  }
  auto aligned = [](size_t bytes, std::unique_ptr<uint8_t[]>* holder) {
    holder->reset(new uint8_t[bytes + kAlign]);
    const uintptr_t p = reinterpret_cast<uintptr_t>(holder->get());
    return reinterpret_cast<uint8_t*>((p + kAlign - 1) / kAlign * kAlign);
  };
  std::unique_ptr<uint8_t[]> program_holder, arena_holder;
  uint8_t* program_copy = aligned(out.size(), &program_holder);
  std::memcpy(program_copy, out.data(), out.size());
  size_t arena_size = plan.bytes + 4096 + 256 * g.ops.size();
  for (const Tensor& t : g.tensors) arena_size += 8 * t.quant.scale.size();
  rt::Interpreter interpreter(resolver);
  rt::Status status = rt::Status::kArenaTooSmall;
  for (int attempt = 0; attempt < 8 && status == rt::Status::kArenaTooSmall; ++attempt) {
    uint8_t* arena = aligned(arena_size, &arena_holder);
    status = interpreter.Prepare(program_copy, out.size(), arena, arena_size);
    arena_size *= 2;
  }
  if (status != rt::Status::kOk) {
    const int32_t op = interpreter.failed_op();
    return InvalidArgumentError(
        "the runtime rejects the lowered program" +
        (op >= 0 ? " at operator " + std::to_string(op) + " (" + OpTypeName(g.ops[op].type) + ")"
                 : std::string()) +
        ": " + rt::StatusName(status));
  }
  program.arena_bytes = static_cast<uint32_t>(interpreter.arena_used_bytes());
  return program;
}

}  // namespace tinyloop::model
