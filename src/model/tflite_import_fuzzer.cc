// libFuzzer target for the .tflite importer: any bytes go through ImportTflite; what imports is
// lowered to a runtime program and, when that succeeds, invoked once on a zero input with the
// reference and with the optimized kernels. A crash, sanitizer report or hang is a bug; error
// statuses are the expected outcome for malformed input. Built only with -DTINYLOOP_FUZZ=ON
// (clang); bench-free replay of the seed corpus is tflite_import_fuzz_test.cc.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

#include "model/runtime_program.h"
#include "model/tflite_import.h"
#include "runtime/interpreter.h"
#include "runtime/kernels/kernels.h"
#include "runtime/kernels/optimized/optimized.h"

namespace {

namespace rt = tinyloop::runtime;

// Prepares `program` in a fresh arena and runs it once on zeros.
void RunOnce(const tinyloop::model::RuntimeProgram& program, bool optimized) {
  rt::OpResolver<rt::kReferenceKernelCount> resolver;
  if (rt::AddReferenceKernels(&resolver) != rt::Status::kOk) __builtin_trap();
  if (optimized && rt::AddOptimizedKernels(&resolver) != rt::Status::kOk) __builtin_trap();
  constexpr size_t kAlign = 16;
  std::unique_ptr<uint8_t[]> bytes(new uint8_t[program.bytes.size() + kAlign]);
  std::unique_ptr<uint8_t[]> arena(new uint8_t[program.arena_bytes + kAlign]);
  auto aligned = [](uint8_t* p) {
    return reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(p) + kAlign - 1) / kAlign *
                                      kAlign);
  };
  uint8_t* program_copy = aligned(bytes.get());
  std::memcpy(program_copy, program.bytes.data(), program.bytes.size());
  uint8_t* arena_begin = aligned(arena.get());
  std::memset(arena_begin, 0, program.arena_bytes);
  rt::Interpreter interpreter(resolver);
  if (interpreter.Prepare(program_copy, program.bytes.size(), arena_begin, program.arena_bytes) !=
      rt::Status::kOk) {
    return;
  }
  for (int32_t i = 0; i < interpreter.input_count(); ++i) {
    rt::TensorView in;
    if (interpreter.input(i, &in) == rt::Status::kOk) std::memset(in.data, 0, in.bytes);
  }
  (void)interpreter.Invoke();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto graph = tinyloop::model::ImportTflite(data, size);
  if (!graph.ok()) {
    if (graph.status().message().empty()) __builtin_trap();  // every rejection says why
    return 0;
  }
  auto program = tinyloop::model::LowerToRuntimeProgram(*graph);
  if (!program.ok()) return 0;
  // Keep a single input within reason so one execution stays fast.
  if (program->arena_bytes > (8u << 20)) return 0;
  RunOnce(*program, false);
  RunOnce(*program, true);
  return 0;
}
