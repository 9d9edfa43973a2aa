// The in-memory duplicate-detection index: its key, and how it follows the writer's
// transactions and other connections' commits.
#include "store/internal/values_index.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "base/crypto.h"
#include "store/internal/migrations.h"
#include "store/internal/queries.h"
#include "store/internal/test_temp_dir.h"

namespace tinyloop::store::internal {
namespace {

TEST(ValuesKeyTest, IsTheFirstSixteenHexDigitsAsSigned64Bits) {
  EXPECT_EQ(ValuesKey("0000000000000001" + std::string(48, 'f')), 1);
  EXPECT_EQ(ValuesKey("00000000000000a0" + std::string(48, '0')), 160);
  EXPECT_EQ(ValuesKey("ffffffffffffffff" + std::string(48, '0')), -1);
  EXPECT_EQ(ValuesKey("8000000000000000" + std::string(48, '0')), INT64_MIN);
  const std::string sha = Sha256Hex("values");
  EXPECT_EQ(static_cast<uint64_t>(ValuesKey(sha)), std::stoull(sha.substr(0, 16), nullptr, 16));
}

class ValuesIndexTest : public testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.path() + "/blobs");
    writer_ = OpenDb();
    ASSERT_TRUE(writer_->Exec("PRAGMA journal_mode = WAL").ok());
    ASSERT_TRUE(Migrate(*writer_, MigrationContext{dir_.path() + "/blobs", true}).ok());
    ASSERT_TRUE(writer_
                    ->Exec("INSERT INTO projects (name, owner, hmac_key, allow_unsigned, "
                           "created_ms, sensor_schema) VALUES ('p', '', '', 0, 0, '{}')")
                    .ok());
    project_ = writer_->LastInsertRowid();
  }

  std::unique_ptr<Db> OpenDb() {
    auto db = Db::Open(dir_.path() + "/tinyloop.db", /*read_only=*/false, 1000);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(*db) : nullptr;
  }

  // A bare samples row with values key `key`; returns its id.
  static int64_t InsertRow(Db& db, int64_t project, int64_t key) {
    auto stmt = db.Prepare(
        "INSERT INTO samples (project_id, file_name, label, category, device_name, device_type, "
        "interval_ms, axes, length, sha256, values_sha256, content_type, metadata, "
        "upload_source, signed_hmac, ingest_ms, findings, values_key) VALUES (?1, 'f', 'l', "
        "'training', 'd', 't', 1, '[]', 0, '', '', '', '{}', '', 0, 0, '[]', ?2)");
    EXPECT_TRUE(stmt.ok());
    stmt->Bind(1, project).Bind(2, key);
    EXPECT_TRUE(stmt->Run().ok());
    return db.LastInsertRowid();
  }

  TestTempDir dir_;
  std::unique_ptr<Db> writer_;
  int64_t project_ = 0;
};

TEST_F(ValuesIndexTest, LoadsWhatIsStoredAndKeepsCommittedAdditionsOnly) {
  const int64_t old_a = InsertRow(*writer_, project_, 7);
  const int64_t old_b = InsertRow(*writer_, project_, 7);
  InsertRow(*writer_, project_, 8);

  ValuesIndex index;
  ASSERT_TRUE(writer_->Exec("BEGIN IMMEDIATE").ok());
  ASSERT_TRUE(index.OnBegin(*writer_).ok());
  EXPECT_EQ(index.Candidates(project_, 7), (std::vector<int64_t>{old_a, old_b}));
  EXPECT_TRUE(index.Candidates(project_ + 1, 7).empty());  // another project
  EXPECT_TRUE(index.Candidates(project_, 9).empty());

  const int64_t kept = InsertRow(*writer_, project_, 9);
  index.Add(project_, 9, kept);
  EXPECT_EQ(index.Candidates(project_, 9), std::vector<int64_t>{kept});  // seen at once
  ASSERT_TRUE(writer_->Exec("COMMIT").ok());
  index.OnCommit();

  ASSERT_TRUE(writer_->Exec("BEGIN IMMEDIATE").ok());
  ASSERT_TRUE(index.OnBegin(*writer_).ok());
  const int64_t undone = InsertRow(*writer_, project_, 10);
  index.Add(project_, 10, undone);
  index.Add(project_, 9, undone);
  ASSERT_TRUE(writer_->Exec("ROLLBACK").ok());
  index.OnRollback();
  EXPECT_TRUE(index.Candidates(project_, 10).empty());
  EXPECT_EQ(index.Candidates(project_, 9), std::vector<int64_t>{kept});
  EXPECT_EQ(index.size(), 4u);
}

TEST_F(ValuesIndexTest, CatchesUpWithCommitsOfOtherConnections) {
  ValuesIndex index;
  ASSERT_TRUE(writer_->Exec("BEGIN IMMEDIATE").ok());
  ASSERT_TRUE(index.OnBegin(*writer_).ok());
  const int64_t ours = InsertRow(*writer_, project_, 1);
  index.Add(project_, 1, ours);
  ASSERT_TRUE(writer_->Exec("COMMIT").ok());
  index.OnCommit();

  // Another process's writer commits two rows.
  std::unique_ptr<Db> other = OpenDb();
  ASSERT_TRUE(other);
  const int64_t theirs = InsertRow(*other, project_, 1);
  const int64_t theirs_too = InsertRow(*other, project_, 2);

  ASSERT_TRUE(writer_->Exec("BEGIN IMMEDIATE").ok());
  ASSERT_TRUE(index.OnBegin(*writer_).ok());
  EXPECT_EQ(index.Candidates(project_, 1), (std::vector<int64_t>{ours, theirs}));
  EXPECT_EQ(index.Candidates(project_, 2), std::vector<int64_t>{theirs_too});
  ASSERT_TRUE(writer_->Exec("COMMIT").ok());
  index.OnCommit();

  // Nothing new: nothing loaded twice.
  ASSERT_TRUE(writer_->Exec("BEGIN IMMEDIATE").ok());
  ASSERT_TRUE(index.OnBegin(*writer_).ok());
  EXPECT_EQ(index.size(), 3u);
  ASSERT_TRUE(writer_->Exec("COMMIT").ok());
  index.OnCommit();
}

}  // namespace
}  // namespace tinyloop::store::internal
