// The freestanding runtime's error type: a small enum class, no strings, no exceptions.
// Every runtime entry point returns one; kOk means success. StatusName() gives a stable
// lower-case name for logs and tests.
#pragma once

#include <cstdint>

namespace tinyloop::runtime {

enum class Status : uint8_t {
  kOk = 0,
  kInvalidProgram,       // the program bytes fail verification (bad magic, offset, index, size)
  kUnsupportedVersion,   // the program was written by a newer format version
  kUnsupportedOp,        // no kernel registered for an op code
  kUnsupportedType,      // a kernel does not handle this tensor type combination
  kInvalidShape,         // tensor shapes do not fit the op
  kInvalidQuantization,  // missing or out-of-range quantization parameters
  kInvalidOptions,       // op options out of range (stride, padding, activation, ...)
  kArenaTooSmall,        // the caller's arena cannot hold activations + persistent state
  kMisaligned,           // program or arena pointer not aligned as documented
  kResolverFull,         // OpResolver capacity exceeded
  kNotPrepared,          // Invoke() or tensor access before a successful Prepare()
  kOutOfRange,           // an input/output index out of range
};

// Stable name, e.g. "invalid_program". Never null.
const char* StatusName(Status status);

}  // namespace tinyloop::runtime

#define TL_RT_RETURN_IF_ERROR(expr)                                              \
  do {                                                                           \
    const ::tinyloop::runtime::Status tl_rt_status_ = (expr);                    \
    if (tl_rt_status_ != ::tinyloop::runtime::Status::kOk) return tl_rt_status_; \
  } while (0)
