#include "runtime/program.h"

#include <cstring>

namespace tinyloop::runtime {
namespace {

// Bounds that keep every index computation in the kernels inside int32.
constexpr int64_t kMaxDim = int64_t{1} << 24;
constexpr int64_t kMaxElements = int64_t{1} << 28;

bool IsFinite(float x) { return x == x && x - x == 0.0f; }

bool ValidType(uint8_t t) { return t >= 1 && t <= 7; }

// True when [offset, offset + length) lies inside [0, limit).
bool InBounds(uint64_t offset, uint64_t length, uint64_t limit) {
  return offset <= limit && length <= limit - offset;
}

}  // namespace

uint16_t ReadU16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }

uint32_t ReadU32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

float ReadF32(const uint8_t* p) {
  const uint32_t bits = ReadU32(p);
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

int32_t TensorInfo::ElementCount() const {
  int32_t count = 1;
  for (int32_t i = 0; i < rank; ++i) count *= dims[i];
  return count;
}

float TensorInfo::ChannelScale(int32_t i) const { return ReadF32(channel_scales + 4 * i); }

Status ProgramView::Parse(const uint8_t* data, size_t size) {
  *this = ProgramView();
  if (data == nullptr || size < kHeaderSize) return Status::kInvalidProgram;
  if (reinterpret_cast<uintptr_t>(data) % kDataAlignment != 0) return Status::kMisaligned;
  if (ReadU32(data) != kProgramMagic) return Status::kInvalidProgram;
  const uint16_t version = ReadU16(data + 4);
  if (version > kProgramVersion) return Status::kUnsupportedVersion;
  if (version == 0 || ReadU16(data + 6) != kHeaderSize) return Status::kInvalidProgram;
  const uint32_t total = ReadU32(data + 8);
  if (total != size || size > 0x7fffffffu) return Status::kInvalidProgram;

  ProgramView v;
  v.data_ = data;
  v.size_ = total;
  v.activation_bytes_ = ReadU32(data + 12);
  v.tensor_count_ = ReadU16(data + 16);
  v.op_count_ = ReadU16(data + 18);
  v.input_count_ = ReadU16(data + 20);
  v.output_count_ = ReadU16(data + 22);
  v.tensors_offset_ = ReadU32(data + 24);
  v.ops_offset_ = ReadU32(data + 28);
  v.io_offset_ = ReadU32(data + 32);
  v.data_offset_ = ReadU32(data + 36);
  v.data_size_ = ReadU32(data + 40);
  if (ReadU32(data + 44) != 0) return Status::kInvalidProgram;
  if (v.activation_bytes_ % kDataAlignment != 0) return Status::kInvalidProgram;
  if (v.tensors_offset_ % 4 || v.ops_offset_ % 4 || v.io_offset_ % 2 ||
      v.data_offset_ % kDataAlignment) {
    return Status::kInvalidProgram;
  }
  if (v.tensor_count_ == 0 || v.input_count_ == 0 || v.output_count_ == 0) {
    return Status::kInvalidProgram;
  }
  const uint64_t n_tensors = static_cast<uint64_t>(v.tensor_count_);
  if (!InBounds(v.tensors_offset_, n_tensors * kTensorRecordSize, total) ||
      !InBounds(v.ops_offset_, static_cast<uint64_t>(v.op_count_) * kOpRecordSize, total) ||
      !InBounds(v.io_offset_, 2ull * (v.input_count_ + v.output_count_), total) ||
      !InBounds(v.data_offset_, v.data_size_, total)) {
    return Status::kInvalidProgram;
  }
  for (int32_t i = 0; i < v.tensor_count_; ++i) TL_RT_RETURN_IF_ERROR(v.VerifyTensor(i));
  for (int32_t i = 0; i < v.op_count_; ++i) TL_RT_RETURN_IF_ERROR(v.VerifyOp(i));
  for (int32_t i = 0; i < v.input_count_ + v.output_count_; ++i) {
    const uint16_t id = ReadU16(data + v.io_offset_ + 2 * i);
    if (id >= v.tensor_count_) return Status::kInvalidProgram;
    // Inputs and outputs live in the arena so the caller can write and read them.
    if (data[v.tensors_offset_ + id * kTensorRecordSize + 1] !=
        static_cast<uint8_t>(TensorStorage::kArena)) {
      return Status::kInvalidProgram;
    }
  }
  *this = v;
  return Status::kOk;
}

Status ProgramView::VerifyTensor(int32_t index) const {
  const uint8_t* r = data_ + tensors_offset_ + index * kTensorRecordSize;
  if (!ValidType(r[0]) || r[1] > 1 || r[2] > kMaxRank || r[3] != 0) {
    return Status::kInvalidProgram;
  }
  const int32_t rank = r[2];
  int64_t elements = 1;
  for (int32_t d = 0; d < kMaxRank; ++d) {
    const int32_t dim = static_cast<int32_t>(ReadU32(r + 4 + 4 * d));
    if (d >= rank) {
      if (dim != 0) return Status::kInvalidProgram;
      continue;
    }
    if (dim < 1 || dim > kMaxDim) return Status::kInvalidProgram;
    elements *= dim;
    if (elements > kMaxElements) return Status::kInvalidProgram;
  }
  const uint32_t offset = ReadU32(r + 28);
  const uint32_t bytes = ReadU32(r + 32);
  if (bytes != elements * TensorTypeSize(static_cast<TensorType>(r[0]))) {
    return Status::kInvalidProgram;
  }
  if (offset % kDataAlignment != 0) return Status::kInvalidProgram;
  const uint32_t limit =
      r[1] == static_cast<uint8_t>(TensorStorage::kArena) ? activation_bytes_ : data_size_;
  if (!InBounds(offset, bytes, limit)) return Status::kInvalidProgram;
  const float scale = ReadF32(r + 36);
  if (!IsFinite(scale) || scale < 0.0f) return Status::kInvalidProgram;
  const uint32_t channel_scales = ReadU32(r + 44);
  const int32_t channel_count = ReadU16(r + 48);
  const int32_t axis = static_cast<int16_t>(ReadU16(r + 50));
  if (channel_count > 0) {
    if (axis < 0 || axis >= rank) return Status::kInvalidProgram;
    if (ReadU32(r + 4 + 4 * axis) != static_cast<uint32_t>(channel_count)) {
      return Status::kInvalidProgram;
    }
    if (channel_scales % 4 != 0 || !InBounds(channel_scales, 4u * channel_count, data_size_)) {
      return Status::kInvalidProgram;
    }
    const uint8_t* scales = data_ + data_offset_ + channel_scales;
    for (int32_t c = 0; c < channel_count; ++c) {
      const float s = ReadF32(scales + 4 * c);
      if (!IsFinite(s) || s < 0.0f) return Status::kInvalidProgram;
    }
  } else if (channel_scales != 0 || axis != 0) {
    return Status::kInvalidProgram;
  }
  return Status::kOk;
}

Status ProgramView::VerifyOp(int32_t index) const {
  const uint8_t* r = data_ + ops_offset_ + index * kOpRecordSize;
  if (r[2] > 3 || r[3] > 1 || r[4] > kMaxOpInputs || r[5] > kMaxOpOutputs || r[5] == 0 ||
      r[6] > 1 || r[7] != 0) {
    return Status::kInvalidProgram;
  }
  for (int32_t i = 0; i < kMaxOpInputs; ++i) {
    const int32_t id = static_cast<int16_t>(ReadU16(r + 8 + 2 * i));
    if (i >= r[4]) {
      if (id != -1) return Status::kInvalidProgram;
    } else if (id < -1 || id >= tensor_count_) {
      return Status::kInvalidProgram;
    }
  }
  for (int32_t i = 0; i < kMaxOpOutputs; ++i) {
    const int32_t id = static_cast<int16_t>(ReadU16(r + 16 + 2 * i));
    if (i >= r[5]) {
      if (id != -1) return Status::kInvalidProgram;
      continue;
    }
    if (id < 0 || id >= tensor_count_) return Status::kInvalidProgram;
    // Ops never write constants: those may live in read-only flash.
    if (data_[tensors_offset_ + id * kTensorRecordSize + 1] !=
        static_cast<uint8_t>(TensorStorage::kArena)) {
      return Status::kInvalidProgram;
    }
  }
  for (int32_t i = 0; i < 7; ++i) {
    const int32_t v = static_cast<int16_t>(ReadU16(r + 20 + 2 * i));
    if (v < 1) return Status::kInvalidProgram;
  }
  if (ReadU16(r + 34) != 0) return Status::kInvalidProgram;
  if (!IsFinite(ReadF32(r + 36))) return Status::kInvalidProgram;
  return Status::kOk;
}

TensorInfo ProgramView::tensor(int32_t index) const {
  const uint8_t* r = data_ + tensors_offset_ + index * kTensorRecordSize;
  TensorInfo t;
  t.type = static_cast<TensorType>(r[0]);
  t.storage = static_cast<TensorStorage>(r[1]);
  t.rank = r[2];
  for (int32_t d = 0; d < kMaxRank; ++d) t.dims[d] = static_cast<int32_t>(ReadU32(r + 4 + 4 * d));
  t.offset = ReadU32(r + 28);
  t.byte_size = ReadU32(r + 32);
  t.scale = ReadF32(r + 36);
  t.zero_point = static_cast<int32_t>(ReadU32(r + 40));
  t.channel_count = ReadU16(r + 48);
  t.channel_axis = static_cast<int16_t>(ReadU16(r + 50));
  if (t.channel_count > 0) t.channel_scales = data_ + data_offset_ + ReadU32(r + 44);
  return t;
}

OpInfo ProgramView::op(int32_t index) const {
  const uint8_t* r = data_ + ops_offset_ + index * kOpRecordSize;
  OpInfo o;
  o.opcode = static_cast<OpCode>(ReadU16(r));
  o.activation = static_cast<FusedActivation>(r[2]);
  o.padding = static_cast<PaddingType>(r[3]);
  o.input_count = r[4];
  o.output_count = r[5];
  o.keep_dims = r[6] != 0;
  for (int32_t i = 0; i < kMaxOpInputs; ++i)
    o.inputs[i] = static_cast<int16_t>(ReadU16(r + 8 + 2 * i));
  for (int32_t i = 0; i < kMaxOpOutputs; ++i) {
    o.outputs[i] = static_cast<int16_t>(ReadU16(r + 16 + 2 * i));
  }
  o.stride_h = static_cast<int16_t>(ReadU16(r + 20));
  o.stride_w = static_cast<int16_t>(ReadU16(r + 22));
  o.dilation_h = static_cast<int16_t>(ReadU16(r + 24));
  o.dilation_w = static_cast<int16_t>(ReadU16(r + 26));
  o.filter_h = static_cast<int16_t>(ReadU16(r + 28));
  o.filter_w = static_cast<int16_t>(ReadU16(r + 30));
  o.depth_multiplier = static_cast<int16_t>(ReadU16(r + 32));
  o.beta = ReadF32(r + 36);
  return o;
}

int32_t ProgramView::input_tensor(int32_t i) const { return ReadU16(data_ + io_offset_ + 2 * i); }

int32_t ProgramView::output_tensor(int32_t i) const {
  return ReadU16(data_ + io_offset_ + 2 * (input_count_ + i));
}

}  // namespace tinyloop::runtime
