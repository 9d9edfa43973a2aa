#include "model/tflite_export.h"

#include <map>
#include <string>

#include "flatbuffers/flatbuffers.h"
#include "model/graph_validate.h"
#include "model/tflite_generated.h"
#include "model/tflite_ops.h"

namespace tinyloop::model {
namespace {

namespace fb = flatbuffers;

tflite::TensorType ToTfliteType(DType type) {
  switch (type) {
    case DType::kFloat32:
      return tflite::TensorType_FLOAT32;
    case DType::kInt8:
      return tflite::TensorType_INT8;
    case DType::kInt16:
      return tflite::TensorType_INT16;
    case DType::kInt32:
      return tflite::TensorType_INT32;
    case DType::kInt64:
      return tflite::TensorType_INT64;
    case DType::kUint8:
      return tflite::TensorType_UINT8;
    case DType::kBool:
      return tflite::TensorType_BOOL;
  }
  return tflite::TensorType_FLOAT32;
}

tflite::ActivationFunctionType ToTfliteActivation(Activation a) {
  switch (a) {
    case Activation::kNone:
      return tflite::ActivationFunctionType_NONE;
    case Activation::kRelu:
      return tflite::ActivationFunctionType_RELU;
    case Activation::kRelu6:
      return tflite::ActivationFunctionType_RELU6;
    case Activation::kReluN1To1:
      return tflite::ActivationFunctionType_RELU_N1_TO_1;
  }
  return tflite::ActivationFunctionType_NONE;
}

tflite::Padding ToTflitePadding(Padding p) {
  return p == Padding::kSame ? tflite::Padding_SAME : tflite::Padding_VALID;
}

// The builtin options union member for `op`: its type tag and table offset.
std::pair<tflite::BuiltinOptions, fb::Offset<void>> BuildOptions(fb::FlatBufferBuilder& fbb,
                                                                 const Op& op) {
  const OpOptions& o = op.options;
  const auto act = ToTfliteActivation(o.activation);
  switch (op.type) {
    case OpType::kConv2D:
      return {tflite::BuiltinOptions_Conv2DOptions,
              tflite::CreateConv2DOptions(fbb, ToTflitePadding(o.padding), o.stride_w, o.stride_h,
                                          act, o.dilation_w, o.dilation_h)
                  .Union()};
    case OpType::kDepthwiseConv2D:
      return {tflite::BuiltinOptions_DepthwiseConv2DOptions,
              tflite::CreateDepthwiseConv2DOptions(fbb, ToTflitePadding(o.padding), o.stride_w,
                                                   o.stride_h, o.depth_multiplier, act,
                                                   o.dilation_w, o.dilation_h)
                  .Union()};
    case OpType::kAveragePool2D:
    case OpType::kMaxPool2D:
      return {tflite::BuiltinOptions_Pool2DOptions,
              tflite::CreatePool2DOptions(fbb, ToTflitePadding(o.padding), o.stride_w, o.stride_h,
                                          o.filter_w, o.filter_h, act)
                  .Union()};
    case OpType::kFullyConnected:
      return {tflite::BuiltinOptions_FullyConnectedOptions,
              tflite::CreateFullyConnectedOptions(
                  fbb, act, tflite::FullyConnectedOptionsWeightsFormat_DEFAULT, o.keep_dims)
                  .Union()};
    case OpType::kAdd:
      return {tflite::BuiltinOptions_AddOptions, tflite::CreateAddOptions(fbb, act).Union()};
    case OpType::kMul:
      return {tflite::BuiltinOptions_MulOptions, tflite::CreateMulOptions(fbb, act).Union()};
    case OpType::kSoftmax:
      return {tflite::BuiltinOptions_SoftmaxOptions,
              tflite::CreateSoftmaxOptions(fbb, o.beta).Union()};
    case OpType::kMean:
      return {tflite::BuiltinOptions_ReducerOptions,
              tflite::CreateReducerOptions(fbb, o.keep_dims).Union()};
    case OpType::kConcatenation:
      return {tflite::BuiltinOptions_ConcatenationOptions,
              tflite::CreateConcatenationOptions(fbb, o.axis, act).Union()};
    case OpType::kReshape:
      return {tflite::BuiltinOptions_ReshapeOptions,
              tflite::CreateReshapeOptions(fbb, fbb.CreateVector(o.new_shape)).Union()};
    case OpType::kQuantize:
      return {tflite::BuiltinOptions_QuantizeOptions, tflite::CreateQuantizeOptions(fbb).Union()};
    case OpType::kDequantize:
      return {tflite::BuiltinOptions_DequantizeOptions,
              tflite::CreateDequantizeOptions(fbb).Union()};
    case OpType::kPad:
      return {tflite::BuiltinOptions_PadOptions, tflite::CreatePadOptions(fbb).Union()};
    default:
      return {tflite::BuiltinOptions_NONE, 0};
  }
}

}  // namespace

StatusOr<std::vector<uint8_t>> ExportTflite(const Graph& graph) {
  TL_RETURN_IF_ERROR(ValidateGraph(graph));
  fb::FlatBufferBuilder fbb(1024);

  // Buffers: 0 is the empty sentinel; then one per constant tensor, in tensor order.
  std::vector<fb::Offset<tflite::Buffer>> buffers;
  buffers.push_back(tflite::CreateBuffer(fbb));
  std::vector<uint32_t> buffer_of(graph.tensors.size(), 0);
  for (size_t i = 0; i < graph.tensors.size(); ++i) {
    const Tensor& t = graph.tensors[i];
    if (!t.is_constant()) continue;
    fbb.ForceVectorAlignment(t.data.size(), sizeof(uint8_t), 16);
    const auto data = fbb.CreateVector(t.data);
    buffer_of[i] = static_cast<uint32_t>(buffers.size());
    buffers.push_back(tflite::CreateBuffer(fbb, data));
  }

  std::vector<fb::Offset<tflite::Tensor>> tensors;
  for (size_t i = 0; i < graph.tensors.size(); ++i) {
    const Tensor& t = graph.tensors[i];
    fb::Offset<tflite::QuantizationParameters> quant = 0;
    if (!t.quant.empty()) {
      quant = tflite::CreateQuantizationParameters(
          fbb, 0, 0, fbb.CreateVector(t.quant.scale), fbb.CreateVector(t.quant.zero_point),
          tflite::QuantizationDetails_NONE, 0, t.quant.axis);
    }
    tensors.push_back(tflite::CreateTensor(fbb, fbb.CreateVector(t.shape), ToTfliteType(t.type),
                                           buffer_of[i], fbb.CreateString(t.name), quant));
  }

  // Operator codes: one per op type, in first-use order.
  std::vector<fb::Offset<tflite::OperatorCode>> codes;
  std::map<OpType, uint32_t> code_index;
  std::vector<fb::Offset<tflite::Operator>> operators;
  for (const Op& op : graph.ops) {
    auto it = code_index.find(op.type);
    if (it == code_index.end()) {
      const int32_t builtin = tflite_ops::ToBuiltinCode(op.type);
      if (builtin < 0)
        return InvalidArgumentError(std::string("cannot export op ") + OpTypeName(op.type));
      const DType dtype = graph.tensors[op.inputs[0]].type;
      const int8_t deprecated = static_cast<int8_t>(builtin < 127 ? builtin : 127);
      codes.push_back(tflite::CreateOperatorCode(fbb, deprecated, 0,
                                                 tflite_ops::OpVersion(op.type, dtype),
                                                 static_cast<tflite::BuiltinOperator>(builtin)));
      it = code_index.emplace(op.type, static_cast<uint32_t>(codes.size() - 1)).first;
    }
    const auto [options_type, options] = BuildOptions(fbb, op);
    operators.push_back(tflite::CreateOperator(fbb, it->second, fbb.CreateVector(op.inputs),
                                               fbb.CreateVector(op.outputs), options_type,
                                               options));
  }

  const auto subgraph = tflite::CreateSubGraph(
      fbb, fbb.CreateVector(tensors), fbb.CreateVector(graph.inputs),
      fbb.CreateVector(graph.outputs), fbb.CreateVector(operators), fbb.CreateString("main"));
  const auto model = tflite::CreateModel(
      fbb, /*version=*/3, fbb.CreateVector(codes), fbb.CreateVector(&subgraph, 1),
      fbb.CreateString(graph.description), fbb.CreateVector(buffers));
  tflite::FinishModelBuffer(fbb, model);
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

}  // namespace tinyloop::model
