// The single writer thread of the SQLite store: queued write jobs are committed in batches
// (group commit), each job in its own savepoint, after the batch's blobs are made durable.
// Internal to src/store.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "base/status.h"
#include "store/blob_store.h"
#include "store/internal/sqlite_db.h"

namespace tinyloop::store::internal {

// One unit of work with its own result.
struct WriteJob {
  // Stored in the blob store before the transaction that runs `apply`; the job fails without
  // running when storing it fails. Its bytes must stay valid until Execute returns.
  std::optional<BlobStore::PendingBlob> blob;
  // Runs on the writer thread inside "SAVEPOINT job"; a non-ok result rolls back only this
  // job's savepoint. Values it produces must be written to caller storage, which is safe to
  // read once Execute returned ok for this job (the batch committed). Exceptions it throws
  // become Internal.
  std::function<Status(Db&)> apply;
};

// Thread-safe: Execute may be called from any number of threads. Owns the writer connection
// and the thread; borrows the BlobStore, which must outlive it. The destructor finishes every
// queued job, then joins the thread.
class GroupCommitWriter {
 public:
  // Takes over `db` (read-write, PRAGMAs set, schema migrated). `max_batch` >= 1 caps the jobs
  // per transaction. Internal when the thread cannot be started.
  static StatusOr<std::unique_ptr<GroupCommitWriter>> Start(std::unique_ptr<Db> db,
                                                            BlobStore* blobs, int max_batch);
  ~GroupCommitWriter();
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  // Queues `jobs` together (in order, so they share as few transactions as possible) and
  // blocks until each has a result: ok only after the transaction holding it committed.
  // A job fails with its own error, or with the batch's error when BEGIN/COMMIT or the
  // savepoint machinery fails (then no job of that batch is stored).
  std::vector<Status> Execute(std::vector<WriteJob> jobs);
  Status Execute(WriteJob job);

  // Transactions committed so far, and jobs waiting for the writer (for tests and metrics).
  int64_t transactions_committed() const { return transactions_committed_.load(); }
  size_t queued_jobs() const;

 private:
  class Completion;
  struct Pending {
    WriteJob job;
    Status* result;
    Completion* completion;
  };

  GroupCommitWriter(std::unique_ptr<Db> db, BlobStore* blobs, int max_batch)
      : db_(std::move(db)), blobs_(blobs), max_batch_(static_cast<size_t>(max_batch)) {}
  void Loop();
  void RunBatch(std::vector<Pending>& batch);
  // Runs one job in its savepoint. Returns the job's status; sets `fatal` when the enclosing
  // transaction can no longer be committed.
  Status RunJob(Pending& pending, Status& fatal);
  Status ExecCached(const char* sql);

  const std::unique_ptr<Db> db_;  // used only by the writer thread after Start
  BlobStore* const blobs_;
  const size_t max_batch_;
  std::atomic<int64_t> transactions_committed_{0};

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;  // guarded by mu_
  bool stopping_ = false;      // guarded by mu_
  std::thread thread_;
};

}  // namespace tinyloop::store::internal
