// .tflite importer: a valid tiny model imports and runs; malformed models give clear errors.
#include "model/tflite_import.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "model/runtime_program.h"
#include "model/test_util.h"
#include "model/tiny_models.h"

namespace tinyloop::model {
namespace {

using testing::BuildTinyConvModel;
using ::testing::HasSubstr;
using testing::TinyConvSpec;

std::string ImportError(const std::vector<uint8_t>& bytes) {
  auto g = ImportTflite(bytes);
  return g.ok() ? std::string("<ok>") : g.status().ToString();
}

TEST(TfliteImportTest, TinyConvImportsAndMatchesDoubleMath) {
  auto g = ImportTflite(BuildTinyConvModel());
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  ASSERT_EQ(g->ops.size(), 1u);
  EXPECT_EQ(g->ops[0].type, OpType::kConv2D);
  EXPECT_EQ(g->tensors[1].name, "conv/filter");
  EXPECT_EQ(g->tensors[1].quant.scale.size(), 2u);
  EXPECT_EQ(g->description, "tiny");
  auto program = LowerToRuntimeProgram(*g);
  ASSERT_TRUE(program.ok()) << program.status().ToString();
  testing::ProgramRunner runner(*program);
  std::vector<uint8_t> input(16);
  for (int i = 0; i < 16; ++i) input[i] = static_cast<uint8_t>(i * 13 % 17 - 8);
  const auto out = runner.Run(input);
  ASSERT_EQ(out.size(), 8u);
  const auto& filter = g->tensors[1].data;
  const float fscale[2] = {0.25f, 0.125f};
  const int32_t bias[2] = {7, -20};
  for (int oy = 0; oy < 2; ++oy) {
    for (int ox = 0; ox < 2; ++ox) {
      for (int oc = 0; oc < 2; ++oc) {
        double acc = bias[oc];
        for (int fy = 0; fy < 3; ++fy) {
          for (int fx = 0; fx < 3; ++fx) {
            const int in = static_cast<int8_t>(input[(oy + fy) * 4 + ox + fx]);
            acc += static_cast<int8_t>(filter[(oc * 3 + fy) * 3 + fx]) * (in + 1);
          }
        }
        const double real = acc * 0.5 * fscale[oc];
        const double expected = std::fmin(127, std::fmax(-128, std::round(real / 0.25) + 3));
        const int actual = static_cast<int8_t>(out[(oy * 2 + ox) * 2 + oc]);
        EXPECT_NEAR(actual, expected, 1.0) << oy << "," << ox << "," << oc;
      }
    }
  }
}

TEST(TfliteImportTest, OldStyleDeprecatedBuiltinCodeIsRead) {
  TinyConvSpec spec;
  spec.builtin_code = 0;  // only the byte-sized field set, as in old converters
  auto g = ImportTflite(BuildTinyConvModel(spec));
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->ops[0].type, OpType::kConv2D);
}

TEST(TfliteImportTest, TruncatedFlatbufferIsRejected) {
  auto bytes = BuildTinyConvModel();
  for (size_t keep : {size_t{0}, size_t{7}, bytes.size() / 2, bytes.size() - 1}) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + keep);
    EXPECT_THAT(ImportError(cut), ::testing::AnyOf(HasSubstr("verifier"), HasSubstr("empty")))
        << keep;
  }
}

TEST(TfliteImportTest, BadBufferIndexNamesTheTensor) {
  TinyConvSpec spec;
  spec.filter_buffer = 7;
  EXPECT_THAT(ImportError(BuildTinyConvModel(spec)),
              HasSubstr("tensor 1 'conv/filter': buffer index 7 out of range (3 buffers)"));
}

TEST(TfliteImportTest, UnsupportedOpIsNamed) {
  TinyConvSpec spec;
  spec.builtin_code = 43;
  spec.deprecated_builtin_code = 43;
  EXPECT_THAT(ImportError(BuildTinyConvModel(spec)),
              HasSubstr("operator 0: unsupported op SQUEEZE (builtin code 43)"));
  spec.builtin_code = 150;
  spec.deprecated_builtin_code = 127;
  EXPECT_THAT(ImportError(BuildTinyConvModel(spec)), HasSubstr("unsupported op GELU"));
}

TEST(TfliteImportTest, BufferSizeMismatchNamesShapeAndNeed) {
  TinyConvSpec spec;
  spec.filter_bytes = 17;
  EXPECT_THAT(ImportError(BuildTinyConvModel(spec)),
              HasSubstr("tensor 1 'conv/filter': buffer holds 17 bytes, shape [2,3,3,1] INT8 "
                        "needs 18"));
}

TEST(TfliteImportTest, ShapeMismatchBetweenFilterAndOutput) {
  TinyConvSpec spec;
  spec.output_channels = 3;
  EXPECT_THAT(ImportError(BuildTinyConvModel(spec)),
              HasSubstr("operator 0 (CONV_2D): filter tensor 1 'conv/filter' [2,3,3,1] does not "
                        "match"));
}

TEST(TfliteImportTest, GarbageNeverCrashes) {
  const auto good = BuildTinyConvModel();
  uint64_t state = 42;
  for (int iter = 0; iter < 3000; ++iter) {
    auto bytes = good;
    const int flips = 1 + iter % 4;
    for (int f = 0; f < flips; ++f) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      bytes[(state >> 33) % bytes.size()] ^= static_cast<uint8_t>(1u << ((state >> 20) % 8));
    }
    auto g = ImportTflite(bytes);
    if (g.ok()) {
      auto program = LowerToRuntimeProgram(*g);
      if (program.ok()) testing::ProgramRunner(*program).Run(std::vector<uint8_t>(16, 0));
    } else {
      EXPECT_FALSE(g.status().message().empty());
    }
  }
}

}  // namespace
}  // namespace tinyloop::model
