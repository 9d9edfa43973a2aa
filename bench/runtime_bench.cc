// runtime_bench: runs the MLPerf Tiny models in tinyloop's runtime, with the reference or the
// optimized kernels, and prints per model the arena bytes and host ns per Invoke() (median of
// many). bench/runtime_run runs it under callgrind (collection limited to Interpreter::Invoke)
// for instruction counts and prints everything beside TFLM's figures. With --cortex-m4-out DIR it
// instead generates each model's C++ library, builds its Cortex-M4 firmware (codegen_build.h)
// and prints the ELF path and sizes; bench/runtime_run counts its instructions under QEMU.
// See bench/README.md.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "model/codegen_build.h"
#include "model/codegen_cpp.h"
#include "model/runtime_program.h"
#include "model/tflite_import.h"
#include "runtime/interpreter.h"
#include "runtime/kernels/kernels.h"
#include "runtime/kernels/optimized/optimized.h"

namespace {

namespace rt = tinyloop::runtime;

struct Options {
  std::string models_dir;
  std::vector<std::string> models;
  bool optimized = true;
  int invokes = 101;  // timed Invokes per model (or counted ones with --no-timing)
  bool timing = true;
  std::string cortex_m4_out;  // non-empty: build Cortex-M4 firmware into this folder instead
  int input_index = -1;       // firmware input: inputs/<model>_<i>.bin; -1: the zero point
};

std::vector<uint8_t> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// A 16-byte aligned heap copy.
struct Aligned {
  explicit Aligned(size_t n) : holder(new uint8_t[n + 16]) {
    data = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(holder.get()) + 15) / 16 * 16);
  }
  std::unique_ptr<uint8_t[]> holder;
  uint8_t* data;
};

int RunModel(const Options& o, const std::string& name) {
  const std::filesystem::path dir(o.models_dir);
  const auto model = ReadFile(dir / (name + ".tflite"));
  const auto input = ReadFile(dir / "inputs" / (name + "_0.bin"));
  auto graph = tinyloop::model::ImportTflite(model);
  if (!graph.ok()) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), graph.status().ToString().c_str());
    return 1;
  }
  auto program = tinyloop::model::LowerToRuntimeProgram(*graph);
  if (!program.ok()) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), program.status().ToString().c_str());
    return 1;
  }
  rt::OpResolver<rt::kReferenceKernelCount> resolver;
  if (rt::AddReferenceKernels(&resolver) != rt::Status::kOk ||
      (o.optimized && rt::AddOptimizedKernels(&resolver) != rt::Status::kOk)) {
    return 1;
  }
  Aligned bytes(program->bytes.size());
  std::memcpy(bytes.data, program->bytes.data(), program->bytes.size());
  Aligned arena(program->arena_bytes);
  rt::Interpreter interpreter(resolver);
  rt::Status status =
      interpreter.Prepare(bytes.data, program->bytes.size(), arena.data, program->arena_bytes);
  rt::TensorView in;
  if (status == rt::Status::kOk) status = interpreter.input(0, &in);
  if (status != rt::Status::kOk || in.bytes != input.size()) {
    std::fprintf(stderr, "%s: prepare failed: %s\n", name.c_str(), rt::StatusName(status));
    return 1;
  }
  std::memcpy(in.data, input.data(), input.size());
  std::vector<double> ns;
  const int warmup = o.timing ? 3 : 0;
  for (int i = 0; i < warmup + o.invokes; ++i) {
    std::memcpy(in.data, input.data(), input.size());
    const auto start = std::chrono::steady_clock::now();
    status = interpreter.Invoke();
    const auto stop = std::chrono::steady_clock::now();
    if (status != rt::Status::kOk) return 1;
    if (i >= warmup) ns.push_back(std::chrono::duration<double, std::nano>(stop - start).count());
  }
  std::sort(ns.begin(), ns.end());
  std::printf("model=%s kernels=%s arena_bytes=%zu activation_bytes=%u invokes=%d", name.c_str(),
              o.optimized ? "optimized" : "reference", interpreter.arena_used_bytes(),
              program->activation_bytes, o.invokes);
  if (o.timing) std::printf(" ns_median=%.0f ns_min=%.0f", ns[ns.size() / 2], ns.front());
  std::printf("\n");
  return 0;
}

// Generates the model's library, builds its Cortex-M4 firmware and prints its sizes.
int BuildFirmware(const Options& o, const std::string& name) {
  const std::filesystem::path dir(o.models_dir);
  auto graph = tinyloop::model::ImportTflite(ReadFile(dir / (name + ".tflite")));
  if (!graph.ok()) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), graph.status().ToString().c_str());
    return 1;
  }
  auto lib = tinyloop::model::GenerateCppLibrary(*graph);
  if (!lib.ok()) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), lib.status().ToString().c_str());
    return 1;
  }
  std::vector<uint8_t> input;
  if (o.input_index >= 0) {
    input = ReadFile(dir / "inputs" / (name + "_" + std::to_string(o.input_index) + ".bin"));
  }
  auto fw = tinyloop::model::BuildCortexM4Firmware(
      *lib, std::filesystem::path(o.cortex_m4_out) / name, input);
  if (!fw.ok()) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), fw.status().ToString().c_str());
    return 1;
  }
  std::printf(
      "model=%s elf=%s text=%llu data=%llu bss=%llu flash=%llu constant_bytes=%llu "
      "flash_minus_weights=%llu arena_bytes=%u\n",
      name.c_str(), fw->elf.c_str(), static_cast<unsigned long long>(fw->text),
      static_cast<unsigned long long>(fw->data), static_cast<unsigned long long>(fw->bss),
      static_cast<unsigned long long>(fw->flash_bytes()),
      static_cast<unsigned long long>(lib->constant_bytes),
      static_cast<unsigned long long>(fw->flash_bytes() - lib->constant_bytes), lib->arena_bytes);
  return 0;
}

int Usage() {
  std::fprintf(stderr,
               "usage: runtime_bench --models-dir DIR [--model NAME]... "
               "[--kernels reference|optimized] [--invokes N] [--no-timing] "
               "[--cortex-m4-out DIR [--input-index I]]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--models-dir" && has_value) {
      o.models_dir = argv[++i];
    } else if (arg == "--model" && has_value) {
      o.models.push_back(argv[++i]);
    } else if (arg == "--kernels" && has_value) {
      const std::string k = argv[++i];
      if (k != "reference" && k != "optimized") return Usage();
      o.optimized = k == "optimized";
    } else if (arg == "--invokes" && has_value) {
      o.invokes = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--cortex-m4-out" && has_value) {
      o.cortex_m4_out = argv[++i];
    } else if (arg == "--input-index" && has_value) {
      o.input_index = std::atoi(argv[++i]);
    } else if (arg == "--no-timing") {
      o.timing = false;
    } else {
      return Usage();
    }
  }
  if (o.models_dir.empty()) return Usage();
  if (o.models.empty()) o.models = {"kws", "vww", "ic", "ad"};
  for (const auto& m : o.models) {
    if ((o.cortex_m4_out.empty() ? RunModel(o, m) : BuildFirmware(o, m)) != 0) return 1;
  }
  return 0;
}
