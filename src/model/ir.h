// The model IR: one in-memory graph form that every producer and consumer of models shares.
// Training (src/train) emits float graphs, the .tflite importer emits int8 or float graphs,
// quantization turns float into int8, and the exporters/codegen (.tflite, runtime program,
// C++ library, .eim) consume it. Host-only: std containers are fine here, never in src/runtime.
//
// The vocabulary follows TFLite's so that import and export are one-to-one: tensors are NHWC,
// conv filters are [out_channels, kh, kw, in_channels], depthwise filters are
// [1, kh, kw, in_channels * depth_multiplier], fully-connected weights are [units, inputs].
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tinyloop::model {

enum class DType : uint8_t { kFloat32, kInt8, kInt16, kInt32, kInt64, kUint8, kBool };

// Size of one element in bytes.
int DTypeSize(DType type);
const char* DTypeName(DType type);

// Affine quantization: real = scale * (q - zero_point). Per-tensor when scale has one entry;
// per-channel along `axis` when it has one entry per channel (TFLite quantization spec).
// Empty `scale` means the tensor is not quantized.
struct Quantization {
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  int32_t axis = 0;

  bool empty() const { return scale.empty(); }
};

struct Tensor {
  std::string name;
  DType type = DType::kFloat32;
  std::vector<int32_t> shape;  // NHWC for activations; see the file comment for weights
  Quantization quant;
  // Constant data (weights, biases, shapes), little-endian, tightly packed; empty for
  // activations computed at run time.
  std::vector<uint8_t> data;

  bool is_constant() const { return !data.empty(); }
  int64_t element_count() const;
  int64_t byte_size() const { return element_count() * DTypeSize(type); }
};

// The operators tinyloop reads, writes and runs. Names match TFLite's BuiltinOperator.
enum class OpType : uint16_t {
  kConv2D,
  kDepthwiseConv2D,
  kFullyConnected,
  kAveragePool2D,
  kMaxPool2D,
  kAdd,
  kMul,
  kReshape,
  kSoftmax,
  kQuantize,
  kDequantize,
  kMean,  // global average pooling (axes given by a constant int32 input tensor)
  kRelu,
  kRelu6,
  kLogistic,
  kTanh,
  kConcatenation,
  kPad,
};

const char* OpTypeName(OpType type);  // TFLite's spelling, e.g. "CONV_2D"

enum class Padding : uint8_t { kSame, kValid };
enum class Activation : uint8_t { kNone, kRelu, kRelu6, kReluN1To1 };

// Options of all op types in one struct; each op reads only its own fields.
struct OpOptions {
  Padding padding = Padding::kValid;
  Activation activation = Activation::kNone;  // fused activation
  int32_t stride_h = 1;
  int32_t stride_w = 1;
  int32_t dilation_h = 1;
  int32_t dilation_w = 1;
  int32_t filter_h = 1;  // pooling window
  int32_t filter_w = 1;
  int32_t depth_multiplier = 1;    // depthwise conv
  bool keep_dims = false;          // fully connected, mean
  float beta = 1.0f;               // softmax
  int32_t axis = 0;                // concatenation
  std::vector<int32_t> new_shape;  // reshape (may also come from its second input)
};

struct Op {
  OpType type = OpType::kConv2D;
  // Tensor indices into Graph::tensors; -1 marks an optional input that is absent (a bias).
  std::vector<int32_t> inputs;
  std::vector<int32_t> outputs;
  OpOptions options;
};

// A single-subgraph model. Ops are in execution order (topologically sorted).
struct Graph {
  std::vector<Tensor> tensors;
  std::vector<Op> ops;
  std::vector<int32_t> inputs;   // tensor indices
  std::vector<int32_t> outputs;  // tensor indices
  std::string description;
};

// Structural equality (names, shapes, data, quantization, options, wiring), e.g. to check that
// an export/import round trip is lossless. Float fields compare bit-for-bit (NaN == NaN).
bool operator==(const Quantization& a, const Quantization& b);
bool operator==(const Tensor& a, const Tensor& b);
bool operator==(const OpOptions& a, const OpOptions& b);
bool operator==(const Op& a, const Op& b);
bool operator==(const Graph& a, const Graph& b);
inline bool operator!=(const Quantization& a, const Quantization& b) { return !(a == b); }
inline bool operator!=(const Tensor& a, const Tensor& b) { return !(a == b); }
inline bool operator!=(const OpOptions& a, const OpOptions& b) { return !(a == b); }
inline bool operator!=(const Op& a, const Op& b) { return !(a == b); }
inline bool operator!=(const Graph& a, const Graph& b) { return !(a == b); }

}  // namespace tinyloop::model
