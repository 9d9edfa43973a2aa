// Fixed-capacity map from op code to kernel Prepare function: the set of kernels a firmware
// links. OpResolver<N> owns its table (no heap); the interpreter sees it as OpResolverBase.
// Registering the same op twice replaces the kernel, so an optimized kernel can be swapped in.
#pragma once

#include <cstddef>

#include "runtime/kernel_api.h"
#include "runtime/program_format.h"
#include "runtime/status.h"

namespace tinyloop::runtime {

class OpResolverBase {
 public:
  struct Entry {
    OpCode op = OpCode::kAdd;
    PrepareFn prepare = nullptr;
  };

  OpResolverBase(const OpResolverBase&) = delete;
  OpResolverBase& operator=(const OpResolverBase&) = delete;

  // Registers (or replaces) the kernel for `op`. kResolverFull when capacity is exhausted.
  Status Add(OpCode op, PrepareFn prepare);
  // The kernel for `op`, or null.
  PrepareFn Find(OpCode op) const;
  size_t size() const { return count_; }

 protected:
  OpResolverBase(Entry* entries, size_t capacity) : entries_(entries), capacity_(capacity) {}
  ~OpResolverBase() = default;

 private:
  Entry* entries_;
  size_t capacity_;
  size_t count_ = 0;
};

template <size_t kCapacity>
class OpResolver : public OpResolverBase {
 public:
  OpResolver() : OpResolverBase(storage_, kCapacity) {}

 private:
  Entry storage_[kCapacity];
};

}  // namespace tinyloop::runtime
