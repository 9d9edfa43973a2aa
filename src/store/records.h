// Plain records the metadata store persists: projects, API keys and samples with their
// ingest-time findings. No behaviour; the service layer builds and interprets them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/json.h"

namespace tinyloop::store {

struct Project {
  int64_t id = 0;
  std::string name;
  std::string owner;
  // Key for HMAC-SHA256 signed samples: the ASCII string is the key (Edge Impulse convention).
  std::string hmac_key;
  // Accept samples whose protected.alg is "none". Default true (Edge Impulse accepts them).
  bool allow_unsigned = true;
  int64_t created_ms = 0;
  // The project's sensor schema as JSON (service/sensor_schema.h); null until set or learned.
  Json sensor_schema;
};

struct ApiKey {
  int64_t id = 0;
  int64_t project_id = 0;
  std::string name;
  // First characters of the key ("tl_1a2b3c4d"), to tell keys apart in listings.
  std::string display_prefix;
  int64_t created_ms = 0;
};

struct Axis {
  std::string name;
  std::string units;
  bool operator==(const Axis& o) const { return name == o.name && units == o.units; }
};

// One data-quality finding recorded with a sample at ingest.
struct Finding {
  // One of: schema_mismatch, rate_mismatch, nan, clipping, flatline, length_outlier, duplicate.
  std::string kind;
  std::string detail;
};

// A sample's metadata. Its float32 values and original body are stored separately.
struct Sample {
  int64_t id = 0;  // assigned by the store
  int64_t project_id = 0;
  std::string file_name;
  std::string label;     // empty = unlabeled
  std::string category;  // "training", "testing" or "anomaly"
  std::string device_name;
  std::string device_type;
  double interval_ms = 0;  // 0 for samples without a time axis (images)
  std::vector<Axis> axes;
  int64_t length = 0;          // number of rows (time steps, or pixels for images)
  std::string sha256;          // hex SHA-256 of the original body as received
  std::string values_sha256;   // hex SHA-256 of the normalized content; duplicate detection
  std::string content_type;    // of the original body, e.g. "application/json"
  Json metadata = Json::object();
  std::string upload_source;   // x-upload-source, or "tinyloop-cli"
  bool signed_hmac = false;    // arrived HMAC-signed and verified
  int64_t ingest_ms = 0;       // set by the service at ingest
  std::vector<Finding> findings;
};

}  // namespace tinyloop::store
