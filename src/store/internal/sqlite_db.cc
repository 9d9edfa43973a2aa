#include "store/internal/sqlite_db.h"

#include <limits>
#include <mutex>

#include "store/internal/wal_write_buffer.h"

namespace tinyloop::store::internal {

Status SqliteError(sqlite3* db, int rc, std::string_view context) {
  std::string message(context);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return AlreadyExistsError(std::move(message));
      }
      return FailedPreconditionError(std::move(message));
    case SQLITE_FULL:
      return ResourceExhaustedError(std::move(message));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return DataLossError(std::move(message));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return UnavailableError(std::move(message));
    default:
      return InternalError(std::move(message));
  }
}

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

namespace {
int ToInt(size_t n) {
  return n > static_cast<size_t>(std::numeric_limits<int>::max()) ? -1 : static_cast<int>(n);
}
}  // namespace

Statement& Statement::Bind(int index, int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK && bind_error_.ok()) bind_error_ = SqliteError(db_, rc, "bind");
  return *this;
}

Statement& Statement::Bind(int index, double value) {
  const int rc = sqlite3_bind_double(stmt_, index, value);
  if (rc != SQLITE_OK && bind_error_.ok()) bind_error_ = SqliteError(db_, rc, "bind");
  return *this;
}

Statement& Statement::Bind(int index, std::string_view text) {
  // SQLITE_TRANSIENT: SQLite copies, so callers may pass temporaries.
  const int rc = sqlite3_bind_text(stmt_, index, text.data(), ToInt(text.size()), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK && bind_error_.ok()) bind_error_ = SqliteError(db_, rc, "bind");
  return *this;
}

Statement& Statement::BindBlob(int index, std::string_view bytes) {
  // A zero-length blob must still be a BLOB, not NULL, hence the non-null pointer.
  const int rc = sqlite3_bind_blob(stmt_, index, bytes.empty() ? "" : bytes.data(),
                                   ToInt(bytes.size()), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK && bind_error_.ok()) bind_error_ = SqliteError(db_, rc, "bind");
  return *this;
}

Statement& Statement::BindRef(int index, std::string_view text) {
  // SQLITE_STATIC: SQLite keeps the pointer until the statement is reset or rebound; the
  // destructor resets and clears the bindings.
  const int rc = sqlite3_bind_text(stmt_, index, text.data(), ToInt(text.size()), SQLITE_STATIC);
  if (rc != SQLITE_OK && bind_error_.ok()) bind_error_ = SqliteError(db_, rc, "bind");
  return *this;
}

Statement& Statement::BindBlobRef(int index, std::string_view bytes) {
  const int rc = sqlite3_bind_blob(stmt_, index, bytes.empty() ? "" : bytes.data(),
                                   ToInt(bytes.size()), SQLITE_STATIC);
  if (rc != SQLITE_OK && bind_error_.ok()) bind_error_ = SqliteError(db_, rc, "bind");
  return *this;
}

Statement& Statement::BindNull(int index) {
  const int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK && bind_error_.ok()) bind_error_ = SqliteError(db_, rc, "bind");
  return *this;
}

StatusOr<bool> Statement::Step() {
  TL_RETURN_IF_ERROR(bind_error_);
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(db_, rc, "sqlite step");
}

Status Statement::Run() {
  TL_ASSIGN_OR_RETURN(const bool row, Step());
  if (row) return InternalError("statement unexpectedly returned a row");
  return OkStatus();
}

int64_t Statement::ColumnInt64(int col) const { return sqlite3_column_int64(stmt_, col); }
double Statement::ColumnDouble(int col) const { return sqlite3_column_double(stmt_, col); }
bool Statement::ColumnIsNull(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

std::string Statement::ColumnText(int col) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  const int size = sqlite3_column_bytes(stmt_, col);
  return text == nullptr ? std::string() : std::string(text, static_cast<size_t>(size));
}

std::string Statement::ColumnBlob(int col) const {
  const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
  const int size = sqlite3_column_bytes(stmt_, col);
  return data == nullptr ? std::string() : std::string(data, static_cast<size_t>(size));
}

StatusOr<std::unique_ptr<Db>> Db::Open(const std::string& path, bool read_only,
                                       int busy_timeout_ms) {
  // Before SQLite initializes: without memory statistics, SQLite's allocations take no global
  // mutex. Only src/store uses SQLite (sqlite3.h is private to it), so nothing reads them; if
  // SQLite is already initialized the call fails harmlessly.
  static std::once_flag configured;
  std::call_once(configured, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  sqlite3* handle = nullptr;
  const int flags =
      (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
      SQLITE_OPEN_NOMUTEX;
  // Read-write connections write the WAL through the gathering VFS (wal_write_buffer.h): one
  // write call per commit instead of two per page.
  const char* vfs = read_only ? nullptr : WalWriteBufferVfsName();
  const int rc = sqlite3_open_v2(path.c_str(), &handle, flags, vfs);
  if (rc != SQLITE_OK) {
    Status status = SqliteError(handle, rc, "open " + path);
    sqlite3_close(handle);  // a handle is returned even on failure
    return status;
  }
  std::unique_ptr<Db> db(new Db(handle));
  sqlite3_extended_result_codes(handle, 1);
  sqlite3_busy_timeout(handle, busy_timeout_ms);
  return db;
}

Db::~Db() {
  for (auto& entry : cache_) sqlite3_finalize(entry.second);
  sqlite3_close(db_);
}

Status Db::Exec(const std::string& sql) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  sqlite3_free(error);  // the same text is available from sqlite3_errmsg
  if (rc != SQLITE_OK) return SqliteError(db_, rc, "exec");
  return OkStatus();
}

StatusOr<Statement> Db::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.c_str(), ToInt(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db_, rc, "prepare");
    it = cache_.emplace(sql, stmt).first;
  }
  return Statement(db_, it->second);
}

StatusOr<int64_t> Db::QueryInt64(const std::string& sql) {
  TL_ASSIGN_OR_RETURN(Statement stmt, Prepare(sql));
  TL_ASSIGN_OR_RETURN(const bool row, stmt.Step());
  if (!row) return InternalError("query returned no row: " + sql);
  return stmt.ColumnInt64(0);
}

int64_t Db::LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }
int Db::Changes() const { return sqlite3_changes(db_); }
bool Db::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

}  // namespace tinyloop::store::internal
