#include "store/internal/migrations.h"

#include <string>
#include <vector>

namespace tinyloop::store::internal {
namespace {

// Append only: never edit a released migration, add the next number instead.
const std::vector<std::string>& Migrations() {
  static const auto* migrations = new std::vector<std::string>{
      // 1: projects, API keys, samples with their values kept in a separate table so that
      // listings read small rows. AUTOINCREMENT so ids of deleted rows are never reused.
      R"sql(
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
  };
  return *migrations;
}

Status ApplyMigration(Db& db, int version, const std::string& sql) {
  TL_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  // Re-check under the write lock: another connection may have migrated meanwhile.
  StatusOr<int64_t> current = db.QueryInt64("PRAGMA user_version");
  Status status = current.status();
  if (status.ok() && *current >= version) return db.Exec("ROLLBACK");
  if (status.ok()) status = db.Exec(sql);
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

Status Migrate(Db& db) {
  TL_ASSIGN_OR_RETURN(const int64_t current, db.QueryInt64("PRAGMA user_version"));
  const int latest = LatestSchemaVersion();
  if (current > latest) {
    return FailedPreconditionError("database schema version " + std::to_string(current) +
                                   " is newer than this binary supports (" +
                                   std::to_string(latest) + ")");
  }
  for (int version = static_cast<int>(current) + 1; version <= latest; ++version) {
    TL_RETURN_IF_ERROR(ApplyMigration(db, version, Migrations()[version - 1]));
  }
  return OkStatus();
}

}  // namespace tinyloop::store::internal
