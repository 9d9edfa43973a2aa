#include "service/sensor_schema.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <set>
#include <utility>

namespace tinyloop::service {
namespace {

// Learned limits: the length range spans half the shortest to twice the longest sample seen,
// and value ranges get 10 % of the observed span as headroom on each side.
constexpr double kLearnLengthLow = 0.5;
constexpr double kLearnLengthHigh = 2.0;
constexpr double kLearnRangeWiden = 0.10;

Status FieldError(const std::string& field, const std::string& problem) {
  return InvalidArgumentError("sensor schema: " + field + " " + problem);
}

Status CheckKnownFields(const Json& object, const std::string& where,
                        std::initializer_list<const char*> known) {
  for (const auto& item : object.items()) {
    bool found = false;
    for (const char* name : known) found = found || item.key() == name;
    if (!found) return FieldError(where + item.key(), "is not a known field");
  }
  return OkStatus();
}

// Reads an optional finite number; `out` keeps its value when the field is absent.
Status ReadNumber(const Json& object, const char* key, const std::string& field, double* out) {
  auto it = object.find(key);
  if (it == object.end()) return OkStatus();
  if (!it->is_number() || !std::isfinite(it->get<double>())) {
    return FieldError(field, "must be a finite number");
  }
  *out = it->get<double>();
  return OkStatus();
}

Status ReadNonNegativeInt(const Json& object, const char* key, const std::string& field,
                          int64_t* out) {
  auto it = object.find(key);
  if (it == object.end()) return OkStatus();
  if (!it->is_number_integer() || (it->is_number_unsigned() && it->get<uint64_t>() > INT64_MAX) ||
      it->get<int64_t>() < 0) {
    return FieldError(field, "must be an integer >= 0");
  }
  *out = it->get<int64_t>();
  return OkStatus();
}

StatusOr<SchemaAxis> ParseAxis(const Json& json, size_t index) {
  const std::string where = "axes[" + std::to_string(index) + "]";
  if (!json.is_object()) return FieldError(where, "must be an object");
  TL_RETURN_IF_ERROR(CheckKnownFields(json, where + ".", {"name", "units", "min", "max"}));
  SchemaAxis axis;
  auto name = json.find("name");
  if (name == json.end() || !name->is_string() || name->get<std::string>().empty()) {
    return FieldError(where + ".name", "must be a non-empty string");
  }
  axis.name = name->get<std::string>();
  auto units = json.find("units");
  if (units != json.end()) {
    if (!units->is_string()) return FieldError(where + ".units", "must be a string");
    axis.units = units->get<std::string>();
  }
  const bool has_min = json.contains("min");
  const bool has_max = json.contains("max");
  if (has_min != has_max) {
    return FieldError(where + (has_min ? ".max" : ".min"),
                      "is required when the other bound is set");
  }
  if (has_min) {
    ValueRange range;
    TL_RETURN_IF_ERROR(ReadNumber(json, "min", where + ".min", &range.min));
    TL_RETURN_IF_ERROR(ReadNumber(json, "max", where + ".max", &range.max));
    if (range.min > range.max) return FieldError(where + ".min", "must be <= max");
    axis.range = range;
  }
  return axis;
}

// Finite min/max of column `axis` over `rows` rows of a row-major matrix.
void ObserveColumn(const std::vector<float>& values, size_t columns, size_t axis, size_t rows,
                   std::optional<double>* min, std::optional<double>* max) {
  for (size_t r = 0; r < rows; ++r) {
    const double v = values[r * columns + axis];
    if (!std::isfinite(v)) continue;
    if (!*min || v < **min) *min = v;
    if (!*max || v > **max) *max = v;
  }
}

Json OptionalNumbers(const std::vector<std::optional<double>>& numbers) {
  Json array = Json::array();
  for (const auto& n : numbers) array.push_back(n ? Json(*n) : Json());
  return array;
}

Status ReadOptionalNumbers(const Json& learning, const char* key, size_t expected,
                           std::vector<std::optional<double>>* out) {
  const std::string field = std::string("learning.") + key;
  auto it = learning.find(key);
  if (it == learning.end()) {
    out->assign(expected, std::nullopt);
    return OkStatus();
  }
  if (!it->is_array() || it->size() != expected) {
    return FieldError(
        field, "must be an array with one entry per axis (" + std::to_string(expected) + ")");
  }
  out->clear();
  for (const Json& n : *it) {
    if (n.is_null()) {
      out->push_back(std::nullopt);
    } else if (n.is_number() && std::isfinite(n.get<double>())) {
      out->push_back(n.get<double>());
    } else {
      return FieldError(field, "entries must be finite numbers or null");
    }
  }
  return OkStatus();
}

}  // namespace

bool SensorSchema::AxesMatch(const std::vector<store::Axis>& other) const {
  if (other.size() != axes.size()) return false;
  for (size_t i = 0; i < axes.size(); ++i) {
    if (axes[i].name != other[i].name || axes[i].units != other[i].units) return false;
  }
  return true;
}

const SchemaAxis* SensorSchema::FindAxis(std::string_view name) const {
  for (const SchemaAxis& axis : axes) {
    if (axis.name == name) return &axis;
  }
  return nullptr;
}

Json SensorSchema::ToJson() const {
  Json json = Json::object();
  json["source"] = source;
  Json axes_json = Json::array();
  for (const SchemaAxis& axis : axes) {
    Json a = {{"name", axis.name}, {"units", axis.units}};
    if (axis.range) {
      a["min"] = axis.range->min;
      a["max"] = axis.range->max;
    }
    axes_json.push_back(std::move(a));
  }
  json["axes"] = std::move(axes_json);
  json["interval_ms"] = interval_ms;
  json["interval_tolerance"] = interval_tolerance;
  if (has_length_range()) {
    Json length = {{"min", min_rows}};
    if (max_rows > 0) length["max"] = max_rows;
    json["length_rows"] = std::move(length);
  }
  return json;
}

StatusOr<SensorSchema> SensorSchema::FromJson(const Json& json) {
  if (!json.is_object()) return InvalidArgumentError("sensor schema must be a JSON object");
  TL_RETURN_IF_ERROR(CheckKnownFields(
      json, "",
      {"source", "axes", "interval_ms", "interval_tolerance", "length_rows", "learning"}));
  SensorSchema schema;
  auto source = json.find("source");
  if (source != json.end()) {
    if (!source->is_string()) return FieldError("source", "must be \"explicit\" or \"learned\"");
    schema.source = source->get<std::string>();
    if (schema.source != kSchemaSourceExplicit && schema.source != kSchemaSourceLearned) {
      return FieldError("source",
                        "must be \"explicit\" or \"learned\", not \"" + schema.source + "\"");
    }
  }
  auto axes = json.find("axes");
  if (axes == json.end() || !axes->is_array() || axes->empty()) {
    return FieldError("axes", "must be a non-empty array");
  }
  std::set<std::string> names;
  for (size_t i = 0; i < axes->size(); ++i) {
    TL_ASSIGN_OR_RETURN(SchemaAxis axis, ParseAxis((*axes)[i], i));
    if (!names.insert(axis.name).second) {
      return FieldError("axes[" + std::to_string(i) + "].name", "repeats \"" + axis.name + "\"");
    }
    schema.axes.push_back(std::move(axis));
  }
  TL_RETURN_IF_ERROR(ReadNumber(json, "interval_ms", "interval_ms", &schema.interval_ms));
  if (schema.interval_ms < 0) return FieldError("interval_ms", "must be >= 0");
  TL_RETURN_IF_ERROR(
      ReadNumber(json, "interval_tolerance", "interval_tolerance", &schema.interval_tolerance));
  if (schema.interval_tolerance < 0 || schema.interval_tolerance >= 1) {
    return FieldError("interval_tolerance", "must be in [0, 1), e.g. 0.02 for 2%");
  }
  auto length = json.find("length_rows");
  if (length != json.end()) {
    if (!length->is_object()) return FieldError("length_rows", "must be an object {min, max}");
    TL_RETURN_IF_ERROR(CheckKnownFields(*length, "length_rows.", {"min", "max"}));
    TL_RETURN_IF_ERROR(ReadNonNegativeInt(*length, "min", "length_rows.min", &schema.min_rows));
    if (length->contains("max")) {
      TL_RETURN_IF_ERROR(ReadNonNegativeInt(*length, "max", "length_rows.max", &schema.max_rows));
      if (schema.max_rows < std::max<int64_t>(1, schema.min_rows)) {
        return FieldError("length_rows.max", "must be >= 1 and >= length_rows.min (" +
                                                 std::to_string(schema.min_rows) + ")");
      }
    }
  }
  auto learning = json.find("learning");
  if (learning != json.end() && !learning->is_object()) {
    return FieldError("learning", "must be an object");
  }
  return schema;
}

SchemaLearner::SchemaLearner(int target_samples) : target_samples_(std::max(1, target_samples)) {
  schema_.source = std::string(kSchemaSourceLearned);
}

SchemaLearner SchemaLearner::FromExplicit(SensorSchema schema) {
  SchemaLearner learner;
  schema.source = std::string(kSchemaSourceExplicit);
  learner.schema_ = std::move(schema);
  learner.has_schema_ = true;
  learner.frozen_ = true;
  return learner;
}

StatusOr<SchemaLearner> SchemaLearner::FromJson(const Json& json, int target_samples_if_new) {
  if (json.is_null()) return SchemaLearner(target_samples_if_new);
  TL_ASSIGN_OR_RETURN(SensorSchema schema, SensorSchema::FromJson(json));
  if (schema.is_explicit()) return FromExplicit(std::move(schema));

  SchemaLearner learner;
  learner.schema_ = std::move(schema);
  learner.has_schema_ = true;
  auto learning = json.find("learning");
  if (learning == json.end()) {
    // A learned schema without its statistics can only be a finished one.
    learner.frozen_ = true;
    learner.samples_seen_ = learner.target_samples_;
    return learner;
  }
  TL_RETURN_IF_ERROR(CheckKnownFields(
      *learning, "learning.",
      {"target_samples", "samples_seen", "rows_min", "rows_max", "axis_min", "axis_max"}));
  int64_t target = kDefaultLearnSamples;
  int64_t seen = 0;
  TL_RETURN_IF_ERROR(
      ReadNonNegativeInt(*learning, "target_samples", "learning.target_samples", &target));
  if (target < 1 || target > 1000000) {
    return FieldError("learning.target_samples", "must be in [1, 1000000]");
  }
  TL_RETURN_IF_ERROR(ReadNonNegativeInt(*learning, "samples_seen", "learning.samples_seen", &seen));
  TL_RETURN_IF_ERROR(
      ReadNonNegativeInt(*learning, "rows_min", "learning.rows_min", &learner.rows_min_));
  TL_RETURN_IF_ERROR(
      ReadNonNegativeInt(*learning, "rows_max", "learning.rows_max", &learner.rows_max_));
  if (learner.rows_max_ < learner.rows_min_) {
    return FieldError("learning.rows_max", "must be >= learning.rows_min");
  }
  const size_t n = learner.schema_.axes.size();
  TL_RETURN_IF_ERROR(ReadOptionalNumbers(*learning, "axis_min", n, &learner.axis_min_));
  TL_RETURN_IF_ERROR(ReadOptionalNumbers(*learning, "axis_max", n, &learner.axis_max_));
  learner.target_samples_ = static_cast<int>(target);
  learner.samples_seen_ = static_cast<int>(std::min(seen, target));
  learner.frozen_ = seen >= target;
  if (!learner.frozen_) {
    // Limits are derived only at freeze time; drop any that a hand-edited JSON carried.
    for (SchemaAxis& axis : learner.schema_.axes) axis.range.reset();
    learner.schema_.min_rows = 0;
    learner.schema_.max_rows = 0;
  }
  return learner;
}

bool SchemaLearner::Observe(const store::Sample& meta, const std::vector<float>& values) {
  if (frozen_ || meta.axes.empty()) return false;
  if (!has_schema_) {
    schema_ = SensorSchema();
    schema_.source = std::string(kSchemaSourceLearned);
    for (const store::Axis& axis : meta.axes) {
      schema_.axes.push_back(SchemaAxis{axis.name, axis.units, std::nullopt});
    }
    schema_.interval_ms = std::isfinite(meta.interval_ms) ? std::max(0.0, meta.interval_ms) : 0.0;
    axis_min_.assign(meta.axes.size(), std::nullopt);
    axis_max_.assign(meta.axes.size(), std::nullopt);
    has_schema_ = true;
  } else if (!schema_.AxesMatch(meta.axes)) {
    return false;
  }
  const size_t columns = meta.axes.size();
  const size_t value_rows = values.size() / columns;
  const int64_t rows = meta.length > 0 ? meta.length : static_cast<int64_t>(value_rows);
  rows_min_ = samples_seen_ == 0 ? rows : std::min(rows_min_, rows);
  rows_max_ = samples_seen_ == 0 ? rows : std::max(rows_max_, rows);
  for (size_t a = 0; a < columns; ++a) {
    ObserveColumn(values, columns, a, value_rows, &axis_min_[a], &axis_max_[a]);
  }
  ++samples_seen_;
  if (samples_seen_ >= target_samples_) Freeze();
  return true;
}

void SchemaLearner::Freeze() {
  frozen_ = true;
  schema_.min_rows = static_cast<int64_t>(std::floor(kLearnLengthLow * rows_min_));
  schema_.max_rows = static_cast<int64_t>(std::ceil(kLearnLengthHigh * rows_max_));
  for (size_t a = 0; a < schema_.axes.size(); ++a) {
    if (!axis_min_[a] || !axis_max_[a]) continue;
    const double widen = kLearnRangeWiden * (*axis_max_[a] - *axis_min_[a]);
    schema_.axes[a].range = ValueRange{*axis_min_[a] - widen, *axis_max_[a] + widen};
  }
}

Json SchemaLearner::ToJson() const {
  if (!has_schema_) return Json();
  Json json = schema_.ToJson();
  if (schema_.is_explicit()) return json;
  json["learning"] = {{"target_samples", target_samples_},
                      {"samples_seen", samples_seen_},
                      {"rows_min", rows_min_},
                      {"rows_max", rows_max_},
                      {"axis_min", OptionalNumbers(axis_min_)},
                      {"axis_max", OptionalNumbers(axis_max_)}};
  return json;
}

}  // namespace tinyloop::service
