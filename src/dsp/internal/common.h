// Internal helpers shared by the DSP blocks: carving aligned buffers out of the caller's scratch
// area, computing how many scratch bytes a layout needs, and filling a BlockPlan.
// Not part of the public API; include only from src/dsp.
#pragma once

#include <cstddef>
#include <cstdint>

#include "dsp/dsp_types.h"

namespace tinyloop::dsp::internal {

constexpr size_t kScratchAlign = 16;
// Upper bound on frames * axes (or pixels * channels) so size arithmetic never overflows.
constexpr uint64_t kMaxInputValues = uint64_t{1} << 28;

constexpr size_t AlignUp(size_t bytes) {
  return (bytes + kScratchAlign - 1) & ~(kScratchAlign - 1);
}

constexpr bool IsPowerOfTwo(uint32_t n) { return n != 0 && (n & (n - 1)) == 0; }

// Adds up the aligned sizes of the buffers a block carves from scratch, in the same order as
// ScratchArena::Take is called in Run, plus slack to align an unaligned scratch pointer.
class ScratchLayout {
 public:
  template <typename T>
  void Add(size_t count) {
    bytes_ += AlignUp(count * sizeof(T));
  }
  size_t bytes() const { return bytes_ == 0 ? 0 : bytes_ + kScratchAlign - 1; }

 private:
  size_t bytes_ = 0;
};

// Hands out 16-byte-aligned sub-buffers of a caller-owned area; never allocates.
class ScratchArena {
 public:
  ScratchArena(void* data, size_t size) {
    const uintptr_t start = reinterpret_cast<uintptr_t>(data);
    const uintptr_t aligned = (start + kScratchAlign - 1) & ~uintptr_t{kScratchAlign - 1};
    if (data != nullptr && aligned - start <= size) {
      next_ = reinterpret_cast<unsigned char*>(aligned);
      left_ = size - (aligned - start);
    }
  }
  // Returns `count` elements of T (uninitialized), or null when the area is exhausted.
  template <typename T>
  T* Take(size_t count) {
    const size_t bytes = AlignUp(count * sizeof(T));
    if (next_ == nullptr || bytes > left_) return nullptr;
    T* out = reinterpret_cast<T*>(next_);
    next_ += bytes;
    left_ -= bytes;
    return out;
  }

 private:
  unsigned char* next_ = nullptr;
  size_t left_ = 0;
};

inline DspStatus Fail(BlockPlan* plan, DspStatus status, const char* error) {
  plan->error = error;
  return status;
}

inline void SetShape(FeatureShape* shape, uint32_t rank, uint32_t d0, uint32_t d1 = 1,
                     uint32_t d2 = 1) {
  shape->rank = rank;
  shape->dims[0] = d0;
  shape->dims[1] = rank > 1 ? d1 : 0;
  shape->dims[2] = rank > 2 ? d2 : 0;
  shape->num_features = d0 * (rank > 1 ? d1 : 1) * (rank > 2 ? d2 : 1);
}

// Checks a time-series shape: at least one frame and one axis, and a bounded value count.
inline DspStatus CheckSignalShape(const SignalShape& input, BlockPlan* plan) {
  if (input.frames == 0) return Fail(plan, DspStatus::kShapeMismatch, "input frames is 0");
  if (input.axes == 0) return Fail(plan, DspStatus::kShapeMismatch, "input axes is 0");
  if (uint64_t{input.frames} * input.axes > kMaxInputValues) {
    return Fail(plan, DspStatus::kShapeMismatch, "input has more than 2^28 values");
  }
  return DspStatus::kOk;
}

// The checks every Run* performs after its Plan*: input present, output large enough.
inline DspStatus CheckBuffers(const void* input, const float* output, size_t output_size,
                              const BlockPlan& plan) {
  if (input == nullptr || output == nullptr) return DspStatus::kBufferTooSmall;
  if (output_size < plan.output.num_features) return DspStatus::kBufferTooSmall;
  return DspStatus::kOk;
}

}  // namespace tinyloop::dsp::internal
