// The Cortex-M4 int8 kernels (runtime/kernels/cortex_m4, DSP extension and hand-scheduled asm)
// against the reference kernels on random shapes, run where they run: a firmware built from
// runtime/kernels/cortex_m4/kernels_qemu_check.cc with the generated firmware's startup and
// linker script (codegen_support), under qemu-system-arm mps2-an386. Fails, naming the tool,
// when the toolchain or QEMU is missing.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "model/codegen_build.h"

namespace tinyloop::model {
namespace {

namespace fs = std::filesystem;

std::string Quote(const fs::path& p) { return "'" + p.string() + "'"; }

TEST(CortexM4KernelsTest, MatchReferenceOnRandomShapesUnderQemu) {
  auto gxx = FindTool("arm-none-eabi-g++", "gcc-arm-none-eabi and libnewlib-arm-none-eabi");
  ASSERT_TRUE(gxx.ok()) << gxx.status().ToString();
  const fs::path src = fs::path(TINYLOOP_SOURCE_DIR) / "src";
  const fs::path support = src / "model" / "codegen_support";
  const fs::path out = fs::path(TINYLOOP_BINARY_DIR) / "codegen_test" / "m4_kernels_check";
  fs::remove_all(out);
  fs::create_directories(out);
  const fs::path elf = out / "check.elf", log = out / "build.log";
  std::string command = Quote(*gxx) + " " + kCortexM4Flags +
                        " -std=c++17 -fno-exceptions -fno-rtti -fno-threadsafe-statics"
                        " -ffunction-sections -fdata-sections -Wall -Wextra -Werror -I " +
                        Quote(src) + " -I " + Quote(support);
  for (const char* f :
       {"runtime/kernels/cortex_m4/kernels_qemu_check.cc", "runtime/kernels/cortex_m4/conv.cc",
        "runtime/kernels/cortex_m4/depthwise_conv.cc",
        "runtime/kernels/cortex_m4/fully_connected.cc", "runtime/kernels/cortex_m4/add.cc",
        "runtime/kernels/reference/conv.cc", "runtime/kernels/reference/fully_connected.cc",
        "runtime/kernels/reference/add.cc"}) {
    command += " " + Quote(src / f);
  }
  command += " " + Quote(support / "startup_cortex_m4.cc") +
             " -nostartfiles --specs=nano.specs -Wl,--gc-sections -T " +
             Quote(support / "mps2_an386.ld") + " -o " + Quote(elf) + " >" + Quote(log) + " 2>&1";
  const int rc = std::system(command.c_str());
  std::ifstream build_log(log);
  std::stringstream build_output;
  build_output << build_log.rdbuf();
  ASSERT_EQ(rc, 0) << build_output.str();

  auto run = RunOnQemu(elf, 120);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  std::printf("%s", run->output.c_str());
  EXPECT_EQ(run->exit_code, 0) << run->output;
  EXPECT_NE(run->output.find("m4 kernels: 1200 cases, 0 mismatches"), std::string::npos)
      << run->output;
}

}  // namespace
}  // namespace tinyloop::model
