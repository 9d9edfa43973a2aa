// Numbered schema migrations for the SQLite metadata store, tracked in PRAGMA user_version.
// Internal to src/store.
#pragma once

#include "base/status.h"
#include "store/internal/sqlite_db.h"

namespace tinyloop::store::internal {

// The schema version this binary writes; the number of the last migration.
int LatestSchemaVersion();

// Applies every migration newer than the database's user_version, each in its own IMMEDIATE
// transaction that also bumps user_version, so a crash leaves the schema at a numbered
// version. Idempotent. FailedPrecondition when the database is newer than this binary;
// otherwise the mapped SQLite error of the failing migration (nothing of it is applied).
Status Migrate(Db& db);

}  // namespace tinyloop::store::internal
