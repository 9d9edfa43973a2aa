#include "service/data_checks.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace tinyloop::service {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double k26HzMs = 1000.0 / 26;

std::vector<store::Axis> Acc3(const std::string& units = "g") {
  return {{"accX", units}, {"accY", units}, {"accZ", units}};
}

store::Sample Meta(std::vector<store::Axis> axes, double interval_ms, int64_t length) {
  store::Sample s;
  s.axes = std::move(axes);
  s.interval_ms = interval_ms;
  s.length = length;
  return s;
}

// A wrist accelerometer walking at ~1.8 Hz, sampled at 26 Hz: three sines of different phase,
// gravity on Z, Gaussian noise. `scale` 1 gives g, 1000 gives mg; `integer` rounds like a
// sensor that reports whole mg.
std::vector<float> NoisyAccel(int64_t rows, double scale, bool integer, uint32_t seed = 7) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0, 0.05);
  std::vector<float> v;
  v.reserve(static_cast<size_t>(rows) * 3);
  for (int64_t r = 0; r < rows; ++r) {
    const double t = static_cast<double>(r) / 26;
    const double xyz[3] = {0.6 * std::sin(2 * kPi * 1.8 * t) + noise(rng),
                           0.3 * std::sin(2 * kPi * 1.8 * t + 1) + noise(rng),
                           1.0 + 0.4 * std::sin(2 * kPi * 3.6 * t) + noise(rng)};
    for (double a : xyz) {
      const double x = a * scale;
      v.push_back(static_cast<float>(integer ? std::round(x) : x));
    }
  }
  return v;
}

std::map<std::string, std::vector<std::string>> ByKind(const std::vector<store::Finding>& f) {
  std::map<std::string, std::vector<std::string>> out;
  for (const store::Finding& finding : f) out[finding.kind].push_back(finding.detail);
  return out;
}

std::string Dump(const std::vector<store::Finding>& findings) {
  std::string out;
  for (const store::Finding& f : findings) out += f.kind + ": " + f.detail + "\n";
  return out;
}

SensorSchema AccSchema() {
  SensorSchema schema;
  schema.axes = {{"accX", "g", ValueRange{-4.4, 4.4}},
                 {"accY", "g", ValueRange{-4.4, 4.4}},
                 {"accZ", "g", ValueRange{-4.4, 4.4}}};
  schema.interval_ms = k26HzMs;
  schema.min_rows = 400;
  schema.max_rows = 2000;
  return schema;
}

TEST(DataChecksTest, CleanNoisyAccelerometerHasNoFindings) {
  const SensorSchema schema = AccSchema();
  for (bool integer : {false, true}) {
    const double scale = integer ? 1000 : 1;
    const auto values = NoisyAccel(1000, scale, integer);
    const auto meta = Meta(Acc3(integer ? "mg" : "g"), k26HzMs, 1000);
    auto findings = CheckSample(nullptr, meta, values);
    EXPECT_TRUE(findings.empty()) << "integer=" << integer << "\n" << Dump(findings);
    if (!integer) {
      findings = CheckSample(&schema, meta, values);
      EXPECT_TRUE(findings.empty()) << Dump(findings);
    }
  }
}

TEST(DataChecksTest, IntegerSensorAtRestIsNotClippingOrFlat) {
  // Quantization flicker between three codes (-7..-5 mg), like a real LSM6DSL lying still.
  std::mt19937 rng(3);
  std::normal_distribution<double> noise(0, 0.6);
  std::vector<float> values;
  for (int r = 0; r < 1000; ++r) {
    values.push_back(static_cast<float>(std::clamp(std::round(-6 + noise(rng)), -7.0, -5.0)));
    values.push_back(static_cast<float>(std::round(140 + 2 * noise(rng))));
    values.push_back(static_cast<float>(std::round(1013 + 1.5 * noise(rng))));
  }
  const auto findings = CheckSample(nullptr, Meta(Acc3("mg"), k26HzMs, 1000), values);
  EXPECT_TRUE(findings.empty()) << Dump(findings);
}

TEST(DataChecksTest, SlowIntegerSineDwellingAtItsPeakIsNotClipping) {
  // 0.5 Hz at 100 Hz in whole units: each peak repeats its top value for several rows.
  std::vector<float> values;
  for (int r = 0; r < 1000; ++r) {
    values.push_back(static_cast<float>(std::round(1000 * std::sin(2 * kPi * 0.5 * r / 100))));
  }
  const auto findings = CheckSample(nullptr, Meta({{"x", "mg"}}, 10, 1000), values);
  EXPECT_TRUE(findings.empty()) << Dump(findings);
}

TEST(DataChecksTest, NanAndInfPerAxis) {
  auto values = NoisyAccel(200, 1, false);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  for (int r : {3, 50, 51}) values[r * 3 + 1] = nan;
  values[100 * 3 + 1] = -inf;
  values[7 * 3 + 2] = inf;
  const auto findings = CheckSample(nullptr, Meta(Acc3(), k26HzMs, 200), values);
  const auto kinds = ByKind(findings);
  ASSERT_EQ(kinds.count("nan"), 1u) << Dump(findings);
  ASSERT_EQ(kinds.at("nan").size(), 2u);
  EXPECT_EQ(kinds.at("nan")[0], "axis accY: 4 NaN/Inf values of 200");
  EXPECT_EQ(kinds.at("nan")[1], "axis accZ: 1 NaN/Inf values of 200");
  EXPECT_EQ(findings.size(), 2u) << Dump(findings);
}

TEST(DataChecksTest, ClippingAtTheSensorRange) {
  // A ±4 g sensor worn while running: peaks of 5 g are cut at 3.999.
  std::mt19937 rng(11);
  std::normal_distribution<double> noise(0, 0.05);
  std::vector<float> values;
  for (int r = 0; r < 1000; ++r) {
    const double t = r / 26.0;
    values.push_back(
        static_cast<float>(std::clamp(5 * std::sin(2 * kPi * 1.3 * t) + noise(rng), -4.0, 3.999)));
    values.push_back(static_cast<float>(0.5 * std::sin(2 * kPi * 1.3 * t) + noise(rng)));
    values.push_back(static_cast<float>(1 + noise(rng)));
  }
  const auto findings = CheckSample(nullptr, Meta(Acc3(), k26HzMs, 1000), values);
  ASSERT_EQ(findings.size(), 1u) << Dump(findings);
  EXPECT_EQ(findings[0].kind, "clipping");
  const std::string& d = findings[0].detail;
  EXPECT_EQ(d.rfind("axis accX: ", 0), 0u) << d;
  EXPECT_NE(d.find("at the maximum 3.999"), std::string::npos) << d;
  EXPECT_NE(d.find("at the minimum -4"), std::string::npos) << d;
  EXPECT_NE(d.find("in runs of ≥3 (clipping)"), std::string::npos) << d;
}

TEST(DataChecksTest, ClippingNeedsRunsCoveringOnePercent) {
  // Clipped for 3 rows once in 1000: 0.3 % of rows, below the 1 % limit.
  auto values = NoisyAccel(1000, 1, false);
  for (int r = 500; r < 503; ++r) values[r * 3] = 4;
  EXPECT_TRUE(CheckSample(nullptr, Meta(Acc3(), k26HzMs, 1000), values).empty());
  // Four such runs of 3 rows: 1.2 %.
  for (int start : {100, 300, 700}) {
    for (int r = start; r < start + 3; ++r) values[r * 3] = 4;
  }
  const auto findings = CheckSample(nullptr, Meta(Acc3(), k26HzMs, 1000), values);
  ASSERT_EQ(findings.size(), 1u) << Dump(findings);
  EXPECT_EQ(findings[0].detail,
            "axis accX: 1.2% of values sit at the maximum 4 in runs of ≥3 (clipping)");
}

TEST(DataChecksTest, FlatlineAllIdentical) {
  std::vector<float> values(10, 0.5f);
  auto findings = CheckSample(nullptr, Meta({{"temp", "C"}}, 1000, 10), values);
  ASSERT_EQ(findings.size(), 1u) << Dump(findings);
  EXPECT_EQ(findings[0].kind, "flatline");
  EXPECT_EQ(findings[0].detail, "axis temp: all 10 values are 0.5 (flat line)");
  // Too short to tell.
  values.resize(7);
  EXPECT_TRUE(CheckSample(nullptr, Meta({{"temp", "C"}}, 1000, 7), values).empty());
}

TEST(DataChecksTest, FlatlineLongRun) {
  // The sensor dropped out: 600 of 1000 rows of accY read 0.
  auto values = NoisyAccel(1000, 1, false);
  for (int r = 300; r < 900; ++r) values[r * 3 + 1] = 0;
  const auto findings = CheckSample(nullptr, Meta(Acc3(), k26HzMs, 1000), values);
  ASSERT_EQ(findings.size(), 1u) << Dump(findings);
  EXPECT_EQ(findings[0].kind, "flatline");
  EXPECT_EQ(findings[0].detail,
            "axis accY: one run of 600 identical values (0) covers 60% of 1000 rows "
            "(flat line, limit 50%)");
  // 40 % is not a flat line.
  auto shorter = NoisyAccel(1000, 1, false);
  for (int r = 300; r < 700; ++r) shorter[r * 3 + 1] = 0;
  EXPECT_TRUE(CheckSample(nullptr, Meta(Acc3(), k26HzMs, 1000), shorter).empty());
}

TEST(DataChecksTest, LengthOutlier) {
  const SensorSchema schema = AccSchema();
  const auto findings = CheckSample(&schema, Meta(Acc3(), k26HzMs, 120), NoisyAccel(120, 1, false));
  ASSERT_EQ(findings.size(), 1u) << Dump(findings);
  EXPECT_EQ(findings[0].kind, "length_outlier");
  EXPECT_EQ(findings[0].detail, "length 120 rows outside the expected 400..2000");
  EXPECT_EQ(CheckSample(&schema, Meta(Acc3(), k26HzMs, 2001), NoisyAccel(2001, 1, false))[0].kind,
            "length_outlier");
  EXPECT_TRUE(
      CheckSample(&schema, Meta(Acc3(), k26HzMs, 2000), NoisyAccel(2000, 1, false)).empty());
  // No schema, no length check.
  EXPECT_TRUE(CheckSample(nullptr, Meta(Acc3(), k26HzMs, 120), NoisyAccel(120, 1, false)).empty());
}

TEST(DataChecksTest, RateMismatch) {
  const SensorSchema schema = AccSchema();
  auto findings = CheckSample(&schema, Meta(Acc3(), 10, 1000), NoisyAccel(1000, 1, false));
  ASSERT_EQ(findings.size(), 1u) << Dump(findings);
  EXPECT_EQ(findings[0].kind, "rate_mismatch");
  EXPECT_EQ(findings[0].detail, "interval 10 ms differs from the schema's 38.46 ms (tolerance 2%)");
  // 38.46 ms ± 2 % accepts 39 ms but not 40 ms.
  EXPECT_TRUE(CheckSample(&schema, Meta(Acc3(), 39, 1000), NoisyAccel(1000, 1, false)).empty());
  EXPECT_EQ(CheckSample(&schema, Meta(Acc3(), 40, 1000), NoisyAccel(1000, 1, false)).size(), 1u);
  // An image-like schema (no time axis) receiving a time series.
  SensorSchema image = schema;
  image.interval_ms = 0;
  findings = CheckSample(&image, Meta(Acc3(), 10, 1000), NoisyAccel(1000, 1, false));
  ASSERT_EQ(findings.size(), 1u) << Dump(findings);
  EXPECT_EQ(findings[0].detail,
            "interval 10 ms but the schema's samples have no time axis (interval 0)");
}

TEST(DataChecksTest, SchemaMismatchAxes) {
  const SensorSchema schema = AccSchema();
  std::vector<float> xy;
  for (int r = 0; r < 500; ++r) {
    xy.push_back(static_cast<float>(std::sin(r * 0.3)));
    xy.push_back(static_cast<float>(std::cos(r * 0.2)));
  }
  auto findings = CheckSample(&schema, Meta({{"x", "g"}, {"y", "g"}}, k26HzMs, 500), xy);
  ASSERT_EQ(findings.size(), 1u) << Dump(findings);
  EXPECT_EQ(findings[0].kind, "schema_mismatch");
  EXPECT_EQ(findings[0].detail, "axes [x,y] differ from the schema's [accX,accY,accZ]");

  findings = CheckSample(&schema, Meta(Acc3("m/s2"), k26HzMs, 1000), NoisyAccel(1000, 9.81, false));
  ASSERT_EQ(findings.size(), 1u) << Dump(findings);
  EXPECT_EQ(findings[0].detail,
            "axes [accX (m/s2),accY (m/s2),accZ (m/s2)] differ from the schema's "
            "[accX (g),accY (g),accZ (g)] in units");
}

TEST(DataChecksTest, SchemaMismatchScaling) {
  const SensorSchema schema = AccSchema();  // ±4.4 g
  // The same device now sends mg while still calling the unit "g".
  auto findings = CheckSample(&schema, Meta(Acc3(), k26HzMs, 1000), NoisyAccel(1000, 1000, true));
  const auto kinds = ByKind(findings);
  ASSERT_EQ(kinds.size(), 1u) << Dump(findings);
  ASSERT_EQ(kinds.at("schema_mismatch").size(), 3u) << Dump(findings);
  EXPECT_NE(kinds.at("schema_mismatch")[2].find("axis accZ: values "), std::string::npos);
  EXPECT_NE(kinds.at("schema_mismatch")[2].find(
                "fall outside -8.8..8.8, the schema's range -4.4..4.4 widened by 50% "
                "(different units or scaling?)"),
            std::string::npos)
      << kinds.at("schema_mismatch")[2];
  // Exceeding the range by less than half its span is tolerated (a harder shake, not a scale).
  auto strong = NoisyAccel(1000, 1, false);
  for (size_t i = 0; i < strong.size(); i += 3) strong[i] *= 10;  // accX up to ~6.5 g
  EXPECT_TRUE(CheckSample(&schema, Meta(Acc3(), k26HzMs, 1000), strong).empty())
      << Dump(CheckSample(&schema, Meta(Acc3(), k26HzMs, 1000), strong));
}

TEST(DataChecksTest, OneFindingPerKindAndAxis) {
  const SensorSchema schema = AccSchema();
  auto values = NoisyAccel(1000, 1, false);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (int r = 0; r < 1000; r += 10) values[r * 3] = nan;
  for (int r = 0; r < 700; ++r) values[r * 3 + 2] = 1;
  const auto findings = CheckSample(&schema, Meta(Acc3(), 20, 1000), values);
  const auto kinds = ByKind(findings);
  EXPECT_EQ(kinds.at("nan").size(), 1u);
  EXPECT_EQ(kinds.at("flatline").size(), 1u);
  EXPECT_EQ(kinds.at("rate_mismatch").size(), 1u);
  EXPECT_EQ(findings.size(), 3u) << Dump(findings);
}

TEST(DataChecksTest, RobustToDegenerateInput) {
  const SensorSchema schema = AccSchema();
  // Empty sample.
  auto findings = CheckSample(nullptr, Meta(Acc3(), k26HzMs, 0), {});
  EXPECT_TRUE(findings.empty()) << Dump(findings);
  findings = CheckSample(&schema, Meta(Acc3(), k26HzMs, 0), {});
  ASSERT_EQ(findings.size(), 1u) << Dump(findings);
  EXPECT_EQ(findings[0].kind, "length_outlier");
  // One row.
  EXPECT_TRUE(CheckSample(nullptr, Meta(Acc3(), k26HzMs, 1), {1, 2, 3}).empty());
  // No axes: one column called "value".
  findings = CheckSample(nullptr, Meta({}, k26HzMs, 0), std::vector<float>(20, 7.f));
  ASSERT_EQ(findings.size(), 1u) << Dump(findings);
  EXPECT_EQ(findings[0].detail, "axis value: all 20 values are 7 (flat line)");
  // Values that do not fill whole rows.
  findings = CheckSample(nullptr, Meta(Acc3(), k26HzMs, 0), {1, 2, 3, 4});
  ASSERT_EQ(findings.size(), 1u) << Dump(findings);
  EXPECT_EQ(findings[0].kind, "schema_mismatch");
  EXPECT_EQ(findings[0].detail, "4 values do not form 1 rows of 3 axes");
  // meta.length disagreeing with the values.
  findings = CheckSample(nullptr, Meta(Acc3(), k26HzMs, 5), {1, 2, 3});
  ASSERT_EQ(findings.size(), 1u) << Dump(findings);
  EXPECT_EQ(findings[0].kind, "schema_mismatch");
  // All NaN: reported once, not as a flat line or clipping.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  findings = CheckSample(nullptr, Meta({{"x", ""}}, 10, 50), std::vector<float>(50, nan));
  ASSERT_EQ(findings.size(), 1u) << Dump(findings);
  EXPECT_EQ(findings[0].kind, "nan");
  // An image (no time axis) with saturated pixels is neither clipping nor a flat line.
  std::vector<float> pixels(784, 0.f);
  for (int i = 300; i < 400; ++i) pixels[i] = 255;
  EXPECT_TRUE(CheckSample(nullptr, Meta({{"pixel", ""}}, 0, 784), pixels).empty());
}

TEST(DataChecksTest, OneKilobyteSampleTakesMicroseconds) {
  // 1 KB of float32 = 256 values: 85 rows of 3 axes plus change.
  const auto values = NoisyAccel(85, 1, false);
  const auto meta = Meta(Acc3(), k26HzMs, 85);
  SensorSchema schema = AccSchema();
  schema.min_rows = 50;
  constexpr int kIterations = 2000;
  size_t total = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kIterations; ++i) total += CheckSample(&schema, meta, values).size();
  const double us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() /
      kIterations;
  std::printf("CheckSample on a 1 KB sample: %.2f us\n", us);
  EXPECT_EQ(total, 0u);
  EXPECT_LT(us, 500.0);  // ~4 us optimized; generous for sanitizer builds on a busy machine
}

// --- Real recordings: STMicroelectronics HAR (LSM6DSL, 26 Hz, mg, 3 integer columns) ---

std::filesystem::path HarDir() {
#ifdef TINYLOOP_SOURCE_DIR
  return std::filesystem::path(TINYLOOP_SOURCE_DIR) / ".." / "shared" / "datasets" /
         "st_har_iotnode";
#else
  return std::filesystem::path("..") / "shared" / "datasets" / "st_har_iotnode";
#endif
}

// Parses "x, y, z" lines of integers into row-major floats.
std::vector<float> ReadHarCsv(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<float> values;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string field;
    while (std::getline(fields, field, ',')) values.push_back(std::stof(field));
  }
  return values;
}

std::vector<std::filesystem::path> HarFiles() {
  std::vector<std::filesystem::path> files;
  for (const char* activity : {"running", "stationary", "walking"}) {
    for (const auto& entry : std::filesystem::directory_iterator(HarDir() / activity)) {
      if (entry.path().extension() == ".csv") files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(DataChecksRealDataTest, StHarRecordingsAreClean) {
  if (!std::filesystem::is_directory(HarDir())) {
    GTEST_SKIP() << "real data missing: " << HarDir() << " (the shared st_har_iotnode dataset)";
  }
  const auto files = HarFiles();
  ASSERT_GE(files.size(), 30u);
  int fired = 0;
  for (const auto& path : files) {
    const auto values = ReadHarCsv(path);
    ASSERT_EQ(values.size() % 3, 0u) << path;
    const auto meta = Meta(Acc3("mg"), k26HzMs, static_cast<int64_t>(values.size() / 3));
    const auto findings = CheckSample(nullptr, meta, values);
    for (const store::Finding& f : findings) {
      std::printf("%s: %s: %s\n", path.filename().c_str(), f.kind.c_str(), f.detail.c_str());
      ++fired;
    }
  }
  // Checked by hand: no file has NaN, a flat line, or ≥1 % of rows stuck at ±4000 mg (the
  // highest peaks, e.g. 3997 mg in running_12, are single rows). Stationary files flicker
  // between 3-5 codes (stationary_04 accX: -7..-5 mg, 1.2 % of rows at -5 in runs of 3+).
  EXPECT_EQ(fired, 0);
  std::printf("%zu recordings checked, %d findings\n", files.size(), fired);
}

TEST(DataChecksRealDataTest, StHarAgainstLearnedSchema) {
  if (!std::filesystem::is_directory(HarDir())) {
    GTEST_SKIP() << "real data missing: " << HarDir() << " (the shared st_har_iotnode dataset)";
  }
  const auto files = HarFiles();
  // Learn from a mix of activities, as a project collecting all three would.
  SchemaLearner learner;
  for (size_t i = 0; learner.learning() && i < files.size(); i += 9) {
    const auto values = ReadHarCsv(files[i]);
    learner.Observe(Meta(Acc3("mg"), k26HzMs, static_cast<int64_t>(values.size() / 3)), values);
  }
  ASSERT_FALSE(learner.learning());
  const SensorSchema& schema = *learner.schema();
  std::printf("learned: %s\n", schema.ToJson().dump().c_str());
  EXPECT_EQ(schema.min_rows, 500);
  EXPECT_EQ(schema.max_rows, 2000);
  int fired = 0;
  for (const auto& path : files) {
    const auto values = ReadHarCsv(path);
    const auto meta = Meta(Acc3("mg"), k26HzMs, static_cast<int64_t>(values.size() / 3));
    for (const store::Finding& f : CheckSample(&schema, meta, values)) {
      std::printf("%s: %s: %s\n", path.filename().c_str(), f.kind.c_str(), f.detail.c_str());
      ++fired;
    }
  }
  EXPECT_EQ(fired, 0);

  // The same recording in g against a schema learned in g is fine; in mg it is a mismatch.
  auto in_g = ReadHarCsv(files[0]);
  for (float& v : in_g) v /= 1000;
  SchemaLearner g_learner(1);
  ASSERT_TRUE(g_learner.Observe(Meta(Acc3("mg"), k26HzMs, 1000), in_g));
  const auto mg = ReadHarCsv(files[0]);
  const auto findings = CheckSample(g_learner.schema(), Meta(Acc3("mg"), k26HzMs, 1000), mg);
  ASSERT_FALSE(findings.empty());
  for (const store::Finding& f : findings) {
    EXPECT_EQ(f.kind, "schema_mismatch") << f.detail;
    std::printf("mg vs g: %s\n", f.detail.c_str());
  }
}

}  // namespace
}  // namespace tinyloop::service
