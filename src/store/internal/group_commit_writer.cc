#include "store/internal/group_commit_writer.h"

#include <exception>
#include <system_error>

namespace tinyloop::store::internal {

// Counts down the jobs of one Execute call; the caller waits for zero.
class GroupCommitWriter::Completion {
 public:
  explicit Completion(size_t jobs) : remaining_(jobs) {}

  void Done() {
    // Notify under the lock: the waiter destroys this object as soon as it sees zero.
    std::lock_guard<std::mutex> lock(mu_);
    if (--remaining_ == 0) cv_.notify_all();
  }

  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return remaining_ == 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  size_t remaining_;
};

StatusOr<std::unique_ptr<GroupCommitWriter>> GroupCommitWriter::Start(std::unique_ptr<Db> db,
                                                                      BlobStore* blobs,
                                                                      int max_batch) {
  if (max_batch < 1) {
    return InvalidArgumentError("max_batch must be at least 1, got " + std::to_string(max_batch));
  }
  std::unique_ptr<GroupCommitWriter> writer(new GroupCommitWriter(std::move(db), blobs, max_batch));
  try {
    writer->thread_ = std::thread([w = writer.get()] { w->Loop(); });
  } catch (const std::system_error& e) {
    return InternalError(std::string("cannot start the store writer thread: ") + e.what());
  }
  return writer;
}

GroupCommitWriter::~GroupCommitWriter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

size_t GroupCommitWriter::queued_jobs() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

std::vector<Status> GroupCommitWriter::Execute(std::vector<WriteJob> jobs) {
  std::vector<Status> results(jobs.size());
  if (jobs.empty()) return results;
  Completion completion(jobs.size());
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      for (Status& r : results) r = UnavailableError("the store is shutting down");
      return results;
    }
    for (size_t i = 0; i < jobs.size(); ++i) {
      queue_.push_back(Pending{std::move(jobs[i]), &results[i], &completion});
    }
  }
  cv_.notify_one();
  completion.Wait();
  return results;
}

Status GroupCommitWriter::Execute(WriteJob job) {
  std::vector<WriteJob> jobs;
  jobs.push_back(std::move(job));
  return std::move(Execute(std::move(jobs))[0]);
}

void GroupCommitWriter::Loop() {
  std::vector<Pending> batch;
  batch.reserve(max_batch_);
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and every queued job is done
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    RunBatch(batch);
    for (Pending& p : batch) p.completion->Done();
    batch.clear();
  }
}

Status GroupCommitWriter::ExecCached(const char* sql) {
  TL_ASSIGN_OR_RETURN(Statement stmt, db_->Prepare(sql));
  return stmt.Run();
}

void GroupCommitWriter::RunBatch(std::vector<Pending>& batch) {
  // Blobs first and durable before the rows that name them can commit: a committed sample
  // never points at a missing body. A failed transaction only leaves unreferenced blobs.
  std::vector<BlobStore::PendingBlob> blobs;
  for (const Pending& p : batch) {
    if (p.job.blob) blobs.push_back(*p.job.blob);
  }
  std::vector<bool> runnable(batch.size(), true);
  if (!blobs.empty()) {
    const Status blob_status = blobs_->PutBatch(blobs);
    if (!blob_status.ok()) {
      for (size_t i = 0; i < batch.size(); ++i) {
        if (!batch[i].job.blob) continue;
        *batch[i].result = blob_status.WithPrefix("storing sample body");
        runnable[i] = false;
      }
    }
  }
  bool any = false;
  for (bool r : runnable) any = any || r;
  if (!any) return;

  Status fatal = ExecCached("BEGIN IMMEDIATE");
  for (size_t i = 0; i < batch.size() && fatal.ok(); ++i) {
    if (runnable[i]) *batch[i].result = RunJob(batch[i], fatal);
  }
  if (fatal.ok()) {
    fatal = ExecCached("COMMIT");
    if (fatal.ok()) {
      ++transactions_committed_;
      return;
    }
  }
  if (db_->InTransaction()) (void)db_->Exec("ROLLBACK");
  for (size_t i = 0; i < batch.size(); ++i) {
    if (runnable[i]) *batch[i].result = fatal.WithPrefix("transaction failed");
  }
}

Status GroupCommitWriter::RunJob(Pending& pending, Status& fatal) {
  fatal = ExecCached("SAVEPOINT job");
  if (!fatal.ok()) return fatal;
  Status status;
  try {
    status = pending.job.apply(*db_);
  } catch (const std::exception& e) {
    status = InternalError(std::string("store write failed: ") + e.what());
  } catch (...) {
    status = InternalError("store write failed with an unknown exception");
  }
  if (!db_->InTransaction()) {
    // SQLite rolled back the whole transaction itself (e.g. disk full, I/O error).
    fatal = status.ok() ? InternalError("transaction rolled back by SQLite") : status;
    return fatal;
  }
  if (!status.ok()) {
    fatal = ExecCached("ROLLBACK TO job");
    if (!fatal.ok()) return fatal;
  }
  fatal = ExecCached("RELEASE job");
  if (!fatal.ok()) return fatal;
  return status;
}

}  // namespace tinyloop::store::internal
