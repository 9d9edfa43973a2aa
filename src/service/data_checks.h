// Ingest-time data-quality checks: compare one decoded sample with the project's sensor schema
// (service/sensor_schema.h) and look for broken signals (NaN, clipping, flat lines). Pure
// logic, no I/O; runs on every ingested sample, so it makes one pass per axis and allocates
// only for the findings it returns. The "duplicate" kind is produced by the store, not here.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "service/sensor_schema.h"
#include "store/records.h"

namespace tinyloop::service {

// store::Finding::kind values.
inline constexpr std::string_view kFindingSchemaMismatch = "schema_mismatch";
inline constexpr std::string_view kFindingRateMismatch = "rate_mismatch";
inline constexpr std::string_view kFindingNan = "nan";
inline constexpr std::string_view kFindingClipping = "clipping";
inline constexpr std::string_view kFindingFlatline = "flatline";
inline constexpr std::string_view kFindingLengthOutlier = "length_outlier";
inline constexpr std::string_view kFindingDuplicate = "duplicate";
// Every kind, in the order reports list them.
inline constexpr std::array<std::string_view, 7> kAllFindingKinds = {
    kFindingSchemaMismatch, kFindingRateMismatch,  kFindingNan,      kFindingClipping,
    kFindingFlatline,       kFindingLengthOutlier, kFindingDuplicate};

// Clipping: rows equal to an axis' own maximum (or minimum) in runs of at least kClipMinRun
// consecutive rows, totalling at least kClipMinFraction of the rows...
inline constexpr int64_t kClipMinRun = 3;
inline constexpr double kClipMinFraction = 0.01;
// ...on an axis that really varies: its span is at least kClipMinSpanSteps times its smallest
// step between consecutive values (so quantization flicker of a sensor at rest, e.g. -7..-5 mg,
// is not clipping)...
inline constexpr double kClipMinSpanSteps = 8;
// ...and whose values pile up at the extreme: at least kClipPileupRatio times as many rows sit
// exactly at it as just inside it, within max(kClipBandFraction × span, 1.5 steps). A smooth
// peak that dwells at its top for a few rows has more rows just below it than at it.
inline constexpr double kClipPileupRatio = 2;
inline constexpr double kClipBandFraction = 0.05;
// Flat line: all values identical with at least kFlatlineAllMinRows rows, or one run of
// identical values covering at least kFlatlineRunFraction of at least kFlatlineRunMinRows rows.
inline constexpr int64_t kFlatlineAllMinRows = 8;
inline constexpr int64_t kFlatlineRunMinRows = 20;
inline constexpr double kFlatlineRunFraction = 0.5;
// Values outside the schema's value range widened by this fraction of the range's span (or of
// its largest magnitude, when that is larger) are a schema_mismatch: a different sensor scaling,
// e.g. mg instead of g. Smaller excursions are not reported.
inline constexpr double kRangeMismatchFraction = 0.5;

// Checks one sample. `values` is row-major: meta.axes.size() columns (one column named "value"
// when meta.axes is empty). `schema` may be null: then only the schema-free checks run.
// Returns the findings, at most one per kind and axis, each with a detail naming the axis, the
// numbers and the limit:
//   schema_mismatch  axes names/count/units differ from the schema; the value count is not a
//                    multiple of the axes or disagrees with meta.length; an axis' values lie
//                    far outside the schema's range (see kRangeMismatchFraction)
//   rate_mismatch    meta.interval_ms deviates from schema->interval_ms by more than
//                    schema->interval_tolerance (relative), or only one of them is 0
//   length_outlier   the row count is outside the schema's length range
//   nan              an axis holds NaN or ±Inf values (no schema needed)
//   flatline         see kFlatline*; clipping: see kClip* (both only for time series, i.e.
//                    meta.interval_ms > 0; an image's saturated pixels are not clipping)
// Never fails: malformed input is itself reported as a finding. Thread-safe (no shared state).
std::vector<store::Finding> CheckSample(const SensorSchema* schema, const store::Sample& meta,
                                        const std::vector<float>& values);

// Formats a number for finding details and reports: integers without decimals ("1000"),
// otherwise 4 significant digits ("38.46", "3.999"); "NaN", "Inf", "-Inf" for non-finite.
std::string FormatNumber(double value);

}  // namespace tinyloop::service
