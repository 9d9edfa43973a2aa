// Verified, read-only view of a runtime program (format in runtime/program_format.h).
// ProgramView::Parse() checks every offset, size, index and enum in the bytes once; after a
// successful Parse the accessors never read outside the buffer. Freestanding, no heap.
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/program_format.h"
#include "runtime/status.h"

namespace tinyloop::runtime {

// One decoded tensor record.
struct TensorInfo {
  TensorType type = TensorType::kInt8;
  TensorStorage storage = TensorStorage::kArena;
  int32_t rank = 0;
  int32_t dims[kMaxRank] = {};
  uint32_t offset = 0;
  uint32_t byte_size = 0;
  float scale = 0.0f;  // 0: not quantized (per-tensor)
  int32_t zero_point = 0;
  const uint8_t* channel_scales = nullptr;  // channel_count little-endian f32, may be unaligned
  int32_t channel_count = 0;                // 0: per-tensor
  int32_t channel_axis = 0;
  // Element count (product of dims; 1 for rank 0).
  int32_t ElementCount() const;
  // Per-channel scale i (precondition: i < channel_count).
  float ChannelScale(int32_t i) const;
};

// One decoded op record.
struct OpInfo {
  OpCode opcode = OpCode::kAdd;
  FusedActivation activation = FusedActivation::kNone;
  PaddingType padding = PaddingType::kSame;
  int32_t input_count = 0;
  int32_t output_count = 0;
  bool keep_dims = false;
  int32_t inputs[kMaxOpInputs] = {-1, -1, -1, -1};
  int32_t outputs[kMaxOpOutputs] = {-1, -1};
  int32_t stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int32_t filter_h = 1, filter_w = 1, depth_multiplier = 1;
  float beta = 1.0f;
};

// A verified program. Cheap to copy; points into the caller's bytes, which must outlive it.
// Not thread-safe to Parse concurrently into the same object; const accessors are.
class ProgramView {
 public:
  // Verifies `data[0, size)`. Returns kOk, kUnsupportedVersion for a newer format, kMisaligned
  // when `data` is not 16-byte aligned, and kInvalidProgram for any inconsistency. On error
  // the view stays empty.
  Status Parse(const uint8_t* data, size_t size);

  bool valid() const { return data_ != nullptr; }
  uint32_t activation_bytes() const { return activation_bytes_; }
  int32_t tensor_count() const { return tensor_count_; }
  int32_t op_count() const { return op_count_; }
  int32_t input_count() const { return input_count_; }
  int32_t output_count() const { return output_count_; }
  // Preconditions: valid() and index in range.
  TensorInfo tensor(int32_t index) const;
  OpInfo op(int32_t index) const;
  int32_t input_tensor(int32_t i) const;
  int32_t output_tensor(int32_t i) const;
  // Start of the constant data section (16-byte aligned).
  const uint8_t* constant_data() const { return data_ + data_offset_; }

 private:
  Status VerifyTensor(int32_t index) const;
  Status VerifyOp(int32_t index) const;

  const uint8_t* data_ = nullptr;
  uint32_t size_ = 0;
  uint32_t activation_bytes_ = 0;
  int32_t tensor_count_ = 0;
  int32_t op_count_ = 0;
  int32_t input_count_ = 0;
  int32_t output_count_ = 0;
  uint32_t tensors_offset_ = 0;
  uint32_t ops_offset_ = 0;
  uint32_t io_offset_ = 0;
  uint32_t data_offset_ = 0;
  uint32_t data_size_ = 0;
};

// Little-endian readers; `p` may be unaligned.
uint16_t ReadU16(const uint8_t* p);
uint32_t ReadU32(const uint8_t* p);
float ReadF32(const uint8_t* p);

}  // namespace tinyloop::runtime
