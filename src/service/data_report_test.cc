#include "service/data_report.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "service/data_checks.h"

namespace tinyloop::service {
namespace {

store::Sample MakeSample(int64_t id, std::string label, std::string category, std::string device,
                         int64_t length = 1000, double interval_ms = 1000.0 / 26) {
  store::Sample s;
  s.id = id;
  s.label = std::move(label);
  s.category = std::move(category);
  s.device_name = std::move(device);
  s.length = length;
  s.interval_ms = interval_ms;
  s.axes = {{"accX", "mg"}, {"accY", "mg"}, {"accZ", "mg"}};
  return s;
}

// 8 walking, 2 idle, 1 unlabeled; two devices; some findings.
std::vector<store::Sample> Fleet() {
  std::vector<store::Sample> samples;
  int64_t id = 1;
  for (int i = 0; i < 6; ++i) samples.push_back(MakeSample(id++, "walking", "training", "dev-a"));
  for (int i = 0; i < 2; ++i) samples.push_back(MakeSample(id++, "walking", "testing", "dev-b"));
  samples.push_back(MakeSample(id++, "idle", "training", "dev-a", 500));
  samples.push_back(MakeSample(id++, "idle", "testing", "", 2000, 10));
  samples.push_back(MakeSample(id++, "", "training", "dev-b", 120));
  samples[9].findings.push_back({"rate_mismatch",
                                 "interval 10 ms differs from the schema's "
                                 "38.46 ms (tolerance 2%)"});
  samples[10].findings.push_back(
      {"length_outlier", "length 120 rows outside the expected 500..2000"});
  samples[10].findings.push_back({"nan", "axis accY: 3 NaN/Inf values of 120"});
  samples[3].findings.push_back({"duplicate", "same values as sample 2"});
  return samples;
}

TEST(DataReportTest, Counts) {
  const DataReport r = BuildDataReport(Fleet(), nullptr);
  EXPECT_EQ(r.samples, 11);
  EXPECT_EQ(r.unlabeled, 1);
  EXPECT_EQ(r.by_label.at("walking"), 8);
  EXPECT_EQ(r.by_label.at("idle"), 2);
  EXPECT_EQ(r.by_label.at("(unlabeled)"), 1);
  EXPECT_EQ(r.by_label.count(""), 0u);
  EXPECT_EQ(r.by_category.at("training"), 8);
  EXPECT_EQ(r.by_category.at("testing"), 3);
  EXPECT_EQ(r.by_device.at("dev-a"), 7);
  EXPECT_EQ(r.by_device.at("dev-b"), 3);
  EXPECT_EQ(r.by_device.at("(unknown)"), 1);
  int64_t cells = 0;
  for (const auto& c : r.by_label_category_device) {
    cells += c.count;
    if (c.label == "walking" && c.category == "testing") {
      EXPECT_EQ(c.device, "dev-b");
      EXPECT_EQ(c.count, 2);
    }
  }
  EXPECT_EQ(cells, 11);
  EXPECT_EQ(r.length_rows.count, 11);
  EXPECT_EQ(r.length_rows.min, 120);
  EXPECT_EQ(r.length_rows.p50, 1000);
  EXPECT_EQ(r.length_rows.max, 2000);
  EXPECT_EQ(r.interval_ms.min, 10);
  EXPECT_NEAR(r.interval_ms.p50, 38.46, 0.01);
  int64_t histogram_total = 0;
  for (int64_t n : r.length_rows.histogram) histogram_total += n;
  EXPECT_EQ(histogram_total, 11);
  EXPECT_EQ(r.length_rows.histogram.size(), static_cast<size_t>(kReportHistogramBins));
}

TEST(DataReportTest, FindingsByKindHasAllSevenKinds) {
  const DataReport empty = BuildDataReport({}, nullptr);
  EXPECT_EQ(empty.samples, 0);
  ASSERT_EQ(empty.findings_by_kind.size(), 7u);
  for (const char* kind : {"schema_mismatch", "rate_mismatch", "nan", "clipping", "flatline",
                           "length_outlier", "duplicate"}) {
    ASSERT_EQ(empty.findings_by_kind.count(kind), 1u) << kind;
    EXPECT_EQ(empty.findings_by_kind.at(kind), 0) << kind;
  }
  const DataReport r = BuildDataReport(Fleet(), nullptr);
  EXPECT_EQ(r.findings_by_kind.at("rate_mismatch"), 1);
  EXPECT_EQ(r.findings_by_kind.at("length_outlier"), 1);
  EXPECT_EQ(r.findings_by_kind.at("nan"), 1);
  EXPECT_EQ(r.findings_by_kind.at("duplicate"), 1);
  EXPECT_EQ(r.findings_by_kind.at("clipping"), 0);
  ASSERT_EQ(r.findings.size(), 4u);
  EXPECT_EQ(r.findings[0].sample_id, 4);
  EXPECT_EQ(r.findings[0].kind, "duplicate");
}

TEST(DataReportTest, ImbalanceWarningNamesTheClasses) {
  const DataReport r = BuildDataReport(Fleet(), nullptr);
  ASSERT_TRUE(r.imbalance_ratio.has_value());
  EXPECT_DOUBLE_EQ(*r.imbalance_ratio, 4.0);
  EXPECT_DOUBLE_EQ(r.class_fractions.at("walking"), 0.8);
  EXPECT_EQ(r.class_fractions.count("(unlabeled)"), 0u);
  EXPECT_EQ(r.imbalance_warning,
            "class imbalance: largest class walking has 8 samples, 4x the smallest (limit 3x); "
            "classes under a third of it: idle (2). Collect more of these or rebalance.");
  EXPECT_NE(DataReportToText(r).find("WARNING: class imbalance"), std::string::npos);

  // Exactly 3x is not a warning.
  std::vector<store::Sample> balanced;
  for (int i = 0; i < 6; ++i) balanced.push_back(MakeSample(i, "a", "training", "d"));
  for (int i = 0; i < 2; ++i) balanced.push_back(MakeSample(10 + i, "b", "training", "d"));
  const DataReport ok = BuildDataReport(balanced, nullptr);
  EXPECT_DOUBLE_EQ(*ok.imbalance_ratio, 3.0);
  EXPECT_TRUE(ok.imbalance_warning.empty());
  EXPECT_EQ(DataReportToText(ok).find("WARNING"), std::string::npos);

  // One class: no ratio.
  const DataReport single = BuildDataReport({MakeSample(1, "a", "training", "d")}, nullptr);
  EXPECT_FALSE(single.imbalance_ratio.has_value());
}

TEST(DataReportTest, Json) {
  SensorSchema schema;
  schema.axes = {{"accX", "mg", std::nullopt}};
  schema.interval_ms = 1000.0 / 26;
  const Json j = DataReportToJson(BuildDataReport(Fleet(), &schema));
  EXPECT_EQ(j["samples"], 11);
  EXPECT_EQ(j["unlabeled"], 1);
  EXPECT_EQ(j["by_label"]["walking"], 8);
  EXPECT_EQ(j["by_label"]["(unlabeled)"], 1);
  EXPECT_EQ(j["by_category"]["training"], 8);
  EXPECT_EQ(j["by_device"]["dev-a"], 7);
  ASSERT_TRUE(j["findings"].is_array());
  ASSERT_EQ(j["findings"].size(), 4u);
  EXPECT_EQ(j["findings"][0]["kind"], "duplicate");
  EXPECT_EQ(j["findings"][0]["sample_id"], 4);
  EXPECT_EQ(j["findings"][0]["detail"], "same values as sample 2");
  ASSERT_TRUE(j["by_label_category_device"].is_array());
  EXPECT_EQ(j["by_label_category_device"][0].size(), 4u);
  EXPECT_EQ(j["findings_by_kind"].size(), 7u);
  EXPECT_EQ(j["findings_by_kind"]["clipping"], 0);
  EXPECT_DOUBLE_EQ(j["class_balance"]["walking"].get<double>(), 0.8);
  EXPECT_DOUBLE_EQ(j["class_balance"]["imbalance_ratio"].get<double>(), 4.0);
  EXPECT_TRUE(j["class_imbalance_warning"].is_string());
  EXPECT_EQ(j["length_rows"]["min"], 120);
  EXPECT_EQ(j["length_rows"]["p50"], 1000);
  EXPECT_EQ(j["length_rows"]["max"], 2000);
  EXPECT_TRUE(j["length_rows"]["mean"].is_number());
  EXPECT_TRUE(j["interval_ms"]["p50"].is_number());
  EXPECT_EQ(j["schema"]["axes"][0]["name"], "accX");

  const Json empty = DataReportToJson(BuildDataReport({}, nullptr));
  EXPECT_EQ(empty["samples"], 0);
  EXPECT_TRUE(empty["schema"].is_null());
  EXPECT_TRUE(empty["length_rows"]["min"].is_null());
  EXPECT_TRUE(empty["class_balance"]["imbalance_ratio"].is_null());
  EXPECT_EQ(empty["by_category"]["training"], 0);
  EXPECT_EQ(empty["findings_by_kind"].size(), 7u);
}

TEST(DataReportTest, Text) {
  std::vector<store::Sample> samples = Fleet();
  // Seven samples with clipping: only five ids are listed.
  for (int i = 0; i < 7; ++i) {
    samples[i].findings.push_back({"clipping", "axis accX: 12% of values sit at the maximum 3999"});
  }
  SensorSchema schema;
  schema.source = "learned";
  schema.axes = {{"accX", "mg", ValueRange{-4400, 4400}}};
  schema.interval_ms = 1000.0 / 26;
  schema.min_rows = 500;
  schema.max_rows = 2000;
  const std::string text = DataReportToText(BuildDataReport(samples, &schema));
  std::printf("%s", text.c_str());
  EXPECT_NE(text.find("Data report: 11 samples (1 unlabeled)"), std::string::npos);
  EXPECT_NE(text.find("Samples by label and category:"), std::string::npos);
  EXPECT_NE(text.find("(unlabeled)"), std::string::npos);
  EXPECT_NE(text.find("Samples by device:"), std::string::npos);
  EXPECT_NE(text.find("Length: min 120 / median 1000 / max 2000"), std::string::npos);
  EXPECT_NE(text.find("Interval: min 10 / median 38.46"), std::string::npos);
  EXPECT_NE(text.find("clipping              7  samples #1, #2, #3, #4, #5, ..."),
            std::string::npos);
  EXPECT_EQ(text.find("#6"), std::string::npos);
  EXPECT_NE(text.find("e.g. axis accX: 12% of values"), std::string::npos);
  EXPECT_NE(text.find("Sensor schema (learned)"), std::string::npos);
  EXPECT_NE(text.find("accX (mg) [-4400..4400]"), std::string::npos);
  EXPECT_NE(text.find("500..2000 rows"), std::string::npos);
  EXPECT_NE(DataReportToText(BuildDataReport({}, nullptr)).find("Sensor schema: none"),
            std::string::npos);
}

}  // namespace
}  // namespace tinyloop::service
