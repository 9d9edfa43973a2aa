// Lowering to the runtime program: the memory plan never overlaps live tensors, and corrupted
// program bytes (bit flips, truncation) give an error status, never a crash.
#include "model/runtime_program.h"

#include <gtest/gtest.h>

#include "model/test_util.h"
#include "model/tflite_import.h"
#include "model/tiny_models.h"

namespace tinyloop::model {
namespace {

using testing::MlperfTinyDir;
using testing::ReadFileBytes;

TEST(MemoryPlanTest, LiveTensorsNeverOverlap) {
  const auto dir = MlperfTinyDir();
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "missing folder " << dir;
  for (const char* name : {"kws", "vww", "ic", "ad"}) {
    auto g = ImportTflite(ReadFileBytes(dir / (std::string(name) + ".tflite")));
    ASSERT_TRUE(g.ok());
    const MemoryPlan plan = PlanActivations(*g);
    const size_t n = g->tensors.size();
    std::vector<int64_t> first(n, 1 << 30), last(n, -1);
    for (size_t i = 0; i < g->ops.size(); ++i) {
      for (int32_t id : g->ops[i].inputs) {
        if (id >= 0)
          first[id] = std::min<int64_t>(first[id], i), last[id] = std::max<int64_t>(last[id], i);
      }
      for (int32_t id : g->ops[i].outputs)
        first[id] = std::min<int64_t>(first[id], i), last[id] = std::max<int64_t>(last[id], i);
    }
    for (int32_t id : g->inputs) first[id] = 0;
    for (int32_t id : g->outputs) last[id] = static_cast<int64_t>(g->ops.size());
    for (size_t a = 0; a < n; ++a) {
      if (plan.offsets[a] < 0) continue;
      EXPECT_EQ(plan.offsets[a] % 16, 0);
      EXPECT_LE(plan.offsets[a] + g->tensors[a].byte_size(), plan.bytes);
      for (size_t b = a + 1; b < n; ++b) {
        if (plan.offsets[b] < 0 || first[a] > last[b] || first[b] > last[a]) continue;
        const bool disjoint = plan.offsets[a] + g->tensors[a].byte_size() <= plan.offsets[b] ||
                              plan.offsets[b] + g->tensors[b].byte_size() <= plan.offsets[a];
        EXPECT_TRUE(disjoint) << name << ": tensors " << a << " and " << b;
      }
    }
  }
}

TEST(RuntimeProgramTest, RejectsOpsWithoutKernel) {
  auto g = ImportTflite(testing::BuildTinyConvModel());
  ASSERT_TRUE(g.ok());
  g->ops[0].type = OpType::kTanh;
  g->ops[0].inputs.resize(1);
  g->tensors[3].shape = {1, 4, 4, 1};
  auto program = LowerToRuntimeProgram(*g);
  ASSERT_FALSE(program.ok());
  EXPECT_NE(program.status().message().find("no TANH kernel"), std::string::npos)
      << program.status().ToString();
}

// Flips bits in (and truncates) a valid program; Prepare must fail cleanly or, when the bytes
// still verify, Invoke must run within the arena.
void MutateAndRun(const RuntimeProgram& good, int iterations, uint64_t seed) {
  uint64_t state = seed;
  auto next = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state >> 33;
  };
  const size_t tables = std::min<size_t>(good.bytes.size(), 48 + 52 * 64 + 40 * 64);
  int prepared = 0;
  for (int iter = 0; iter < iterations; ++iter) {
    RuntimeProgram bad = good;
    if (iter % 10 == 9) {
      bad.bytes.resize(next() % bad.bytes.size());
    } else {
      const int flips = 1 + iter % 3;
      for (int f = 0; f < flips; ++f) {
        // Mostly the header and tables, where a wrong value could send an index astray.
        const size_t span = (iter % 4 == 0) ? bad.bytes.size() : tables;
        bad.bytes[next() % span] ^= static_cast<uint8_t>(1u << (next() % 8));
      }
    }
    testing::ProgramRunner runner(bad, 1 << 16);
    if (runner.prepare_status() == runtime::Status::kOk) {
      ++prepared;
      runtime::TensorView in;
      ASSERT_EQ(runner.interpreter().input(0, &in), runtime::Status::kOk);
      runner.Run(std::vector<uint8_t>(in.bytes, 0x11));
    }
  }
  std::printf("%d of %d mutated programs still verified and ran\n", prepared, iterations);
}

TEST(RuntimeProgramTest, CorruptedTinyProgramNeverCrashes) {
  auto g = ImportTflite(testing::BuildTinyConvModel());
  ASSERT_TRUE(g.ok());
  auto program = LowerToRuntimeProgram(*g);
  ASSERT_TRUE(program.ok());
  MutateAndRun(*program, 5000, 7);
}

TEST(RuntimeProgramTest, CorruptedMlperfProgramsNeverCrash) {
  const auto dir = MlperfTinyDir();
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "missing folder " << dir;
  for (const char* name : {"ad", "kws"}) {
    auto g = ImportTflite(ReadFileBytes(dir / (std::string(name) + ".tflite")));
    ASSERT_TRUE(g.ok());
    auto program = LowerToRuntimeProgram(*g);
    ASSERT_TRUE(program.ok());
    MutateAndRun(*program, name[0] == 'a' ? 400 : 60, 11);
  }
}

}  // namespace
}  // namespace tinyloop::model
