// Finding the sample files in a folder the way Edge Impulse users lay them out:
//   DIR/training/<label>/*, DIR/testing/<label>/*  (category and label from the folders)
//   DIR/<label>/*                                  (label from the folder, category given)
//   DIR/*                                          (label given or inferred from file names)
// Files of unsupported types (README, LICENSE, .md, ...) are skipped and counted.
// Thread-compatible (plain functions).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace tinyloop::service {

struct DataFile {
  std::string path;       // full path on disk
  std::string file_name;  // base name, sent as the sample's file name
  std::optional<std::string> label;  // from the folder; unset = header or file-name rule
  std::string category;   // training, testing, anomaly or split
};

struct DataFolder {
  std::vector<DataFile> files;  // sorted by path, so ingestion order is deterministic
  size_t skipped = 0;           // files with extensions tinyloop does not ingest
};

// True for the extensions tinyloop ingests (.json .cbor .csv .txt .wav .png .jpg .jpeg), except
// dataset documentation by its usual names (README, LICENSE, SOURCE, MANIFEST, ...).
bool IsIngestibleFile(const std::string& file_name);

// Expands `paths` (files or folders) into the files to ingest. `label` (if set) overrides
// labels from folder names; `category` is used where the layout does not give one.
// NotFound for a path that does not exist; InvalidArgument when nothing ingestible is found.
StatusOr<DataFolder> ScanDataPaths(const std::vector<std::string>& paths,
                                   const std::optional<std::string>& label,
                                   const std::string& category);

}  // namespace tinyloop::service
