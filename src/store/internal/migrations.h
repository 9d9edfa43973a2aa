// Numbered schema migrations for the SQLite metadata store, tracked in PRAGMA user_version.
// Internal to src/store.
#pragma once

#include <string>

#include "base/status.h"
#include "store/internal/sqlite_db.h"

namespace tinyloop::store::internal {

// What migrations that touch files need besides the database.
struct MigrationContext {
  std::string blob_dir;  // <data_dir>/blobs
  // Whether leftover temp files of earlier layouts may be removed (no other process is using
  // the data dir).
  bool remove_temp_files = false;
};

// The schema version this binary writes; the number of the last migration.
int LatestSchemaVersion();

// Applies every migration newer than the database's user_version, each in its own IMMEDIATE
// transaction that also bumps user_version, so a crash leaves the schema at a numbered
// version. Idempotent. FailedPrecondition when the database is newer than this binary;
// otherwise the error of the failing migration (nothing of it is applied).
Status Migrate(Db& db, const MigrationContext& context);
// The same, stopping at version `target` (tests build databases of earlier versions with it).
// InvalidArgument for a version this binary does not know.
Status MigrateTo(Db& db, const MigrationContext& context, int target);

}  // namespace tinyloop::store::internal
