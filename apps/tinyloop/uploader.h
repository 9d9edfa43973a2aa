// Sending a folder of recordings into a project, for `tinyloop ingest` and `tinyloop demo`:
// over HTTP through the server's Edge Impulse-compatible /api/<category>/files endpoint, or
// straight into a local data folder. Both end in the same IngestService code path.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "local_context.h"

namespace tinyloop::app {

struct UploadOptions {
  std::vector<std::string> paths;     // files and folders (see service/data_folder.h)
  std::optional<std::string> label;   // overrides folder/file-name labels
  std::string category = "training";  // where the layout gives none; "split" = 80/20
  double interval_ms = 0;             // for CSV files without timing; 0 = from file names
  bool disallow_duplicates = false;
  bool progress = true;               // progress line on stderr
};

struct UploadSummary {
  size_t files = 0;
  size_t stored = 0;
  size_t failed = 0;
  size_t skipped = 0;  // unsupported file types
  std::map<std::string, int64_t> findings_by_kind;
  std::vector<std::string> errors;  // "<file>: <message>", the first 20
};

// Uploads to `server_url` (e.g. http://127.0.0.1:4810) with `api_key`. Unavailable when the
// server cannot be reached; per-file failures are counted, not fatal.
StatusOr<UploadSummary> UploadToServer(const std::string& server_url, const std::string& api_key,
                                       const UploadOptions& options);

// Ingests into `project_id` of an opened local data folder.
StatusOr<UploadSummary> IngestLocally(LocalContext& ctx, int64_t project_id,
                                      const UploadOptions& options);

}  // namespace tinyloop::app
