#include "store/internal/group_commit_writer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <stdexcept>
#include <thread>

#include "base/crypto.h"
#include "store/internal/test_temp_dir.h"

namespace tinyloop::store::internal {
namespace {

class GroupCommitWriterTest : public testing::Test {
 protected:
  void SetUp() override {
    auto blobs = BlobStore::Open(dir_.path() + "/blobs");
    ASSERT_TRUE(blobs.ok());
    blobs_ = std::move(blobs).value();
    auto db = Db::Open(dir_.path() + "/t.db", /*read_only=*/false, 1000);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("PRAGMA journal_mode=WAL; CREATE TABLE t (x INTEGER UNIQUE)").ok());
    StartWriter(std::move(db).value(), 256);
  }

  void StartWriter(std::unique_ptr<Db> db, int max_batch) {
    auto writer = GroupCommitWriter::Start(std::move(db), blobs_.get(), max_batch);
    ASSERT_TRUE(writer.ok());
    writer_ = std::move(writer).value();
  }

  static WriteJob Insert(int x) {
    return WriteJob{std::nullopt, [x](Db& db) -> Status {
                      TL_ASSIGN_OR_RETURN(Statement s, db.Prepare("INSERT INTO t VALUES (?1)"));
                      s.Bind(1, int64_t{x});
                      return s.Run();
                    }};
  }

  int64_t Count() {
    int64_t n = -1;
    EXPECT_TRUE(writer_
                    ->Execute(WriteJob{std::nullopt,
                                       [&n](Db& db) -> Status {
                                         TL_ASSIGN_OR_RETURN(
                                             n, db.QueryInt64("SELECT count(*) FROM t"));
                                         return OkStatus();
                                       }})
                    .ok());
    return n;
  }

  TestTempDir dir_;
  std::unique_ptr<BlobStore> blobs_;
  std::unique_ptr<GroupCommitWriter> writer_;
};

TEST_F(GroupCommitWriterTest, OneFailingJobInABatchDoesNotFailTheOthers) {
  // Hold the writer inside a first job so that jobs from other threads queue up and are
  // committed together in the next transaction.
  std::promise<void> entered, release;
  std::thread blocker([&] {
    EXPECT_TRUE(writer_
                    ->Execute(WriteJob{std::nullopt,
                                       [&](Db&) {
                                         entered.set_value();
                                         release.get_future().wait();
                                         return OkStatus();
                                       }})
                    .ok());
  });
  entered.get_future().wait();
  const int64_t before = writer_->transactions_committed();

  std::vector<std::future<Status>> results;
  for (int x : {1, 2, 1, 3}) {  // the second 1 violates UNIQUE
    results.push_back(
        std::async(std::launch::async, [&, x] { return writer_->Execute(Insert(x)); }));
    while (writer_->queued_jobs() < results.size()) std::this_thread::yield();
  }
  release.set_value();
  blocker.join();

  EXPECT_TRUE(results[0].get().ok());
  EXPECT_TRUE(results[1].get().ok());
  EXPECT_EQ(results[2].get().code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(results[3].get().ok());
  // The blocker's transaction, then one for all four queued jobs.
  EXPECT_EQ(writer_->transactions_committed() - before, 2);
  EXPECT_EQ(Count(), 3);
}

TEST_F(GroupCommitWriterTest, JobsOfOneCallShareAsFewTransactionsAsMaxBatchAllows) {
  std::vector<WriteJob> jobs;
  for (int x = 0; x < 600; ++x) jobs.push_back(Insert(x));
  const int64_t before = writer_->transactions_committed();
  for (const Status& s : writer_->Execute(std::move(jobs))) ASSERT_TRUE(s.ok());
  EXPECT_EQ(writer_->transactions_committed() - before, 3);  // 256 + 256 + 88
  EXPECT_EQ(Count(), 600);
}

TEST_F(GroupCommitWriterTest, ThrowingJobBecomesInternalAndIsRolledBack) {
  std::vector<WriteJob> jobs;
  jobs.push_back(Insert(1));
  jobs.push_back(WriteJob{std::nullopt, [](Db& db) -> Status {
                            TL_RETURN_IF_ERROR(db.Exec("INSERT INTO t VALUES (2)"));
                            throw std::runtime_error("boom");
                          }});
  jobs.push_back(Insert(3));
  auto results = writer_->Execute(std::move(jobs));
  EXPECT_TRUE(results[0].ok());
  EXPECT_EQ(results[1].code(), StatusCode::kInternal);
  EXPECT_NE(results[1].message().find("boom"), std::string::npos);
  EXPECT_TRUE(results[2].ok());
  EXPECT_EQ(Count(), 2);
}

TEST_F(GroupCommitWriterTest, BlobsAreDurableBeforeTheJobRuns) {
  const std::string body = "sample body";
  bool seen_in_job = false;
  WriteJob job{BlobStore::PendingBlob{Sha256Hex(body), body}, [&](Db&) {
                 seen_in_job = *blobs_->Exists(Sha256Hex(body));
                 return OkStatus();
               }};
  ASSERT_TRUE(writer_->Execute(std::move(job)).ok());
  EXPECT_TRUE(seen_in_job);
  EXPECT_EQ(*blobs_->Get(Sha256Hex(body)), body);
}

TEST_F(GroupCommitWriterTest, FailedCommitFailsEveryJobOfTheBatch) {
  // A deferred foreign key violation surfaces only at COMMIT.
  ASSERT_TRUE(writer_
                  ->Execute(WriteJob{std::nullopt,
                                     [](Db& db) {
                                       return db.Exec(
                                           "CREATE TABLE p (id INTEGER PRIMARY KEY);"
                                           "CREATE TABLE c (p INTEGER REFERENCES p(id) "
                                           "DEFERRABLE INITIALLY DEFERRED)");
                                     }})
                  .ok());
  // foreign_keys cannot change inside a transaction: set it between batches.
  writer_.reset();
  auto db = Db::Open(dir_.path() + "/t.db", false, 1000);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Exec("PRAGMA foreign_keys=ON").ok());
  StartWriter(std::move(db).value(), 256);

  std::vector<WriteJob> jobs;
  jobs.push_back(Insert(10));
  jobs.push_back(
      WriteJob{std::nullopt, [](Db& db) { return db.Exec("INSERT INTO c VALUES (7)"); }});
  auto results = writer_->Execute(std::move(jobs));
  EXPECT_FALSE(results[0].ok());
  EXPECT_FALSE(results[1].ok());
  EXPECT_NE(results[0].message().find("transaction failed"), std::string::npos);
  EXPECT_EQ(Count(), 0);
}

TEST_F(GroupCommitWriterTest, DestructorFinishesQueuedJobs) {
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        if (writer_->Execute(Insert(t * 100 + i)).ok()) ++done;
      }
    });
  }
  for (auto& t : threads) t.join();
  writer_.reset();
  EXPECT_EQ(done.load(), 100);
}

}  // namespace
}  // namespace tinyloop::store::internal
