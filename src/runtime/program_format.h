// The runtime program: the compact, self-describing byte format the interpreter executes.
// Written on the host by model/runtime_program.h, read (and fully verified) on the device by
// runtime/program.h. A model can be replaced at run time without rebuilding firmware.
// All integers and floats are little-endian; every section starts 4-byte aligned.
#pragma once

#include <cstdint>

namespace tinyloop::runtime {

// Layout (offsets in bytes from the start of the program):
//
//   header (kHeaderSize bytes)
//     u32 magic            kProgramMagic ("TLRP")
//     u16 version          kProgramVersion; a reader rejects newer versions
//     u16 header_size      kHeaderSize
//     u32 total_size       size of the whole program
//     u32 activation_bytes bytes of the activation area at the start of the arena
//     u16 tensor_count     u16 op_count
//     u16 input_count      u16 output_count
//     u32 tensors_offset   tensor table: tensor_count records of kTensorRecordSize
//     u32 ops_offset       op table: op_count records of kOpRecordSize
//     u32 io_offset        input_count then output_count u16 tensor ids
//     u32 data_offset      constant data section (16-byte aligned)
//     u32 data_size
//     u32 reserved         0
//
//   tensor record (kTensorRecordSize bytes)
//     u8  type             TensorType
//     u8  storage          TensorStorage: arena (activation) or constant
//     u8  rank             0..kMaxRank
//     u8  reserved
//     i32 dims[kMaxRank]   unused entries 0
//     u32 offset           arena offset (activations) or data-section offset (constants);
//                          always a multiple of 16
//     u32 byte_size        element count x type size
//     f32 scale            per-tensor scale; 0 = not quantized
//     i32 zero_point
//     u32 channel_scales   data-section offset of `channel_count` f32 per-channel scales
//     u16 channel_count    0 = per-tensor
//     i16 channel_axis
//
//   op record (kOpRecordSize bytes)
//     u16 opcode           OpCode (TFLite's BuiltinOperator numbers)
//     u8  activation       FusedActivation
//     u8  padding          PaddingType
//     u8  input_count      <= kMaxOpInputs
//     u8  output_count     <= kMaxOpOutputs
//     u8  keep_dims        u8 reserved
//     i16 inputs[kMaxOpInputs]    tensor ids; -1 = optional input absent
//     i16 outputs[kMaxOpOutputs]
//     i16 stride_h, stride_w, dilation_h, dilation_w, filter_h, filter_w, depth_multiplier,
//         reserved
//     f32 beta             softmax
//
// Constant data is 16-byte aligned inside the data section, which is 16-byte aligned in the
// program; the program itself must sit at a 16-byte aligned address.

inline constexpr uint32_t kProgramMagic = 0x50524C54u;  // "TLRP" read as little-endian u32
inline constexpr uint16_t kProgramVersion = 1;
inline constexpr uint32_t kHeaderSize = 48;
inline constexpr uint32_t kTensorRecordSize = 52;
inline constexpr uint32_t kOpRecordSize = 40;
inline constexpr int kMaxRank = 6;
inline constexpr int kMaxOpInputs = 4;
inline constexpr int kMaxOpOutputs = 2;
inline constexpr uint32_t kDataAlignment = 16;

enum class TensorType : uint8_t {
  kFloat32 = 1,
  kInt8 = 2,
  kInt16 = 3,
  kInt32 = 4,
  kUint8 = 5,
  kInt64 = 6,
  kBool = 7,
};

// Size of one element, 0 for an unknown type.
inline constexpr uint32_t TensorTypeSize(TensorType type) {
  switch (type) {
    case TensorType::kFloat32:
    case TensorType::kInt32:
      return 4;
    case TensorType::kInt8:
    case TensorType::kUint8:
    case TensorType::kBool:
      return 1;
    case TensorType::kInt16:
      return 2;
    case TensorType::kInt64:
      return 8;
  }
  return 0;
}

enum class TensorStorage : uint8_t { kArena = 0, kConstant = 1 };

// The numbers are TFLite's BuiltinOperator values.
enum class OpCode : uint16_t {
  kAdd = 0,
  kAveragePool2D = 1,
  kConv2D = 3,
  kDepthwiseConv2D = 4,
  kDequantize = 6,
  kFullyConnected = 9,
  kLogistic = 14,
  kMaxPool2D = 17,
  kMul = 18,
  kRelu = 19,
  kReshape = 22,
  kSoftmax = 25,
  kTanh = 28,
  kMean = 40,
  kQuantize = 114,
};

// The numbers are TFLite's ActivationFunctionType values.
enum class FusedActivation : uint8_t { kNone = 0, kRelu = 1, kReluN1To1 = 2, kRelu6 = 3 };

// The numbers are TFLite's Padding values.
enum class PaddingType : uint8_t { kSame = 0, kValid = 1 };

}  // namespace tinyloop::runtime
