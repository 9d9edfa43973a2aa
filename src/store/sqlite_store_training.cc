// SqliteStore's training methods (metadata_store.h, "Training"): blobs for model files and
// dataset values, dataset versions, impulses, jobs and models. Kept apart from
// sqlite_store.cc so the sample path stays small; the SQL is in internal/training_queries.cc.
#include <exception>
#include <string>
#include <unordered_set>
#include <utility>

#include "base/crypto.h"
#include "store/blob_store.h"
#include "store/internal/group_commit_writer.h"
#include "store/internal/queries.h"
#include "store/internal/reader_pool.h"
#include "store/internal/training_queries.h"
#include "store/sqlite_store.h"

namespace tinyloop::store {

using internal::Db;
using internal::WriteJob;

namespace {

template <typename Fn>
auto Read(internal::ReaderPool& pool, Fn&& fn) -> decltype(fn(std::declval<Db&>())) {
  try {
    internal::ReaderPool::Lease lease = pool.Acquire();
    return fn(lease.db());
  } catch (const std::exception& e) {
    return InternalError(std::string("store read failed: ") + e.what());
  }
}

// Runs `apply` as one write job (one transaction) and turns exceptions into Internal.
Status Write(internal::GroupCommitWriter& writer, std::function<Status(Db&)> apply) {
  try {
    return writer.Execute(WriteJob{std::nullopt, std::move(apply)});
  } catch (const std::exception& e) {
    return InternalError(std::string("store write failed: ") + e.what());
  }
}

}  // namespace

StatusOr<std::vector<std::string>> SqliteStore::PutBlobs(const std::vector<std::string>& blobs) {
  std::vector<std::string> names;
  names.reserve(blobs.size());
  std::vector<WriteJob> jobs;
  std::unordered_set<std::string> seen;
  for (const std::string& bytes : blobs) {
    names.push_back(Sha256Hex(bytes));
    if (!seen.insert(names.back()).second) continue;
    // The job only carries the blob: the writer indexes it in the job's transaction.
    jobs.push_back(
        WriteJob{BlobStore::PendingBlob{names.back(), bytes}, [](Db&) { return OkStatus(); }});
  }
  try {
    for (Status& status : writer_->Execute(std::move(jobs))) TL_RETURN_IF_ERROR(status);
  } catch (const std::exception& e) {
    return InternalError(std::string("store write failed: ") + e.what());
  }
  return names;
}

StatusOr<std::string> SqliteStore::GetBlob(const std::string& sha256) {
  if (!IsValidSha256Hex(sha256)) {
    return InvalidArgumentError("blob name must be 64 lower-case hex characters");
  }
  TL_ASSIGN_OR_RETURN(const std::optional<BlobLocation> location, Read(*readers_, [&](Db& db) {
                        return internal::SelectBlobLocation(db, sha256);
                      }));
  if (!location) return NotFoundError("blob " + sha256 + " not found");
  StatusOr<std::string> bytes = blobs_->Read(sha256, &*location);
  if (!bytes.ok() && bytes.status().code() != StatusCode::kDataLoss) {
    return DataLossError("blob " + sha256 + " is unavailable: " + bytes.status().message());
  }
  return bytes;
}

StatusOr<DatasetVersion> SqliteStore::CreateDatasetVersion(DatasetVersion version) {
  version.created_ms = clock_->NowMillis();
  TL_RETURN_IF_ERROR(Write(*writer_, [&](Db& db) -> Status {
    TL_ASSIGN_OR_RETURN(version.id, internal::InsertDatasetVersion(db, version));
    return OkStatus();
  }));
  version.sample_count = static_cast<int64_t>(version.samples.size());
  return version;
}

StatusOr<std::vector<DatasetVersion>> SqliteStore::ListDatasetVersions(int64_t project_id) {
  return Read(*readers_, [&](Db& db) { return internal::SelectDatasetVersions(db, project_id); });
}

StatusOr<DatasetVersion> SqliteStore::GetDatasetVersion(int64_t project_id, int64_t id) {
  return Read(*readers_,
              [&](Db& db) { return internal::SelectDatasetVersion(db, project_id, id); });
}

StatusOr<ImpulseRecord> SqliteStore::CreateImpulse(ImpulseRecord impulse) {
  impulse.created_ms = clock_->NowMillis();
  TL_RETURN_IF_ERROR(Write(*writer_, [&](Db& db) -> Status {
    TL_ASSIGN_OR_RETURN(impulse.id, internal::InsertImpulse(db, impulse));
    return OkStatus();
  }));
  return impulse;
}

StatusOr<std::vector<ImpulseRecord>> SqliteStore::ListImpulses(int64_t project_id) {
  return Read(*readers_, [&](Db& db) { return internal::SelectImpulses(db, project_id); });
}

StatusOr<ImpulseRecord> SqliteStore::GetImpulse(int64_t project_id, int64_t id) {
  return Read(*readers_, [&](Db& db) { return internal::SelectImpulse(db, project_id, id); });
}

StatusOr<Job> SqliteStore::CreateJob(Job job) {
  job.created_ms = clock_->NowMillis();
  job.status = "queued";
  TL_RETURN_IF_ERROR(Write(*writer_, [&](Db& db) -> Status {
    TL_ASSIGN_OR_RETURN(job.id, internal::InsertJob(db, job));
    return OkStatus();
  }));
  return job;
}

StatusOr<std::vector<Job>> SqliteStore::ListJobs(int64_t project_id) {
  return Read(*readers_, [&](Db& db) { return internal::SelectJobs(db, project_id); });
}

StatusOr<Job> SqliteStore::GetJob(int64_t project_id, int64_t id) {
  return Read(*readers_, [&](Db& db) { return internal::SelectJob(db, project_id, id); });
}

StatusOr<std::optional<Job>> SqliteStore::ClaimNextJob() {
  std::optional<Job> claimed;
  const int64_t now = clock_->NowMillis();
  TL_RETURN_IF_ERROR(Write(*writer_, [&](Db& db) -> Status {
    TL_ASSIGN_OR_RETURN(claimed, internal::ClaimNextJob(db, now));
    return OkStatus();
  }));
  return claimed;
}

Status SqliteStore::UpdateJobProgress(int64_t job_id, const Json& progress) {
  return Write(*writer_, [&](Db& db) { return internal::UpdateRunningJob(db, job_id, progress); });
}

Status SqliteStore::FailJob(int64_t job_id, const std::string& error) {
  const int64_t now = clock_->NowMillis();
  return Write(*writer_, [&](Db& db) { return internal::FailRunningJob(db, job_id, error, now); });
}

Status SqliteStore::FinishJob(int64_t job_id, const Json& result, const Json& progress) {
  const int64_t now = clock_->NowMillis();
  return Write(*writer_, [&](Db& db) {
    return internal::SucceedRunningJob(db, job_id, result, progress, now);
  });
}

StatusOr<int64_t> SqliteStore::FailRunningJobs(const std::string& error) {
  int64_t count = 0;
  const int64_t now = clock_->NowMillis();
  TL_RETURN_IF_ERROR(Write(*writer_, [&](Db& db) -> Status {
    TL_ASSIGN_OR_RETURN(count, internal::FailAllRunningJobs(db, error, now));
    return OkStatus();
  }));
  return count;
}

StatusOr<ModelRecord> SqliteStore::FinishJobWithModel(ModelRecord model, const Json& progress) {
  model.created_ms = clock_->NowMillis();
  TL_RETURN_IF_ERROR(Write(*writer_, [&](Db& db) -> Status {
    TL_ASSIGN_OR_RETURN(model.id, internal::InsertModelForJob(db, model, progress));
    return OkStatus();
  }));
  return model;
}

StatusOr<std::vector<ModelRecord>> SqliteStore::ListModels(int64_t project_id) {
  return Read(*readers_, [&](Db& db) { return internal::SelectModels(db, project_id); });
}

StatusOr<ModelRecord> SqliteStore::GetModel(int64_t project_id, int64_t id) {
  return Read(*readers_, [&](Db& db) { return internal::SelectModel(db, project_id, id); });
}

}  // namespace tinyloop::store
