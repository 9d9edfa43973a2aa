// The single writer thread of the SQLite store: queued write jobs are committed in batches
// (group commit). Each batch is one transaction: the batch's new blobs get their
// blob_locations rows (or, unindexed, a place their job records), their bytes are appended and
// synced (on a helper thread, while the jobs run), then COMMIT. Internal to src/store.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include "base/status.h"
#include "store/blob_store.h"
#include "store/internal/sqlite_db.h"

namespace tinyloop::store::internal {

// One unit of work with its own result.
struct WriteJob {
  // Stored (if not already) in the transaction that runs `apply`: its index row exists when
  // apply runs, and its bytes are durable before the transaction commits. When storing it
  // fails, the job fails with that error and none of its writes are kept. Its bytes must stay
  // valid until Execute returns. Precondition: sha256 is the bytes' SHA-256.
  std::optional<BlobStore::PendingBlob> blob;
  // Runs on the writer thread inside the batch's transaction. A non-ok result undoes only this
  // job's writes. It may run twice for one Execute (when another job of its batch fails, the
  // batch is rolled back and rerun with one savepoint per job), so it must only assign its
  // outputs, never accumulate them. Outputs must be written to caller storage, which is safe
  // to read once Execute returned ok for this job (the batch committed). Exceptions it throws
  // become Internal.
  std::function<Status(Db&)> apply;
  // Whether `blob` gets a blob_locations row, so that GetBlob finds it by name. A job that
  // records where its blob is itself (a sample row names its body's place) sets false and
  // `blob_location`: that spares a random-key B-tree insert, the costliest part of storing a
  // small sample. An unindexed blob is written even when the same bytes are stored already;
  // only jobs of one batch with the same blob share its bytes.
  bool index_blob = true;
  // For an unindexed blob: set to where its bytes are before `apply` runs.
  BlobLocation* blob_location = nullptr;
  // For an unindexed blob, optional: says where the same bytes are stored already, if the job
  // knows (run in the batch's transaction before anything is written); they are then not
  // written again. Its error fails the batch.
  std::function<StatusOr<std::optional<BlobLocation>>(Db&)> find_blob = nullptr;
};

// Told, on the writer thread, of each transaction the writer opens and of how it ends, so that
// state kept beside the database (an in-memory index of it) follows commits and rollbacks.
// Rolling back to a job's savepoint is not reported: the observer must tolerate entries of
// jobs that were undone.
class TransactionObserver {
 public:
  virtual ~TransactionObserver() = default;
  // Right after BEGIN IMMEDIATE. A non-ok result fails the batch (it is rolled back).
  virtual Status OnBegin(Db& db) = 0;
  virtual void OnCommit() = 0;
  virtual void OnRollback() = 0;
};

// Thread-safe: Execute may be called from any number of threads. Owns the writer connection
// and the thread; borrows the BlobStore, which must outlive it. The destructor finishes every
// queued job, then joins the thread.
class GroupCommitWriter {
 public:
  // Takes over `db` (read-write, PRAGMAs set, schema migrated: the blob index tables must
  // exist). `max_batch` >= 1 caps the jobs per transaction. `observer` (may be null) is
  // borrowed and must outlive the writer. Internal when the thread cannot be started.
  static StatusOr<std::unique_ptr<GroupCommitWriter>> Start(
      std::unique_ptr<Db> db, BlobStore* blobs, int max_batch,
      TransactionObserver* observer = nullptr);
  ~GroupCommitWriter();
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  // Queues `jobs` together (in order, so they share as few transactions as possible) and
  // blocks until each has a result: ok only after the transaction holding it committed.
  // A job fails with its own error, with its blob's error, or with the batch's error when
  // BEGIN/COMMIT or the savepoint machinery fails (then no job of that batch is stored).
  std::vector<Status> Execute(std::vector<WriteJob> jobs);
  Status Execute(WriteJob job);

  // Like Execute, without blocking: queues `jobs` and returns at once; `done` gets one result
  // per job, in order, on the writer thread right after the batch holding the last of them
  // committed (or failed). `done` must be quick and must not call Execute (it would wait for
  // the thread it runs on). When the writer is stopping, `done` runs on the calling thread
  // with Unavailable for every job. Empty `jobs`: `done` runs at once with no results.
  void ExecuteAsync(std::vector<WriteJob> jobs, std::function<void(std::vector<Status>)> done);

  // Transactions committed so far, and jobs waiting for the writer (for tests and metrics).
  int64_t transactions_committed() const { return transactions_committed_.load(); }
  size_t queued_jobs() const;

 private:
  class Completion;
  class BlockingCompletion;
  class CallbackCompletion;
  class Helper;
  struct Pending {
    WriteJob job;
    Status* result;
    Completion* completion;
  };
  // A blob this batch wrote, whose index row must be (re)inserted in the transaction.
  struct WrittenBlob {
    std::string_view sha256;
    BlobLocation location;
    bool indexed;  // has (or needs, after a rollback) a blob_locations row
  };
  // The blobs of one batch: which are new, and the writes that store them.
  struct BlobPlan {
    std::vector<const BlobStore::PendingBlob*> blobs;  // distinct, in batch order
    std::vector<bool> indexed;                         // of each of blobs
    std::vector<size_t> first_job;                     // the job that brought each of blobs
    std::vector<size_t> blob_of_job;                   // index into blobs, or kNoBlob
    std::optional<BlobStore::WriteBatch> writes;       // the new ones, when there are any
    std::vector<size_t> added;                         // index into blobs of each write
    std::vector<Status> results;                       // of writes->Write(), once done
  };
  static constexpr size_t kNoBlob = static_cast<size_t>(-1);

  GroupCommitWriter(std::unique_ptr<Db> db, BlobStore* blobs, int max_batch,
                    TransactionObserver* observer);
  // BEGIN IMMEDIATE, then the observer's OnBegin (rolled back when that fails).
  Status Begin();
  // ROLLBACK when a transaction is open (its status; ok when none is); tells the observer.
  Status Rollback();
  // Queues the jobs with their result slots; false (nothing queued) when stopping.
  bool Enqueue(std::vector<WriteJob>& jobs, Status* results, Completion* completion);
  void Loop();
  void RunBatch(std::vector<Pending>& batch);
  // Inside the open transaction: finds the batch's distinct blobs and inserts an index row
  // for each new one (INSERT OR IGNORE: under the write lock, so also across processes),
  // planning where its bytes go. Jobs with a malformed sha get InvalidArgument and are marked
  // not runnable. A non-ok result means the transaction can no longer be committed.
  Status PlanBlobs(std::vector<Pending>& batch, std::vector<bool>& runnable, BlobPlan& plan);
  // After plan.writes ran: fails (and marks not runnable) the jobs whose blob could not be
  // written, and lists the blobs that were. Returns whether every write succeeded.
  bool CollectBlobResults(std::vector<Pending>& batch, std::vector<bool>& runnable,
                          const BlobPlan& plan, std::vector<WrittenBlob>& written);
  // Inserts the index rows of blobs written earlier in this batch (after a rollback).
  Status ReinsertBlobRows(const std::vector<WrittenBlob>& written);
  // Runs the runnable jobs in order. Without savepoints it stops at the first failing job
  // and returns false (the caller rolls back and reruns with savepoints); with them, each
  // failure is undone alone. Sets `fatal` when the transaction can no longer be committed.
  bool RunJobs(std::vector<Pending>& batch, const std::vector<bool>& runnable, bool with_savepoints,
               Status& fatal);
  // Runs one job in its savepoint. Returns the job's status; sets `fatal` when the enclosing
  // transaction can no longer be committed.
  Status RunJobInSavepoint(Pending& pending, Status& fatal);
  Status ExecCached(const char* sql);

  const std::unique_ptr<Db> db_;  // used only by the writer thread after Start
  BlobStore* const blobs_;
  TransactionObserver* const observer_;  // may be null
  std::unique_ptr<Helper> helper_;       // writes blob bytes while the writer thread runs SQL
  const size_t max_batch_;
  std::atomic<int64_t> transactions_committed_{0};

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;  // guarded by mu_
  bool stopping_ = false;      // guarded by mu_
  std::thread thread_;
};

}  // namespace tinyloop::store::internal
