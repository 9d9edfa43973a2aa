#include "model/quantize.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>

#include "model/graph_validate.h"
#include "model/runtime_program.h"
#include "runtime/interpreter.h"
#include "runtime/kernels/kernels.h"

namespace tinyloop::model {
namespace {

struct Range {
  float lo = 0.0f;  // ranges always include 0 (the spec's requirement for exact zero padding)
  float hi = 0.0f;
};

// A 16-byte aligned heap buffer.
class Aligned {
 public:
  explicit Aligned(size_t size) : holder_(new uint8_t[size + 16]()) {
    const uintptr_t p = reinterpret_cast<uintptr_t>(holder_.get());
    data_ = reinterpret_cast<uint8_t*>((p + 15) / 16 * 16);
  }
  uint8_t* data() { return data_; }

 private:
  std::unique_ptr<uint8_t[]> holder_;
  uint8_t* data_;
};

std::vector<float> FloatData(const Tensor& t) {
  std::vector<float> v(size_t(t.element_count()));
  if (!v.empty()) std::memcpy(v.data(), t.data.data(), v.size() * sizeof(float));
  return v;
}

Quantization Asymmetric(Range r) {
  float lo = std::min(r.lo, 0.0f), hi = std::max(r.hi, 0.0f);
  if (hi - lo < 1e-8f) hi = lo + 1e-8f;
  const float scale = (hi - lo) / 255.0f;
  const int64_t zp = std::clamp<int64_t>(std::llround(-128.0 - lo / scale), -128, 127);
  return Quantization{{scale}, {zp}, 0};
}

Quantization Fixed(float scale, int64_t zp) { return Quantization{{scale}, {zp}, 0}; }

// Per-channel (or, with channels == 1, per-tensor) symmetric int8 along `axis`.
void QuantizeWeights(Tensor* t, int32_t axis, bool per_channel) {
  const std::vector<float> w = FloatData(*t);
  const int64_t channels = per_channel ? t->shape[size_t(axis)] : 1;
  int64_t inner = 1;  // elements between consecutive channel indices
  if (per_channel) {
    for (size_t d = size_t(axis) + 1; d < t->shape.size(); ++d) inner *= t->shape[d];
  }
  auto channel_of = [&](int64_t i) { return per_channel ? (i / inner) % channels : 0; };
  std::vector<float> max_abs(size_t(channels), 0.0f);
  for (int64_t i = 0; i < int64_t(w.size()); ++i) {
    max_abs[size_t(channel_of(i))] = std::max(max_abs[size_t(channel_of(i))], std::fabs(w[i]));
  }
  Quantization q;
  q.axis = per_channel ? axis : 0;
  for (float m : max_abs) {
    q.scale.push_back(m > 0 ? m / 127.0f : 1.0f);
    q.zero_point.push_back(0);
  }
  t->data.assign(w.size(), 0);
  for (int64_t i = 0; i < int64_t(w.size()); ++i) {
    const float s = q.scale[size_t(channel_of(i))];
    t->data[size_t(i)] = uint8_t(int8_t(std::clamp<long>(std::lround(w[i] / s), -127, 127)));
  }
  t->type = DType::kInt8;
  t->quant = q;
}

void QuantizeBias(Tensor* t, float input_scale, const Quantization& weights) {
  const std::vector<float> b = FloatData(*t);
  Quantization q;
  for (size_t c = 0; c < b.size(); ++c) {
    q.scale.push_back(input_scale * weights.scale[weights.scale.size() == 1 ? 0 : c]);
    q.zero_point.push_back(0);
  }
  if (weights.scale.size() == 1) {
    q.scale.resize(1);
    q.zero_point.resize(1);
  }
  t->data.assign(b.size() * 4, 0);
  for (size_t c = 0; c < b.size(); ++c) {
    const double s = q.scale[q.scale.size() == 1 ? 0 : c];
    const int32_t v =
        int32_t(std::clamp<double>(std::llround(b[c] / s), -2147483647.0, 2147483647.0));
    std::memcpy(t->data.data() + c * 4, &v, 4);
  }
  t->type = DType::kInt32;
  t->quant = q;
}

void QuantizeAsymmetricConstant(Tensor* t) {
  const std::vector<float> v = FloatData(*t);
  Range r;
  for (float x : v) r.lo = std::min(r.lo, x), r.hi = std::max(r.hi, x);
  t->quant = Asymmetric(r);
  const float s = t->quant.scale[0];
  const int64_t zp = t->quant.zero_point[0];
  t->data.assign(v.size(), 0);
  for (size_t i = 0; i < v.size(); ++i) {
    t->data[i] = uint8_t(int8_t(std::clamp<int64_t>(std::llround(v[i] / s) + zp, -128, 127)));
  }
  t->type = DType::kInt8;
}

// Runs the float graph on every example with every activation exposed as an output.
StatusOr<std::vector<Range>> Calibrate(const Graph& g, const CalibrationData& data) {
  std::vector<Range> ranges(g.tensors.size());
  const Tensor& input = g.tensors[size_t(g.inputs[0])];
  const int64_t n = input.element_count();
  Graph probe = g;
  probe.outputs.clear();
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    if (!g.tensors[t].is_constant() && int32_t(t) != g.inputs[0] &&
        g.tensors[t].type == DType::kFloat32) {
      probe.outputs.push_back(int32_t(t));
    }
  }
  TL_ASSIGN_OR_RETURN(const RuntimeProgram program, LowerToRuntimeProgram(probe));
  runtime::OpResolver<runtime::kReferenceKernelCount> resolver;
  if (runtime::AddReferenceKernels(&resolver) != runtime::Status::kOk) {
    return InternalError("quantize: cannot register the reference kernels");
  }
  Aligned program_bytes(program.bytes.size());
  std::memcpy(program_bytes.data(), program.bytes.data(), program.bytes.size());
  Aligned arena(program.arena_bytes);
  runtime::Interpreter interpreter(resolver);
  if (interpreter.Prepare(program_bytes.data(), program.bytes.size(), arena.data(),
                          program.arena_bytes) != runtime::Status::kOk) {
    return InternalError("quantize: the calibration program does not prepare");
  }
  for (int64_t e = 0; e < data.examples; ++e) {
    const float* x = data.values.data() + e * n;
    runtime::TensorView in;
    if (interpreter.input(0, &in) != runtime::Status::kOk || in.bytes != size_t(n) * 4) {
      return InternalError("quantize: unexpected calibration input");
    }
    std::memcpy(in.data, x, in.bytes);
    for (int64_t i = 0; i < n; ++i) {
      Range& r = ranges[size_t(g.inputs[0])];
      r.lo = std::min(r.lo, x[i]), r.hi = std::max(r.hi, x[i]);
    }
    if (interpreter.Invoke() != runtime::Status::kOk) {
      return InternalError("quantize: calibration run failed on example " + std::to_string(e));
    }
    for (size_t o = 0; o < probe.outputs.size(); ++o) {
      runtime::TensorView out;
      if (interpreter.output(int32_t(o), &out) != runtime::Status::kOk) {
        return InternalError("quantize: cannot read calibration output");
      }
      Range& r = ranges[size_t(probe.outputs[o])];
      const float* v = reinterpret_cast<const float*>(out.data);
      for (size_t i = 0; i < out.bytes / 4; ++i)
        r.lo = std::min(r.lo, v[i]), r.hi = std::max(r.hi, v[i]);
    }
  }
  return ranges;
}

}  // namespace

StatusOr<Graph> QuantizeInt8(const Graph& float_graph, const CalibrationData& calibration,
                             const QuantizeOptions& options) {
  TL_RETURN_IF_ERROR(ValidateGraph(float_graph));
  const Graph& g = float_graph;
  if (g.inputs.size() != 1 || g.outputs.size() != 1) {
    return InvalidArgumentError("quantize: the graph must have one input and one output");
  }
  for (int32_t io : {g.inputs[0], g.outputs[0]}) {
    if (g.tensors[size_t(io)].type != DType::kFloat32) {
      return InvalidArgumentError("quantize: tensor '" + g.tensors[size_t(io)].name +
                                  "' is not float32 (already quantized?)");
    }
  }
  const int64_t n = g.tensors[size_t(g.inputs[0])].element_count();
  if (calibration.examples < 1 || int64_t(calibration.values.size()) != calibration.examples * n) {
    return InvalidArgumentError("quantize: calibration data must hold at least one example of " +
                                std::to_string(n) + " values (got " +
                                std::to_string(calibration.values.size()) + " values for " +
                                std::to_string(calibration.examples) + " examples)");
  }
  for (const Op& op : g.ops) {
    switch (op.type) {
      case OpType::kQuantize:
      case OpType::kDequantize:
      case OpType::kConcatenation:
        return UnimplementedError(std::string("quantize: op ") + OpTypeName(op.type) +
                                  " is not supported");
      default:
        break;
    }
  }
  TL_ASSIGN_OR_RETURN(const std::vector<Range> ranges, Calibrate(g, calibration));

  Graph q = g;
  std::vector<bool> done(q.tensors.size(), false);
  auto activation = [&](int32_t t, const Quantization& quant) {
    Tensor& tensor = q.tensors[size_t(t)];
    tensor.type = DType::kInt8;
    tensor.quant = quant;
    done[size_t(t)] = true;
  };
  activation(g.inputs[0], Asymmetric(ranges[size_t(g.inputs[0])]));
  for (const Op& op : q.ops) {
    const int32_t in0 = op.inputs.empty() ? -1 : op.inputs[0];
    const int32_t out = op.outputs.at(0);
    switch (op.type) {
      case OpType::kSoftmax:
      case OpType::kLogistic:
        activation(out, Fixed(1.0f / 256.0f, -128));
        break;
      case OpType::kTanh:
        activation(out, Fixed(1.0f / 128.0f, 0));
        break;
      case OpType::kReshape:
      case OpType::kMaxPool2D:
      case OpType::kAveragePool2D:
      case OpType::kPad:
        activation(out, q.tensors[size_t(in0)].quant);
        break;
      default:
        activation(out, Asymmetric(ranges[size_t(out)]));
        break;
    }
    const bool conv = op.type == OpType::kConv2D, dw = op.type == OpType::kDepthwiseConv2D;
    if (conv || dw || op.type == OpType::kFullyConnected) {
      Tensor& w = q.tensors[size_t(op.inputs.at(1))];
      if (!done[size_t(op.inputs[1])]) {
        QuantizeWeights(&w, dw ? 3 : 0, conv || dw);
        done[size_t(op.inputs[1])] = true;
      }
      if (op.inputs.size() > 2 && op.inputs[2] >= 0 && !done[size_t(op.inputs[2])]) {
        QuantizeBias(&q.tensors[size_t(op.inputs[2])], q.tensors[size_t(in0)].quant.scale[0],
                     w.quant);
        done[size_t(op.inputs[2])] = true;
      }
    }
    for (int32_t t : op.inputs) {
      if (t < 0 || done[size_t(t)]) continue;
      Tensor& tensor = q.tensors[size_t(t)];
      if (tensor.is_constant() && tensor.type == DType::kFloat32) {
        QuantizeAsymmetricConstant(&tensor);
        done[size_t(t)] = true;
      }
    }
  }

  if (!options.int8_io) {
    // float input -> QUANTIZE -> int8 graph -> DEQUANTIZE -> float output.
    const int32_t old_in = q.inputs[0], old_out = q.outputs[0];
    Tensor float_in = g.tensors[size_t(old_in)];
    Tensor float_out = g.tensors[size_t(old_out)];
    q.tensors[size_t(old_in)].name += "_int8";
    q.tensors[size_t(old_out)].name += "_int8";
    const int32_t new_in = int32_t(q.tensors.size());
    q.tensors.push_back(float_in);
    const int32_t new_out = int32_t(q.tensors.size());
    q.tensors.push_back(float_out);
    Op quantize;
    quantize.type = OpType::kQuantize;
    quantize.inputs = {new_in};
    quantize.outputs = {old_in};
    Op dequantize;
    dequantize.type = OpType::kDequantize;
    dequantize.inputs = {old_out};
    dequantize.outputs = {new_out};
    q.ops.insert(q.ops.begin(), quantize);
    q.ops.push_back(dequantize);
    q.inputs = {new_in};
    q.outputs = {new_out};
  }
  q.description = g.description.empty() ? "int8 post-training quantized"
                                        : g.description + " (int8 post-training quantized)";
  TL_RETURN_IF_ERROR(ValidateGraph(q));
  return q;
}

}  // namespace tinyloop::model
