// The SQL of the SQLite metadata store as free functions over one connection: writes run on
// the writer connection inside the caller's transaction/savepoint, reads on a pooled
// read-only connection. Internal to src/store; callers provide the thread-safety.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "store/blob_store.h"
#include "store/internal/sqlite_db.h"
#include "store/internal/values_index.h"
#include "store/metadata_store.h"

namespace tinyloop::store::internal {

// A sample checked and encoded outside the writer thread (SqliteStore::InsertSamples), so
// that the writer only binds and steps. Must stay alive until its insert returned.
struct PreparedSample {
  const Sample* sample = nullptr;  // sha256 and values_sha256 filled and valid
  std::string values_le;           // EncodeFloat32Le(values)
  std::string axes_json;           // AxesToJson(sample->axes)
  std::string metadata_json;       // DumpJson(sample->metadata)
  std::string findings_json;       // FindingsToJson(sample->findings)
  int64_t values_key = 0;          // ValuesKey(sample->values_sha256)
  bool disallow_duplicates = false;
  // Where the body's bytes are: set by the writer (an unindexed blob of the insert's job)
  // before the insert runs.
  BlobLocation body;
};

// Totals over the blob index (blob_totals).
struct BlobTotals {
  int64_t count = 0;
  int64_t bytes = 0;
};

// --- Writes (writer connection). Each leaves the database unchanged on error only when run
// inside a savepoint that the caller rolls back.

// The per-install pepper, created with RandomHex(32) on first call.
StatusOr<std::string> LoadOrCreatePepper(Db& db);
// AlreadyExists "project name '<name>' already exists". Returns the new id.
StatusOr<int64_t> InsertProject(Db& db, const Project& project);
// NotFound for an unknown project, AlreadyExists for a reused key_hash. Returns the new id.
StatusOr<int64_t> InsertApiKey(Db& db, const ApiKey& key, const std::string& key_hash);
// NotFound for an unknown project. Looks for an earlier sample of the project with equal
// values_sha256 (including ones inserted earlier in the open transaction), with the candidates
// `values_index` names: AlreadyExists when duplicates are disallowed, otherwise stores a
// "duplicate" finding and duplicate_of. Adds the new sample to `values_index`.
StatusOr<InsertedSample> InsertSample(Db& db, const PreparedSample& prepared,
                                      ValuesIndex& values_index);
Status UpdateProjectSchema(Db& db, int64_t project_id, const Json& schema);  // NotFound
Status UpdateProjectAllowUnsigned(Db& db, int64_t project_id, bool allow);   // NotFound
Status DeleteSample(Db& db, int64_t project_id, int64_t sample_id);          // NotFound
// `column` is "label" or "category" (never user input). NotFound.
Status UpdateSampleText(Db& db, int64_t project_id, int64_t sample_id, const char* column,
                        const std::string& value);

// Blob index. InsertBlobLocation records where a blob is unless it is already recorded and
// returns whether it inserted. AddBlobTotals adds to the totals row.
StatusOr<bool> InsertBlobLocation(Db& db, std::string_view sha, const BlobLocation& location);
Status AddBlobTotals(Db& db, int64_t count, int64_t bytes);

// --- Reads (any connection).

// Where the blob is, or nullopt when it is not indexed.
StatusOr<std::optional<BlobLocation>> SelectBlobLocation(Db& db, std::string_view sha);
// A sample's body: its SHA-256 and where it is: the row's own location, else the blob
// index's (nullopt when neither knows: a body in its own file from before the index existed).
// NotFound for an unknown sample.
struct SampleBodyRef {
  std::string sha256;
  std::optional<BlobLocation> location;
};
StatusOr<SampleBodyRef> SelectSampleBodyRef(Db& db, int64_t project_id, int64_t sample_id);
// Where an earlier sample of the same project with the same values (a re-sent upload) keeps a
// body with the SHA-256 `body_sha256`, or nullopt. Looks only at the samples `values_index`
// names for `values_key`.
StatusOr<std::optional<BlobLocation>> FindStoredBody(Db& db, const ValuesIndex& values_index,
                                                     int64_t project_id, int64_t values_key,
                                                     std::string_view body_sha256);
StatusOr<BlobTotals> SelectBlobTotals(Db& db);

StatusOr<Project> SelectProject(Db& db, int64_t id);  // NotFound
StatusOr<std::vector<Project>> SelectProjects(Db& db);
StatusOr<ApiKey> SelectApiKeyByHash(Db& db, const std::string& key_hash);  // NotFound
// Precondition: filter.limit already clamped and offset >= 0.
StatusOr<SampleList> SelectSamples(Db& db, const SampleFilter& filter);
StatusOr<Sample> SelectSample(Db& db, int64_t project_id, int64_t sample_id);  // NotFound
StatusOr<std::vector<float>> SelectSampleValues(Db& db, int64_t project_id,
                                                int64_t sample_id);  // NotFound
StatusOr<int64_t> CountSamples(Db& db);

}  // namespace tinyloop::store::internal
