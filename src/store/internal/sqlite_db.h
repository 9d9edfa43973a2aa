// RAII wrapper over one SQLite connection and its prepared statements, with the mapping from
// SQLite result codes to Status. Internal to src/store: the only header that includes
// sqlite3.h, so no other module ever sees SQLite.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/status.h"

namespace tinyloop::store::internal {

// Maps an SQLite result code to a Status: UNIQUE constraint -> AlreadyExists, FULL ->
// ResourceExhausted, CORRUPT/NOTADB -> DataLoss, BUSY/LOCKED -> Unavailable, others -> Internal.
// `db` (may be null) supplies sqlite3_errmsg; `context` prefixes the message.
Status SqliteError(sqlite3* db, int rc, std::string_view context);

// A prepared statement borrowed from a Db's cache. Reset and unbound when the handle goes out
// of scope, so the next user starts clean. Not thread-safe (like its connection).
// Parameter and column indexes: Bind* counts from 1, Column* from 0 (SQLite's convention).
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) {
    other.stmt_ = nullptr;
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;

  // Bind errors (only programmer errors: wrong index, out of memory) surface at Step().
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, double value);
  Statement& Bind(int index, std::string_view text);
  Statement& BindBlob(int index, std::string_view bytes);
  Statement& BindNull(int index);
  // Like Bind/BindBlob without copying: the bytes must stay valid and unchanged until this
  // handle is destroyed (which resets the statement). For the writer's hot path.
  Statement& BindRef(int index, std::string_view text);
  Statement& BindBlobRef(int index, std::string_view bytes);

  // Advances: true with a row ready, false when done. Errors mapped by SqliteError.
  StatusOr<bool> Step();
  // Steps to completion, expecting no rows to be returned (INSERT/UPDATE/DELETE).
  Status Run();

  int64_t ColumnInt64(int col) const;
  double ColumnDouble(int col) const;
  bool ColumnIsNull(int col) const;
  std::string ColumnText(int col) const;
  std::string ColumnBlob(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  Status bind_error_;
};

// One connection. Thread-compatible: use from one thread at a time (opened NOMUTEX).
// Owns the sqlite3* and every statement it cached; both are finalized on destruction.
class Db {
 public:
  // Opens `path` read-write (creating it) or read-only. Sets busy_timeout to `busy_timeout_ms`.
  // A read-write connection gathers its WAL writes (internal/wal_write_buffer.h).
  static StatusOr<std::unique_ptr<Db>> Open(const std::string& path, bool read_only,
                                            int busy_timeout_ms);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs one or more SQL statements that return no rows we need (DDL, PRAGMA, BEGIN...).
  Status Exec(const std::string& sql);

  // A cached prepared statement for `sql` (prepared on first use). Internal on an SQL error.
  // Only one Statement handle per distinct `sql` may be alive at a time.
  StatusOr<Statement> Prepare(const std::string& sql);

  // Runs a query returning one integer (e.g. "PRAGMA user_version"). Internal when no row.
  StatusOr<int64_t> QueryInt64(const std::string& sql);

  int64_t LastInsertRowid() const;
  int Changes() const;
  bool InTransaction() const;
  sqlite3* handle() const { return db_; }

 private:
  explicit Db(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

}  // namespace tinyloop::store::internal
