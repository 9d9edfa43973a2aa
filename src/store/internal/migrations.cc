#include "store/internal/migrations.h"

#include <string>
#include <utility>
#include <vector>

#include "store/blob_store.h"
#include "store/internal/queries.h"
#include "store/internal/values_index.h"

namespace tinyloop::store::internal {
namespace {

// SQL, then optionally C++ in the same transaction.
struct Migration {
  const char* sql;
  Status (*step)(Db& db, const MigrationContext& context);
};

// Migration 2's step: blobs written before the index existed are in their own files; index
// them so that duplicates are recognised and Stats() counts them without a scan.
Status IndexOwnFileBlobs(Db& db, const MigrationContext& context) {
  int64_t count = 0;
  int64_t bytes = 0;
  TL_RETURN_IF_ERROR(BlobStore::ForEachOwnFile(
      context.blob_dir, context.remove_temp_files,
      [&](const std::string& sha, int64_t size) -> Status {
        BlobLocation location;
        location.length = size;
        TL_ASSIGN_OR_RETURN(const bool inserted, InsertBlobLocation(db, sha, location));
        if (inserted) {
          ++count;
          bytes += size;
        }
        return OkStatus();
      }));
  return AddBlobTotals(db, count, bytes);
}

// Migration 5's step: fills values_key of the existing rows, then builds the listing index
// that now carries it (once, over the filled column).
Status FillValuesKeys(Db& db, const MigrationContext&) {
  std::vector<std::pair<int64_t, int64_t>> keys;  // id, values_key
  {
    TL_ASSIGN_OR_RETURN(Statement rows, db.Prepare("SELECT id, values_sha256 FROM samples"));
    for (;;) {
      TL_ASSIGN_OR_RETURN(const bool row, rows.Step());
      if (!row) break;
      const std::string sha = rows.ColumnText(1);
      // Every stored hash was checked at insert; a malformed one keeps a NULL key (the sample
      // is then never reported as a duplicate).
      if (IsValidSha256Hex(sha)) keys.emplace_back(rows.ColumnInt64(0), ValuesKey(sha));
    }
  }
  for (const auto& [id, key] : keys) {
    // Cached: each Statement resets it for the next row when it goes.
    TL_ASSIGN_OR_RETURN(Statement update,
                        db.Prepare("UPDATE samples SET values_key = ?2 WHERE id = ?1"));
    update.Bind(1, id).Bind(2, key);
    TL_RETURN_IF_ERROR(update.Run());
  }
  return db.Exec(
      "CREATE INDEX samples_by_project ON samples(project_id, id, label, category, device_name, "
      "ingest_ms, values_key)");
}

// Append only: never edit a released migration, add the next number instead.
const std::vector<Migration>& Migrations() {
  static const auto* migrations = new std::vector<Migration>{
      // 1: projects, API keys, samples with their values kept in a separate table so that
      // listings read small rows. AUTOINCREMENT so ids of deleted rows are never reused.
      {R"sql(
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE projects (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  owner TEXT NOT NULL,
  hmac_key TEXT NOT NULL,
  allow_unsigned INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  sensor_schema TEXT NOT NULL
) STRICT;

CREATE TABLE api_keys (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id INTEGER NOT NULL REFERENCES projects(id),
  name TEXT NOT NULL,
  display_prefix TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  created_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX api_keys_by_project ON api_keys(project_id);

CREATE TABLE samples (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id INTEGER NOT NULL REFERENCES projects(id),
  file_name TEXT NOT NULL,
  label TEXT NOT NULL,
  category TEXT NOT NULL,
  device_name TEXT NOT NULL,
  device_type TEXT NOT NULL,
  interval_ms REAL NOT NULL,
  axes TEXT NOT NULL,
  length INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  values_sha256 TEXT NOT NULL,
  content_type TEXT NOT NULL,
  metadata TEXT NOT NULL,
  upload_source TEXT NOT NULL,
  signed_hmac INTEGER NOT NULL,
  ingest_ms INTEGER NOT NULL,
  findings TEXT NOT NULL,
  duplicate_of INTEGER
) STRICT;
CREATE INDEX samples_by_project ON samples(project_id, id);
CREATE INDEX samples_by_label ON samples(project_id, label);
CREATE INDEX samples_by_values ON samples(project_id, values_sha256);
CREATE INDEX samples_by_device ON samples(project_id, device_name);
CREATE INDEX samples_by_ingest ON samples(project_id, ingest_ms);

CREATE TABLE sample_values (
  sample_id INTEGER PRIMARY KEY REFERENCES samples(id) ON DELETE CASCADE,
  data BLOB NOT NULL
) STRICT;
)sql",
       nullptr},
      // 2: where each body blob is: a pack file and offset, or its own file (pack NULL). A row
      // commits with the transaction that first references the blob, once the blob's bytes
      // are durable. blob_totals keeps the count and bytes, so Stats() needs no scan.
      {R"sql(
CREATE TABLE blob_locations (
  sha256 TEXT PRIMARY KEY,
  pack TEXT,
  offset INTEGER NOT NULL,
  length INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE blob_totals (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  count INTEGER NOT NULL,
  bytes INTEGER NOT NULL
) STRICT;
INSERT INTO blob_totals (id, count, bytes) VALUES (1, 0, 0);
)sql",
       &IndexOwnFileBlobs},
      // 3: cheaper inserts (a sample touched 9 B-trees; now 4). samples is rebuilt without
      // AUTOINCREMENT and with its values inline (sample_values is folded in): the store
      // assigns id = max(highest id present, sample_id_floor) + 1, where the floor is raised
      // to every deleted id, so ids are still never reused, without a sqlite_sequence update
      // per row. One covering index serves
      // listing and its filters (label, category, device, time) in id order; duplicate
      // detection uses an index on the first 16 hex digits of values_sha256 (64 bits), half
      // the size of the full hash, and compares the full hash on the row.
      {R"sql(
CREATE TABLE samples_v3 (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id),
  file_name TEXT NOT NULL,
  label TEXT NOT NULL,
  category TEXT NOT NULL,
  device_name TEXT NOT NULL,
  device_type TEXT NOT NULL,
  interval_ms REAL NOT NULL,
  axes TEXT NOT NULL,
  length INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  values_sha256 TEXT NOT NULL,
  content_type TEXT NOT NULL,
  metadata TEXT NOT NULL,
  upload_source TEXT NOT NULL,
  signed_hmac INTEGER NOT NULL,
  ingest_ms INTEGER NOT NULL,
  findings TEXT NOT NULL,
  duplicate_of INTEGER,
  sample_values BLOB
) STRICT;
INSERT INTO samples_v3 (id, project_id, file_name, label, category, device_name, device_type,
    interval_ms, axes, length, sha256, values_sha256, content_type, metadata, upload_source,
    signed_hmac, ingest_ms, findings, duplicate_of, sample_values)
  SELECT s.id, s.project_id, s.file_name, s.label, s.category, s.device_name, s.device_type,
    s.interval_ms, s.axes, s.length, s.sha256, s.values_sha256, s.content_type, s.metadata,
    s.upload_source, s.signed_hmac, s.ingest_ms, s.findings, s.duplicate_of, v.data
  FROM samples s LEFT JOIN sample_values v ON v.sample_id = s.id ORDER BY s.id;

CREATE TABLE sample_id_floor (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  value INTEGER NOT NULL
) STRICT;
INSERT INTO sample_id_floor (id, value) VALUES (1, max(
  coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'samples'), 0),
  coalesce((SELECT max(id) FROM samples), 0)));

DROP TABLE sample_values;
DROP TABLE samples;
ALTER TABLE samples_v3 RENAME TO samples;
CREATE INDEX samples_by_project ON samples(project_id, id, label, category, device_name,
                                          ingest_ms);
CREATE INDEX samples_by_values ON samples(project_id, substr(values_sha256, 1, 16));
)sql",
       nullptr},
      // 4: training. Dataset versions copy what they need of each sample (values as blobs),
      // so later edits of samples never change them; models name their files' blobs. Jobs are
      // "train" (model_id: the model stored) or "compile" (model_id: the model compiled,
      // params: the target, result: the artifact's report and file blobs).
      {R"sql(
CREATE TABLE dataset_versions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id INTEGER NOT NULL REFERENCES projects(id),
  options TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  created_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX dataset_versions_by_project ON dataset_versions(project_id, id);

CREATE TABLE dataset_version_samples (
  version_id INTEGER NOT NULL REFERENCES dataset_versions(id),
  sample_id INTEGER NOT NULL,
  file_name TEXT NOT NULL,
  label TEXT NOT NULL,
  category TEXT NOT NULL,
  split TEXT NOT NULL,
  grp TEXT NOT NULL,
  device_name TEXT NOT NULL,
  interval_ms REAL NOT NULL,
  axes TEXT NOT NULL,
  length INTEGER NOT NULL,
  metadata TEXT NOT NULL,
  values_blob TEXT NOT NULL,
  PRIMARY KEY (version_id, sample_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE impulses (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id INTEGER NOT NULL REFERENCES projects(id),
  name TEXT NOT NULL,
  config TEXT NOT NULL,
  created_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX impulses_by_project ON impulses(project_id, id);

CREATE TABLE jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id INTEGER NOT NULL REFERENCES projects(id),
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  impulse_id INTEGER NOT NULL REFERENCES impulses(id),
  dataset_version_id INTEGER NOT NULL REFERENCES dataset_versions(id),
  seed INTEGER NOT NULL,
  progress TEXT NOT NULL,
  error TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  started_ms INTEGER NOT NULL,
  finished_ms INTEGER NOT NULL,
  model_id INTEGER NOT NULL,
  params TEXT NOT NULL,
  result TEXT NOT NULL
) STRICT;
CREATE INDEX jobs_by_project ON jobs(project_id, id);
CREATE INDEX jobs_by_status ON jobs(status, id);

CREATE TABLE models (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id INTEGER NOT NULL REFERENCES projects(id),
  impulse_id INTEGER NOT NULL,
  dataset_version_id INTEGER NOT NULL,
  job_id INTEGER NOT NULL,
  seed INTEGER NOT NULL,
  headline TEXT NOT NULL,
  files TEXT NOT NULL,
  created_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX models_by_project ON models(project_id, id);
)sql",
       nullptr},
      // 5: cheaper inserts again, by dropping the two B-trees keyed by a hash (each insert
      // dirtied a random page of each). Duplicate detection uses an in-memory index
      // (values_index.h) loaded from samples_by_project, which now also carries values_key,
      // the first 64 bits of values_sha256. A new row names its body's place itself
      // (body_pack, NULL for an own file; body_offset; body_length) instead of a
      // blob_locations row; rows from before keep theirs (body_length NULL).
      {R"sql(
ALTER TABLE samples ADD COLUMN values_key INTEGER;
ALTER TABLE samples ADD COLUMN body_pack TEXT;
ALTER TABLE samples ADD COLUMN body_offset INTEGER;
ALTER TABLE samples ADD COLUMN body_length INTEGER;
DROP INDEX samples_by_values;
DROP INDEX samples_by_project;
)sql",
       &FillValuesKeys},
  };
  return *migrations;
}

Status ApplyMigration(Db& db, int version, const Migration& migration,
                      const MigrationContext& context) {
  TL_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  // Re-check under the write lock: another connection may have migrated meanwhile.
  StatusOr<int64_t> current = db.QueryInt64("PRAGMA user_version");
  Status status = current.status();
  if (status.ok() && *current >= version) return db.Exec("ROLLBACK");
  if (status.ok()) status = db.Exec(migration.sql);
  if (status.ok() && migration.step != nullptr) status = migration.step(db, context);
  if (status.ok()) status = db.Exec("PRAGMA user_version = " + std::to_string(version));
  if (status.ok()) status = db.Exec("COMMIT");
  if (!status.ok()) {
    if (db.InTransaction()) (void)db.Exec("ROLLBACK");
    return status.WithPrefix("schema migration " + std::to_string(version));
  }
  return OkStatus();
}

}  // namespace

int LatestSchemaVersion() { return static_cast<int>(Migrations().size()); }

Status Migrate(Db& db, const MigrationContext& context) {
  return MigrateTo(db, context, LatestSchemaVersion());
}

Status MigrateTo(Db& db, const MigrationContext& context, int target) {
  TL_ASSIGN_OR_RETURN(const int64_t current, db.QueryInt64("PRAGMA user_version"));
  const int latest = LatestSchemaVersion();
  if (target < 0 || target > latest) {
    return InvalidArgumentError("no schema version " + std::to_string(target));
  }
  if (current > latest) {
    return FailedPreconditionError("database schema version " + std::to_string(current) +
                                   " is newer than this binary supports (" +
                                   std::to_string(latest) + ")");
  }
  for (int version = static_cast<int>(current) + 1; version <= target; ++version) {
    TL_RETURN_IF_ERROR(ApplyMigration(db, version, Migrations()[version - 1], context));
  }
  return OkStatus();
}

}  // namespace tinyloop::store::internal
