#include "service/training_service.h"

#include "impulse/impulse_config.h"
#include "model/compile.h"
#include "service/projects.h"

namespace tinyloop::service {

StatusOr<store::DatasetVersion> TrainingService::CreateDatasetVersion(int64_t project_id,
                                                                      const Json& options) {
  TL_ASSIGN_OR_RETURN(const DatasetOptions parsed, DatasetOptionsFromJson(options));
  return SnapshotDataset(store_, project_id, parsed);
}

StatusOr<std::vector<store::DatasetVersion>> TrainingService::ListDatasetVersions(
    int64_t project_id) {
  return store_.ListDatasetVersions(project_id);
}

StatusOr<store::DatasetVersion> TrainingService::GetDatasetVersion(int64_t project_id, int64_t id) {
  return store_.GetDatasetVersion(project_id, id);
}

StatusOr<store::ImpulseRecord> TrainingService::CreateImpulse(int64_t project_id,
                                                              const std::string& name,
                                                              const Json& impulse) {
  store::ImpulseRecord record;
  record.project_id = project_id;
  record.name = name.empty() ? "impulse" : name;
  TL_RETURN_IF_ERROR(ValidateName("name", record.name, kMaxImpulseNameBytes));
  const bool automatic = impulse.is_null() || (impulse.is_object() && impulse.empty()) ||
                         (impulse.is_string() && impulse == "auto");
  if (!automatic) {
    if (!impulse.is_object()) {
      return InvalidArgumentError("impulse must be an impulse.json object or \"auto\"");
    }
    // Its errors already name the field, as "impulse: dsp: ...".
    TL_ASSIGN_OR_RETURN(const impulse::ImpulseConfig config,
                        impulse::ImpulseConfigFromJson(impulse));
    record.config = impulse::ImpulseConfigToJson(config);
  }
  return store_.CreateImpulse(std::move(record));
}

StatusOr<std::vector<store::ImpulseRecord>> TrainingService::ListImpulses(int64_t project_id) {
  return store_.ListImpulses(project_id);
}

StatusOr<store::ImpulseRecord> TrainingService::GetImpulse(int64_t project_id, int64_t id) {
  return store_.GetImpulse(project_id, id);
}

StatusOr<TrainStarted> TrainingService::StartTraining(int64_t project_id, int64_t impulse_id,
                                                      std::optional<int64_t> dataset_id,
                                                      uint64_t seed) {
  // Checked first so that an unknown impulse does not leave a new dataset version behind.
  TL_RETURN_IF_ERROR(store_.GetImpulse(project_id, impulse_id).status());
  TrainStarted started;
  if (dataset_id) {
    TL_ASSIGN_OR_RETURN(started.dataset, store_.GetDatasetVersion(project_id, *dataset_id));
  } else {
    TL_ASSIGN_OR_RETURN(started.dataset, CreateDatasetVersion(project_id, Json()));
  }
  started.dataset.samples.clear();
  store::Job job;
  job.project_id = project_id;
  job.kind = "train";
  job.impulse_id = impulse_id;
  job.dataset_version_id = started.dataset.id;
  job.seed = seed;
  job.progress = {{"stage", "queued"}};
  TL_ASSIGN_OR_RETURN(started.job, store_.CreateJob(std::move(job)));
  if (on_queued_) on_queued_();
  return started;
}

StatusOr<std::vector<store::Job>> TrainingService::ListJobs(int64_t project_id) {
  return store_.ListJobs(project_id);
}

StatusOr<store::Job> TrainingService::GetJob(int64_t project_id, int64_t id) {
  return store_.GetJob(project_id, id);
}

StatusOr<std::vector<store::ModelRecord>> TrainingService::ListModels(int64_t project_id) {
  return store_.ListModels(project_id);
}

StatusOr<store::ModelRecord> TrainingService::GetModel(int64_t project_id, int64_t id) {
  return store_.GetModel(project_id, id);
}

StatusOr<std::string> TrainingService::GetModelFile(int64_t project_id, int64_t model_id,
                                                    const std::string& name) {
  TL_ASSIGN_OR_RETURN(const store::ModelRecord model, store_.GetModel(project_id, model_id));
  for (const store::ModelFile& file : model.files) {
    if (file.name == name) return store_.GetBlob(file.sha256);
  }
  std::string known;
  for (const store::ModelFile& file : model.files) known += (known.empty() ? "" : ", ") + file.name;
  return NotFoundError("model " + std::to_string(model_id) + " has no file '" + name +
                       "' (files: " + known + ")");
}

StatusOr<store::Job> TrainingService::StartCompile(int64_t project_id, int64_t model_id,
                                                   const std::string& target) {
  std::string choices;
  bool known = false;
  for (const model::CompileTarget& t : model::CompileTargets()) {
    choices += (choices.empty() ? "" : ", ") + std::string(t.name);
    known = known || target == t.name;
  }
  if (!known) {
    return InvalidArgumentError("target: '" + target + "' is not one of " + choices);
  }
  TL_ASSIGN_OR_RETURN(const store::ModelRecord model, store_.GetModel(project_id, model_id));
  store::Job job;
  job.project_id = project_id;
  job.kind = "compile";
  job.impulse_id = model.impulse_id;
  job.dataset_version_id = model.dataset_version_id;
  job.model_id = model.id;
  job.seed = model.seed;
  job.params = {{"target", target}};
  job.progress = {{"stage", "queued"}};
  TL_ASSIGN_OR_RETURN(store::Job queued, store_.CreateJob(std::move(job)));
  if (on_queued_) on_queued_();
  return queued;
}

StatusOr<std::vector<store::Job>> TrainingService::ListCompileJobs(int64_t project_id,
                                                                   int64_t model_id) {
  TL_RETURN_IF_ERROR(store_.GetModel(project_id, model_id).status());
  TL_ASSIGN_OR_RETURN(std::vector<store::Job> jobs, store_.ListJobs(project_id));
  std::vector<store::Job> compiles;
  for (store::Job& job : jobs) {
    if (job.kind == "compile" && job.model_id == model_id) compiles.push_back(std::move(job));
  }
  return compiles;
}

StatusOr<std::string> TrainingService::GetArtifactFile(int64_t project_id, int64_t model_id,
                                                       int64_t job_id, const std::string& name) {
  TL_ASSIGN_OR_RETURN(const store::Job job, store_.GetJob(project_id, job_id));
  if (job.kind != "compile" || job.model_id != model_id) {
    return NotFoundError("model " + std::to_string(model_id) + " has no compile job " +
                         std::to_string(job_id));
  }
  if (job.status != "succeeded") {
    return FailedPreconditionError("compile job " + std::to_string(job_id) + " is " + job.status +
                                   ", its artifact is not stored");
  }
  const Json files = job.result.value("files", Json::array());
  std::string known;
  for (const Json& file : files) {
    const std::string file_name = file.value("name", "");
    if (file_name == name) return store_.GetBlob(file.value("sha256", ""));
    known += (known.empty() ? "" : ", ") + file_name;
  }
  return NotFoundError("compile job " + std::to_string(job_id) + " has no file '" + name +
                       "' (files: " + known + ")");
}

}  // namespace tinyloop::service
