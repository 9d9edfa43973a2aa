#include "train/nn_export.h"

#include <cmath>
#include <cstring>
#include <string>
#include <utility>

namespace tinyloop::train {
namespace {

using model::OpType;

std::vector<uint8_t> FloatBytes(const std::vector<float>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(float));
  if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

std::vector<uint8_t> Int32Bytes(const std::vector<int32_t>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(int32_t));
  if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

int64_t Product(const std::vector<int>& shape) {
  int64_t n = 1;
  for (int d : shape) n *= d;
  return n;
}

bool IsWeighted(LayerType t) {
  return t == LayerType::kDense || t == LayerType::kConv1D || t == LayerType::kConv2D ||
         t == LayerType::kDepthwiseConv2D;
}

// An activation value flowing through the graph: the IR tensor and its logical shape.
struct Value {
  int32_t tensor = -1;
  std::vector<int> shape;  // logical, without the batch (rank 1 to 3)
  bool flat = true;        // IR shape [1, n] when true, [1, h, w, c] otherwise
};

class GraphBuilder {
 public:
  int32_t AddTensor(std::string name, std::vector<int32_t> shape, std::vector<uint8_t> data,
                    model::DType type = model::DType::kFloat32) {
    model::Tensor t;
    t.name = std::move(name);
    t.type = type;
    t.shape = std::move(shape);
    t.data = std::move(data);
    graph_.tensors.push_back(std::move(t));
    return static_cast<int32_t>(graph_.tensors.size() - 1);
  }
  int32_t AddConst(std::string name, std::vector<int32_t> shape, const std::vector<float>& v) {
    return AddTensor(std::move(name), std::move(shape), FloatBytes(v));
  }
  int32_t AddInt32Const(std::string name, const std::vector<int32_t>& v) {
    return AddTensor(std::move(name), {static_cast<int32_t>(v.size())}, Int32Bytes(v),
                     model::DType::kInt32);
  }

  // Appends an op reading `inputs` and writing a new activation tensor of `shape`.
  int32_t AddOp(OpType type, std::vector<int32_t> inputs, const std::string& name,
                std::vector<int32_t> shape, model::OpOptions options = {}) {
    const int32_t out = AddTensor(name, std::move(shape), {});
    model::Op op;
    op.type = type;
    op.inputs = std::move(inputs);
    op.outputs = {out};
    op.options = std::move(options);
    graph_.ops.push_back(std::move(op));
    return out;
  }

  static std::vector<int32_t> IrShape(const Value& v) {
    if (v.flat) return {1, static_cast<int32_t>(Product(v.shape))};
    if (v.shape.size() == 2) return {1, 1, v.shape[0], v.shape[1]};
    return {1, v.shape[0], v.shape[1], v.shape[2]};
  }

  // RESHAPE to the flat [1, n] or 4-D [1, h, w, c] form; a no-op when already there.
  Value Reshape(const Value& in, std::vector<int> logical, bool flat, const std::string& name) {
    Value out{in.tensor, std::move(logical), flat};
    if (in.flat == out.flat && IrShape(in) == IrShape(out)) return out;
    const std::vector<int32_t> shape = IrShape(out);
    model::OpOptions options;
    options.new_shape = shape;
    const int32_t shape_tensor = AddInt32Const(name + "/shape", shape);
    out.tensor = AddOp(OpType::kReshape, {in.tensor, shape_tensor}, name, shape, options);
    return out;
  }

  model::Graph& graph() { return graph_; }

 private:
  model::Graph graph_;
};

// Folded or plain per-channel affine parameters of a batch norm: y = x * scale + shift.
void BatchNormAffine(const LayerParams& bn, std::vector<float>* scale, std::vector<float>* shift) {
  const size_t c = bn.weight.size();
  scale->resize(c);
  shift->resize(c);
  for (size_t i = 0; i < c; ++i) {
    (*scale)[i] = bn.weight[i] / std::sqrt(bn.running_var[i] + bn.epsilon);
    (*shift)[i] = bn.bias[i] - bn.running_mean[i] * (*scale)[i];
  }
}

model::Activation FusedActivation(LayerActivation a) {
  if (a == LayerActivation::kRelu) return model::Activation::kRelu;
  if (a == LayerActivation::kRelu6) return model::Activation::kRelu6;
  return model::Activation::kNone;
}

// Emits TANH/LOGISTIC for activations that TFLite cannot fuse.
Value ApplyUnfusedActivation(GraphBuilder& b, Value v, LayerActivation a, const std::string& name) {
  if (a != LayerActivation::kTanh && a != LayerActivation::kSigmoid) return v;
  const OpType type = a == LayerActivation::kTanh ? OpType::kTanh : OpType::kLogistic;
  v.tensor =
      b.AddOp(type, {v.tensor}, name + "/" + model::OpTypeName(type), GraphBuilder::IrShape(v));
  return v;
}

Status CheckSize(const std::vector<float>& values, int64_t expected, const std::string& what) {
  if (static_cast<int64_t>(values.size()) != expected) {
    return InvalidArgumentError(what + " has " + std::to_string(values.size()) +
                                " values, expected " + std::to_string(expected));
  }
  return OkStatus();
}

Status CheckParams(const NnSpec& spec, const std::vector<std::vector<int>>& shapes,
                   const NetworkParams& params) {
  if (params.layers.size() != spec.layers.size()) {
    return InvalidArgumentError("parameters for " + std::to_string(params.layers.size()) +
                                " layers, the spec has " + std::to_string(spec.layers.size()));
  }
  std::vector<int> in = spec.input_shape;
  for (size_t i = 0; i < spec.layers.size(); ++i) {
    const LayerSpec& l = spec.layers[i];
    const LayerParams& p = params.layers[i];
    const std::string what = "layer " + std::to_string(i) + " (" + LayerTypeName(l.type) + ") ";
    const int64_t out_c = shapes[i].back();
    const int64_t window = l.kernel.empty() ? 1 : Product(l.kernel);
    if (l.type == LayerType::kDense) {
      TL_RETURN_IF_ERROR(CheckSize(p.weight, out_c * Product(in), what + "weight"));
    } else if (l.type == LayerType::kConv1D || l.type == LayerType::kConv2D) {
      TL_RETURN_IF_ERROR(CheckSize(p.weight, out_c * in.back() * window, what + "weight"));
    } else if (l.type == LayerType::kDepthwiseConv2D) {
      TL_RETURN_IF_ERROR(CheckSize(p.weight, out_c * window, what + "weight"));
    } else if (l.type == LayerType::kBatchNorm) {
      TL_RETURN_IF_ERROR(CheckSize(p.weight, out_c, what + "gamma"));
      TL_RETURN_IF_ERROR(CheckSize(p.running_mean, out_c, what + "running_mean"));
      TL_RETURN_IF_ERROR(CheckSize(p.running_var, out_c, what + "running_var"));
    }
    if (IsWeighted(l.type) || l.type == LayerType::kBatchNorm) {
      TL_RETURN_IF_ERROR(CheckSize(p.bias, out_c, what + "bias"));
    }
    in = shapes[i];
  }
  TL_RETURN_IF_ERROR(
      CheckSize(params.head.weight, spec.head.outputs * Product(in), "output weight"));
  return CheckSize(params.head.bias, spec.head.outputs, "output bias");
}

// Per-channel scales folded into a weighted layer's output channels, in IR layout.
void ScaleOutputChannels(LayerType type, const std::vector<float>& scale,
                         std::vector<float>* weight) {
  const size_t channels = scale.size();
  if (type == LayerType::kDepthwiseConv2D) {  // [1, kh, kw, channels]
    for (size_t i = 0; i < weight->size(); ++i) (*weight)[i] *= scale[i % channels];
  } else {  // [channels, ...]
    const size_t per_channel = weight->size() / channels;
    for (size_t i = 0; i < weight->size(); ++i) (*weight)[i] *= scale[i / per_channel];
  }
}

// Weights of a dense/conv layer transposed from PyTorch's layout to the IR's.
std::vector<float> IrWeights(const LayerSpec& l, const LayerParams& p, int in_channels,
                             int out_channels) {
  if (l.type == LayerType::kDense) return p.weight;
  const int kh = l.kernel.size() == 2 ? l.kernel[0] : 1;
  const int kw = l.kernel.back();
  std::vector<float> w(p.weight.size());
  if (l.type == LayerType::kDepthwiseConv2D) {  // [o, 1, y, x] → [1, y, x, o]
    for (int o = 0; o < out_channels; ++o)
      for (int y = 0; y < kh; ++y)
        for (int x = 0; x < kw; ++x)
          w[(y * kw + x) * out_channels + o] = p.weight[(o * kh + y) * kw + x];
    return w;
  }
  for (int o = 0; o < out_channels; ++o)  // [o, i, y, x] → [o, y, x, i]
    for (int i = 0; i < in_channels; ++i)
      for (int y = 0; y < kh; ++y)
        for (int x = 0; x < kw; ++x) {
          w[((o * kh + y) * kw + x) * in_channels + i] =
              p.weight[((o * in_channels + i) * kh + y) * kw + x];
        }
  return w;
}

}  // namespace

StatusOr<model::Graph> ExportFloatGraph(const NnSpec& spec, const NetworkParams& params) {
  TL_ASSIGN_OR_RETURN(const std::vector<std::vector<int>> shapes, LayerOutputShapes(spec));
  TL_RETURN_IF_ERROR(CheckParams(spec, shapes, params));

  GraphBuilder b;
  Value v;
  v.shape = spec.input_shape;
  v.flat = true;
  v.tensor = b.AddTensor("input", GraphBuilder::IrShape(v), {});
  b.graph().inputs = {v.tensor};

  std::vector<bool> folded(spec.layers.size(), false);
  for (size_t i = 0; i < spec.layers.size(); ++i) {
    const LayerSpec& l = spec.layers[i];
    const LayerParams& p = params.layers[i];
    const std::string name = "layer" + std::to_string(i) + "_" + LayerTypeName(l.type);
    const std::vector<int>& out_shape = shapes[i];
    const int out_c = out_shape.back();
    const bool is_2d = l.kernel.size() == 2;
    model::OpOptions options;
    if (!l.kernel.empty()) {
      options.padding =
          l.padding == LayerPadding::kSame ? model::Padding::kSame : model::Padding::kValid;
      options.stride_h = is_2d ? l.stride[0] : 1;
      options.stride_w = l.stride.back();
      options.filter_h = is_2d ? l.kernel[0] : 1;
      options.filter_w = l.kernel.back();
    }
    switch (l.type) {
      case LayerType::kDense:
      case LayerType::kConv1D:
      case LayerType::kConv2D:
      case LayerType::kDepthwiseConv2D: {
        const bool dense = l.type == LayerType::kDense;
        v = dense ? b.Reshape(v, {static_cast<int>(Product(v.shape))}, true, name + "/flatten")
                  : b.Reshape(v, v.shape, false, name + "/to_4d");
        const int in_c = v.shape.back();
        std::vector<float> weight = IrWeights(l, p, in_c, out_c);
        std::vector<float> bias = p.bias;
        LayerActivation activation = l.activation;
        // A batch norm right after an activation-free layer (dropout aside) folds into it.
        size_t next = i + 1;
        while (next < spec.layers.size() && spec.layers[next].type == LayerType::kDropout) ++next;
        if (activation == LayerActivation::kNone && next < spec.layers.size() &&
            spec.layers[next].type == LayerType::kBatchNorm) {
          std::vector<float> scale, shift;
          BatchNormAffine(params.layers[next], &scale, &shift);
          ScaleOutputChannels(l.type, scale, &weight);
          for (int c = 0; c < out_c; ++c) bias[c] = bias[c] * scale[c] + shift[c];
          activation = spec.layers[next].activation;
          folded[next] = true;
        }
        std::vector<int32_t> weight_shape;
        const int32_t kh = is_2d ? l.kernel[0] : 1, kw = l.kernel.empty() ? 1 : l.kernel.back();
        OpType type = OpType::kConv2D;
        if (dense) {
          type = OpType::kFullyConnected;
          weight_shape = {out_c, static_cast<int32_t>(Product(v.shape))};
        } else if (l.type == LayerType::kDepthwiseConv2D) {
          type = OpType::kDepthwiseConv2D;
          weight_shape = {1, kh, kw, out_c};
          options.depth_multiplier = l.depth_multiplier;
        } else {
          weight_shape = {out_c, kh, kw, in_c};
        }
        options.activation = FusedActivation(activation);
        const int32_t w = b.AddConst(name + "/weights", weight_shape, weight);
        const int32_t bias_t = b.AddConst(name + "/bias", {out_c}, bias);
        Value out{-1, out_shape, dense};
        out.tensor =
            b.AddOp(type, {v.tensor, w, bias_t}, name, GraphBuilder::IrShape(out), options);
        v = ApplyUnfusedActivation(b, out, activation, name);
        break;
      }
      case LayerType::kMaxPool1D:
      case LayerType::kMaxPool2D:
      case LayerType::kAvgPool1D:
      case LayerType::kAvgPool2D: {
        v = b.Reshape(v, v.shape, false, name + "/to_4d");
        const bool max = l.type == LayerType::kMaxPool1D || l.type == LayerType::kMaxPool2D;
        Value out{-1, out_shape, false};
        out.tensor = b.AddOp(max ? OpType::kMaxPool2D : OpType::kAveragePool2D, {v.tensor}, name,
                             GraphBuilder::IrShape(out), options);
        v = out;
        break;
      }
      case LayerType::kGlobalAvgPool: {
        v = b.Reshape(v, v.shape, false, name + "/to_4d");
        const int32_t axes = b.AddInt32Const(name + "/axes", {1, 2});
        model::OpOptions mean_options;
        mean_options.keep_dims = false;
        Value out{-1, out_shape, true};
        out.tensor = b.AddOp(OpType::kMean, {v.tensor, axes}, name, GraphBuilder::IrShape(out),
                             mean_options);
        v = out;
        break;
      }
      case LayerType::kFlatten:
      case LayerType::kReshape:
        v = b.Reshape(v, out_shape, out_shape.size() == 1, name);
        break;
      case LayerType::kDropout:
        break;
      case LayerType::kBatchNorm: {
        if (folded[i]) break;
        std::vector<float> scale, shift;
        BatchNormAffine(p, &scale, &shift);
        const std::vector<int32_t> shape = GraphBuilder::IrShape(v);
        const int32_t s = b.AddConst(name + "/scale", {out_c}, scale);
        const int32_t t = b.AddConst(name + "/shift", {out_c}, shift);
        v.tensor = b.AddOp(OpType::kMul, {v.tensor, s}, name + "/mul", shape);
        model::OpOptions add_options;
        add_options.activation = FusedActivation(l.activation);
        v.tensor = b.AddOp(OpType::kAdd, {v.tensor, t}, name, shape, add_options);
        v = ApplyUnfusedActivation(b, v, l.activation, name);
        break;
      }
    }
  }

  v = b.Reshape(v, {static_cast<int>(Product(v.shape))}, true, "output/flatten");
  const int outputs = spec.head.outputs;
  const int32_t w = b.AddConst("output/weights", {outputs, static_cast<int32_t>(Product(v.shape))},
                               params.head.weight);
  const int32_t bias = b.AddConst("output/bias", {outputs}, params.head.bias);
  const bool classifier = spec.head.type == HeadType::kClassifier;
  int32_t out = b.AddOp(OpType::kFullyConnected, {v.tensor, w, bias},
                        classifier ? "logits" : "output", {1, outputs});
  if (classifier) out = b.AddOp(OpType::kSoftmax, {out}, "output", {1, outputs});
  b.graph().outputs = {out};
  b.graph().description = "tinyloop float network: " + DumpJson(NnSpecToJson(spec));
  return std::move(b.graph());
}

}  // namespace tinyloop::train
