#include "model/test_util.h"

#include <cstring>
#include <fstream>
#include <iterator>

namespace tinyloop::model::testing {

std::filesystem::path MlperfTinyDir() {
  return std::filesystem::path(TINYLOOP_SOURCE_DIR) / ".." / "shared" / "models" / "mlperf_tiny";
}

std::vector<uint8_t> ReadFileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

AlignedBuffer::AlignedBuffer(size_t size) : holder_(new uint8_t[size + 16]()), size_(size) {
  const uintptr_t p = reinterpret_cast<uintptr_t>(holder_.get());
  data_ = reinterpret_cast<uint8_t*>((p + 15) / 16 * 16);
}

AlignedBuffer::AlignedBuffer(const uint8_t* data, size_t size) : AlignedBuffer(size) {
  if (size > 0) std::memcpy(data_, data, size);
}

ProgramRunner::ProgramRunner(const RuntimeProgram& program, size_t extra_arena, Kernels kernels)
    : program_(program.bytes.data(), program.bytes.size()),
      arena_(program.arena_bytes + extra_arena),
      interpreter_(resolver_) {
  if (runtime::AddReferenceKernels(&resolver_) != runtime::Status::kOk) return;
  if (kernels == Kernels::kOptimized &&
      runtime::AddOptimizedKernels(&resolver_) != runtime::Status::kOk) {
    return;
  }
  prepare_status_ =
      interpreter_.Prepare(program_.data(), program_.size(), arena_.data(), arena_.size());
}

std::vector<uint8_t> ProgramRunner::Run(const std::vector<uint8_t>& input) {
  runtime::TensorView in, out;
  if (prepare_status_ != runtime::Status::kOk ||
      interpreter_.input(0, &in) != runtime::Status::kOk || in.bytes != input.size()) {
    return {};
  }
  std::memcpy(in.data, input.data(), input.size());
  if (interpreter_.Invoke() != runtime::Status::kOk) return {};
  if (interpreter_.output(0, &out) != runtime::Status::kOk) return {};
  return std::vector<uint8_t>(out.data, out.data + out.bytes);
}

}  // namespace tinyloop::model::testing
