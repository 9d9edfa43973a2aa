// The MLPerf Tiny acceptance test: each reference model imported from ../shared, lowered and
// run in tinyloop's runtime reproduces TFLite Micro's outputs byte for byte on all 8 inputs,
// with the reference kernels and with the optimized kernels registered over them.
#include <gtest/gtest.h>

#include <string>

#include "model/runtime_program.h"
#include "model/test_util.h"
#include "model/tflite_import.h"

namespace tinyloop::model {
namespace {

using testing::Kernels;
using testing::MlperfTinyDir;
using testing::ReadFileBytes;

// TFLM's arena_used_bytes() for the same models (TFLM_BASELINE.md).
struct ModelCase {
  const char* name;
  uint32_t tflm_arena_bytes;
};

void RunModel(const ModelCase& model, Kernels kernels) {
  const auto dir = MlperfTinyDir();
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "missing folder " << dir;
  const auto bytes = ReadFileBytes(dir / (std::string(model.name) + ".tflite"));
  ASSERT_FALSE(bytes.empty());
  auto graph = ImportTflite(bytes);
  ASSERT_TRUE(graph.ok()) << graph.status().ToString();
  auto program = LowerToRuntimeProgram(*graph);
  ASSERT_TRUE(program.ok()) << program.status().ToString();
  std::printf("%s: activations %u B, arena %u B (TFLM %u B, ratio %.3f), program %zu B\n",
              model.name, program->activation_bytes, program->arena_bytes, model.tflm_arena_bytes,
              static_cast<double>(program->arena_bytes) / model.tflm_arena_bytes,
              program->bytes.size());
  EXPECT_LT(program->arena_bytes, model.tflm_arena_bytes);
  testing::ProgramRunner runner(*program, 0, kernels);
  ASSERT_EQ(runner.prepare_status(), runtime::Status::kOk)
      << runtime::StatusName(runner.prepare_status());
  for (int i = 0; i < 8; ++i) {
    const std::string file = std::string(model.name) + "_" + std::to_string(i) + ".bin";
    const auto input = ReadFileBytes(dir / "inputs" / file);
    const auto expected = ReadFileBytes(dir / "outputs" / file);
    ASSERT_FALSE(input.empty()) << file;
    ASSERT_FALSE(expected.empty()) << file;
    const auto actual = runner.Run(input);
    ASSERT_EQ(actual.size(), expected.size()) << file;
    int differing = 0;
    for (size_t k = 0; k < actual.size(); ++k) differing += actual[k] != expected[k];
    EXPECT_EQ(differing, 0) << file << ": " << differing << " of " << actual.size()
                            << " output bytes differ from TFLM";
  }
}

TEST(MlperfTinyTest, KwsBitExact) { RunModel({"kws", 24000}, Kernels::kReference); }
TEST(MlperfTinyTest, VwwBitExact) { RunModel({"vww", 103392}, Kernels::kReference); }
TEST(MlperfTinyTest, IcBitExact) { RunModel({"ic", 55712}, Kernels::kReference); }
TEST(MlperfTinyTest, AdBitExact) { RunModel({"ad", 3424}, Kernels::kReference); }

TEST(MlperfTinyTest, KwsOptimizedBitExact) { RunModel({"kws", 24000}, Kernels::kOptimized); }
TEST(MlperfTinyTest, VwwOptimizedBitExact) { RunModel({"vww", 103392}, Kernels::kOptimized); }
TEST(MlperfTinyTest, IcOptimizedBitExact) { RunModel({"ic", 55712}, Kernels::kOptimized); }
TEST(MlperfTinyTest, AdOptimizedBitExact) { RunModel({"ad", 3424}, Kernels::kOptimized); }

}  // namespace
}  // namespace tinyloop::model
