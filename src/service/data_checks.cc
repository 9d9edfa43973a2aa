#include "service/data_checks.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace tinyloop::service {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// What one pass over an axis learns. Runs are maximal stretches of identical finite values.
struct AxisScan {
  int64_t rows = 0;
  int64_t non_finite = 0;
  int64_t finite = 0;
  double min = kInf;
  double max = -kInf;
  int64_t at_max = 0;        // rows equal to max
  int64_t at_min = 0;        // rows equal to min
  int64_t max_run_rows = 0;  // rows equal to max in runs of >= kClipMinRun
  int64_t min_run_rows = 0;
  int64_t longest_run = 0;
  double longest_value = 0;
  double step = kInf;  // smallest non-zero |difference| between consecutive finite values
};

AxisScan ScanAxis(const float* column, size_t stride, int64_t rows) {
  AxisScan s;
  s.rows = rows;
  double run_value = 0;
  int64_t run_length = 0;
  // A run is attributed to the extremes when it ends. A new extreme resets its counters, and
  // every run at the final extreme ends after that extreme first appeared, so one pass suffices.
  auto close_run = [&s, &run_value, &run_length]() {
    if (run_length == 0) return;
    if (run_length > s.longest_run) {
      s.longest_run = run_length;
      s.longest_value = run_value;
    }
    const bool clip_run = run_length >= kClipMinRun;
    if (run_value == s.max) {
      s.at_max += run_length;
      if (clip_run) s.max_run_rows += run_length;
    }
    if (run_value == s.min) {
      s.at_min += run_length;
      if (clip_run) s.min_run_rows += run_length;
    }
    run_length = 0;
  };
  for (int64_t r = 0; r < rows; ++r) {
    const double v = column[static_cast<size_t>(r) * stride];
    if (!std::isfinite(v)) {
      ++s.non_finite;
      close_run();
      continue;
    }
    ++s.finite;
    if (v > s.max) {
      s.max = v;
      s.at_max = s.max_run_rows = 0;
    }
    if (v < s.min) {
      s.min = v;
      s.at_min = s.min_run_rows = 0;
    }
    if (run_length > 0 && v == run_value) {
      ++run_length;
      continue;
    }
    if (run_length > 0) {
      const double d = std::fabs(v - run_value);
      if (d < s.step) s.step = d;
    }
    close_run();
    run_value = v;
    run_length = 1;
  }
  close_run();
  return s;
}

std::string FormatPercent(double fraction) {
  const double pct = 100 * fraction;
  return FormatNumber(pct >= 10 ? std::round(pct) : std::round(pct * 10) / 10) + "%";
}

std::string AxesText(const std::vector<std::string>& names, const std::vector<std::string>& units,
                     bool with_units) {
  std::string text = "[";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) text += ",";
    text += names[i];
    if (with_units) text += " (" + (units[i].empty() ? std::string("no units") : units[i]) + ")";
  }
  return text + "]";
}

void Add(std::vector<store::Finding>* findings, std::string_view kind, std::string detail) {
  findings->push_back(store::Finding{std::string(kind), std::move(detail)});
}

void CheckAxes(const SensorSchema& schema, const std::vector<store::Axis>& axes,
               std::vector<store::Finding>* findings) {
  if (schema.AxesMatch(axes)) return;
  std::vector<std::string> names, units, schema_names, schema_units;
  for (const store::Axis& a : axes) {
    names.push_back(a.name);
    units.push_back(a.units);
  }
  for (const SchemaAxis& a : schema.axes) {
    schema_names.push_back(a.name);
    schema_units.push_back(a.units);
  }
  const bool units_only = names == schema_names;
  std::string detail = "axes " + AxesText(names, units, units_only) + " differ from the schema's " +
                       AxesText(schema_names, schema_units, units_only);
  if (units_only) detail += " in units";
  Add(findings, kFindingSchemaMismatch, std::move(detail));
}

void CheckRate(const SensorSchema& schema, double interval_ms,
               std::vector<store::Finding>* findings) {
  const double expected = schema.interval_ms;
  if (expected <= 0) {
    if (interval_ms > 0) {
      Add(findings, kFindingRateMismatch,
          "interval " + FormatNumber(interval_ms) +
              " ms but the schema's samples have no time axis (interval 0)");
    }
    return;
  }
  const double deviation = std::fabs(interval_ms - expected) / expected;
  if (std::isfinite(interval_ms) && deviation <= schema.interval_tolerance) return;
  Add(findings, kFindingRateMismatch,
      "interval " + FormatNumber(interval_ms) + " ms differs from the schema's " +
          FormatNumber(expected) + " ms (tolerance " + FormatPercent(schema.interval_tolerance) +
          ")");
}

void CheckLength(const SensorSchema& schema, int64_t rows, std::vector<store::Finding>* findings) {
  if (!schema.has_length_range()) return;
  const bool too_long = schema.max_rows > 0 && rows > schema.max_rows;
  if (rows >= schema.min_rows && !too_long) return;
  const std::string expected =
      schema.max_rows > 0 ? std::to_string(schema.min_rows) + ".." + std::to_string(schema.max_rows)
                          : "at least " + std::to_string(schema.min_rows);
  Add(findings, kFindingLengthOutlier,
      "length " + std::to_string(rows) + " rows outside the expected " + expected);
}

void CheckRange(const SchemaAxis& expected, const std::string& name, const AxisScan& s,
                std::vector<store::Finding>* findings) {
  if (!expected.range || s.finite == 0) return;
  const ValueRange& range = *expected.range;
  const double scale =
      std::max(range.max - range.min, std::max(std::fabs(range.min), std::fabs(range.max)));
  const double low = range.min - kRangeMismatchFraction * scale;
  const double high = range.max + kRangeMismatchFraction * scale;
  if (s.min >= low && s.max <= high) return;
  Add(findings, kFindingSchemaMismatch,
      "axis " + name + ": values " + FormatNumber(s.min) + ".." + FormatNumber(s.max) +
          " fall outside " + FormatNumber(low) + ".." + FormatNumber(high) +
          ", the schema's range " + FormatNumber(range.min) + ".." + FormatNumber(range.max) +
          " widened by " + FormatPercent(kRangeMismatchFraction) +
          " (different units or scaling?)");
}

// Returns true when the axis is a flat line (reported), so clipping is not looked for.
bool CheckFlatline(const std::string& name, const AxisScan& s,
                   std::vector<store::Finding>* findings) {
  if (s.rows >= kFlatlineAllMinRows && s.longest_run == s.rows) {
    Add(findings, kFindingFlatline,
        "axis " + name + ": all " + std::to_string(s.rows) + " values are " +
            FormatNumber(s.longest_value) + " (flat line)");
    return true;
  }
  if (s.rows >= kFlatlineRunMinRows &&
      static_cast<double>(s.longest_run) >= kFlatlineRunFraction * static_cast<double>(s.rows)) {
    Add(findings, kFindingFlatline,
        "axis " + name + ": one run of " + std::to_string(s.longest_run) + " identical values (" +
            FormatNumber(s.longest_value) + ") covers " +
            FormatPercent(static_cast<double>(s.longest_run) / static_cast<double>(s.rows)) +
            " of " + std::to_string(s.rows) + " rows (flat line, limit " +
            FormatPercent(kFlatlineRunFraction) + ")");
    return true;
  }
  return false;
}

void CheckClipping(const std::string& name, const float* column, size_t stride, const AxisScan& s,
                   std::vector<store::Finding>* findings) {
  const double span = s.max - s.min;
  if (s.finite < 2 * kClipMinRun || !(span > 0) || span < kClipMinSpanSteps * s.step) return;
  const double min_rows = kClipMinFraction * static_cast<double>(s.rows);
  bool at_max = s.max_run_rows > 0 && static_cast<double>(s.max_run_rows) >= min_rows;
  bool at_min = s.min_run_rows > 0 && static_cast<double>(s.min_run_rows) >= min_rows;
  if (!at_max && !at_min) return;
  // Second pass only for candidates, which are rare on clean data.
  const double band = std::max(kClipBandFraction * span, 1.5 * s.step);
  int64_t near_max = 0, near_min = 0;
  for (int64_t r = 0; r < s.rows; ++r) {
    const double v = column[static_cast<size_t>(r) * stride];
    near_max += (v < s.max && v > s.max - band) ? 1 : 0;
    near_min += (v > s.min && v < s.min + band) ? 1 : 0;
  }
  at_max = at_max && static_cast<double>(s.at_max) >= kClipPileupRatio * near_max;
  at_min = at_min && static_cast<double>(s.at_min) >= kClipPileupRatio * near_min;
  if (!at_max && !at_min) return;
  const double rows = static_cast<double>(s.rows);
  std::string where;
  if (at_max) {
    where = FormatPercent(s.max_run_rows / rows) + " of values sit at the maximum " +
            FormatNumber(s.max);
  }
  if (at_min) {
    where += std::string(at_max ? " and " : "") + FormatPercent(s.min_run_rows / rows) +
             (at_max ? " at the minimum " : " of values sit at the minimum ") + FormatNumber(s.min);
  }
  Add(findings, kFindingClipping,
      "axis " + name + ": " + where + " in runs of ≥" + std::to_string(kClipMinRun) +
          " (clipping)");
}

}  // namespace

std::string FormatNumber(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Inf" : "-Inf";
  value += 0.0;  // -0 prints as 0
  char buf[48];
  if (value == std::round(value) && std::fabs(value) < 1e15) {
    std::snprintf(buf, sizeof(buf), "%.0f", value);
  } else if (std::fabs(value) >= 1000 && std::fabs(value) < 1e15) {
    std::snprintf(buf, sizeof(buf), "%.1f", value);
  } else {
    std::snprintf(buf, sizeof(buf), "%.4g", value);
  }
  return buf;
}

std::vector<store::Finding> CheckSample(const SensorSchema* schema, const store::Sample& meta,
                                        const std::vector<float>& values) {
  std::vector<store::Finding> findings;
  const size_t columns = std::max<size_t>(1, meta.axes.size());
  const int64_t value_rows = static_cast<int64_t>(values.size() / columns);
  const int64_t rows = meta.length > 0 ? meta.length : value_rows;

  if (schema != nullptr) CheckAxes(*schema, meta.axes, &findings);
  if (values.size() % columns != 0 || (meta.length > 0 && meta.length != value_rows)) {
    Add(&findings, kFindingSchemaMismatch,
        std::to_string(values.size()) + " values do not form " + std::to_string(rows) +
            " rows of " + std::to_string(columns) + " axes");
  }
  if (schema != nullptr) {
    CheckRate(*schema, meta.interval_ms, &findings);
    CheckLength(*schema, rows, &findings);
  }

  if (value_rows == 0) return findings;
  const bool time_series = meta.interval_ms > 0;
  for (size_t a = 0; a < columns; ++a) {
    static const std::string kUnnamedAxis = "value";
    const std::string& name = meta.axes.empty() ? kUnnamedAxis : meta.axes[a].name;
    const float* column = values.data() + a;
    const AxisScan s = ScanAxis(column, columns, value_rows);
    if (s.non_finite > 0) {
      Add(&findings, kFindingNan,
          "axis " + name + ": " + std::to_string(s.non_finite) + " NaN/Inf values of " +
              std::to_string(value_rows));
    }
    if (schema != nullptr && !meta.axes.empty()) {
      const SchemaAxis* expected = schema->FindAxis(name);
      if (expected != nullptr && expected->units == meta.axes[a].units) {
        CheckRange(*expected, name, s, &findings);
      }
    }
    if (!time_series) continue;
    if (CheckFlatline(name, s, &findings)) continue;
    CheckClipping(name, column, columns, s, &findings);
  }
  return findings;
}

}  // namespace tinyloop::service
