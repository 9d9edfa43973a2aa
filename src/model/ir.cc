#include "model/ir.h"

#include <cstring>

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

namespace {

bool SameBits(float a, float b) { return std::memcmp(&a, &b, sizeof(float)) == 0; }

}  // namespace

bool operator==(const Quantization& a, const Quantization& b) {
  if (a.scale.size() != b.scale.size() || a.zero_point != b.zero_point || a.axis != b.axis) {
    return false;
  }
  for (size_t i = 0; i < a.scale.size(); ++i) {
    if (!SameBits(a.scale[i], b.scale[i])) return false;
  }
  return true;
}

bool operator==(const Tensor& a, const Tensor& b) {
  return a.name == b.name && a.type == b.type && a.shape == b.shape && a.quant == b.quant &&
         a.data == b.data;
}

bool operator==(const OpOptions& a, const OpOptions& b) {
  return a.padding == b.padding && a.activation == b.activation && a.stride_h == b.stride_h &&
         a.stride_w == b.stride_w && a.dilation_h == b.dilation_h && a.dilation_w == b.dilation_w &&
         a.filter_h == b.filter_h && a.filter_w == b.filter_w &&
         a.depth_multiplier == b.depth_multiplier && a.keep_dims == b.keep_dims &&
         SameBits(a.beta, b.beta) && a.axis == b.axis && a.new_shape == b.new_shape;
}

bool operator==(const Op& a, const Op& b) {
  return a.type == b.type && a.inputs == b.inputs && a.outputs == b.outputs &&
         a.options == b.options;
}

bool operator==(const Graph& a, const Graph& b) {
  return a.tensors == b.tensors && a.ops == b.ops && a.inputs == b.inputs &&
         a.outputs == b.outputs && a.description == b.description;
}

}  // namespace tinyloop::model
