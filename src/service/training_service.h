// Training use cases of a project: dataset versions, impulses, train jobs and the models they
// store, as plain structs (no HTTP, no SQL). Jobs are only queued here; JobWorker
// (job_worker.h) runs them. Authorization is the caller's job (ProjectService).
// Thread-safe: the store is, and the only other state is the wake-up callback set before use.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/status.h"
#include "service/datasets.h"
#include "store/metadata_store.h"

namespace tinyloop::service {

inline constexpr size_t kMaxImpulseNameBytes = 100;

// What StartTraining queued.
struct TrainStarted {
  store::Job job;
  store::DatasetVersion dataset;  // without samples
};

class TrainingService {
 public:
  // `store` must outlive the service.
  explicit TrainingService(store::MetadataStore& store) : store_(store) {}

  // Called (from the caller's thread) after each job is queued, e.g. JobWorker::Notify.
  // Set once before the service is shared between threads.
  void SetJobQueuedCallback(std::function<void()> callback) { on_queued_ = std::move(callback); }

  // A new version of the project's current labelled samples (datasets.h); `options` as in
  // DatasetOptionsFromJson. InvalidArgument for bad options, FailedPrecondition without
  // labelled samples.
  StatusOr<store::DatasetVersion> CreateDatasetVersion(int64_t project_id, const Json& options);
  StatusOr<std::vector<store::DatasetVersion>> ListDatasetVersions(int64_t project_id);
  StatusOr<store::DatasetVersion> GetDatasetVersion(int64_t project_id, int64_t id);  // NotFound

  // `impulse`: an impulse.json object (impulse/impulse_config.h), or null, {} or "auto" to pick
  // one from the data at train time. InvalidArgument naming the field for a bad config or name
  // (empty name = "impulse"; at most kMaxImpulseNameBytes).
  StatusOr<store::ImpulseRecord> CreateImpulse(int64_t project_id, const std::string& name,
                                               const Json& impulse);
  StatusOr<std::vector<store::ImpulseRecord>> ListImpulses(int64_t project_id);
  StatusOr<store::ImpulseRecord> GetImpulse(int64_t project_id, int64_t id);  // NotFound

  // Queues a train job of the impulse on dataset version `dataset_id`, or on a new version
  // snapshotted now when unset. NotFound for an unknown impulse or version.
  StatusOr<TrainStarted> StartTraining(int64_t project_id, int64_t impulse_id,
                                       std::optional<int64_t> dataset_id, uint64_t seed);
  StatusOr<std::vector<store::Job>> ListJobs(int64_t project_id);
  StatusOr<store::Job> GetJob(int64_t project_id, int64_t id);  // NotFound

  StatusOr<std::vector<store::ModelRecord>> ListModels(int64_t project_id);
  StatusOr<store::ModelRecord> GetModel(int64_t project_id, int64_t id);  // NotFound
  // The bytes of one of the model's files ("model.tflite", "evaluation.json", ...). NotFound
  // for an unknown model or file name.
  StatusOr<std::string> GetModelFile(int64_t project_id, int64_t model_id, const std::string& name);

  // Queues a compile job of model `model_id` for `target`, one of model/compile.h's
  // CompileTargets(). InvalidArgument naming the target and the choices; NotFound for an
  // unknown model.
  StatusOr<store::Job> StartCompile(int64_t project_id, int64_t model_id,
                                    const std::string& target);
  // The model's compile jobs, newest first; a succeeded one's result names its artifact files
  // and holds the resource report. NotFound for an unknown model.
  StatusOr<std::vector<store::Job>> ListCompileJobs(int64_t project_id, int64_t model_id);
  // The bytes of file `name` of the artifact of succeeded compile job `job_id` of the model.
  // NotFound for an unknown model, job or file; FailedPrecondition when the job has not
  // succeeded (yet).
  StatusOr<std::string> GetArtifactFile(int64_t project_id, int64_t model_id, int64_t job_id,
                                        const std::string& name);

 private:
  store::MetadataStore& store_;
  std::function<void()> on_queued_;
};

}  // namespace tinyloop::service
