#include "model/ir.h"

namespace tinyloop::model {

int DTypeSize(DType type) {
  switch (type) {
    case DType::kFloat32:
      return 4;
    case DType::kInt8:
      return 1;
    case DType::kInt16:
      return 2;
    case DType::kInt32:
      return 4;
    case DType::kInt64:
      return 8;
    case DType::kUint8:
      return 1;
    case DType::kBool:
      return 1;
  }
  return 0;
}

const char* DTypeName(DType type) {
  switch (type) {
    case DType::kFloat32:
      return "FLOAT32";
    case DType::kInt8:
      return "INT8";
    case DType::kInt16:
      return "INT16";
    case DType::kInt32:
      return "INT32";
    case DType::kInt64:
      return "INT64";
    case DType::kUint8:
      return "UINT8";
    case DType::kBool:
      return "BOOL";
  }
  return "?";
}

int64_t Tensor::element_count() const {
  int64_t count = 1;
  for (int32_t dim : shape) count *= dim;
  return count;
}

const char* OpTypeName(OpType type) {
  switch (type) {
    case OpType::kConv2D:
      return "CONV_2D";
    case OpType::kDepthwiseConv2D:
      return "DEPTHWISE_CONV_2D";
    case OpType::kFullyConnected:
      return "FULLY_CONNECTED";
    case OpType::kAveragePool2D:
      return "AVERAGE_POOL_2D";
    case OpType::kMaxPool2D:
      return "MAX_POOL_2D";
    case OpType::kAdd:
      return "ADD";
    case OpType::kMul:
      return "MUL";
    case OpType::kReshape:
      return "RESHAPE";
    case OpType::kSoftmax:
      return "SOFTMAX";
    case OpType::kQuantize:
      return "QUANTIZE";
    case OpType::kDequantize:
      return "DEQUANTIZE";
    case OpType::kMean:
      return "MEAN";
    case OpType::kRelu:
      return "RELU";
    case OpType::kRelu6:
      return "RELU6";
    case OpType::kLogistic:
      return "LOGISTIC";
    case OpType::kTanh:
      return "TANH";
    case OpType::kConcatenation:
      return "CONCATENATION";
    case OpType::kPad:
      return "PAD";
  }
  return "?";
}

}  // namespace tinyloop::model
