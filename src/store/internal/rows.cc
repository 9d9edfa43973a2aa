#include "store/internal/rows.h"

#include <cstdint>
#include <cstring>

#include "base/json.h"

namespace tinyloop::store::internal {

// Stored JSON was written by DumpJson, so generous limits only guard against a damaged file.
constexpr ParseLimits kStoredJsonLimits{/*max_depth=*/256, /*max_container_elements=*/1u << 30};

StatusOr<Json> ParseStoredJson(const std::string& text, const char* column) {
  StatusOr<Json> json = ParseJson(text, kStoredJsonLimits);
  if (!json.ok()) {
    return DataLossError(std::string("stored column ") + column +
                         " is not valid JSON: " + json.status().message());
  }
  return json;
}

namespace {

// Reads {"a": string, "b": string} pairs from a stored array without throwing.
template <typename T>
StatusOr<std::vector<T>> ParsePairs(const std::string& text, const char* column, const char* a,
                                    const char* b) {
  TL_ASSIGN_OR_RETURN(Json json, ParseStoredJson(text, column));
  if (!json.is_array()) {
    return DataLossError(std::string("stored column ") + column + " is not a JSON array");
  }
  std::vector<T> out;
  out.reserve(json.size());
  for (const Json& item : json) {
    const auto first = item.is_object() ? item.find(a) : item.end();
    const auto second = item.is_object() ? item.find(b) : item.end();
    if (!item.is_object() || first == item.end() || second == item.end() || !first->is_string() ||
        !second->is_string()) {
      return DataLossError(std::string("stored column ") + column + " has a malformed element");
    }
    out.push_back(T{first->template get<std::string>(), second->template get<std::string>()});
  }
  return out;
}

}  // namespace

std::string EncodeFloat32Le(const std::vector<float>& values) {
  std::string out(values.size() * 4, '\0');
  for (size_t i = 0; i < values.size(); ++i) {
    uint32_t bits;
    std::memcpy(&bits, &values[i], sizeof(bits));
    out[4 * i] = static_cast<char>(bits & 0xff);
    out[4 * i + 1] = static_cast<char>((bits >> 8) & 0xff);
    out[4 * i + 2] = static_cast<char>((bits >> 16) & 0xff);
    out[4 * i + 3] = static_cast<char>((bits >> 24) & 0xff);
  }
  return out;
}

StatusOr<std::vector<float>> DecodeFloat32Le(std::string_view bytes) {
  if (bytes.size() % 4 != 0) {
    return DataLossError("stored sample values have " + std::to_string(bytes.size()) +
                         " bytes, not a multiple of 4");
  }
  std::vector<float> out(bytes.size() / 4);
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  for (size_t i = 0; i < out.size(); ++i) {
    const uint32_t bits =
        static_cast<uint32_t>(p[4 * i]) | (static_cast<uint32_t>(p[4 * i + 1]) << 8) |
        (static_cast<uint32_t>(p[4 * i + 2]) << 16) | (static_cast<uint32_t>(p[4 * i + 3]) << 24);
    std::memcpy(&out[i], &bits, sizeof(bits));
  }
  return out;
}

namespace {

// Appends `s` as a JSON string. Printable ASCII without '"' or '\\' (nearly every axis name,
// unit and finding) is copied as is; anything else goes through DumpJson, which escapes and
// replaces invalid UTF-8. Building a Json tree per sample cost more than the insert itself.
void AppendJsonString(std::string& out, const std::string& s) {
  for (const char c : s) {
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      out += DumpJson(Json(s));
      return;
    }
  }
  out += '"';
  out += s;
  out += '"';
}

// [{"<a>":first,"<b>":second},...] with keys in DumpJson's (sorted) order.
template <typename T, typename A, typename B>
std::string PairsToJson(const std::vector<T>& items, const char* a, A T::*first, const char* b,
                        B T::*second) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += "{\"";
    out += a;
    out += "\":";
    AppendJsonString(out, items[i].*first);
    out += ",\"";
    out += b;
    out += "\":";
    AppendJsonString(out, items[i].*second);
    out += '}';
  }
  out += ']';
  return out;
}

}  // namespace

std::string AxesToJson(const std::vector<Axis>& axes) {
  return PairsToJson(axes, "name", &Axis::name, "units", &Axis::units);
}

std::string FindingsToJson(const std::vector<Finding>& findings) {
  return PairsToJson(findings, "detail", &Finding::detail, "kind", &Finding::kind);
}

StatusOr<Project> ReadProjectRow(const Statement& stmt) {
  Project project;
  project.id = stmt.ColumnInt64(0);
  project.name = stmt.ColumnText(1);
  project.owner = stmt.ColumnText(2);
  project.hmac_key = stmt.ColumnText(3);
  project.allow_unsigned = stmt.ColumnInt64(4) != 0;
  project.created_ms = stmt.ColumnInt64(5);
  TL_ASSIGN_OR_RETURN(project.sensor_schema, ParseStoredJson(stmt.ColumnText(6), "sensor_schema"));
  return project;
}

ApiKey ReadApiKeyRow(const Statement& stmt) {
  ApiKey key;
  key.id = stmt.ColumnInt64(0);
  key.project_id = stmt.ColumnInt64(1);
  key.name = stmt.ColumnText(2);
  key.display_prefix = stmt.ColumnText(3);
  key.created_ms = stmt.ColumnInt64(4);
  return key;
}

StatusOr<Sample> ReadSampleRow(const Statement& stmt) {
  Sample s;
  s.id = stmt.ColumnInt64(0);
  s.project_id = stmt.ColumnInt64(1);
  s.file_name = stmt.ColumnText(2);
  s.label = stmt.ColumnText(3);
  s.category = stmt.ColumnText(4);
  s.device_name = stmt.ColumnText(5);
  s.device_type = stmt.ColumnText(6);
  s.interval_ms = stmt.ColumnDouble(7);
  TL_ASSIGN_OR_RETURN(s.axes, ParsePairs<Axis>(stmt.ColumnText(8), "axes", "name", "units"));
  s.length = stmt.ColumnInt64(9);
  s.sha256 = stmt.ColumnText(10);
  s.values_sha256 = stmt.ColumnText(11);
  s.content_type = stmt.ColumnText(12);
  TL_ASSIGN_OR_RETURN(s.metadata, ParseStoredJson(stmt.ColumnText(13), "metadata"));
  s.upload_source = stmt.ColumnText(14);
  s.signed_hmac = stmt.ColumnInt64(15) != 0;
  s.ingest_ms = stmt.ColumnInt64(16);
  TL_ASSIGN_OR_RETURN(s.findings,
                      ParsePairs<Finding>(stmt.ColumnText(17), "findings", "kind", "detail"));
  return s;
}

}  // namespace tinyloop::store::internal
