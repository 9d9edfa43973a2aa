// Conversions between store records and SQLite rows: JSON text for nested fields and
// little-endian float32 BLOBs for sample values. Internal to src/store.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "store/internal/sqlite_db.h"
#include "store/records.h"

namespace tinyloop::store::internal {

// float32 values as IEEE-754 little-endian bytes, bit-exact (NaN payloads and -0.0 survive).
// A JSON column as stored (written by DumpJson). DataLoss naming `column` when damaged.
StatusOr<Json> ParseStoredJson(const std::string& text, const char* column);

std::string EncodeFloat32Le(const std::vector<float>& values);
// DataLoss when the size is not a multiple of 4.
StatusOr<std::vector<float>> DecodeFloat32Le(std::string_view bytes);

std::string AxesToJson(const std::vector<Axis>& axes);
std::string FindingsToJson(const std::vector<Finding>& findings);

// Column lists for SELECTs, in the order the Read*Row functions expect.
inline constexpr const char* kProjectColumns =
    "id, name, owner, hmac_key, allow_unsigned, created_ms, sensor_schema";
inline constexpr const char* kApiKeyColumns = "id, project_id, name, display_prefix, created_ms";
inline constexpr const char* kSampleColumns =
    "id, project_id, file_name, label, category, device_name, device_type, interval_ms, axes, "
    "length, sha256, values_sha256, content_type, metadata, upload_source, signed_hmac, "
    "ingest_ms, findings";

// Decode the current row. DataLoss when a stored JSON column does not parse or has the
// wrong shape.
StatusOr<Project> ReadProjectRow(const Statement& stmt);
ApiKey ReadApiKeyRow(const Statement& stmt);
StatusOr<Sample> ReadSampleRow(const Statement& stmt);

}  // namespace tinyloop::store::internal
