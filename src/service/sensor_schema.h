// The per-project sensor schema that ingest checks compare each sample against (axes and units,
// sampling interval, length range, value range per axis), and SchemaLearner, which infers one
// from a project's first samples. Pure logic, no I/O: both are persisted as one JSON value in
// store::Project::sensor_schema and checked by service/data_checks.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/status.h"
#include "store/records.h"

namespace tinyloop::service {

// Relative tolerance on the sampling interval: 0.02 accepts 38.46 ms ± 0.77 ms.
inline constexpr double kDefaultIntervalTolerance = 0.02;
// Samples a SchemaLearner observes before it freezes the schema.
inline constexpr int kDefaultLearnSamples = 10;
// SensorSchema::source values.
inline constexpr std::string_view kSchemaSourceExplicit = "explicit";
inline constexpr std::string_view kSchemaSourceLearned = "learned";

// Closed value range [min, max] of one axis, in the axis' units.
struct ValueRange {
  double min = 0;
  double max = 0;
};

struct SchemaAxis {
  std::string name;
  std::string units;  // "" when the sensor does not say
  // Expected values; nullopt = not checked.
  std::optional<ValueRange> range;
};

// A value type; copy freely. Not synchronized: share across threads only as const.
//
// JSON form (ToJson/FromJson):
//   {"source": "explicit" | "learned",
//    "axes": [{"name": "accX", "units": "m/s2", "min": -20, "max": 20}, ...],
//    "interval_ms": 38.46, "interval_tolerance": 0.02,
//    "length_rows": {"min": 400, "max": 2000},
//    "learning": {...}}   // only from SchemaLearner; ignored here
// "min"/"max" of an axis come together or not at all; "length_rows" is optional.
struct SensorSchema {
  // "explicit" (set by a user; never replaced by learning) or "learned". Default "explicit".
  std::string source = std::string(kSchemaSourceExplicit);
  std::vector<SchemaAxis> axes;
  // Expected sampling interval; 0 = samples have no time axis (e.g. images). Default 0.
  double interval_ms = 0;
  // Accepted relative deviation of a sample's interval_ms. Default kDefaultIntervalTolerance.
  double interval_tolerance = kDefaultIntervalTolerance;
  // Expected number of rows, inclusive. min_rows = 0 and max_rows = 0: not checked;
  // max_rows = 0 alone: no upper bound. Defaults 0.
  int64_t min_rows = 0;
  int64_t max_rows = 0;

  bool is_explicit() const { return source == kSchemaSourceExplicit; }
  bool has_length_range() const { return min_rows > 0 || max_rows > 0; }
  // True when `axes` has the same names and units, in the same order.
  bool AxesMatch(const std::vector<store::Axis>& axes) const;
  // The axis named `name`, or nullptr.
  const SchemaAxis* FindAxis(std::string_view name) const;

  Json ToJson() const;
  // Parses and validates the JSON form. InvalidArgument naming the field and the limit: not an
  // object, unknown field, missing or empty "axes", empty or duplicate axis name, min > max,
  // non-finite or negative interval_ms, interval_tolerance outside [0, 1), length_rows with
  // min < 0 or max < min, source other than "explicit"/"learned".
  static StatusOr<SensorSchema> FromJson(const Json& json);
};

// Learns a SensorSchema from the first `target_samples` samples of a project:
//   - axes, units and interval_ms from the first sample that has axes; later samples whose axes
//     (names and units) differ are not used and do not change it;
//   - length range [floor(0.5 × min rows), ceil(2 × max rows)] of the samples used;
//   - value range per axis: observed finite min/max widened on both sides by 10 % of the span.
// Until target_samples samples were used, learning() is true and schema() holds only axes and
// interval (no length or value ranges, so checks cannot fire on half-learned limits). Then the
// schema is frozen: Observe() no longer changes it. A learner built from an explicit schema
// never learns. ToJson() includes the observed statistics, so FromJson() resumes learning after
// a restart.
// Not thread-safe: callers serialize access per project.
class SchemaLearner {
 public:
  // A learner that has seen nothing. target_samples < 1 is treated as 1.
  explicit SchemaLearner(int target_samples = kDefaultLearnSamples);

  // Wraps a user-supplied schema: learning() is false and Observe() does nothing, whatever
  // schema.source says.
  static SchemaLearner FromExplicit(SensorSchema schema);

  // Restores a learner from ToJson() output or any SensorSchema JSON. Null JSON gives a fresh
  // learner with `target_samples_if_new`. A schema with source "explicit" gives a frozen
  // explicit learner. InvalidArgument (naming the field) on a malformed schema or "learning"
  // object, e.g. axis_min with a different length than axes.
  static StatusOr<SchemaLearner> FromJson(const Json& json,
                                          int target_samples_if_new = kDefaultLearnSamples);

  // Feeds one sample (`values` row-major, meta.axes.size() columns). Returns true when the
  // sample was used for learning; false when frozen, explicit, or the sample has no axes or
  // other axes than the learned ones.
  bool Observe(const store::Sample& meta, const std::vector<float>& values);

  bool learning() const { return !frozen_; }
  // The current schema, or nullptr before the first usable sample.
  const SensorSchema* schema() const { return has_schema_ ? &schema_ : nullptr; }
  int samples_seen() const { return samples_seen_; }
  int target_samples() const { return target_samples_; }

  // Null before the first usable sample; else the schema JSON, plus for a learned schema
  // "learning": {"target_samples", "samples_seen", "rows_min", "rows_max",
  //              "axis_min": [..], "axis_max": [..]}   (null entries: no finite value yet).
  Json ToJson() const;

 private:
  void Freeze();

  int target_samples_;
  int samples_seen_ = 0;
  bool frozen_ = false;
  bool has_schema_ = false;
  SensorSchema schema_;
  int64_t rows_min_ = 0;
  int64_t rows_max_ = 0;
  std::vector<std::optional<double>> axis_min_;
  std::vector<std::optional<double>> axis_max_;
};

}  // namespace tinyloop::service
