// Replays the libFuzzer seed corpus (src/model/fuzz_corpus/) through the .tflite importer as an
// ordinary test: every file imports or fails with a message, never crashes; what imports is
// lowered and invoked once on zeros with the reference and the optimized kernels. File names
// say what to expect: ok_* must import and run, bad_* must be rejected with an error message,
// anything else (mutations, inputs the fuzzer found) only must not crash.
// The DISABLED_WriteSeedCorpus test regenerates the seeds (see fuzz_corpus/README.md).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "model/runtime_program.h"
#include "model/test_util.h"
#include "model/tflite_import.h"
#include "model/tiny_models.h"

namespace tinyloop::model {
namespace {

namespace fs = std::filesystem;

fs::path CorpusDir() { return fs::path(TINYLOOP_SOURCE_DIR) / "src/model/fuzz_corpus"; }

bool StartsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

TEST(TfliteImportFuzzCorpusTest, EveryFileImportsOrFailsCleanly) {
  ASSERT_TRUE(fs::is_directory(CorpusDir())) << CorpusDir();
  int files = 0, imported = 0, ran = 0;
  for (const auto& entry : fs::directory_iterator(CorpusDir())) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name == "README.md") continue;
    ++files;
    const std::vector<uint8_t> bytes = testing::ReadFileBytes(entry.path());
    auto graph = ImportTflite(bytes);
    if (StartsWith(name, "bad_")) {
      EXPECT_FALSE(graph.ok()) << name;
      if (!graph.ok()) {
        EXPECT_FALSE(graph.status().message().empty()) << name;
      }
      continue;
    }
    if (StartsWith(name, "ok_")) {
      EXPECT_TRUE(graph.ok()) << name << ": " << graph.status().ToString();
    }
    if (!graph.ok()) {
      EXPECT_FALSE(graph.status().message().empty()) << name;
      continue;
    }
    ++imported;
    auto program = LowerToRuntimeProgram(*graph);
    if (StartsWith(name, "ok_")) {
      EXPECT_TRUE(program.ok()) << name;
    }
    if (!program.ok()) continue;
    for (auto kernels : {testing::Kernels::kReference, testing::Kernels::kOptimized}) {
      testing::ProgramRunner runner(*program, 0, kernels);
      ASSERT_EQ(runner.prepare_status(), runtime::Status::kOk) << name;
      runtime::TensorView in;
      ASSERT_EQ(runner.interpreter().input(0, &in), runtime::Status::kOk) << name;
      const auto out = runner.Run(std::vector<uint8_t>(in.bytes, 0));
      EXPECT_FALSE(out.empty()) << name;
    }
    ++ran;
  }
  std::printf("%d corpus files, %d imported, %d ran\n", files, imported, ran);
  EXPECT_GT(files, 10);
  EXPECT_GT(ran, 0);
}

void WriteFile(const fs::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

// Regenerates the seeds into $TINYLOOP_FUZZ_CORPUS_OUT (default: the source corpus folder):
//   model_test --gtest_also_run_disabled_tests --gtest_filter='*WriteSeedCorpus'
TEST(TfliteImportFuzzCorpusTest, DISABLED_WriteSeedCorpus) {
  const char* env = std::getenv("TINYLOOP_FUZZ_CORPUS_OUT");
  const fs::path dir = env ? fs::path(env) : CorpusDir();
  fs::create_directories(dir);
  using testing::BuildTinyConvModel;
  using testing::TinyConvSpec;
  const std::vector<uint8_t> valid = BuildTinyConvModel();
  WriteFile(dir / "ok_tiny_conv.tflite", valid);
  TinyConvSpec per_tensor;
  per_tensor.per_channel = false;
  WriteFile(dir / "ok_tiny_conv_per_tensor.tflite", BuildTinyConvModel(per_tensor));
  TinyConvSpec old_code;
  old_code.builtin_code = 0;  // only deprecated_builtin_code set, as old converters wrote
  WriteFile(dir / "ok_tiny_conv_deprecated_code.tflite", BuildTinyConvModel(old_code));
  TinyConvSpec unsupported;
  unsupported.builtin_code = 28;  // TANH
  unsupported.deprecated_builtin_code = 28;
  WriteFile(dir / "bad_unsupported_op.tflite", BuildTinyConvModel(unsupported));
  TinyConvSpec short_filter;
  short_filter.filter_bytes = 10;
  WriteFile(dir / "bad_filter_too_short.tflite", BuildTinyConvModel(short_filter));
  TinyConvSpec missing_buffer;
  missing_buffer.filter_buffer = 99;
  WriteFile(dir / "bad_filter_buffer_index.tflite", BuildTinyConvModel(missing_buffer));
  TinyConvSpec channels;
  channels.output_channels = 3;  // filter holds 2 channels
  WriteFile(dir / "bad_channel_mismatch.tflite", BuildTinyConvModel(channels));
  WriteFile(dir / "bad_empty.tflite", {});
  WriteFile(dir / "bad_identifier_only.tflite", {0x0c, 0, 0, 0, 'T', 'F', 'L', '3'});
  for (size_t cut : {size_t{4}, valid.size() / 3, valid.size() / 2, valid.size() - 1}) {
    WriteFile(dir / ("bad_truncated_" + std::to_string(cut) + ".tflite"),
              std::vector<uint8_t>(valid.begin(), valid.begin() + static_cast<ptrdiff_t>(cut)));
  }
  std::mt19937 rng(20240611);
  std::vector<uint8_t> garbage(256);
  for (auto& b : garbage) b = static_cast<uint8_t>(rng());
  WriteFile(dir / "bad_random_bytes.tflite", garbage);
  for (int i = 0; i < 8; ++i) {  // a few bit flips each: may or may not import
    std::vector<uint8_t> m = valid;
    for (int k = 0; k < 3; ++k) m[rng() % m.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
    WriteFile(dir / ("mut_flip_" + std::to_string(i) + ".tflite"), m);
  }
}

}  // namespace
}  // namespace tinyloop::model
