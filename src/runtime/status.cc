#include "runtime/status.h"

namespace tinyloop::runtime {

const char* StatusName(Status status) {
  switch (status) {
    case Status::kOk:
      return "ok";
    case Status::kInvalidProgram:
      return "invalid_program";
    case Status::kUnsupportedVersion:
      return "unsupported_version";
    case Status::kUnsupportedOp:
      return "unsupported_op";
    case Status::kUnsupportedType:
      return "unsupported_type";
    case Status::kInvalidShape:
      return "invalid_shape";
    case Status::kInvalidQuantization:
      return "invalid_quantization";
    case Status::kInvalidOptions:
      return "invalid_options";
    case Status::kArenaTooSmall:
      return "arena_too_small";
    case Status::kMisaligned:
      return "misaligned";
    case Status::kResolverFull:
      return "resolver_full";
    case Status::kNotPrepared:
      return "not_prepared";
    case Status::kOutOfRange:
      return "out_of_range";
  }
  return "unknown";
}

}  // namespace tinyloop::runtime
