#include "store/internal/group_commit_writer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <stdexcept>
#include <thread>

#include "base/crypto.h"
#include "store/internal/migrations.h"
#include "store/internal/queries.h"
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
    // The store's schema (the writer needs the blob index), plus a table of its own.
    ASSERT_TRUE((*db)->Exec("PRAGMA journal_mode=WAL").ok());
    ASSERT_TRUE(Migrate(**db, MigrationContext{dir_.path() + "/blobs", false}).ok());
    ASSERT_TRUE((*db)->Exec("CREATE TABLE t (x INTEGER UNIQUE)").ok());
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

  int64_t Count(const std::string& sql = "SELECT count(*) FROM t") {
    int64_t n = -1;
    EXPECT_TRUE(writer_
                    ->Execute(WriteJob{std::nullopt,
                                       [&n, &sql](Db& db) -> Status {
                                         TL_ASSIGN_OR_RETURN(n, db.QueryInt64(sql));
                                         return OkStatus();
                                       }})
                    .ok());
    return n;
  }

  // A job inserting `x` whose sample body is `body` (a literal: it must outlive the job).
  static WriteJob InsertWithBody(int x, std::string_view body) {
    WriteJob job = Insert(x);
    job.blob = BlobStore::PendingBlob{Sha256Hex(body), body};
    return job;
  }

  // The body as read back through the index; NotFound when it is not indexed.
  StatusOr<std::string> ReadIndexed(const std::string& body) {
    std::optional<BlobLocation> location;
    Status status = writer_->Execute(
        WriteJob{std::nullopt, [&](Db& db) -> Status {
                   TL_ASSIGN_OR_RETURN(location, SelectBlobLocation(db, Sha256Hex(body)));
                   return OkStatus();
                 }});
    TL_RETURN_IF_ERROR(status);
    if (!location) return NotFoundError("not indexed");
    return blobs_->Read(Sha256Hex(body), &*location);
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

TEST_F(GroupCommitWriterTest, BlobIsIndexedWhenTheJobRunsAndReadableOnceCommitted) {
  const std::string body = "sample body";
  bool indexed_in_job = false;
  WriteJob job{BlobStore::PendingBlob{Sha256Hex(body), body}, [&](Db& db) -> Status {
                 // The row is in the open transaction; the bytes are durable by COMMIT.
                 TL_ASSIGN_OR_RETURN(auto location, SelectBlobLocation(db, Sha256Hex(body)));
                 indexed_in_job = location.has_value();
                 return OkStatus();
               }};
  ASSERT_TRUE(writer_->Execute(std::move(job)).ok());
  EXPECT_TRUE(indexed_in_job);
  EXPECT_EQ(*ReadIndexed(body), body);
}

TEST_F(GroupCommitWriterTest, ABodyIsStoredOnceWithinAndAcrossBatches) {
  std::vector<WriteJob> jobs;
  jobs.push_back(InsertWithBody(1, "same"));
  jobs.push_back(InsertWithBody(2, "other"));
  jobs.push_back(InsertWithBody(3, "same"));
  for (const Status& s : writer_->Execute(std::move(jobs))) ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_TRUE(writer_->Execute(InsertWithBody(4, "same")).ok());
  EXPECT_EQ(Count("SELECT count(*) FROM blob_locations"), 2);
  EXPECT_EQ(Count("SELECT count FROM blob_totals"), 2);
  EXPECT_EQ(Count("SELECT bytes FROM blob_totals"), 4 + 5);
  // Two records in the pack: 44-byte headers and the bytes, nothing for the repeats.
  int64_t pack_bytes = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir_.path() + "/blobs")) {
    if (e.is_regular_file()) pack_bytes += static_cast<int64_t>(e.file_size());
  }
  EXPECT_EQ(pack_bytes, 2 * 44 + 4 + 5);
  EXPECT_EQ(*ReadIndexed("same"), "same");
}

TEST_F(GroupCommitWriterTest, RerunAfterAFailingJobKeepsTheOtherJobsAndTheirBlobs) {
  std::vector<WriteJob> jobs;
  jobs.push_back(InsertWithBody(1, "a"));
  jobs.push_back(InsertWithBody(1, "b"));  // UNIQUE violation: the batch is rerun
  jobs.push_back(InsertWithBody(3, "c"));
  auto results = writer_->Execute(std::move(jobs));
  EXPECT_TRUE(results[0].ok());
  EXPECT_EQ(results[1].code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(results[2].ok());
  EXPECT_EQ(Count(), 2);
  // All three bodies were written before the jobs ran; each is indexed and counted once.
  EXPECT_EQ(Count("SELECT count(*) FROM blob_locations"), 3);
  EXPECT_EQ(Count("SELECT count FROM blob_totals"), 3);
  for (const char* body : {"a", "b", "c"}) EXPECT_EQ(*ReadIndexed(body), body);
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
  jobs.push_back(InsertWithBody(10, "lost body"));
  jobs.push_back(
      WriteJob{std::nullopt, [](Db& db) { return db.Exec("INSERT INTO c VALUES (7)"); }});
  auto results = writer_->Execute(std::move(jobs));
  EXPECT_FALSE(results[0].ok());
  EXPECT_FALSE(results[1].ok());
  EXPECT_NE(results[0].message().find("transaction failed"), std::string::npos);
  EXPECT_EQ(Count(), 0);
  // The body's bytes were appended, but its index row went with the transaction: unreferenced
  // bytes. Storing it again writes it again, and it reads back.
  EXPECT_EQ(ReadIndexed("lost body").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Count("SELECT count FROM blob_totals"), 0);
  ASSERT_TRUE(writer_->Execute(InsertWithBody(11, "lost body")).ok());
  EXPECT_EQ(*ReadIndexed("lost body"), "lost body");
}

TEST_F(GroupCommitWriterTest, JobsWhoseBlobCannotBeWrittenFailAloneAndTheRestCommits) {
  // The pack cannot be created: every new body fails, jobs without one are unaffected. Five
  // runnable jobs take the path that writes blobs beside the SQL; the lone job the other.
  std::filesystem::remove_all(dir_.path() + "/blobs");
  std::vector<WriteJob> jobs;
  jobs.push_back(InsertWithBody(1, "one"));
  jobs.push_back(Insert(2));
  jobs.push_back(InsertWithBody(3, "three"));
  jobs.push_back(Insert(4));
  jobs.push_back(InsertWithBody(5, "one"));
  auto results = writer_->Execute(std::move(jobs));
  for (int i : {0, 2, 4}) {
    EXPECT_EQ(results[i].code(), StatusCode::kInternal) << i;
    EXPECT_NE(results[i].message().find("storing sample body"), std::string::npos)
        << results[i].message();
  }
  EXPECT_TRUE(results[1].ok());
  EXPECT_TRUE(results[3].ok());
  EXPECT_EQ(writer_->Execute(InsertWithBody(6, "six")).code(), StatusCode::kInternal);
  EXPECT_EQ(Count(), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM blob_locations"), 0);
  EXPECT_EQ(Count("SELECT count FROM blob_totals"), 0);

  std::filesystem::create_directories(dir_.path() + "/blobs");
  ASSERT_TRUE(writer_->Execute(InsertWithBody(7, "one")).ok());
  EXPECT_EQ(*ReadIndexed("one"), "one");
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

TEST_F(GroupCommitWriterTest, ExecuteAsyncAnswersOnTheWriterThreadAfterTheCommit) {
  std::promise<std::vector<Status>> answered;
  std::promise<std::thread::id> answered_on;
  std::vector<WriteJob> jobs;
  jobs.push_back(Insert(1));
  jobs.push_back(Insert(1));  // UNIQUE: fails alone
  jobs.push_back(Insert(2));
  const int64_t commits_before = writer_->transactions_committed();
  writer_->ExecuteAsync(std::move(jobs), [&](std::vector<Status> results) {
    answered_on.set_value(std::this_thread::get_id());
    // Already durable: the batch committed before the answer.
    EXPECT_GT(writer_->transactions_committed(), commits_before);
    answered.set_value(std::move(results));
  });
  const std::vector<Status> results = answered.get_future().get();
  EXPECT_NE(answered_on.get_future().get(), std::this_thread::get_id());
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].ok()) << results[0].ToString();
  EXPECT_FALSE(results[1].ok());
  EXPECT_TRUE(results[2].ok()) << results[2].ToString();
  EXPECT_EQ(Count(), 2);
}

TEST_F(GroupCommitWriterTest, ExecuteAsyncCallsShareBatchesAndEachIsAnsweredOnce) {
  constexpr int kCalls = 200;
  std::atomic<int> answers{0};
  std::atomic<int> ok{0};
  for (int i = 0; i < kCalls; ++i) {
    std::vector<WriteJob> jobs;
    jobs.push_back(Insert(1000 + i));
    writer_->ExecuteAsync(std::move(jobs), [&](std::vector<Status> results) {
      if (results.size() == 1 && results[0].ok()) ++ok;
      ++answers;
    });
  }
  writer_.reset();  // finishes every queued job, answering each
  EXPECT_EQ(answers.load(), kCalls);
  EXPECT_EQ(ok.load(), kCalls);
}

TEST_F(GroupCommitWriterTest, ExecuteAsyncWithNoJobsAnswersAtOnce) {
  bool answered = false;
  writer_->ExecuteAsync({}, [&](std::vector<Status> results) { answered = results.empty(); });
  EXPECT_TRUE(answered);
}

}  // namespace
}  // namespace tinyloop::store::internal
