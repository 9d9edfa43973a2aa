// Plain records of the training side the metadata store persists: immutable dataset versions,
// impulses, jobs with their progress, and trained models whose files live in the
// content-addressed blob store. No behaviour; service/training_service.h builds and reads them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/json.h"
#include "store/records.h"

namespace tinyloop::store {

// One sample as a dataset version saw it. Copied at creation, so relabelling or deleting the
// sample later changes nothing here; its values are a blob named by values_blob.
struct DatasetVersionSample {
  int64_t sample_id = 0;
  std::string file_name;
  std::string label;
  std::string category;  // "training", "testing" or "anomaly" at snapshot time
  std::string split;     // "train", "validation", "test" or "anomaly"
  std::string group;     // the split group key (file or device)
  std::string device_name;
  double interval_ms = 0;
  std::vector<Axis> axes;
  int64_t length = 0;
  Json metadata = Json::object();  // the sample's metadata (image_width/height for images)
  std::string values_blob;         // SHA-256 hex of the float32 little-endian values (a blob)
};

struct DatasetVersion {
  int64_t id = 0;  // assigned by the store
  int64_t project_id = 0;
  Json options = Json::object();              // how it was made (seed, group_by, fractions)
  std::string content_hash;                   // SHA-256 hex over every sample entry
  int64_t created_ms = 0;                     // assigned by the store
  int64_t sample_count = 0;                   // filled on read
  std::vector<DatasetVersionSample> samples;  // ordered by sample_id; empty in listings
};

struct ImpulseRecord {
  int64_t id = 0;  // assigned by the store
  int64_t project_id = 0;
  std::string name;
  Json config;  // impulse.json content; null = picked from the data at train time
  int64_t created_ms = 0;
};

// Job states: "queued" -> "running" -> "succeeded" | "failed".
struct Job {
  int64_t id = 0;  // assigned by the store
  int64_t project_id = 0;
  std::string kind = "train";
  std::string status = "queued";
  int64_t impulse_id = 0;
  int64_t dataset_version_id = 0;
  uint64_t seed = 1;
  Json progress = Json::object();
  std::string error;  // why it failed; empty otherwise
  int64_t created_ms = 0;
  int64_t started_ms = 0;   // 0 until running
  int64_t finished_ms = 0;  // 0 until done
  // train: the model a succeeded job stored (0 before). compile: the model to compile.
  int64_t model_id = 0;
  Json params = Json::object();  // compile: {"target": "..."}
  // compile, once succeeded: {"target", "model_file", "report": {...}, "files": [{"name",
  // "sha256", "size"}]} (files are blobs).
  Json result = Json::object();
};

struct ModelFile {
  std::string name;    // e.g. "model.tflite"
  std::string sha256;  // blob name
  int64_t size = 0;
};

struct ModelRecord {
  int64_t id = 0;  // assigned by the store
  int64_t project_id = 0;
  int64_t impulse_id = 0;
  int64_t dataset_version_id = 0;
  int64_t job_id = 0;
  uint64_t seed = 1;
  Json headline = Json::object();  // accuracy, f1_macro, labels, ...
  std::vector<ModelFile> files;    // sorted by name
  int64_t created_ms = 0;          // assigned by the store
};

}  // namespace tinyloop::store
