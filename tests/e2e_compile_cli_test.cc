// `tinyloop run` and `tinyloop compile` end to end through the real binary: run reproduces
// TFLM's kws output, bad models and inputs fail with one clear line, and compile --json prints
// the resource report as its last line. The MLPerf Tiny cases skip, naming the folder, without
// ../shared.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "e2e_support.h"

namespace tinyloop::e2e {
namespace {

namespace fs = std::filesystem;

std::string MlperfDir() { return SharedDir() + "/models/mlperf_tiny"; }

std::vector<uint8_t> ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void WriteBytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

TEST(CompileCliTest, RunKwsInputZeroEqualsTflm) {
  if (!fs::exists(MlperfDir())) GTEST_SKIP() << "missing folder " << MlperfDir();
  TempDir tmp;
  const std::string out = tmp.path() + "/out.bin";
  const ProcessResult r = RunTinyloop({"run", MlperfDir() + "/kws.tflite", "--input",
                                       MlperfDir() + "/inputs/kws_0.bin", "--output", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadBytes(out), ReadBytes(MlperfDir() + "/outputs/kws_0.bin"));
}

TEST(CompileCliTest, RunRejectsACorruptModelInOneLine) {
  TempDir tmp;
  const std::string model = tmp.path() + "/bad.tflite";
  std::vector<uint8_t> junk(300);
  for (size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<uint8_t>(i * 7 + 1);
  WriteBytes(model, junk);
  WriteBytes(tmp.path() + "/in.bin", std::vector<uint8_t>(16));
  const ProcessResult r = RunTinyloop(
      {"run", model, "--input", tmp.path() + "/in.bin", "--output", tmp.path() + "/out.bin"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(Lines(r.err).size(), 1u) << r.err;
  EXPECT_NE(r.err.find("tinyloop: "), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(tmp.path() + "/out.bin"));
}

TEST(CompileCliTest, RunRejectsAnInputOfTheWrongSize) {
  if (!fs::exists(MlperfDir())) GTEST_SKIP() << "missing folder " << MlperfDir();
  TempDir tmp;
  WriteBytes(tmp.path() + "/in.bin", std::vector<uint8_t>(100));
  const ProcessResult r = RunTinyloop({"run", MlperfDir() + "/kws.tflite", "--input",
                                       tmp.path() + "/in.bin", "--output", tmp.path() + "/o.bin"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("has 100 bytes"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("needs 490"), std::string::npos) << r.err;
}

TEST(CompileCliTest, CompileCppLibPrintsTheResourceReport) {
  if (!fs::exists(MlperfDir())) GTEST_SKIP() << "missing folder " << MlperfDir();
  TempDir tmp;
  const std::string out = tmp.path() + "/lib";
  const ProcessResult r = RunTinyloop(
      {"compile", MlperfDir() + "/kws.tflite", "--target", "cpp-lib", "--out", out, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json report = Json::parse(LastLine(r.out));
  for (const char* key : {"arena_bytes", "weights_bytes", "flash_bytes", "macs", "ops"}) {
    EXPECT_TRUE(report.contains(key)) << key << " in " << r.out;
  }
  EXPECT_EQ(report["target"], "cpp-lib");
  EXPECT_EQ(report["ops"]["CONV_2D"], 5);
  EXPECT_EQ(report["ops"]["DEPTHWISE_CONV_2D"], 4);
  EXPECT_GT(report["macs"].get<uint64_t>(), 2'000'000u);
  EXPECT_LT(report["arena_bytes"].get<uint64_t>(), 23552u);  // TFLM's arena on the M4
  EXPECT_TRUE(fs::exists(out + "/tinyloop_model.h"));
  EXPECT_TRUE(fs::exists(out + "/tinyloop_model.cc"));
  EXPECT_TRUE(fs::exists(out + "/CMakeLists.txt"));
}

TEST(CompileCliTest, CompileEimOfABareTfliteAsksForAModelDir) {
  if (!fs::exists(MlperfDir())) GTEST_SKIP() << "missing folder " << MlperfDir();
  TempDir tmp;
  const ProcessResult r = RunTinyloop(
      {"compile", MlperfDir() + "/ad.tflite", "--target", "eim", "--out", tmp.path() + "/m.eim"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("needs a MODEL_DIR with impulse.json"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(tmp.path() + "/m.eim"));
}

}  // namespace
}  // namespace tinyloop::e2e
