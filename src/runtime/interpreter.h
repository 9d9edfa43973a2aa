// The interpreter: runs a runtime program (runtime/program_format.h) in a caller-owned arena.
// Prepare() verifies the program bytes, lays out the arena (activations first, then per-op state
// and precomputed parameters) and prepares every kernel; Invoke() then runs the ops in order.
// No heap, no exceptions; bad program bytes give an error Status, never a crash.
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/kernel_api.h"
#include "runtime/op_resolver.h"
#include "runtime/program.h"
#include "runtime/status.h"

namespace tinyloop::runtime {

// A model input or output: its metadata and where its bytes live in the arena.
struct TensorView {
  TensorInfo info;
  uint8_t* data = nullptr;
  size_t bytes = 0;
};

// Not thread-safe. The resolver, program bytes and arena must outlive the interpreter (or the
// next Prepare()); the interpreter owns none of them.
class Interpreter {
 public:
  explicit Interpreter(const OpResolverBase& resolver) : resolver_(resolver) {}

  // Verifies `program` (16-byte aligned, `program_size` bytes) and prepares it in `arena`
  // (16-byte aligned). Errors: kMisaligned, kInvalidProgram, kUnsupportedVersion,
  // kArenaTooSmall, kUnsupportedOp and the kernels' kUnsupportedType / kInvalidShape /
  // kInvalidQuantization / kInvalidOptions; failed_op() then names the op (or -1).
  Status Prepare(const uint8_t* program, size_t program_size, uint8_t* arena, size_t arena_size);

  // Runs every op once. kNotPrepared without a successful Prepare().
  Status Invoke();

  int32_t input_count() const { return prepared_ ? program_.input_count() : 0; }
  int32_t output_count() const { return prepared_ ? program_.output_count() : 0; }
  // Model input/output i; kOutOfRange or kNotPrepared as the result otherwise.
  Status input(int32_t i, TensorView* view) const;
  Status output(int32_t i, TensorView* view) const;

  // Bytes of the arena in use after Prepare(): activations + op state + parameters.
  size_t arena_used_bytes() const { return arena_used_; }
  // Index of the op whose Prepare failed, -1 otherwise.
  int32_t failed_op() const { return failed_op_; }

 private:
  Status View(int32_t tensor, TensorView* view) const;

  const OpResolverBase& resolver_;
  ProgramView program_;
  uint8_t* arena_ = nullptr;
  OpState* ops_ = nullptr;
  size_t arena_used_ = 0;
  int32_t failed_op_ = -1;
  bool prepared_ = false;
};

}  // namespace tinyloop::runtime
