// The generated library for the MLPerf Tiny kws model, built for a Cortex-M4 with its own
// startup and linker script, runs under qemu-system-arm (mps2-an386, semihosting) and prints
// TFLM's reference output for kws_0. Fails, naming the tool, when the toolchain or QEMU is
// missing; skips, naming the folder, without ../shared.
#include <gtest/gtest.h>

#include <filesystem>

#include "model/codegen_build.h"
#include "model/codegen_cpp.h"
#include "model/test_util.h"
#include "model/tflite_import.h"

namespace tinyloop::model {
namespace {

namespace fs = std::filesystem;

TEST(CodegenCortexM4Test, KwsRunsUnderQemuBitExact) {
  const auto dir = testing::MlperfTinyDir();
  if (!fs::exists(dir)) GTEST_SKIP() << "missing folder " << dir;
  auto graph = ImportTflite(testing::ReadFileBytes(dir / "kws.tflite"));
  ASSERT_TRUE(graph.ok()) << graph.status().ToString();
  auto lib = GenerateCppLibrary(*graph);
  ASSERT_TRUE(lib.ok()) << lib.status().ToString();
  const fs::path out = fs::path(TINYLOOP_BINARY_DIR) / "codegen_test" / "kws_cortex_m4";
  fs::remove_all(out);
  auto fw = BuildCortexM4Firmware(*lib, out, testing::ReadFileBytes(dir / "inputs/kws_0.bin"));
  ASSERT_TRUE(fw.ok()) << fw.status().ToString();
  std::printf("kws cortex-m4: flash %llu B (text %llu + data %llu), bss %llu B, arena %u B\n",
              static_cast<unsigned long long>(fw->flash_bytes()),
              static_cast<unsigned long long>(fw->text), static_cast<unsigned long long>(fw->data),
              static_cast<unsigned long long>(fw->bss), lib->arena_bytes);
  auto run = RunOnQemu(fw->elf, 120);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  ASSERT_EQ(run->exit_code, 0) << run->output;
  auto printed = ParseExampleOutput(run->output);
  ASSERT_TRUE(printed.ok()) << printed.status().ToString();
  EXPECT_EQ(*printed, testing::ReadFileBytes(dir / "outputs/kws_0.bin")) << run->output;
}

}  // namespace
}  // namespace tinyloop::model
