#include "dsp/image.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace tinyloop::dsp {
namespace {

// R = 10 x, G = 20 y, B = 200 over a width x height RGB image.
std::vector<uint8_t> Gradient(uint32_t width, uint32_t height) {
  std::vector<uint8_t> px;
  for (uint32_t y = 0; y < height; ++y) {
    for (uint32_t x = 0; x < width; ++x) {
      px.insert(px.end(), {static_cast<uint8_t>(10 * x), static_cast<uint8_t>(20 * y), 200});
    }
  }
  return px;
}

double SourceCoord(uint32_t dst, uint32_t out, uint32_t in) {
  return std::clamp((dst + 0.5) * in / out - 0.5, 0.0, in - 1.0);
}

std::vector<float> RunOk(const ImageConfig& config, const ImageShape& shape,
                         const std::vector<uint8_t>& px) {
  BlockPlan plan;
  EXPECT_EQ(PlanImage(config, shape, &plan), DspStatus::kOk);
  EXPECT_EQ(plan.scratch_bytes, 0u);
  std::vector<float> out(plan.output.num_features);
  EXPECT_EQ(RunImage(config, shape, px.data(), px.size(), out.data(), out.size()), DspStatus::kOk);
  return out;
}

TEST(ImageTest, BilinearResizeOfAGradientIsLinear) {
  // Both downscaling (12x6 -> 5x3) and upscaling (12x6 -> 17x9): a linear ramp stays a linear
  // ramp of the clamped source coordinate.
  for (auto [w, h] : {std::pair{5u, 3u}, std::pair{17u, 9u}}) {
    ImageConfig config;
    config.width = w;
    config.height = h;
    config.resize_mode = ResizeMode::kSquash;
    const std::vector<float> out = RunOk(config, {6, 12, 3}, Gradient(12, 6));
    ASSERT_EQ(out.size(), size_t{w} * h * 3);
    for (uint32_t y = 0; y < h; ++y) {
      for (uint32_t x = 0; x < w; ++x) {
        const float* p = &out[(y * w + x) * 3];
        EXPECT_NEAR(p[0], 10 * SourceCoord(x, w, 12) / 255.0, 1e-5) << x << "," << y;
        EXPECT_NEAR(p[1], 20 * SourceCoord(y, h, 6) / 255.0, 1e-5) << x << "," << y;
        EXPECT_NEAR(p[2], 200 / 255.0, 1e-6);
      }
    }
  }
}

TEST(ImageTest, FitShortestCropsTheCenter) {
  // 8 wide x 4 tall to 2 x 2: the center 4 x 4 (columns 2..5) is kept.
  ImageConfig config;
  config.width = config.height = 2;
  config.resize_mode = ResizeMode::kFitShortest;
  const std::vector<float> out = RunOk(config, {4, 8, 3}, Gradient(8, 4));
  for (uint32_t x = 0; x < 2; ++x) {
    EXPECT_NEAR(out[x * 3], 10 * (2 + SourceCoord(x, 2, 4)) / 255.0, 1e-5);
  }
  // Tall input: rows are cropped instead.
  const std::vector<float> tall = RunOk(config, {8, 4, 3}, Gradient(4, 8));
  for (uint32_t y = 0; y < 2; ++y) {
    EXPECT_NEAR(tall[y * 2 * 3 + 1], 20 * (2 + SourceCoord(y, 2, 4)) / 255.0, 1e-5);
  }
}

TEST(ImageTest, GrayscaleUsesBt601Luma) {
  ImageConfig config;
  config.width = 3;
  config.height = 1;
  config.color = ImageColor::kGrayscale;
  config.resize_mode = ResizeMode::kSquash;
  const std::vector<uint8_t> px = {255, 0, 0, 0, 255, 0, 10, 100, 250};
  const std::vector<float> out = RunOk(config, {1, 3, 3}, px);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_NEAR(out[0], 0.299, 1e-6);
  EXPECT_NEAR(out[1], 0.587, 1e-6);
  EXPECT_NEAR(out[2], (0.299 * 10 + 0.587 * 100 + 0.114 * 250) / 255.0, 1e-6);
}

TEST(ImageTest, GrayscaleInputIsReplicatedForRgb) {
  ImageConfig config;
  config.width = 2;
  config.height = 1;
  config.resize_mode = ResizeMode::kSquash;
  const std::vector<float> out = RunOk(config, {1, 2, 1}, {0, 255});
  EXPECT_EQ(out, (std::vector<float>{0, 0, 0, 1, 1, 1}));
}

TEST(ImageTest, RejectsBadConfigsAndBuffers) {
  BlockPlan plan;
  ImageConfig config;
  config.width = 0;
  EXPECT_EQ(PlanImage(config, {10, 10, 3}, &plan), DspStatus::kInvalidConfig);
  EXPECT_STREQ(plan.error, "width");
  config = ImageConfig();
  config.height = kMaxImageSide + 1;
  EXPECT_EQ(PlanImage(config, {10, 10, 3}, &plan), DspStatus::kInvalidConfig);
  EXPECT_STREQ(plan.error, "height");
  EXPECT_EQ(PlanImage(ImageConfig(), {10, 10, 4}, &plan), DspStatus::kShapeMismatch);
  EXPECT_EQ(PlanImage(ImageConfig(), {0, 10, 3}, &plan), DspStatus::kShapeMismatch);
  std::vector<uint8_t> px(300);
  std::vector<float> out(96 * 96 * 3);
  EXPECT_EQ(RunImage(ImageConfig(), {10, 10, 3}, px.data(), 299, out.data(), out.size()),
            DspStatus::kBufferTooSmall);
  EXPECT_EQ(RunImage(ImageConfig(), {10, 10, 3}, px.data(), 300, out.data(), out.size() - 1),
            DspStatus::kBufferTooSmall);
  EXPECT_EQ(RunImage(ImageConfig(), {10, 10, 3}, px.data(), 300, out.data(), out.size()),
            DspStatus::kOk);
}

}  // namespace
}  // namespace tinyloop::dsp
