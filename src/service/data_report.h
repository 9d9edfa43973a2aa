// The data report: answers "are we getting the right data?" for a set of samples (usually one
// project's): counts per label, category and device, class balance, length and interval
// distributions, the findings recorded at ingest grouped by kind, and the sensor schema.
// Pure logic over store::Sample metadata (no sample values, no I/O); rendered as JSON for the
// API and as text for the terminal (`tinyloop data report`). The functions are pure and
// thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "service/sensor_schema.h"
#include "store/records.h"

namespace tinyloop::service {

// Warn about class imbalance when the largest labeled class has more than this many times the
// samples of the smallest.
inline constexpr double kImbalanceWarnRatio = 3;
// Bins of the text and JSON histograms of lengths and intervals.
inline constexpr int kReportHistogramBins = 8;
// Sample ids listed per finding kind in the text report.
inline constexpr int kReportSampleIdsPerKind = 5;
// Keys used for samples with an empty label or device name.
inline constexpr const char* kUnlabeledKey = "(unlabeled)";
inline constexpr const char* kUnknownDeviceKey = "(unknown)";

// Summary of a set of numbers. All zero (and no histogram) when count == 0.
struct Distribution {
  int64_t count = 0;
  double min = 0;
  double p50 = 0;  // median; the mean of the two middle values for an even count
  double max = 0;
  double mean = 0;
  // Counts in kReportHistogramBins equal-width bins over [min, max] (fewer when there are fewer
  // values; one bin when min == max).
  std::vector<int64_t> histogram;
};

struct LabelCategoryDeviceCount {
  std::string label;  // kUnlabeledKey for unlabeled samples
  std::string category;
  std::string device;  // kUnknownDeviceKey when empty
  int64_t count = 0;
};

struct ReportFinding {
  std::string kind;
  int64_t sample_id = 0;
  std::string detail;
};

// A value type built by BuildDataReport. Not synchronized: share across threads only as const.
struct DataReport {
  int64_t samples = 0;
  int64_t unlabeled = 0;
  std::map<std::string, int64_t> by_label;     // unlabeled samples under kUnlabeledKey
  std::map<std::string, int64_t> by_category;  // always holds "training" and "testing"
  std::map<std::string, int64_t> by_device;    // empty names under kUnknownDeviceKey
  std::vector<LabelCategoryDeviceCount> by_label_category_device;  // sorted by the three keys
  // Class balance over labeled samples: each label's share of them.
  std::map<std::string, double> class_fractions;
  // Largest / smallest labeled class count; nullopt with fewer than two labels.
  std::optional<double> imbalance_ratio;
  // Non-empty when imbalance_ratio > kImbalanceWarnRatio; names the largest class and every
  // class smaller than a third of it.
  std::string imbalance_warning;
  Distribution length_rows;
  Distribution interval_ms;  // over samples with interval_ms > 0
  // Count per kind; holds all seven kinds of kAllFindingKinds (zero when none) plus any other
  // kind found in the samples.
  std::map<std::string, int64_t> findings_by_kind;
  std::vector<ReportFinding> findings;  // in the order of `samples`
  std::optional<SensorSchema> schema;
};

// Aggregates `samples` (their metadata and recorded findings) and copies `schema` (nullable).
// Never fails; an empty input gives an all-zero report.
DataReport BuildDataReport(const std::vector<store::Sample>& samples, const SensorSchema* schema);

// JSON form. Keys: samples, unlabeled, by_label, by_category, by_device,
// by_label_category_device [{label, category, device, count}], class_balance {<label>: fraction,
// "imbalance_ratio": x | null}, class_imbalance_warning (string | null), length_rows and
// interval_ms {count, min, p50, max, mean, histogram} (null numbers when count is 0),
// findings_by_kind {kind: count}, findings [{kind, sample_id, detail}], schema (null | schema).
Json DataReportToJson(const DataReport& report);

// A readable multi-line report for a terminal (UTF-8, no colour codes).
std::string DataReportToText(const DataReport& report);

}  // namespace tinyloop::service
