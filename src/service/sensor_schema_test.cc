#include "service/sensor_schema.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace tinyloop::service {
namespace {

store::Sample Meta(std::vector<store::Axis> axes, double interval_ms, int64_t length) {
  store::Sample s;
  s.axes = std::move(axes);
  s.interval_ms = interval_ms;
  s.length = length;
  return s;
}

std::vector<store::Axis> Acc() { return {{"accX", "m/s2"}, {"accY", "m/s2"}}; }

// `rows` rows of two axes: accX ramps lo..hi, accY is constant 9.81.
std::vector<float> Ramp(int64_t rows, float lo, float hi) {
  std::vector<float> v;
  for (int64_t r = 0; r < rows; ++r) {
    v.push_back(lo + (hi - lo) * static_cast<float>(r) / static_cast<float>(rows - 1));
    v.push_back(9.81f);
  }
  return v;
}

std::string ErrorOf(const Json& json) {
  auto schema = SensorSchema::FromJson(json);
  EXPECT_FALSE(schema.ok()) << json.dump();
  if (schema.ok()) return "";
  EXPECT_EQ(schema.status().code(), StatusCode::kInvalidArgument);
  return schema.status().message();
}

TEST(SensorSchemaTest, JsonRoundTrip) {
  SensorSchema schema;
  schema.axes = {{"accX", "g", ValueRange{-4, 4}}, {"accY", "g", std::nullopt}};
  schema.interval_ms = 1000.0 / 26;
  schema.interval_tolerance = 0.05;
  schema.min_rows = 400;
  schema.max_rows = 2000;
  const Json json = schema.ToJson();
  EXPECT_EQ(json["source"], "explicit");
  EXPECT_EQ(json["length_rows"]["max"], 2000);
  EXPECT_FALSE(json["axes"][1].contains("min"));

  auto parsed = SensorSchema::FromJson(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->ToJson(), json);
  EXPECT_TRUE(parsed->is_explicit());
  ASSERT_TRUE(parsed->axes[0].range.has_value());
  EXPECT_EQ(parsed->axes[0].range->max, 4);
  EXPECT_FALSE(parsed->axes[1].range.has_value());
  EXPECT_DOUBLE_EQ(parsed->interval_ms, 1000.0 / 26);
  EXPECT_EQ(parsed->min_rows, 400);
}

TEST(SensorSchemaTest, FromJsonDefaults) {
  auto parsed = SensorSchema::FromJson(Json::parse(R"({"axes":[{"name":"x"}]})"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->source, "explicit");
  EXPECT_EQ(parsed->axes[0].units, "");
  EXPECT_EQ(parsed->interval_ms, 0);
  EXPECT_DOUBLE_EQ(parsed->interval_tolerance, kDefaultIntervalTolerance);
  EXPECT_FALSE(parsed->has_length_range());
}

TEST(SensorSchemaTest, FromJsonNamesTheBadField) {
  EXPECT_NE(ErrorOf(Json::array()).find("JSON object"), std::string::npos);
  EXPECT_NE(ErrorOf(Json::parse(R"({})")).find("axes must be a non-empty array"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Json::parse(R"({"axes":[{"name":""}]})")).find("axes[0].name"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Json::parse(R"({"axes":[{"name":"x"},{"name":"x"}]})")).find("axes[1].name"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Json::parse(R"({"axes":[{"name":"x","min":2,"max":1}]})")).find("axes[0].min"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Json::parse(R"({"axes":[{"name":"x","min":2}]})")).find("axes[0].max"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Json::parse(R"({"axes":[{"name":"x","units":3}]})")).find("axes[0].units"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Json::parse(R"({"axes":[{"name":"x"}],"interval_ms":-1})")).find("interval_ms"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Json::parse(R"({"axes":[{"name":"x"}],"interval_ms":"10"})"))
                .find("interval_ms must be a finite number"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Json::parse(R"({"axes":[{"name":"x"}],"interval_tolerance":1.5})"))
                .find("interval_tolerance must be in [0, 1)"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Json::parse(R"({"axes":[{"name":"x"}],"length_rows":{"min":10,"max":5}})"))
                .find("length_rows.max"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Json::parse(R"({"axes":[{"name":"x"}],"length_rows":{"min":-1}})"))
                .find("length_rows.min"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Json::parse(R"({"axes":[{"name":"x"}],"source":"guessed"})")).find("source"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Json::parse(R"({"axes":[{"name":"x"}],"rate_hz":26})")).find("rate_hz"),
            std::string::npos);
}

TEST(SchemaLearnerTest, LearnsFromFirstSamplesThenFreezes) {
  SchemaLearner learner(3);
  EXPECT_TRUE(learner.learning());
  EXPECT_EQ(learner.schema(), nullptr);
  EXPECT_TRUE(learner.ToJson().is_null());

  ASSERT_TRUE(learner.Observe(Meta(Acc(), 10, 100), Ramp(100, -2, 2)));
  ASSERT_NE(learner.schema(), nullptr);
  EXPECT_TRUE(learner.learning());
  EXPECT_EQ(learner.schema()->source, "learned");
  EXPECT_EQ(learner.schema()->axes.size(), 2u);
  EXPECT_EQ(learner.schema()->interval_ms, 10);
  // No limits while learning: nothing to fire on yet.
  EXPECT_FALSE(learner.schema()->has_length_range());
  EXPECT_FALSE(learner.schema()->axes[0].range.has_value());

  // Other axes: not used, and do not change what was learned.
  EXPECT_FALSE(learner.Observe(Meta({{"x", ""}}, 20, 5000), std::vector<float>(5000, 100.f)));
  EXPECT_EQ(learner.samples_seen(), 1);
  EXPECT_EQ(learner.schema()->axes[0].name, "accX");

  // A different interval is still used: the interval comes from the first sample only.
  ASSERT_TRUE(learner.Observe(Meta(Acc(), 12, 300), Ramp(300, -1, 6)));
  ASSERT_TRUE(learner.Observe(Meta(Acc(), 10, 200), Ramp(200, 0, 1)));
  EXPECT_FALSE(learner.learning());
  const SensorSchema& s = *learner.schema();
  EXPECT_EQ(s.interval_ms, 10);
  EXPECT_EQ(s.min_rows, 50);   // 0.5 x 100
  EXPECT_EQ(s.max_rows, 600);  // 2 x 300
  ASSERT_TRUE(s.axes[0].range.has_value());
  EXPECT_NEAR(s.axes[0].range->min, -2 - 0.8, 1e-5);  // span 8, widened by 10 %
  EXPECT_NEAR(s.axes[0].range->max, 6 + 0.8, 1e-5);
  ASSERT_TRUE(s.axes[1].range.has_value());
  EXPECT_FLOAT_EQ(static_cast<float>(s.axes[1].range->min), 9.81f);  // zero span stays put

  // Frozen: later samples change nothing.
  const Json frozen = learner.ToJson();
  EXPECT_FALSE(learner.Observe(Meta(Acc(), 10, 10000), Ramp(10000, -100, 100)));
  EXPECT_EQ(learner.ToJson(), frozen);
}

TEST(SchemaLearnerTest, DefaultTargetIsTen) {
  SchemaLearner learner;
  EXPECT_EQ(learner.target_samples(), 10);
  for (int i = 0; i < 9; ++i) ASSERT_TRUE(learner.Observe(Meta(Acc(), 10, 50), Ramp(50, 0, 1)));
  EXPECT_TRUE(learner.learning());
  ASSERT_TRUE(learner.Observe(Meta(Acc(), 10, 50), Ramp(50, 0, 1)));
  EXPECT_FALSE(learner.learning());
}

TEST(SchemaLearnerTest, JsonRoundTripResumesLearning) {
  SchemaLearner uninterrupted(4);
  SchemaLearner first_half(4);
  const std::vector<std::pair<int64_t, float>> samples = {{80, 1}, {120, 3}, {90, -5}, {100, 2}};
  for (size_t i = 0; i < samples.size(); ++i) {
    const auto& [rows, top] = samples[i];
    ASSERT_TRUE(uninterrupted.Observe(Meta(Acc(), 20, rows), Ramp(rows, 0, top)));
    if (i < 2) {
      ASSERT_TRUE(first_half.Observe(Meta(Acc(), 20, rows), Ramp(rows, 0, top)));
    }
  }
  const Json saved = first_half.ToJson();
  ASSERT_TRUE(saved.contains("learning"));
  EXPECT_EQ(saved["learning"]["samples_seen"], 2);
  EXPECT_EQ(saved["learning"]["rows_max"], 120);
  // The saved learner state is also a valid schema for readers that only want the schema.
  EXPECT_TRUE(SensorSchema::FromJson(saved).ok());

  auto restored = SchemaLearner::FromJson(Json::parse(saved.dump()));
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_TRUE(restored->learning());
  EXPECT_EQ(restored->samples_seen(), 2);
  for (size_t i = 2; i < samples.size(); ++i) {
    const auto& [rows, top] = samples[i];
    ASSERT_TRUE(restored->Observe(Meta(Acc(), 20, rows), Ramp(rows, 0, top)));
  }
  EXPECT_FALSE(restored->learning());
  EXPECT_EQ(restored->ToJson(), uninterrupted.ToJson());

  auto frozen = SchemaLearner::FromJson(uninterrupted.ToJson());
  ASSERT_TRUE(frozen.ok());
  EXPECT_FALSE(frozen->learning());
  EXPECT_EQ(frozen->ToJson(), uninterrupted.ToJson());
}

TEST(SchemaLearnerTest, FromJsonNullIsFresh) {
  auto fresh = SchemaLearner::FromJson(Json(), 5);
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE(fresh->learning());
  EXPECT_EQ(fresh->target_samples(), 5);
  EXPECT_EQ(fresh->schema(), nullptr);
}

TEST(SchemaLearnerTest, FromJsonRejectsBadLearningState) {
  Json json = Json::parse(R"({"source":"learned","axes":[{"name":"x"},{"name":"y"}],
      "learning":{"target_samples":10,"samples_seen":2,"axis_min":[1]}})");
  auto learner = SchemaLearner::FromJson(json);
  ASSERT_FALSE(learner.ok());
  EXPECT_NE(learner.status().message().find("learning.axis_min"), std::string::npos);

  json["learning"] = {{"target_samples", 0}};
  learner = SchemaLearner::FromJson(json);
  ASSERT_FALSE(learner.ok());
  EXPECT_NE(learner.status().message().find("learning.target_samples"), std::string::npos);
}

TEST(SchemaLearnerTest, ExplicitSchemaIsNeverOverwritten) {
  SensorSchema mine;
  mine.axes = {{"accX", "m/s2", ValueRange{-20, 20}}, {"accY", "m/s2", std::nullopt}};
  mine.interval_ms = 10;
  SchemaLearner learner = SchemaLearner::FromExplicit(mine);
  EXPECT_FALSE(learner.learning());
  EXPECT_FALSE(learner.Observe(Meta(Acc(), 50, 10), Ramp(10, -500, 500)));
  EXPECT_EQ(learner.schema()->ToJson(), mine.ToJson());
  EXPECT_FALSE(learner.ToJson().contains("learning"));

  // Restored from JSON, an explicit schema stays explicit and frozen.
  auto restored = SchemaLearner::FromJson(mine.ToJson());
  ASSERT_TRUE(restored.ok());
  EXPECT_FALSE(restored->learning());
  EXPECT_FALSE(restored->Observe(Meta(Acc(), 50, 10), Ramp(10, -500, 500)));
  EXPECT_EQ(restored->schema()->interval_ms, 10);
  EXPECT_EQ(restored->schema()->source, "explicit");
}

TEST(SchemaLearnerTest, RobustToOddSamples) {
  SchemaLearner learner(2);
  EXPECT_FALSE(learner.Observe(Meta({}, 10, 5), {1, 2, 3, 4, 5}));  // no axes: unusable
  EXPECT_EQ(learner.schema(), nullptr);
  // Empty and all-NaN samples are used but give no value range.
  ASSERT_TRUE(learner.Observe(Meta({{"x", ""}}, 10, 0), {}));
  const float nan = std::numeric_limits<float>::quiet_NaN();
  ASSERT_TRUE(learner.Observe(Meta({{"x", ""}}, 10, 2), {nan, nan}));
  EXPECT_FALSE(learner.learning());
  EXPECT_FALSE(learner.schema()->axes[0].range.has_value());
  EXPECT_EQ(learner.schema()->max_rows, 4);
  const Json json = learner.ToJson();
  EXPECT_TRUE(json["learning"]["axis_min"][0].is_null());
  EXPECT_TRUE(SchemaLearner::FromJson(json).ok());
}

}  // namespace
}  // namespace tinyloop::service
