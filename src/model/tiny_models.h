// Test-only builders of small .tflite flatbuffers (one CONV_2D) with knobs that break one field
// at a time, for importer error tests and runtime robustness tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tinyloop::model::testing {

struct TinyConvSpec {
  int32_t builtin_code = 3;            // CONV_2D
  int8_t deprecated_builtin_code = 3;  // old files set only this one
  uint32_t filter_buffer = 1;          // buffer index of the filter tensor
  size_t filter_bytes = 18;            // [2,3,3,1] int8 needs 18
  int32_t output_channels = 2;         // output shape [1,2,2,output_channels]
  bool per_channel = true;             // filter scales per output channel
};

// input int8 [1,4,4,1] (scale 0.5, zp -1) -> CONV_2D VALID 3x3, 2 filters, int32 bias ->
// output int8 [1,2,2,2] (scale 0.25, zp 3).
std::vector<uint8_t> BuildTinyConvModel(const TinyConvSpec& spec = {});

}  // namespace tinyloop::model::testing
