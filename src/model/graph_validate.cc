#include "model/graph_validate.h"

#include <string>
#include <vector>

namespace tinyloop::model {
namespace {

std::string ShapeString(const std::vector<int32_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string Label(const Graph& g, int32_t t) {
  return "tensor " + std::to_string(t) + " '" + g.tensors[t].name + "' " +
         ShapeString(g.tensors[t].shape);
}

struct Arity {
  int min_inputs;
  int max_inputs;
  int optional_from;  // inputs at or after this position may be -1
};

Arity ArityOf(OpType type) {
  switch (type) {
    case OpType::kConv2D:
    case OpType::kDepthwiseConv2D:
    case OpType::kFullyConnected:
      return {2, 3, 2};
    case OpType::kAdd:
    case OpType::kMul:
    case OpType::kMean:
    case OpType::kPad:
      return {2, 2, 2};
    case OpType::kReshape:
      return {1, 2, 1};
    case OpType::kConcatenation:
      return {1, 64, 64};
    default:
      return {1, 1, 1};
  }
}

bool Broadcastable(const std::vector<int32_t>& in, const std::vector<int32_t>& out) {
  if (in.size() > out.size()) return false;
  const size_t off = out.size() - in.size();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != out[off + i] && in[i] != 1) return false;
  }
  return true;
}

class OpChecker {
 public:
  OpChecker(const Graph& g, size_t index) : g_(g), op_(g.ops[index]), index_(index) {}

  Status Error(const std::string& what) const {
    return InvalidArgumentError("operator " + std::to_string(index_) + " (" + OpTypeName(op_.type) +
                                "): " + what);
  }
  const Tensor& In(size_t i) const { return g_.tensors[op_.inputs[i]]; }
  const Tensor& Out() const { return g_.tensors[op_.outputs[0]]; }
  bool HasBias() const { return op_.inputs.size() > 2 && op_.inputs[2] >= 0; }

  Status CheckRank(const Tensor& t, int32_t id, size_t rank) const {
    if (t.shape.size() != rank) {
      return Error(Label(g_, id) + " must have rank " + std::to_string(rank));
    }
    return OkStatus();
  }

  Status CheckBias(int32_t channels, DType activation_type) const {
    if (!HasBias()) return OkStatus();
    const Tensor& b = In(2);
    if (b.element_count() != channels) {
      return Error("bias " + Label(g_, op_.inputs[2]) + " has " +
                   std::to_string(b.element_count()) + " elements, output has " +
                   std::to_string(channels) + " channels");
    }
    const DType want = activation_type == DType::kInt8 ? DType::kInt32 : activation_type;
    if (b.type != want) {
      return Error("bias " + Label(g_, op_.inputs[2]) + " is " + DTypeName(b.type) + ", expected " +
                   DTypeName(want));
    }
    return OkStatus();
  }

  Status CheckPerChannelAxis(int32_t id, int32_t axis) const {
    const Tensor& t = g_.tensors[id];
    if (t.quant.scale.size() > 1 && t.quant.axis != axis) {
      return Error(Label(g_, id) + " is quantized per channel along axis " +
                   std::to_string(t.quant.axis) + ", expected " + std::to_string(axis));
    }
    return OkStatus();
  }

  Status Check() const {
    const Arity arity = ArityOf(op_.type);
    const int n = static_cast<int>(op_.inputs.size());
    if (n < arity.min_inputs || n > arity.max_inputs) {
      return Error("has " + std::to_string(n) + " inputs, expected " +
                   std::to_string(arity.min_inputs) + ".." + std::to_string(arity.max_inputs));
    }
    for (int i = 0; i < n; ++i) {
      if (op_.inputs[i] < 0 && i < arity.optional_from) {
        return Error("input " + std::to_string(i) + " is required");
      }
    }
    if (op_.outputs.size() != 1) return Error("must have exactly one output");
    const Tensor& in = In(0);
    const Tensor& out = Out();
    switch (op_.type) {
      case OpType::kConv2D:
      case OpType::kDepthwiseConv2D: {
        const bool dw = op_.type == OpType::kDepthwiseConv2D;
        TL_RETURN_IF_ERROR(CheckRank(in, op_.inputs[0], 4));
        TL_RETURN_IF_ERROR(CheckRank(In(1), op_.inputs[1], 4));
        TL_RETURN_IF_ERROR(CheckRank(out, op_.outputs[0], 4));
        const auto& f = In(1).shape;
        const int32_t oc = out.shape[3];
        if (dw ? (f[0] != 1 || f[3] != oc || oc % in.shape[3] != 0)
               : (f[0] != oc || in.shape[3] % f[3] != 0)) {
          return Error("filter " + Label(g_, op_.inputs[1]) + " does not match input " +
                       ShapeString(in.shape) + " and output " + ShapeString(out.shape));
        }
        TL_RETURN_IF_ERROR(CheckPerChannelAxis(op_.inputs[1], dw ? 3 : 0));
        return CheckBias(oc, in.type);
      }
      case OpType::kFullyConnected: {
        TL_RETURN_IF_ERROR(CheckRank(In(1), op_.inputs[1], 2));
        const int32_t units = In(1).shape[0];
        const int32_t depth = In(1).shape[1];
        if (in.element_count() % depth != 0 || out.shape.empty() || out.shape.back() != units ||
            out.element_count() != in.element_count() / depth * units) {
          return Error("weights " + Label(g_, op_.inputs[1]) + " do not match input " +
                       ShapeString(in.shape) + " and output " + ShapeString(out.shape));
        }
        TL_RETURN_IF_ERROR(CheckPerChannelAxis(op_.inputs[1], 0));
        return CheckBias(units, in.type);
      }
      case OpType::kAveragePool2D:
      case OpType::kMaxPool2D:
        TL_RETURN_IF_ERROR(CheckRank(in, op_.inputs[0], 4));
        TL_RETURN_IF_ERROR(CheckRank(out, op_.outputs[0], 4));
        if (in.shape[0] != out.shape[0] || in.shape[3] != out.shape[3]) {
          return Error("input " + ShapeString(in.shape) + " and output " + ShapeString(out.shape) +
                       " differ in batch or channels");
        }
        return OkStatus();
      case OpType::kAdd:
      case OpType::kMul:
        if (!Broadcastable(in.shape, out.shape) || !Broadcastable(In(1).shape, out.shape)) {
          return Error("inputs " + ShapeString(in.shape) + " and " + ShapeString(In(1).shape) +
                       " do not broadcast to output " + ShapeString(out.shape));
        }
        return OkStatus();
      case OpType::kMean: {
        const Tensor& axes = In(1);
        if (axes.type != DType::kInt32 || !axes.is_constant()) {
          return Error("axes " + Label(g_, op_.inputs[1]) + " must be a constant INT32 tensor");
        }
        return OkStatus();
      }
      case OpType::kQuantize:
      case OpType::kDequantize:
      case OpType::kReshape:
      case OpType::kSoftmax:
      case OpType::kRelu:
      case OpType::kRelu6:
      case OpType::kLogistic:
      case OpType::kTanh:
        if (in.element_count() != out.element_count()) {
          return Error("input " + ShapeString(in.shape) + " and output " + ShapeString(out.shape) +
                       " have different element counts");
        }
        if (op_.type == OpType::kDequantize && in.type == DType::kFloat32) {
          return Error("input must be quantized");
        }
        if (op_.type == OpType::kQuantize && out.quant.empty()) {
          return Error("output must be quantized");
        }
        return OkStatus();
      default:
        return OkStatus();
    }
  }

 private:
  const Graph& g_;
  const Op& op_;
  size_t index_;
};

Status CheckTensor(const Graph& g, int32_t id) {
  const Tensor& t = g.tensors[id];
  for (int32_t d : t.shape) {
    if (d < 1) return InvalidArgumentError(Label(g, id) + ": dimensions must be >= 1");
  }
  if (t.is_constant() && static_cast<int64_t>(t.data.size()) != t.byte_size()) {
    return InvalidArgumentError(Label(g, id) + ": holds " + std::to_string(t.data.size()) +
                                " bytes, " + DTypeName(t.type) + " needs " +
                                std::to_string(t.byte_size()));
  }
  const auto& q = t.quant;
  if (q.scale.size() != q.zero_point.size()) {
    return InvalidArgumentError(Label(g, id) + ": quantization scale and zero_point counts differ");
  }
  if (q.scale.size() > 1 && (q.axis < 0 || q.axis >= static_cast<int32_t>(t.shape.size()) ||
                             t.shape[q.axis] != static_cast<int32_t>(q.scale.size()))) {
    return InvalidArgumentError(Label(g, id) + ": " + std::to_string(q.scale.size()) +
                                " per-channel scales do not match axis " + std::to_string(q.axis));
  }
  if (t.type == DType::kInt8 && q.empty()) {
    return InvalidArgumentError(Label(g, id) + ": int8 tensor has no quantization parameters");
  }
  return OkStatus();
}

}  // namespace

Status ValidateGraph(const Graph& g) {
  const int32_t count = static_cast<int32_t>(g.tensors.size());
  auto in_range = [&](int32_t id) { return id >= 0 && id < count; };
  for (int32_t i = 0; i < count; ++i) TL_RETURN_IF_ERROR(CheckTensor(g, i));
  std::vector<bool> ready(g.tensors.size(), false);
  for (int32_t i = 0; i < count; ++i) ready[i] = g.tensors[i].is_constant();
  for (int32_t id : g.inputs) {
    if (!in_range(id))
      return InvalidArgumentError("graph input " + std::to_string(id) + " out of range");
    ready[id] = true;
  }
  for (size_t i = 0; i < g.ops.size(); ++i) {
    const Op& op = g.ops[i];
    const std::string where = "operator " + std::to_string(i) + " (" + OpTypeName(op.type) + ")";
    for (int32_t id : op.inputs) {
      if (id == -1) continue;
      if (!in_range(id))
        return InvalidArgumentError(where + ": input tensor " + std::to_string(id) +
                                    " out of range");
      if (!ready[id]) {
        return InvalidArgumentError(where + " reads " + Label(g, id) + " before any op writes it");
      }
    }
    for (int32_t id : op.outputs) {
      if (!in_range(id))
        return InvalidArgumentError(where + ": output tensor " + std::to_string(id) +
                                    " out of range");
      if (ready[id]) {
        return InvalidArgumentError(where + " writes " + Label(g, id) +
                                    ", which is constant, a graph input or already written");
      }
      ready[id] = true;
    }
    TL_RETURN_IF_ERROR(OpChecker(g, i).Check());
  }
  for (int32_t id : g.outputs) {
    if (!in_range(id))
      return InvalidArgumentError("graph output " + std::to_string(id) + " out of range");
    if (!ready[id])
      return InvalidArgumentError("graph output " + Label(g, id) + " is never written");
  }
  return OkStatus();
}

}  // namespace tinyloop::model
