#include "impulse/impulse_config.h"

#include <gtest/gtest.h>

#include "impulse/impulse_picker.h"

namespace tinyloop::impulse {
namespace {

DataShape MotionShape() {
  DataShape shape;
  shape.axes = 3;
  shape.axis_names = {"x", "y", "z"};
  shape.frequency_hz = 26;
  shape.shortest_frames = 1000;
  return shape;
}

ImpulseConfig MotionImpulse() {
  auto config = PickImpulse(MotionShape(), {"running", "stationary", "walking"});
  EXPECT_TRUE(config.ok()) << config.status().message();
  return *config;
}

TEST(ImpulseConfigTest, JsonRoundTrip) {
  const ImpulseConfig config = MotionImpulse();
  const Json json = ImpulseConfigToJson(config);
  auto back = ImpulseConfigFromJson(json);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(ImpulseConfigToJson(*back), json);
  EXPECT_EQ(back->labels, config.labels);
  EXPECT_EQ(back->anomaly.type, AnomalyType::kKMeans);
  EXPECT_TRUE(ValidateImpulse(*back, MotionShape()).ok());
}

TEST(ImpulseConfigTest, RejectsFftLengthNotPowerOfTwo) {
  Json json = ImpulseConfigToJson(MotionImpulse());
  json["dsp"]["fft_length"] = 100;
  auto parsed = ImpulseConfigFromJson(json);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("fft_length"), std::string::npos)
      << parsed.status().message();
  EXPECT_NE(parsed.status().message().find("power of two"), std::string::npos);
}

TEST(ImpulseConfigTest, RejectsUnknownLayer) {
  Json json = ImpulseConfigToJson(MotionImpulse());
  json["learning"]["nn"]["layers"][0]["type"] = "conv3d";
  auto parsed = ImpulseConfigFromJson(json);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("conv3d"), std::string::npos)
      << parsed.status().message();
  EXPECT_EQ(parsed.status().message().rfind("learning.nn", 0), 0u) << parsed.status().message();
}

TEST(ImpulseConfigTest, RejectsUnknownField) {
  Json json = ImpulseConfigToJson(MotionImpulse());
  json["input"]["window_size"] = 10;
  auto parsed = ImpulseConfigFromJson(json);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("window_size"), std::string::npos);
}

TEST(ImpulseConfigTest, RejectsWindowLongerThanRecordings) {
  ImpulseConfig config = MotionImpulse();
  config.input.time_series.window_size_ms = 60000;
  auto shape = ValidateImpulse(config, MotionShape());
  ASSERT_FALSE(shape.ok());
  EXPECT_NE(shape.status().message().find("window_size_ms 60000"), std::string::npos)
      << shape.status().message();
}

TEST(ImpulseConfigTest, RejectsInputShapeMismatch) {
  ImpulseConfig config = MotionImpulse();
  config.learning.nn.input_shape = {33};
  auto shape = ValidateImpulse(config, MotionShape());
  ASSERT_FALSE(shape.ok());
  EXPECT_NE(shape.status().message().find("input shape"), std::string::npos)
      << shape.status().message();
}

TEST(ImpulseConfigTest, RejectsRateAxesAndClassMismatch) {
  ImpulseConfig config = MotionImpulse();
  DataShape other = MotionShape();
  other.frequency_hz = 100;
  auto rate = ValidateImpulse(config, other);
  ASSERT_FALSE(rate.ok());
  EXPECT_NE(rate.status().message().find("frequency_hz"), std::string::npos);
  other = MotionShape();
  other.axes = 2;
  other.axis_names = {"x", "y"};
  EXPECT_FALSE(ValidateImpulse(config, other).ok());
  config.labels.push_back("cycling");
  auto classes = ValidateImpulse(config, MotionShape());
  ASSERT_FALSE(classes.ok());
  EXPECT_NE(classes.status().message().find("classes"), std::string::npos);
}

TEST(ImpulseConfigTest, MissingBlockNamed) {
  Json json = ImpulseConfigToJson(MotionImpulse());
  json.erase("dsp");
  auto parsed = ImpulseConfigFromJson(json);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("dsp"), std::string::npos);
}

}  // namespace
}  // namespace tinyloop::impulse

namespace tinyloop::impulse {
namespace {

TEST(ImpulseConfigTest, AudioRoundTripKeepsAugmentation) {
  DataShape audio;
  audio.axes = 1;
  audio.axis_names = {"audio"};
  audio.frequency_hz = 16000;
  audio.shortest_frames = 16000;
  auto config = PickImpulse(audio, {"no", "yes"});
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->learning.shifted_copies, 0);
  config->learning.shifted_copies = 2;
  config->learning.time_shift_ms = 100;
  auto back = ImpulseConfigFromJson(ImpulseConfigToJson(*config));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->learning.shifted_copies, 2);
  EXPECT_FLOAT_EQ(back->learning.time_shift_ms, 100);
  Json bad = ImpulseConfigToJson(*config);
  bad["learning"]["training"]["shifted_copies"] = 50;
  auto rejected = ImpulseConfigFromJson(bad);
  ASSERT_FALSE(rejected.ok());
  EXPECT_NE(rejected.status().message().find("shifted_copies must be in [0, 8]"), std::string::npos)
      << rejected.status().message();
}

}  // namespace
}  // namespace tinyloop::impulse
