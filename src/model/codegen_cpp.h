// Code generation of a self-contained C++ library for one model (the "model as code" deployable):
// weights and precomputed kernel parameters as const arrays (flash), a static 16-byte aligned
// arena of exactly the planned activation size, and a straight-line sequence of calls into the
// runtime's reference kernels (copied into the folder), plus a CMake and a host example.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/ir.h"

namespace tinyloop::model {

struct CppLibraryOptions {
  // Class names in output order. Non-empty: the header also declares tinyloop_labels and the
  // classifier overload tinyloop_run(signal, &result). Default: none.
  std::vector<std::string> labels;
  // Text embedded verbatim as `tinyloop_dsp_config_json` (the impulse's DSP configuration, for
  // the caller's feature extraction). Default: empty string.
  std::string dsp_config_json;
};

// The int8 CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED / ADD kernels a generated library calls
// (paths inside the folder): the header, its portable source (in CppLibrary::sources) and the
// Cortex-M4 DSP sources that replace it in firmware builds (BuildCortexM4Firmware, or the
// generated CMake's TINYLOOP_CORTEX_M4_DSP option).
inline constexpr const char* kCortexM4KernelsHeader = "runtime/kernels/cortex_m4/int8_kernels.h";
inline constexpr const char* kCortexM4KernelsPortable =
    "runtime/kernels/cortex_m4/int8_kernels_portable.cc";
inline constexpr const char* kCortexM4KernelsDsp[4] = {
    "runtime/kernels/cortex_m4/conv.cc", "runtime/kernels/cortex_m4/depthwise_conv.cc",
    "runtime/kernels/cortex_m4/fully_connected.cc", "runtime/kernels/cortex_m4/add.cc"};

struct GeneratedFile {
  std::string path;  // relative to the library folder, '/'-separated
  std::string content;
};

// A generated library, in memory. WriteCppLibrary puts it on disk.
struct CppLibrary {
  std::vector<GeneratedFile> files;
  std::vector<std::string> sources;  // the .cc files of the library (not the examples)
  uint32_t arena_bytes = 0;          // the static arena (planned activations, 16-byte multiple)
  uint64_t constant_bytes = 0;       // weights and precomputed parameters emitted as const data
  DType input_type = DType::kInt8;
  DType output_type = DType::kInt8;
  int64_t input_bytes = 0;
  int64_t output_bytes = 0;
  int32_t input_zero_point = 0;  // 0 for a float input
};

// Generates the library for `g`: tinyloop_model.h (API, documented inside), tinyloop_model.cc,
// the reference kernel sources the model uses under runtime/, CMakeLists.txt and main_host.cc.
// Kernel parameters come from the runtime's own Prepare, so results equal the interpreter's.
// Errors: InvalidArgument for an invalid graph, more than one input or output, an input or
// output type other than int8/float32, or labels whose count differs from the output size;
// Unimplemented for an op without a runtime kernel.
StatusOr<CppLibrary> GenerateCppLibrary(const Graph& g, const CppLibraryOptions& options = {});

// Writes every file of `library` under `dir` (created if needed; existing files replaced).
// Errors: Internal naming the path that cannot be written.
Status WriteCppLibrary(const CppLibrary& library, const std::filesystem::path& dir);

// Text of example_input.h for the Cortex-M4 example: `kExampleInput`, the given raw input
// tensor, or the input zero point everywhere when `input` is empty.
// Errors: InvalidArgument when a non-empty `input` is not exactly library.input_bytes long.
StatusOr<std::string> ExampleInputHeader(const CppLibrary& library,
                                         const std::vector<uint8_t>& input);

}  // namespace tinyloop::model
