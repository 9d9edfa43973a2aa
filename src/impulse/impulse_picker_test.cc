#include "impulse/impulse_picker.h"

#include <gtest/gtest.h>

namespace tinyloop::impulse {
namespace {

DataShape Shape(uint32_t axes, double hz, uint32_t frames) {
  DataShape s;
  s.axes = axes;
  for (uint32_t i = 0; i < axes; ++i) s.axis_names.push_back("a" + std::to_string(i));
  s.frequency_hz = hz;
  s.shortest_frames = frames;
  return s;
}

const std::vector<std::string> kLabels = {"a", "b", "c"};

TEST(ImpulsePickerTest, AudioGetsMfccAndConv1d) {
  auto c = PickImpulse(Shape(1, 16000, 16000), kLabels);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->dsp.type, dsp::BlockType::kMfcc);
  EXPECT_FLOAT_EQ(c->input.time_series.window_size_ms, 1000);
  EXPECT_EQ(c->learning.nn.input_shape, (std::vector<int>{50, 13}));  // 20 ms frames, 20 ms apart
  EXPECT_EQ(c->learning.nn.layers[0].type, train::LayerType::kConv1D);
  EXPECT_EQ(c->learning.nn.head.outputs, 3);
  EXPECT_EQ(c->anomaly.type, AnomalyType::kNone);
  EXPECT_TRUE(ValidateImpulse(*c, Shape(1, 16000, 16000)).ok());
}

TEST(ImpulsePickerTest, ShortAudioUsesTheWholeClip) {
  auto c = PickImpulse(Shape(1, 8000, 4000), kLabels);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_FLOAT_EQ(c->input.time_series.window_size_ms, 500);
  EXPECT_TRUE(ValidateImpulse(*c, Shape(1, 8000, 4000)).ok());
}

TEST(ImpulsePickerTest, LongMotionGetsTwoSecondSpectralWindows) {
  auto c = PickImpulse(Shape(3, 26, 1000), kLabels);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->dsp.type, dsp::BlockType::kSpectral);
  EXPECT_FLOAT_EQ(c->input.time_series.window_size_ms, 2000);
  EXPECT_FLOAT_EQ(c->input.time_series.window_increase_ms, 500);
  EXPECT_EQ(c->dsp.spectral.fft_length, 32u);  // 52 samples per window
  EXPECT_EQ(c->learning.nn.input_shape.size(), 1u);
  EXPECT_EQ(c->learning.nn.layers[0].type, train::LayerType::kDense);
  EXPECT_EQ(c->anomaly.type, AnomalyType::kKMeans);
}

TEST(ImpulsePickerTest, ShortVibrationRecordingIsOneWindow) {
  auto c = PickImpulse(Shape(3, 200, 200), kLabels);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_FLOAT_EQ(c->input.time_series.window_size_ms, 1000);
  EXPECT_FLOAT_EQ(c->input.time_series.window_increase_ms, 1000);
  EXPECT_EQ(c->dsp.spectral.fft_length, 128u);
  EXPECT_TRUE(ValidateImpulse(*c, Shape(3, 200, 200)).ok());
}

TEST(ImpulsePickerTest, ImagesGetImageBlockAndConv2d) {
  DataShape s = Shape(3, 0, 48 * 64);
  s.is_image = true;
  s.image_width = 64;
  s.image_height = 48;
  auto c = PickImpulse(s, kLabels);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->input.type, InputType::kImage);
  EXPECT_EQ(c->dsp.type, dsp::BlockType::kImage);
  EXPECT_EQ(c->learning.nn.input_shape, (std::vector<int>{32, 32, 3}));
  EXPECT_EQ(c->learning.nn.layers[0].type, train::LayerType::kConv2D);
  EXPECT_TRUE(ValidateImpulse(*c, s).ok());
}

TEST(ImpulsePickerTest, FeatureRowsGetRawAndDense) {
  auto c = PickImpulse(Shape(64, 0, 1), kLabels);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->dsp.type, dsp::BlockType::kRaw);
  EXPECT_EQ(c->learning.nn.input_shape, (std::vector<int>{64}));
  EXPECT_TRUE(ValidateImpulse(*c, Shape(64, 0, 1)).ok());
}

TEST(ImpulsePickerTest, RejectsEmptyData) {
  EXPECT_FALSE(PickImpulse(Shape(0, 100, 10), kLabels).ok());
}

}  // namespace
}  // namespace tinyloop::impulse
