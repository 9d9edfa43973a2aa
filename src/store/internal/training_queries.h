// The SQL of the training tables (dataset versions, impulses, jobs, models) as free functions
// over one connection, like queries.h: writes run on the writer connection inside the
// caller's transaction, reads on a pooled read-only connection. Internal to src/store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "store/internal/sqlite_db.h"
#include "store/training_records.h"

namespace tinyloop::store::internal {

// --- Writes (writer connection).

// NotFound for an unknown project. Returns the new id; `version.created_ms` must be set.
StatusOr<int64_t> InsertDatasetVersion(Db& db, const DatasetVersion& version);
StatusOr<int64_t> InsertImpulse(Db& db, const ImpulseRecord& impulse);  // NotFound project
// NotFound for an unknown project, or an impulse / dataset version not of that project.
StatusOr<int64_t> InsertJob(Db& db, const Job& job);
// The oldest queued job, now running since `now_ms`; nullopt when none is queued.
StatusOr<std::optional<Job>> ClaimNextJob(Db& db, int64_t now_ms);
// FailedPrecondition when the job is not running (NotFound when it does not exist).
Status UpdateRunningJob(Db& db, int64_t job_id, const Json& progress);
Status FailRunningJob(Db& db, int64_t job_id, const std::string& error, int64_t now_ms);
// Marks running job `job_id` succeeded with `result` (jobs that store no model: compile).
Status SucceedRunningJob(Db& db, int64_t job_id, const Json& result, const Json& progress,
                         int64_t now_ms);
StatusOr<int64_t> FailAllRunningJobs(Db& db, const std::string& error, int64_t now_ms);
// Inserts the model and marks its job succeeded. FailedPrecondition when the job is not
// running. `model.created_ms` must be set.
StatusOr<int64_t> InsertModelForJob(Db& db, const ModelRecord& model, const Json& progress);

// --- Reads (any connection). NotFound for unknown ids.

StatusOr<std::vector<DatasetVersion>> SelectDatasetVersions(Db& db, int64_t project_id);
StatusOr<DatasetVersion> SelectDatasetVersion(Db& db, int64_t project_id, int64_t id);
StatusOr<std::vector<ImpulseRecord>> SelectImpulses(Db& db, int64_t project_id);
StatusOr<ImpulseRecord> SelectImpulse(Db& db, int64_t project_id, int64_t id);
StatusOr<std::vector<Job>> SelectJobs(Db& db, int64_t project_id);
StatusOr<Job> SelectJob(Db& db, int64_t project_id, int64_t id);
StatusOr<std::vector<ModelRecord>> SelectModels(Db& db, int64_t project_id);
StatusOr<ModelRecord> SelectModel(Db& db, int64_t project_id, int64_t id);

}  // namespace tinyloop::store::internal
