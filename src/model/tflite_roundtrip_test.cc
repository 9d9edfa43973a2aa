// Export/import round trip on the MLPerf Tiny models: import(export(import(x))) == import(x),
// and the exported .tflite runs to TFLM's outputs byte for byte.
#include <gtest/gtest.h>

#include <string>

#include "model/runtime_program.h"
#include "model/test_util.h"
#include "model/tflite_export.h"
#include "model/tflite_import.h"

namespace tinyloop::model {
namespace {

using testing::MlperfTinyDir;
using testing::ReadFileBytes;

class RoundTripTest : public ::testing::TestWithParam<const char*> {};

TEST_P(RoundTripTest, ExportReimportsIdenticallyAndRunsBitExact) {
  const auto dir = MlperfTinyDir();
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "missing folder " << dir;
  const std::string name = GetParam();
  auto original = ImportTflite(ReadFileBytes(dir / (name + ".tflite")));
  ASSERT_TRUE(original.ok()) << original.status().ToString();
  auto exported = ExportTflite(*original);
  ASSERT_TRUE(exported.ok()) << exported.status().ToString();
  auto reimported = ImportTflite(*exported);
  ASSERT_TRUE(reimported.ok()) << reimported.status().ToString();
  EXPECT_TRUE(*reimported == *original);
  auto exported_again = ExportTflite(*reimported);
  ASSERT_TRUE(exported_again.ok());
  EXPECT_EQ(*exported_again, *exported) << "export is not deterministic";

  auto program = LowerToRuntimeProgram(*reimported);
  ASSERT_TRUE(program.ok()) << program.status().ToString();
  testing::ProgramRunner runner(*program);
  ASSERT_EQ(runner.prepare_status(), runtime::Status::kOk);
  for (int i = 0; i < 8; ++i) {
    const std::string file = name + "_" + std::to_string(i) + ".bin";
    EXPECT_EQ(runner.Run(ReadFileBytes(dir / "inputs" / file)),
              ReadFileBytes(dir / "outputs" / file))
        << file;
  }
}

INSTANTIATE_TEST_SUITE_P(MlperfTiny, RoundTripTest, ::testing::Values("kws", "vww", "ic", "ad"));

}  // namespace
}  // namespace tinyloop::model
