// Test helpers for src/model tests: locating ../shared/models/mlperf_tiny, reading files,
// 16-byte aligned buffers and running a lowered program in the reference runtime.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "model/runtime_program.h"
#include "runtime/interpreter.h"
#include "runtime/kernels/kernels.h"
#include "runtime/kernels/optimized/optimized.h"

namespace tinyloop::model::testing {

// <source>/../shared/models/mlperf_tiny (may not exist).
std::filesystem::path MlperfTinyDir();

// Whole file, or empty when it cannot be read.
std::vector<uint8_t> ReadFileBytes(const std::filesystem::path& path);

// A heap buffer whose data() is 16-byte aligned. Allocates in the constructor only.
class AlignedBuffer {
 public:
  explicit AlignedBuffer(size_t size);
  AlignedBuffer(const uint8_t* data, size_t size);
  uint8_t* data() { return data_; }
  size_t size() const { return size_; }

 private:
  std::unique_ptr<uint8_t[]> holder_;
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// Which kernels a ProgramRunner registers: the reference ones, or those with the optimized
// kernels (runtime/kernels/optimized/optimized.h) registered over them.
enum class Kernels { kReference, kOptimized };

// A prepared interpreter over a copy of a program, with its own arena.
class ProgramRunner {
 public:
  explicit ProgramRunner(const RuntimeProgram& program, size_t extra_arena = 0,
                         Kernels kernels = Kernels::kReference);
  runtime::Status prepare_status() const { return prepare_status_; }
  runtime::Interpreter& interpreter() { return interpreter_; }
  // Copies `input` into input 0, invokes, and returns output 0's bytes (empty on error).
  std::vector<uint8_t> Run(const std::vector<uint8_t>& input);

 private:
  runtime::OpResolver<runtime::kReferenceKernelCount> resolver_;
  AlignedBuffer program_;
  AlignedBuffer arena_;
  runtime::Interpreter interpreter_;
  runtime::Status prepare_status_ = runtime::Status::kNotPrepared;
};

}  // namespace tinyloop::model::testing
