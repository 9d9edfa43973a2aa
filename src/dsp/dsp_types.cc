#include "dsp/dsp_types.h"

namespace tinyloop::dsp {

const char* DspStatusName(DspStatus status) {
  switch (status) {
    case DspStatus::kOk:
      return "ok";
    case DspStatus::kInvalidConfig:
      return "invalid_config";
    case DspStatus::kBufferTooSmall:
      return "buffer_too_small";
    case DspStatus::kShapeMismatch:
      return "shape_mismatch";
  }
  return "unknown";
}

}  // namespace tinyloop::dsp
