#include "model/tflite_ops.h"

#include "model/tflite_generated.h"

namespace tinyloop::model::tflite_ops {
namespace {

struct Mapping {
  OpType type;
  tflite::BuiltinOperator code;
  int32_t int8_version;  // version for int8 activations; float uses 1
};

constexpr Mapping kMappings[] = {
    {OpType::kConv2D, tflite::BuiltinOperator_CONV_2D, 3},
    {OpType::kDepthwiseConv2D, tflite::BuiltinOperator_DEPTHWISE_CONV_2D, 3},
    {OpType::kFullyConnected, tflite::BuiltinOperator_FULLY_CONNECTED, 4},
    {OpType::kAveragePool2D, tflite::BuiltinOperator_AVERAGE_POOL_2D, 2},
    {OpType::kMaxPool2D, tflite::BuiltinOperator_MAX_POOL_2D, 2},
    {OpType::kAdd, tflite::BuiltinOperator_ADD, 2},
    {OpType::kMul, tflite::BuiltinOperator_MUL, 2},
    {OpType::kReshape, tflite::BuiltinOperator_RESHAPE, 1},
    {OpType::kSoftmax, tflite::BuiltinOperator_SOFTMAX, 2},
    {OpType::kQuantize, tflite::BuiltinOperator_QUANTIZE, 2},
    {OpType::kDequantize, tflite::BuiltinOperator_DEQUANTIZE, 2},
    {OpType::kMean, tflite::BuiltinOperator_MEAN, 2},
    {OpType::kRelu, tflite::BuiltinOperator_RELU, 2},
    {OpType::kRelu6, tflite::BuiltinOperator_RELU6, 2},
    {OpType::kLogistic, tflite::BuiltinOperator_LOGISTIC, 2},
    {OpType::kTanh, tflite::BuiltinOperator_TANH, 2},
    {OpType::kConcatenation, tflite::BuiltinOperator_CONCATENATION, 2},
    {OpType::kPad, tflite::BuiltinOperator_PAD, 2},
};

}  // namespace

std::optional<OpType> FromBuiltinCode(int32_t code) {
  for (const Mapping& m : kMappings) {
    if (static_cast<int32_t>(m.code) == code) return m.type;
  }
  return std::nullopt;
}

int32_t ToBuiltinCode(OpType type) {
  for (const Mapping& m : kMappings) {
    if (m.type == type) return static_cast<int32_t>(m.code);
  }
  return -1;
}

int32_t OpVersion(OpType type, DType dtype) {
  if (dtype != DType::kInt8) return 1;
  for (const Mapping& m : kMappings) {
    if (m.type == type) return m.int8_version;
  }
  return 1;
}

std::string BuiltinCodeName(int32_t code) {
  const char* name = "";
  if (code >= tflite::BuiltinOperator_MIN && code <= tflite::BuiltinOperator_MAX) {
    name = tflite::EnumNameBuiltinOperator(static_cast<tflite::BuiltinOperator>(code));
  }
  std::string result = (name != nullptr && *name != '\0') ? name : "UNKNOWN";
  return result + " (builtin code " + std::to_string(code) + ")";
}

}  // namespace tinyloop::model::tflite_ops
