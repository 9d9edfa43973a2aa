#include "store/internal/group_commit_writer.h"

#include <algorithm>
#include <exception>
#include <string_view>
#include <system_error>
#include <unordered_map>

#include "store/internal/queries.h"

namespace tinyloop::store::internal {
namespace {

// Batches with fewer runnable jobs write their blobs on the writer thread: there is too little
// SQL to overlap with for the hand-over to the helper thread to pay.
constexpr size_t kMinJobsToOverlapBlobWrites = 4;

// Runs a job's apply; exceptions become Internal.
Status RunApply(WriteJob& job, Db& db) {
  try {
    return job.apply(db);
  } catch (const std::exception& e) {
    return InternalError(std::string("store write failed: ") + e.what());
  } catch (...) {
    return InternalError("store write failed with an unknown exception");
  }
}

// Runs a job's find_blob; exceptions become Internal.
StatusOr<std::optional<BlobLocation>> RunFindBlob(const WriteJob& job, Db& db) {
  try {
    return job.find_blob(db);
  } catch (const std::exception& e) {
    return InternalError(std::string("store write failed: ") + e.what());
  }
}

}  // namespace

// Counts down the jobs of one Execute call; Done() is called once per job on the writer thread.
class GroupCommitWriter::Completion {
 public:
  virtual ~Completion() = default;
  virtual void Done() = 0;
};

// Execute: the caller waits for zero.
class GroupCommitWriter::BlockingCompletion : public Completion {
 public:
  explicit BlockingCompletion(size_t jobs) : remaining_(jobs) {}

  void Done() override {
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

// ExecuteAsync: owns the results; at zero it hands them to the callback and deletes itself.
// Only the writer thread calls Done, so the count needs no lock.
class GroupCommitWriter::CallbackCompletion : public Completion {
 public:
  CallbackCompletion(size_t jobs, std::function<void(std::vector<Status>)> done)
      : results(jobs), remaining_(jobs), done_(std::move(done)) {}

  void Done() override {
    if (--remaining_ > 0) return;
    std::function<void(std::vector<Status>)> done = std::move(done_);
    std::vector<Status> out = std::move(results);
    delete this;
    done(std::move(out));
  }

  std::vector<Status> results;

 private:
  size_t remaining_;
  std::function<void(std::vector<Status>)> done_;
};

// Runs one task at a time on its own thread. The writer thread hands it the batch's blob
// writes, so that their fdatasync overlaps with the batch's SQL.
class GroupCommitWriter::Helper {
 public:
  Helper() : thread_([this] { Loop(); }) {}
  ~Helper() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  // Precondition: the previous task was waited for.
  void Start(std::function<void()> task) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      task_ = std::move(task);
      done_ = false;
    }
    cv_.notify_all();
  }

  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return done_; });
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return stopping_ || task_ != nullptr; });
      if (task_ == nullptr) return;  // stopping with nothing to do
      std::function<void()> task = std::move(task_);
      task_ = nullptr;
      lock.unlock();
      task();  // tasks catch their own exceptions
      lock.lock();
      done_ = true;
      cv_.notify_all();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::function<void()> task_;  // guarded by mu_
  bool done_ = true;            // guarded by mu_
  bool stopping_ = false;       // guarded by mu_
  std::thread thread_;          // last: starts once the members above exist
};

GroupCommitWriter::GroupCommitWriter(std::unique_ptr<Db> db, BlobStore* blobs, int max_batch,
                                     TransactionObserver* observer)
    : db_(std::move(db)),
      blobs_(blobs),
      observer_(observer),
      max_batch_(static_cast<size_t>(max_batch)) {}

StatusOr<std::unique_ptr<GroupCommitWriter>> GroupCommitWriter::Start(
    std::unique_ptr<Db> db, BlobStore* blobs, int max_batch, TransactionObserver* observer) {
  if (max_batch < 1) {
    return InvalidArgumentError("max_batch must be at least 1, got " + std::to_string(max_batch));
  }
  std::unique_ptr<GroupCommitWriter> writer(
      new GroupCommitWriter(std::move(db), blobs, max_batch, observer));
  try {
    writer->helper_ = std::make_unique<Helper>();
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

bool GroupCommitWriter::Enqueue(std::vector<WriteJob>& jobs, Status* results,
                                Completion* completion) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return false;
    for (size_t i = 0; i < jobs.size(); ++i) {
      queue_.push_back(Pending{std::move(jobs[i]), &results[i], completion});
    }
  }
  cv_.notify_one();
  return true;
}

std::vector<Status> GroupCommitWriter::Execute(std::vector<WriteJob> jobs) {
  std::vector<Status> results(jobs.size());
  if (jobs.empty()) return results;
  BlockingCompletion completion(jobs.size());
  if (!Enqueue(jobs, results.data(), &completion)) {
    for (Status& r : results) r = UnavailableError("the store is shutting down");
    return results;
  }
  completion.Wait();
  return results;
}

void GroupCommitWriter::ExecuteAsync(std::vector<WriteJob> jobs,
                                     std::function<void(std::vector<Status>)> done) {
  if (jobs.empty()) {
    done({});
    return;
  }
  auto* completion = new CallbackCompletion(jobs.size(), std::move(done));
  if (!Enqueue(jobs, completion->results.data(), completion)) {
    for (Status& r : completion->results) r = UnavailableError("the store is shutting down");
    for (size_t i = 0; i < jobs.size(); ++i) completion->Done();  // the last one deletes it
  }
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

Status GroupCommitWriter::Begin() {
  TL_RETURN_IF_ERROR(ExecCached("BEGIN IMMEDIATE"));
  if (observer_ == nullptr) return OkStatus();
  Status status = observer_->OnBegin(*db_);
  if (!status.ok()) (void)Rollback();
  return status;
}

Status GroupCommitWriter::Rollback() {
  const Status status = db_->InTransaction() ? db_->Exec("ROLLBACK") : OkStatus();
  if (observer_ != nullptr) observer_->OnRollback();
  return status;
}

void GroupCommitWriter::RunBatch(std::vector<Pending>& batch) {
  std::vector<bool> runnable(batch.size(), true);
  BlobPlan plan;
  Status fatal = Begin();
  // Blob index rows first, inside the transaction: a committed sample never points at a blob
  // without a row, and the rows tell which blobs are new.
  if (fatal.ok()) fatal = PlanBlobs(batch, runnable, plan);
  size_t runnable_count = static_cast<size_t>(std::count(runnable.begin(), runnable.end(), true));

  // The new blobs' bytes are written and synced while the jobs run (on the helper thread when
  // there is enough SQL to overlap with); COMMIT waits for them below, so they are durable
  // before the rows that name them.
  const bool overlap = plan.writes && runnable_count >= kMinJobsToOverlapBlobWrites;
  const auto write_blobs = [&plan] {
    try {
      plan.results = plan.writes->Write();
    } catch (const std::exception&) {
      plan.results.clear();  // CollectBlobResults fails every blob without a result
    }
  };
  if (overlap) {
    helper_->Start(write_blobs);
  } else if (plan.writes) {
    write_blobs();
  }
  // Jobs rarely fail, so they run without a savepoint each (two statements per job saved).
  // A lone job gets its savepoint at once (nothing to redo then).
  bool clean = true;
  if (fatal.ok() && runnable_count > 0) {
    clean = RunJobs(batch, runnable, /*with_savepoints=*/runnable_count == 1, fatal);
  }
  if (overlap) helper_->Wait();

  std::vector<WrittenBlob> written;
  const bool blobs_ok = CollectBlobResults(batch, runnable, plan, written);
  if (fatal.ok() && (!clean || !blobs_ok)) {
    // A job failed and its partial writes cannot be undone alone, or jobs ran whose blob
    // could not be stored: start over with what succeeded and a savepoint per job.
    fatal = Rollback();
    runnable_count = static_cast<size_t>(std::count(runnable.begin(), runnable.end(), true));
    if (fatal.ok() && runnable_count == 0) return;
    if (fatal.ok()) fatal = Begin();
    if (fatal.ok()) fatal = ReinsertBlobRows(written);
    if (fatal.ok()) RunJobs(batch, runnable, /*with_savepoints=*/true, fatal);
  } else if (fatal.ok()) {
    int64_t bytes = 0;
    for (const WrittenBlob& blob : written) bytes += blob.location.length;
    fatal = AddBlobTotals(*db_, static_cast<int64_t>(written.size()), bytes);
  }
  if (fatal.ok() && runnable_count == 0) {
    (void)Rollback();
    return;
  }
  if (fatal.ok()) {
    fatal = ExecCached("COMMIT");
    if (fatal.ok()) {
      ++transactions_committed_;
      if (observer_ != nullptr) observer_->OnCommit();
      return;
    }
  }
  (void)Rollback();
  for (size_t i = 0; i < batch.size(); ++i) {
    if (runnable[i]) *batch[i].result = fatal.WithPrefix("transaction failed");
  }
}

Status GroupCommitWriter::PlanBlobs(std::vector<Pending>& batch, std::vector<bool>& runnable,
                                    BlobPlan& plan) {
  // A blob repeated in the batch is stored once (indexed and unindexed ones apart).
  plan.blob_of_job.assign(batch.size(), kNoBlob);
  std::unordered_map<std::string_view, size_t> index_of[2];  // [indexed]
  for (size_t i = 0; i < batch.size(); ++i) {
    const WriteJob& job = batch[i].job;
    if (!job.blob) continue;
    const BlobStore::PendingBlob& blob = *job.blob;
    if (!IsValidSha256Hex(blob.sha256)) {
      *batch[i].result = InvalidArgumentError("blob sha256 must be 64 lower-case hex characters");
      runnable[i] = false;
      continue;
    }
    if (!job.index_blob && job.blob_location == nullptr) {
      *batch[i].result = InvalidArgumentError("an unindexed blob needs a blob_location");
      runnable[i] = false;
      continue;
    }
    const auto [it, inserted] = index_of[job.index_blob].emplace(blob.sha256, plan.blobs.size());
    if (inserted) {
      plan.blobs.push_back(&blob);
      plan.indexed.push_back(job.index_blob);
      plan.first_job.push_back(i);
    }
    plan.blob_of_job[i] = it->second;
  }
  if (plan.blobs.empty()) return OkStatus();

  BlobStore::WriteBatch writes = blobs_->NewWriteBatch();
  std::vector<BlobLocation> unindexed_at(plan.blobs.size());
  for (size_t b = 0; b < plan.blobs.size(); ++b) {
    if (!plan.indexed[b]) {
      const WriteJob& job = batch[plan.first_job[b]].job;
      std::optional<BlobLocation> stored;
      if (job.find_blob) {
        TL_ASSIGN_OR_RETURN(stored, RunFindBlob(job, *db_));
      }
      if (stored) {
        unindexed_at[b] = std::move(*stored);
      } else {
        unindexed_at[b] = writes.Add(*plan.blobs[b]);
        plan.added.push_back(b);
      }
      continue;
    }
    const BlobLocation& location = writes.Add(*plan.blobs[b]);
    TL_ASSIGN_OR_RETURN(const bool is_new,
                        InsertBlobLocation(*db_, plan.blobs[b]->sha256, location));
    if (is_new) {
      plan.added.push_back(b);
    } else {
      writes.RemoveLast();
    }
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    const size_t b = plan.blob_of_job[i];
    if (b != kNoBlob && !plan.indexed[b]) *batch[i].job.blob_location = unindexed_at[b];
  }
  if (writes.size() > 0) plan.writes.emplace(std::move(writes));
  return OkStatus();
}

bool GroupCommitWriter::CollectBlobResults(std::vector<Pending>& batch, std::vector<bool>& runnable,
                                           const BlobPlan& plan,
                                           std::vector<WrittenBlob>& written) {
  if (!plan.writes) return true;
  std::vector<Status> blob_status(plan.blobs.size());
  bool all_ok = true;
  for (size_t k = 0; k < plan.added.size(); ++k) {
    // No result at all: the write never ran (the batch failed before it).
    const Status status =
        k < plan.results.size() ? plan.results[k] : InternalError("sample body was not written");
    if (status.ok()) {
      const size_t b = plan.added[k];
      written.push_back(
          WrittenBlob{plan.blobs[b]->sha256, plan.writes->location(k), plan.indexed[b]});
    } else {
      blob_status[plan.added[k]] = status.WithPrefix("storing sample body");
      all_ok = false;
    }
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    const size_t b = plan.blob_of_job[i];
    if (b == kNoBlob || blob_status[b].ok()) continue;
    *batch[i].result = blob_status[b];
    runnable[i] = false;
  }
  return all_ok;
}

Status GroupCommitWriter::ReinsertBlobRows(const std::vector<WrittenBlob>& written) {
  int64_t count = 0;
  int64_t bytes = 0;
  for (const WrittenBlob& blob : written) {
    // Another process may have indexed the same blob meanwhile; then our bytes stay unused.
    bool is_new = true;
    if (blob.indexed) {
      TL_ASSIGN_OR_RETURN(is_new, InsertBlobLocation(*db_, blob.sha256, blob.location));
    }
    if (is_new) {
      ++count;
      bytes += blob.location.length;
    }
  }
  return AddBlobTotals(*db_, count, bytes);
}

bool GroupCommitWriter::RunJobs(std::vector<Pending>& batch, const std::vector<bool>& runnable,
                                bool with_savepoints, Status& fatal) {
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!runnable[i]) continue;
    if (with_savepoints) {
      *batch[i].result = RunJobInSavepoint(batch[i], fatal);
      if (!fatal.ok()) return false;
      continue;
    }
    Status status = RunApply(batch[i].job, *db_);
    if (!db_->InTransaction()) {
      // SQLite rolled back the whole transaction itself (e.g. disk full, I/O error).
      fatal = status.ok() ? InternalError("transaction rolled back by SQLite") : status;
      return false;
    }
    if (!status.ok()) return false;
    *batch[i].result = OkStatus();
  }
  return true;
}

Status GroupCommitWriter::RunJobInSavepoint(Pending& pending, Status& fatal) {
  fatal = ExecCached("SAVEPOINT job");
  if (!fatal.ok()) return fatal;
  Status status = RunApply(pending.job, *db_);
  if (!db_->InTransaction()) {
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
