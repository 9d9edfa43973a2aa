// The contract between the interpreter and a kernel. A kernel is one Prepare function that
// validates its op, precomputes parameters into persistent arena memory and picks the Eval
// function the interpreter will call; Eval trusts what Prepare checked and never allocates.
// An optimized kernel replaces the reference one by registering its own Prepare per op code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>

#include "runtime/program.h"
#include "runtime/status.h"

namespace tinyloop::runtime {

struct OpState;
// Runs one prepared op. Called once per op per Invoke(); no virtual calls inside kernels.
using EvalFn = Status (*)(const OpState& op);

// What the interpreter keeps per op between Prepare and Invoke (in the arena).
struct OpState {
  EvalFn eval = nullptr;
  const void* inputs[kMaxOpInputs] = {};  // tensor data, null for an absent optional input
  void* outputs[kMaxOpOutputs] = {};
  const void* params = nullptr;  // kernel-specific, allocated by Prepare
};

// Bump allocator over the persistent part of the arena. Not thread-safe.
class PersistentAllocator {
 public:
  PersistentAllocator() = default;
  PersistentAllocator(uint8_t* begin, uint8_t* end) : next_(begin), end_(end), begin_(begin) {}
  // `bytes` aligned to `align` (a power of two <= 16), or null when the arena is exhausted.
  void* Allocate(size_t bytes, size_t align);
  size_t used() const { return static_cast<size_t>(next_ - begin_); }

 private:
  uint8_t* next_ = nullptr;
  uint8_t* end_ = nullptr;
  uint8_t* begin_ = nullptr;
};

// Everything a kernel's Prepare may look at or allocate. Valid only during that call.
class PrepareContext {
 public:
  PrepareContext(const ProgramView& program, const OpInfo& op, OpState* state,
                 PersistentAllocator* allocator);

  const OpInfo& op() const { return op_; }
  int32_t input_count() const { return op_.input_count; }
  int32_t output_count() const { return op_.output_count; }
  // True when input i exists (i < input_count and not the -1 "absent" marker).
  bool HasInput(int32_t i) const { return i < op_.input_count && op_.inputs[i] >= 0; }
  // Preconditions: HasInput(i) / i < output_count().
  const TensorInfo& input(int32_t i) const { return inputs_[i]; }
  const TensorInfo& output(int32_t i) const { return outputs_[i]; }
  OpState* state() { return state_; }

  // A default-constructed T (or `count` of them) in persistent memory; null when full.
  template <typename T>
  T* Allocate(size_t count = 1) {
    void* raw = allocator_->Allocate(sizeof(T) * count, alignof(T));
    if (raw == nullptr) return nullptr;
    T* items = static_cast<T*>(raw);
    for (size_t i = 0; i < count; ++i) new (items + i) T();
    return items;
  }

 private:
  const OpInfo& op_;
  OpState* state_;
  PersistentAllocator* allocator_;
  TensorInfo inputs_[kMaxOpInputs];
  TensorInfo outputs_[kMaxOpOutputs];
};

// Validates op `ctx.op()` and fills ctx.state()->eval and ->params.
using PrepareFn = Status (*)(PrepareContext& ctx);

}  // namespace tinyloop::runtime
