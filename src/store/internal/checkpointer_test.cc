// The background WAL checkpointer: it checkpoints once the WAL crosses its threshold, the WAL is
// then reused instead of growing, data stays intact, and commits after Stop are harmless.
#include "store/internal/checkpointer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "store/internal/test_temp_dir.h"

namespace tinyloop::store::internal {
namespace {

class CheckpointerTest : public testing::Test {
 protected:
  void SetUp() override {
    auto db = Db::Open(path(), /*read_only=*/false, 1000);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    writer_ = std::move(*db);
    ASSERT_TRUE(writer_
                    ->Exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "
                           "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)")
                    .ok());
  }

  std::string path() const { return dir_.path() + "/t.db"; }

  // One transaction of `rows` rows of 2 KiB each (about `rows` / 2 WAL frames).
  void Commit(int rows) {
    ASSERT_TRUE(writer_->Exec("BEGIN IMMEDIATE").ok());
    for (int i = 0; i < rows; ++i) {
      ASSERT_TRUE(writer_->Exec("INSERT INTO t (v) VALUES (randomblob(2048))").ok());
    }
    ASSERT_TRUE(writer_->Exec("COMMIT").ok());
  }

  int64_t WalBytes() const {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path() + "-wal", ec);
    return ec ? 0 : static_cast<int64_t>(size);
  }

  TestTempDir dir_;
  std::unique_ptr<Db> writer_;
};

TEST_F(CheckpointerTest, ThresholdTriggersACheckpointAndTheWalIsReused) {
  auto checkpointer = Checkpointer::Start(path(), 1000, /*threshold_frames=*/64);
  ASSERT_TRUE(checkpointer.ok()) << checkpointer.status().ToString();
  (*checkpointer)->Attach(*writer_);

  Commit(20);  // ~10 frames: below the threshold
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ((*checkpointer)->checkpoints(), 0);

  // Without checkpoints this would leave about 1000 frames (4 MiB) in the WAL.
  for (int i = 0; i < 50; ++i) {
    Commit(40);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((*checkpointer)->checkpoints() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GT((*checkpointer)->checkpoints(), 0);
  EXPECT_LT(WalBytes(), 2 * 1024 * 1024);
  EXPECT_EQ(*writer_->QueryInt64("SELECT count(*) FROM t"), 20 + 50 * 40);

  (*checkpointer)->Stop();
  Commit(200);  // heard by nobody: no crash, no checkpoint
  EXPECT_EQ(*writer_->QueryInt64("SELECT count(*) FROM t"), 20 + 50 * 40 + 200);
  auto check = writer_->Prepare("PRAGMA integrity_check");
  ASSERT_TRUE(check.ok());
  ASSERT_TRUE(*check->Step());
  EXPECT_EQ(check->ColumnText(0), "ok");
}

TEST_F(CheckpointerTest, BadThresholdIsInvalidArgument) {
  EXPECT_EQ(Checkpointer::Start(path(), 1000, 0).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tinyloop::store::internal
