// Program verification and the interpreter on a hand-written one-op program (FULLY_CONNECTED,
// float32): happy path, then each class of bad input returns its Status.
#include "runtime/interpreter.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "runtime/kernels/kernels.h"

namespace tinyloop::runtime {
namespace {

class Writer {
 public:
  void U8(uint8_t v) { bytes.push_back(v); }
  void U16(uint16_t v) { U8(v & 0xff), U8(v >> 8); }
  void U32(uint32_t v) { U16(v & 0xffff), U16(v >> 16); }
  void F32(float f) {
    uint32_t b;
    std::memcpy(&b, &f, 4);
    U32(b);
  }
  void Tensor(TensorStorage storage, std::vector<int32_t> dims, uint32_t offset) {
    U8(static_cast<uint8_t>(TensorType::kFloat32));
    U8(static_cast<uint8_t>(storage));
    U8(static_cast<uint8_t>(dims.size()));
    U8(0);
    uint32_t elements = 1;
    for (int d = 0; d < kMaxRank; ++d) {
      U32(d < static_cast<int>(dims.size()) ? dims[d] : 0);
      if (d < static_cast<int>(dims.size())) elements *= dims[d];
    }
    U32(offset);
    U32(elements * 4);
    F32(0.0f);
    U32(0);
    U32(0);
    U16(0);
    U16(0);
  }
  std::vector<uint8_t> bytes;
};

// y = W x with W = [[1, 2], [3, -4]]; x is input 0, y output 0.
std::vector<uint8_t> FullyConnectedProgram() {
  Writer w;
  w.U32(kProgramMagic);
  w.U16(kProgramVersion);
  w.U16(kHeaderSize);
  w.U32(272);  // total
  w.U32(32);   // activation bytes
  w.U16(3), w.U16(1), w.U16(1), w.U16(1);
  w.U32(48), w.U32(48 + 3 * 52), w.U32(48 + 3 * 52 + 40), w.U32(256), w.U32(16), w.U32(0);
  w.Tensor(TensorStorage::kArena, {1, 2}, 0);
  w.Tensor(TensorStorage::kConstant, {2, 2}, 0);
  w.Tensor(TensorStorage::kArena, {1, 2}, 16);
  w.U16(static_cast<uint16_t>(OpCode::kFullyConnected));
  w.U8(0), w.U8(0), w.U8(3), w.U8(1), w.U8(0), w.U8(0);
  w.U16(0), w.U16(1), w.U16(0xffff), w.U16(0xffff);
  w.U16(2), w.U16(0xffff);
  for (int i = 0; i < 7; ++i) w.U16(1);
  w.U16(0);
  w.F32(1.0f);
  w.U16(0), w.U16(2);
  while (w.bytes.size() < 256) w.U8(0);
  for (float f : {1.0f, 2.0f, 3.0f, -4.0f}) w.F32(f);
  return w.bytes;
}

struct alignas(16) Arena {
  uint8_t bytes[4096];
};

class InterpreterTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(AddReferenceKernels(&resolver_), Status::kOk); }
  Status Prepare(const std::vector<uint8_t>& program, size_t arena_size = sizeof(Arena)) {
    std::memcpy(program_.bytes, program.data(), program.size());
    return interpreter_.Prepare(program_.bytes, program.size(), arena_.bytes, arena_size);
  }
  OpResolver<kReferenceKernelCount> resolver_;
  Interpreter interpreter_{resolver_};
  Arena program_;
  Arena arena_;
};

TEST_F(InterpreterTest, RunsFullyConnected) {
  ASSERT_EQ(Prepare(FullyConnectedProgram()), Status::kOk);
  TensorView in, out;
  ASSERT_EQ(interpreter_.input(0, &in), Status::kOk);
  ASSERT_EQ(in.bytes, 8u);
  const float x[2] = {0.5f, 2.0f};
  std::memcpy(in.data, x, 8);
  ASSERT_EQ(interpreter_.Invoke(), Status::kOk);
  ASSERT_EQ(interpreter_.output(0, &out), Status::kOk);
  float y[2];
  std::memcpy(y, out.data, 8);
  EXPECT_FLOAT_EQ(y[0], 4.5f);
  EXPECT_FLOAT_EQ(y[1], -6.5f);
  EXPECT_GE(interpreter_.arena_used_bytes(), 32u);
  EXPECT_EQ(interpreter_.input(1, &in), Status::kOutOfRange);
}

TEST_F(InterpreterTest, RejectsBadPrograms) {
  const auto good = FullyConnectedProgram();
  auto bad = good;
  bad[0] ^= 1;
  EXPECT_EQ(Prepare(bad), Status::kInvalidProgram);
  bad = good;
  bad[4] = 9;  // version 9
  EXPECT_EQ(Prepare(bad), Status::kUnsupportedVersion);
  bad.assign(good.begin(), good.begin() + 100);
  EXPECT_EQ(Prepare(bad), Status::kInvalidProgram);  // truncated: total_size mismatch
  bad = good;
  bad[48 + 52 + 28] = 16;  // weights offset 16 + 16 bytes > data_size
  EXPECT_EQ(Prepare(bad), Status::kInvalidProgram);
  bad = good;
  bad[48 + 3 * 52 + 16] = 1;  // op writes the constant weights tensor
  EXPECT_EQ(Prepare(bad), Status::kInvalidProgram);
  bad = good;
  bad[48 + 3 * 52 + 8] = 7;  // input index past the tensor table
  EXPECT_EQ(Prepare(bad), Status::kInvalidProgram);
  EXPECT_EQ(interpreter_.Invoke(), Status::kNotPrepared);
}

TEST_F(InterpreterTest, ReportsKernelAndArenaErrors) {
  auto bad = FullyConnectedProgram();
  bad[48 + 3 * 52] = static_cast<uint8_t>(OpCode::kMean);  // MEAN needs a 4D input
  EXPECT_EQ(Prepare(bad), Status::kInvalidShape);
  EXPECT_EQ(interpreter_.failed_op(), 0);
  bad[48 + 3 * 52] = 77;  // no kernel
  EXPECT_EQ(Prepare(bad), Status::kUnsupportedOp);
  EXPECT_EQ(Prepare(FullyConnectedProgram(), 40), Status::kArenaTooSmall);
  const auto good = FullyConnectedProgram();
  std::memcpy(program_.bytes + 1, good.data(), good.size());
  EXPECT_EQ(interpreter_.Prepare(program_.bytes + 1, good.size(), arena_.bytes, 4096),
            Status::kMisaligned);
}

TEST(OpResolverTest, FixedCapacityAndReplacement) {
  OpResolver<2> resolver;
  EXPECT_EQ(resolver.Add(OpCode::kAdd, PrepareAdd), Status::kOk);
  EXPECT_EQ(resolver.Add(OpCode::kRelu, PrepareRelu), Status::kOk);
  EXPECT_EQ(resolver.Add(OpCode::kAdd, PrepareSoftmax), Status::kOk);  // replaces
  EXPECT_EQ(resolver.Find(OpCode::kAdd), &PrepareSoftmax);
  EXPECT_EQ(resolver.Add(OpCode::kMean, PrepareMean), Status::kResolverFull);
  EXPECT_EQ(resolver.Find(OpCode::kMean), nullptr);
  OpResolver<4> small;
  EXPECT_EQ(AddReferenceKernels(&small), Status::kResolverFull);
}

}  // namespace
}  // namespace tinyloop::runtime
