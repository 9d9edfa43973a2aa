// Proves the runtime never touches the heap: global operator new/delete abort while armed, and
// all four MLPerf Tiny models are Prepared and Invoked while armed (import and lowering, which
// are host code, run before arming).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include "model/runtime_program.h"
#include "model/test_util.h"
#include "model/tflite_import.h"

namespace {
bool g_heap_armed = false;

void* CheckedAlloc(std::size_t size) {
  if (g_heap_armed) {
    std::fputs("heap allocation while the no-heap guard is armed\n", stderr);
    std::abort();
  }
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void CheckedFree(void* p) {
  if (g_heap_armed && p != nullptr) {
    std::fputs("heap free while the no-heap guard is armed\n", stderr);
    std::abort();
  }
  std::free(p);
}
}  // namespace

void* operator new(std::size_t size) { return CheckedAlloc(size); }
void* operator new[](std::size_t size) { return CheckedAlloc(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  if (g_heap_armed) std::abort();
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  if (g_heap_armed) std::abort();
  return std::malloc(size == 0 ? 1 : size);
}
void operator delete(void* p) noexcept { CheckedFree(p); }
void operator delete[](void* p) noexcept { CheckedFree(p); }
void operator delete(void* p, std::size_t) noexcept { CheckedFree(p); }
void operator delete[](void* p, std::size_t) noexcept { CheckedFree(p); }

namespace tinyloop::model {
namespace {

using testing::AlignedBuffer;

TEST(RuntimeNoHeapTest, AllMlperfModelsPrepareAndInvokeWithoutHeap) {
  const auto dir = testing::MlperfTinyDir();
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "missing folder " << dir;
  for (const char* name : {"kws", "vww", "ic", "ad"}) {
    auto g = ImportTflite(testing::ReadFileBytes(dir / (std::string(name) + ".tflite")));
    ASSERT_TRUE(g.ok());
    auto program = LowerToRuntimeProgram(*g);
    ASSERT_TRUE(program.ok());
    const auto input = testing::ReadFileBytes(dir / "inputs" / (std::string(name) + "_0.bin"));
    const auto expected = testing::ReadFileBytes(dir / "outputs" / (std::string(name) + "_0.bin"));
    AlignedBuffer program_bytes(program->bytes.data(), program->bytes.size());
    AlignedBuffer arena(program->arena_bytes);
    AlignedBuffer output(expected.size());

    g_heap_armed = true;
    runtime::OpResolver<runtime::kReferenceKernelCount> resolver;
    runtime::Status status = runtime::AddReferenceKernels(&resolver);
    runtime::Interpreter interpreter(resolver);
    if (status == runtime::Status::kOk) {
      status = interpreter.Prepare(program_bytes.data(), program_bytes.size(), arena.data(),
                                   arena.size());
    }
    runtime::TensorView in, out;
    if (status == runtime::Status::kOk) status = interpreter.input(0, &in);
    if (status == runtime::Status::kOk && in.bytes == input.size()) {
      std::memcpy(in.data, input.data(), input.size());
      status = interpreter.Invoke();
    }
    if (status == runtime::Status::kOk) status = interpreter.output(0, &out);
    if (status == runtime::Status::kOk && out.bytes == output.size()) {
      std::memcpy(output.data(), out.data, out.bytes);
    }
    g_heap_armed = false;

    ASSERT_EQ(status, runtime::Status::kOk) << name << ": " << runtime::StatusName(status);
    EXPECT_EQ(std::vector<uint8_t>(output.data(), output.data() + output.size()), expected) << name;
  }
}

}  // namespace
}  // namespace tinyloop::model
