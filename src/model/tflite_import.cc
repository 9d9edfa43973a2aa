#include "model/tflite_import.h"

#include <cmath>
#include <cstring>
#include <string>

#include "flatbuffers/flatbuffers.h"
#include "model/graph_validate.h"
#include "model/tflite_generated.h"
#include "model/tflite_ops.h"

namespace tinyloop::model {
namespace {

constexpr int64_t kMaxElements = int64_t{1} << 28;

std::string ShapeString(const std::vector<int32_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ",";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

std::string TensorLabel(const Graph& g, int32_t index) {
  return "tensor " + std::to_string(index) + " '" + g.tensors[index].name + "'";
}

Status TensorError(const Graph& g, int32_t index, const std::string& what) {
  return InvalidArgumentError(TensorLabel(g, index) + ": " + what);
}

Status OpError(size_t op, OpType type, const std::string& what) {
  return InvalidArgumentError("operator " + std::to_string(op) + " (" + OpTypeName(type) +
                              "): " + what);
}

StatusOr<DType> ConvertType(tflite::TensorType type) {
  switch (type) {
    case tflite::TensorType_FLOAT32:
      return DType::kFloat32;
    case tflite::TensorType_INT8:
      return DType::kInt8;
    case tflite::TensorType_INT16:
      return DType::kInt16;
    case tflite::TensorType_INT32:
      return DType::kInt32;
    case tflite::TensorType_INT64:
      return DType::kInt64;
    case tflite::TensorType_UINT8:
      return DType::kUint8;
    case tflite::TensorType_BOOL:
      return DType::kBool;
    default:
      break;
  }
  const char* name = tflite::EnumNameTensorType(type);
  return InvalidArgumentError(std::string("unsupported type ") +
                              (name && *name ? name : std::to_string(type).c_str()));
}

StatusOr<Activation> ConvertActivation(tflite::ActivationFunctionType a) {
  switch (a) {
    case tflite::ActivationFunctionType_NONE:
      return Activation::kNone;
    case tflite::ActivationFunctionType_RELU:
      return Activation::kRelu;
    case tflite::ActivationFunctionType_RELU6:
      return Activation::kRelu6;
    case tflite::ActivationFunctionType_RELU_N1_TO_1:
      return Activation::kReluN1To1;
    default:
      break;
  }
  return InvalidArgumentError("unsupported fused activation " + std::to_string(a));
}

Status ImportQuantization(const tflite::QuantizationParameters* q, Graph* g, int32_t index) {
  Tensor& t = g->tensors[index];
  if (q == nullptr) return OkStatus();
  if (q->details_type() != tflite::QuantizationDetails_NONE) {
    return UnimplementedError(TensorLabel(*g, index) + ": custom quantization is not supported");
  }
  const size_t n = q->scale() ? q->scale()->size() : 0;
  const size_t nz = q->zero_point() ? q->zero_point()->size() : 0;
  if (n == 0) {
    if (nz > 0) return TensorError(*g, index, "quantization has zero_point but no scale");
    return OkStatus();
  }
  if (nz != n) {
    return TensorError(*g, index,
                       "quantization has " + std::to_string(n) + " scales but " +
                           std::to_string(nz) + " zero points");
  }
  for (size_t i = 0; i < n; ++i) {
    const float s = q->scale()->Get(static_cast<flatbuffers::uoffset_t>(i));
    if (!std::isfinite(s) || s <= 0.0f) {
      return TensorError(*g, index,
                         "quantization scale[" + std::to_string(i) + "] = " + std::to_string(s) +
                             " must be finite and > 0");
    }
    t.quant.scale.push_back(s);
    t.quant.zero_point.push_back(q->zero_point()->Get(static_cast<flatbuffers::uoffset_t>(i)));
  }
  t.quant.axis = q->quantized_dimension();
  if (n > 1) {
    const int32_t axis = t.quant.axis;
    if (axis < 0 || axis >= static_cast<int32_t>(t.shape.size())) {
      return TensorError(
          *g, index,
          "quantized_dimension " + std::to_string(axis) + " outside shape " + ShapeString(t.shape));
    }
    if (t.shape[axis] != static_cast<int32_t>(n)) {
      return TensorError(*g, index,
                         std::to_string(n) + " per-channel scales but dimension " +
                             std::to_string(axis) + " of shape " + ShapeString(t.shape) + " has " +
                             std::to_string(t.shape[axis]));
    }
  }
  if (t.type == DType::kInt8) {
    for (size_t i = 0; i < n; ++i) {
      const int64_t zp = t.quant.zero_point[i];
      if (zp < -128 || zp > 127) {
        return TensorError(*g, index, "int8 zero_point " + std::to_string(zp) + " out of range");
      }
      if (n > 1 && zp != 0) {
        return TensorError(*g, index,
                           "per-channel int8 zero_point must be 0, got " + std::to_string(zp));
      }
    }
  }
  return OkStatus();
}

Status ImportTensor(const tflite::Model& model, const tflite::Tensor& ft, Graph* g, int32_t index) {
  Tensor& t = g->tensors[index];
  if (ft.name()) t.name = ft.name()->str();
  auto type = ConvertType(ft.type());
  if (!type.ok()) return TensorError(*g, index, type.status().message());
  t.type = *type;
  if (ft.sparsity() != nullptr) {
    return UnimplementedError(TensorLabel(*g, index) + ": sparse tensors are not supported");
  }
  int64_t elements = 1;
  if (ft.shape()) {
    for (int32_t dim : *ft.shape()) {
      t.shape.push_back(dim);
      if (dim < 1) {
        return TensorError(*g, index, "shape " + ShapeString(t.shape) + " has a dimension < 1");
      }
      elements *= dim;
      if (elements > kMaxElements) {
        return TensorError(*g, index, "more than 2^28 elements");
      }
    }
  }
  const auto* buffers = model.buffers();
  const uint32_t buffer = ft.buffer();
  const uint32_t buffer_count = buffers ? buffers->size() : 0;
  if (buffer >= buffer_count && buffer != 0) {
    return TensorError(*g, index,
                       "buffer index " + std::to_string(buffer) + " out of range (" +
                           std::to_string(buffer_count) + " buffers)");
  }
  if (buffer < buffer_count) {
    const tflite::Buffer* b = buffers->Get(buffer);
    if (b != nullptr && b->offset() > 1) {
      return UnimplementedError(TensorLabel(*g, index) +
                                ": buffers stored outside the flatbuffer are not supported");
    }
    if (b != nullptr && b->data() != nullptr && b->data()->size() > 0) {
      const int64_t need = elements * DTypeSize(t.type);
      if (static_cast<int64_t>(b->data()->size()) != need) {
        return TensorError(*g, index,
                           "buffer holds " + std::to_string(b->data()->size()) + " bytes, shape " +
                               ShapeString(t.shape) + " " + DTypeName(t.type) + " needs " +
                               std::to_string(need));
      }
      t.data.assign(b->data()->begin(), b->data()->end());
    }
  }
  TL_RETURN_IF_ERROR(ImportQuantization(ft.quantization(), g, index));
  if (t.type == DType::kInt8 && t.quant.empty()) {
    return TensorError(*g, index, "int8 tensor has no quantization parameters");
  }
  return OkStatus();
}

template <typename T>
Status RequireOptions(const T* options, size_t op, OpType type) {
  if (options == nullptr) return OpError(op, type, "missing builtin options");
  return OkStatus();
}

Status CheckWindow(size_t op, OpType type, int32_t sh, int32_t sw, int32_t a, int32_t b,
                   const char* what) {
  if (sh < 1 || sw < 1 || a < 1 || b < 1) {
    return OpError(op, type, std::string("stride and ") + what + " must be >= 1");
  }
  return OkStatus();
}

Status ImportOptions(const tflite::Operator& fo, size_t i, const Graph& g, Op* op) {
  OpOptions& o = op->options;
  const OpType type = op->type;
  const auto expected_type = [&]() -> tflite::BuiltinOptions {
    switch (type) {
      case OpType::kConv2D:
        return tflite::BuiltinOptions_Conv2DOptions;
      case OpType::kDepthwiseConv2D:
        return tflite::BuiltinOptions_DepthwiseConv2DOptions;
      case OpType::kFullyConnected:
        return tflite::BuiltinOptions_FullyConnectedOptions;
      case OpType::kAveragePool2D:
      case OpType::kMaxPool2D:
        return tflite::BuiltinOptions_Pool2DOptions;
      case OpType::kAdd:
        return tflite::BuiltinOptions_AddOptions;
      case OpType::kMul:
        return tflite::BuiltinOptions_MulOptions;
      case OpType::kReshape:
        return tflite::BuiltinOptions_ReshapeOptions;
      case OpType::kSoftmax:
        return tflite::BuiltinOptions_SoftmaxOptions;
      case OpType::kMean:
        return tflite::BuiltinOptions_ReducerOptions;
      case OpType::kConcatenation:
        return tflite::BuiltinOptions_ConcatenationOptions;
      default:
        return tflite::BuiltinOptions_NONE;
    }
  }();
  const tflite::BuiltinOptions actual = fo.builtin_options_type();
  if (actual != tflite::BuiltinOptions_NONE && expected_type != tflite::BuiltinOptions_NONE &&
      actual != expected_type) {
    return OpError(i, type,
                   "builtin options of type " + std::to_string(actual) + ", expected " +
                       std::to_string(expected_type));
  }
  auto activation = [&](tflite::ActivationFunctionType a) -> Status {
    auto act = ConvertActivation(a);
    if (!act.ok()) return OpError(i, type, act.status().message());
    o.activation = *act;
    return OkStatus();
  };
  switch (type) {
    case OpType::kConv2D: {
      const auto* c = fo.builtin_options_as_Conv2DOptions();
      TL_RETURN_IF_ERROR(RequireOptions(c, i, type));
      o.padding = c->padding() == tflite::Padding_SAME ? Padding::kSame : Padding::kValid;
      o.stride_h = c->stride_h();
      o.stride_w = c->stride_w();
      o.dilation_h = c->dilation_h_factor();
      o.dilation_w = c->dilation_w_factor();
      TL_RETURN_IF_ERROR(activation(c->fused_activation_function()));
      return CheckWindow(i, type, o.stride_h, o.stride_w, o.dilation_h, o.dilation_w, "dilation");
    }
    case OpType::kDepthwiseConv2D: {
      const auto* c = fo.builtin_options_as_DepthwiseConv2DOptions();
      TL_RETURN_IF_ERROR(RequireOptions(c, i, type));
      o.padding = c->padding() == tflite::Padding_SAME ? Padding::kSame : Padding::kValid;
      o.stride_h = c->stride_h();
      o.stride_w = c->stride_w();
      o.dilation_h = c->dilation_h_factor();
      o.dilation_w = c->dilation_w_factor();
      o.depth_multiplier = c->depth_multiplier();
      TL_RETURN_IF_ERROR(activation(c->fused_activation_function()));
      return CheckWindow(i, type, o.stride_h, o.stride_w, o.dilation_h, o.dilation_w, "dilation");
    }
    case OpType::kAveragePool2D:
    case OpType::kMaxPool2D: {
      const auto* c = fo.builtin_options_as_Pool2DOptions();
      TL_RETURN_IF_ERROR(RequireOptions(c, i, type));
      o.padding = c->padding() == tflite::Padding_SAME ? Padding::kSame : Padding::kValid;
      o.stride_h = c->stride_h();
      o.stride_w = c->stride_w();
      o.filter_h = c->filter_height();
      o.filter_w = c->filter_width();
      TL_RETURN_IF_ERROR(activation(c->fused_activation_function()));
      return CheckWindow(i, type, o.stride_h, o.stride_w, o.filter_h, o.filter_w, "filter size");
    }
    case OpType::kFullyConnected: {
      const auto* c = fo.builtin_options_as_FullyConnectedOptions();
      if (c == nullptr) return OkStatus();
      if (c->weights_format() != tflite::FullyConnectedOptionsWeightsFormat_DEFAULT) {
        return OpError(i, type, "shuffled weights format is not supported");
      }
      o.keep_dims = c->keep_num_dims();
      return activation(c->fused_activation_function());
    }
    case OpType::kAdd:
      if (const auto* c = fo.builtin_options_as_AddOptions()) {
        return activation(c->fused_activation_function());
      }
      return OkStatus();
    case OpType::kMul:
      if (const auto* c = fo.builtin_options_as_MulOptions()) {
        return activation(c->fused_activation_function());
      }
      return OkStatus();
    case OpType::kSoftmax:
      if (const auto* c = fo.builtin_options_as_SoftmaxOptions()) o.beta = c->beta();
      if (!std::isfinite(o.beta) || o.beta <= 0.0f) return OpError(i, type, "beta must be > 0");
      return OkStatus();
    case OpType::kMean:
      if (const auto* c = fo.builtin_options_as_ReducerOptions()) o.keep_dims = c->keep_dims();
      return OkStatus();
    case OpType::kConcatenation:
      if (const auto* c = fo.builtin_options_as_ConcatenationOptions()) {
        o.axis = c->axis();
        return activation(c->fused_activation_function());
      }
      return OkStatus();
    case OpType::kReshape: {
      const auto* c = fo.builtin_options_as_ReshapeOptions();
      if (c != nullptr && c->new_shape() != nullptr && c->new_shape()->size() > 0) {
        o.new_shape.assign(c->new_shape()->begin(), c->new_shape()->end());
      } else if (op->inputs.size() == 2 && op->inputs[1] >= 0) {
        const Tensor& shape = g.tensors[op->inputs[1]];
        if (shape.type == DType::kInt32 && shape.is_constant()) {
          o.new_shape.resize(shape.data.size() / 4);
          std::memcpy(o.new_shape.data(), shape.data.data(), o.new_shape.size() * 4);
        }
      }
      return OkStatus();
    }
    default:
      return OkStatus();
  }
}

}  // namespace

StatusOr<Graph> ImportTflite(const uint8_t* data, size_t size) {
  if (data == nullptr || size == 0) return InvalidArgumentError("empty .tflite buffer");
  if (size >= FLATBUFFERS_MAX_BUFFER_SIZE) return InvalidArgumentError(".tflite larger than 2 GiB");
  flatbuffers::Verifier verifier(data, size);
  if (!verifier.VerifyBuffer<tflite::Model>(nullptr)) {
    return InvalidArgumentError("not a valid .tflite flatbuffer (" + std::to_string(size) +
                                " bytes failed the flatbuffers verifier)");
  }
  const tflite::Model* model = tflite::GetModel(data);
  if (model->subgraphs() == nullptr || model->subgraphs()->size() == 0) {
    return InvalidArgumentError("model has no subgraph");
  }
  if (model->subgraphs()->size() != 1) {
    return UnimplementedError("model has " + std::to_string(model->subgraphs()->size()) +
                              " subgraphs; only single-subgraph models are supported");
  }
  const tflite::SubGraph* sg = model->subgraphs()->Get(0);
  Graph g;
  if (model->description()) g.description = model->description()->str();
  const size_t tensor_count = sg->tensors() ? sg->tensors()->size() : 0;
  g.tensors.resize(tensor_count);
  for (size_t i = 0; i < tensor_count; ++i) {
    const tflite::Tensor* ft = sg->tensors()->Get(static_cast<flatbuffers::uoffset_t>(i));
    if (ft == nullptr) return InvalidArgumentError("tensor " + std::to_string(i) + " is null");
    TL_RETURN_IF_ERROR(ImportTensor(*model, *ft, &g, static_cast<int32_t>(i)));
  }
  auto tensor_index = [&](int32_t index, const std::string& where) -> Status {
    if (index < 0 || index >= static_cast<int32_t>(tensor_count)) {
      return InvalidArgumentError(where + ": tensor index " + std::to_string(index) +
                                  " out of range (" + std::to_string(tensor_count) + " tensors)");
    }
    return OkStatus();
  };
  if (sg->inputs()) {
    for (int32_t id : *sg->inputs()) {
      TL_RETURN_IF_ERROR(tensor_index(id, "subgraph inputs"));
      g.inputs.push_back(id);
    }
  }
  if (sg->outputs()) {
    for (int32_t id : *sg->outputs()) {
      TL_RETURN_IF_ERROR(tensor_index(id, "subgraph outputs"));
      g.outputs.push_back(id);
    }
  }
  if (g.inputs.empty() || g.outputs.empty()) {
    return InvalidArgumentError("subgraph needs at least one input and one output");
  }
  const auto* codes = model->operator_codes();
  const size_t op_count = sg->operators() ? sg->operators()->size() : 0;
  for (size_t i = 0; i < op_count; ++i) {
    const tflite::Operator* fo = sg->operators()->Get(static_cast<flatbuffers::uoffset_t>(i));
    const std::string where = "operator " + std::to_string(i);
    if (fo == nullptr) return InvalidArgumentError(where + " is null");
    if (codes == nullptr || fo->opcode_index() >= codes->size()) {
      return InvalidArgumentError(where + ": opcode_index " + std::to_string(fo->opcode_index()) +
                                  " out of range");
    }
    const tflite::OperatorCode* code = codes->Get(fo->opcode_index());
    // TFLite reads the larger of the two fields (the byte-sized one predates code 127).
    const int32_t builtin = std::max<int32_t>(code->deprecated_builtin_code(),
                                              static_cast<int32_t>(code->builtin_code()));
    if (builtin == tflite::BuiltinOperator_CUSTOM) {
      return InvalidArgumentError(
          where + ": unsupported custom op '" +
          (code->custom_code() ? code->custom_code()->str() : std::string()) + "'");
    }
    const std::optional<OpType> type = tflite_ops::FromBuiltinCode(builtin);
    if (!type) {
      return InvalidArgumentError(where + ": unsupported op " +
                                  tflite_ops::BuiltinCodeName(builtin));
    }
    Op op;
    op.type = *type;
    if (fo->inputs()) {
      for (int32_t id : *fo->inputs()) {
        if (id != -1) TL_RETURN_IF_ERROR(tensor_index(id, where + " inputs"));
        op.inputs.push_back(id);
      }
    }
    if (fo->outputs()) {
      for (int32_t id : *fo->outputs()) {
        TL_RETURN_IF_ERROR(tensor_index(id, where + " outputs"));
        op.outputs.push_back(id);
      }
    }
    TL_RETURN_IF_ERROR(ImportOptions(*fo, i, g, &op));
    g.ops.push_back(std::move(op));
  }
  TL_RETURN_IF_ERROR(ValidateGraph(g));
  return g;
}

StatusOr<Graph> ImportTflite(const std::vector<uint8_t>& bytes) {
  return ImportTflite(bytes.data(), bytes.size());
}

}  // namespace tinyloop::model
