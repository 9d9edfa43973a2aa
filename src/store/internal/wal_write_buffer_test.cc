// The WAL write-gathering VFS: what a read-write connection commits through it is what another
// connection (default VFS) reads, across buffer-sized transactions, cache spills that rewrite
// frames in place, rollbacks and checkpoints.
#include "store/internal/wal_write_buffer.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "store/internal/sqlite_db.h"
#include "store/internal/test_temp_dir.h"

namespace tinyloop::store::internal {
namespace {

// One integer from a fresh connection through the default VFS.
int64_t ReadInt(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  int64_t out = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      out = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return out;
}

std::string IntegrityCheck(const std::string& path) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return out;
}

// INSERT of `rows` rows with random keys and values of `value_sql` (e.g. "zeroblob(300)").
std::string InsertRows(int rows, const std::string& value_sql) {
  return "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
         std::to_string(rows) + ") INSERT INTO t (k, v) SELECT randomblob(16), " + value_sql +
         " FROM n";
}

TEST(WalWriteBufferTest, ReadWriteConnectionsUseIt) {
  TestTempDir dir;
  auto db = Db::Open(dir.path() + "/t.db", /*read_only=*/false, 1000);
  ASSERT_TRUE(db.ok());
  char* name = nullptr;
  ASSERT_EQ(sqlite3_file_control((*db)->handle(), "main", SQLITE_FCNTL_VFSNAME, &name), SQLITE_OK);
  ASSERT_NE(name, nullptr);
  EXPECT_NE(std::string(name).find("tinyloop-wal-write-buffer"), std::string::npos) << name;
  sqlite3_free(name);
}

TEST(WalWriteBufferTest, CommittedDataIsWhatOtherConnectionsRead) {
  TestTempDir dir;
  const std::string path = dir.path() + "/t.db";
  auto opened = Db::Open(path, /*read_only=*/false, 1000);
  ASSERT_TRUE(opened.ok());
  Db& db = **opened;
  // A small page cache makes SQLite spill dirty pages to the WAL mid-transaction, rewrite
  // frames of the same transaction in place, and read pages back from the WAL.
  ASSERT_TRUE(db.Exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "
                      "PRAGMA cache_size = 20; PRAGMA wal_autocheckpoint = 0; "
                      "CREATE TABLE t (id INTEGER PRIMARY KEY, k BLOB, v BLOB); "
                      "CREATE INDEX t_k ON t(k)")
                  .ok());
  int64_t expected = 0;
  for (int round = 0; round < 6; ++round) {
    // Round sizes from a few frames to several buffers' worth (the buffer holds ~30 pages).
    const int rows = round == 0 ? 3 : 400 * round;
    ASSERT_TRUE(db.Exec("BEGIN IMMEDIATE").ok());
    ASSERT_TRUE(db.Exec(InsertRows(rows, "zeroblob(300)")).ok());
    // Rewrites rows of this transaction: their pages are already in the WAL.
    ASSERT_TRUE(db.Exec("UPDATE t SET v = randomblob(300) WHERE id % 7 = 0").ok());
    ASSERT_TRUE(db.Exec("COMMIT").ok());
    expected += rows;
    EXPECT_EQ(ReadInt(path, "SELECT count(*) FROM t"), expected) << "round " << round;
  }
  // A rolled-back transaction leaves nothing behind, and the next commit is read correctly.
  ASSERT_TRUE(db.Exec("BEGIN IMMEDIATE").ok());
  ASSERT_TRUE(db.Exec(InsertRows(2000, "randomblob(300)")).ok());
  ASSERT_TRUE(db.Exec("ROLLBACK").ok());
  EXPECT_EQ(ReadInt(path, "SELECT count(*) FROM t"), expected);
  ASSERT_TRUE(db.Exec("INSERT INTO t (k, v) VALUES (x'00', x'01')").ok());
  ++expected;
  EXPECT_EQ(ReadInt(path, "SELECT count(*) FROM t"), expected);
  EXPECT_EQ(IntegrityCheck(path), "ok");

  // Checkpointed into the database file and the WAL restarted from its start.
  ASSERT_TRUE(db.Exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
  ASSERT_TRUE(db.Exec(InsertRows(500, "randomblob(300)")).ok());
  expected += 500;
  EXPECT_EQ(ReadInt(path, "SELECT count(*) FROM t"), expected);
  opened->reset();  // last connection: checkpoints and removes the WAL
  EXPECT_EQ(ReadInt(path, "SELECT count(*) FROM t"), expected);
  EXPECT_EQ(IntegrityCheck(path), "ok");
}

}  // namespace
}  // namespace tinyloop::store::internal
