// Building a generated model library (model/codegen_cpp.h) into programs: the host example
// with the host C++ compiler, and the bare-metal Cortex-M4 example firmware for QEMU
// mps2-an386 (own startup, semihosting, linker script) with arm-none-eabi-g++, its flash size
// from arm-none-eabi-size, and a run under qemu-system-arm. Host-only; runs external tools.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/codegen_cpp.h"

namespace tinyloop::model {

// The Cortex-M4 flags of the measurements in TFLM_CORTEX_M4.md (kernels at -O2).
inline constexpr const char* kCortexM4Flags =
    "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -O2";

// Absolute path of `tool` found on $PATH. FailedPrecondition naming the tool and the Debian
// package that provides it when it is missing.
StatusOr<std::string> FindTool(const std::string& tool, const std::string& package);

// Writes `library` into `dir` and compiles tinyloop_model.cc, its kernels and main_host.cc with
// `c++ -std=c++17 -O2` into dir/tinyloop_model_host. Result: the executable's path.
// Errors: FailedPrecondition when c++ is missing; Internal with the compiler output on failure.
StatusOr<std::filesystem::path> BuildHostExample(const CppLibrary& library,
                                                 const std::filesystem::path& dir);

struct FirmwareBuild {
  std::filesystem::path elf;             // dir/cortex_m4/fw.elf (linker map beside it: fw.map)
  uint64_t text = 0, data = 0, bss = 0;  // arm-none-eabi-size (Berkeley format)
  uint64_t flash_bytes() const { return text + data; }
  uint64_t ram_bytes() const { return data + bss; }
};

// Writes `library` into `dir`, adds cortex_m4/ (startup, semihosting, linker script, example
// main, example_input.h holding `example_input`, or the zero point everywhere when empty) and
// builds cortex_m4/fw.elf with kCortexM4Flags, newlib-nano, -Wl,--gc-sections.
// Errors: FailedPrecondition naming arm-none-eabi-g++ / arm-none-eabi-size when missing;
// InvalidArgument for an example input of the wrong size; Internal with the compiler output.
StatusOr<FirmwareBuild> BuildCortexM4Firmware(const CppLibrary& library,
                                              const std::filesystem::path& dir,
                                              const std::vector<uint8_t>& example_input = {});

struct ProgramRun {
  int exit_code = -1;  // 124 when killed by the timeout
  std::string output;  // stdout and stderr together
};

// Runs `elf` under `qemu-system-arm -M mps2-an386 -nographic -semihosting-config
// enable=on,target=native`, killed after `timeout_s` seconds.
// Errors: FailedPrecondition naming qemu-system-arm (or timeout) when missing.
StatusOr<ProgramRun> RunOnQemu(const std::filesystem::path& elf, int timeout_s);

// The bytes printed by the example programs' "output: b0 b1 ..." line, or InvalidArgument
// when `text` has no such line.
StatusOr<std::vector<uint8_t>> ParseExampleOutput(const std::string& text);

}  // namespace tinyloop::model
