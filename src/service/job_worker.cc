#include "service/job_worker.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "base/clock.h"
#include "base/crypto.h"
#include "base/log.h"
#include "impulse/pipeline.h"
#include "model/compile.h"
#include "service/datasets.h"

namespace tinyloop::service {
namespace fs = std::filesystem;

namespace {

Json NumberOrNull(double v) { return std::isnan(v) ? Json() : Json(v); }

// Turns pipeline events into the job's progress JSON and writes it: at once when the stage
// changes, during training at most every `interval_ms` (the newest figures are written with
// the next stage change). Progress writes that fail are logged, not fatal: the job goes on.
class ProgressWriter {
 public:
  ProgressWriter(store::MetadataStore& store, int64_t job_id, int interval_ms)
      : store_(store), job_id_(job_id), interval_ns_(int64_t{interval_ms} * 1000000) {
    progress_ = {{"stage", "starting"},    {"message", ""},   {"epoch", 0},
                 {"max_epochs", 0},        {"loss", nullptr}, {"val_loss", nullptr},
                 {"val_accuracy", nullptr}};
  }

  void OnEvent(const impulse::ProgressEvent& e) {
    const bool new_stage = progress_["stage"] != e.stage;
    progress_["stage"] = e.stage;
    if (!e.message.empty()) progress_["message"] = e.message;
    if (e.epoch) {
      progress_["epoch"] = e.epoch->epoch;
      progress_["max_epochs"] = e.max_epochs;
      progress_["loss"] = NumberOrNull(e.epoch->train_loss);
      progress_["val_loss"] = NumberOrNull(e.epoch->validation_loss);
      progress_["val_accuracy"] = NumberOrNull(e.epoch->validation_accuracy);
    }
    const int64_t now = MonotonicNanos();
    if (new_stage || now - last_write_ns_ >= interval_ns_) Write(now);
  }

  const Json& progress() const { return progress_; }

 private:
  void Write(int64_t now) {
    last_write_ns_ = now;
    if (Status st = store_.UpdateJobProgress(job_id_, progress_); !st.ok()) {
      TL_LOG(kWarning) << "job " << job_id_ << ": progress not saved: " << st.message();
    }
  }

  store::MetadataStore& store_;
  const int64_t job_id_;
  const int64_t interval_ns_;
  int64_t last_write_ns_ = 0;
  Json progress_;
};

// Removes a folder tree when it goes out of scope.
class ScopedDir {
 public:
  explicit ScopedDir(fs::path path) : path_(std::move(path)) {}
  ~ScopedDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

StatusOr<std::string> ReadWholeFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InternalError("cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  if (!in.good() && !in.eof()) return InternalError("cannot read " + path.string());
  return out.str();
}

Status WriteWholeFile(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return InternalError("cannot write " + path.string());
  return OkStatus();
}

// What a compile target writes: a file for tflite and eim, a folder for the others.
std::string ArtifactName(const std::string& target) {
  if (target == "tflite") return "model.tflite";
  if (target == "eim") return "model.eim";
  return target;
}

// Build outputs a generated folder may hold beside its sources: left out of the artifact.
bool IsBuildIntermediate(const fs::path& relative) {
  for (const fs::path& part : relative) {
    if (part == "CMakeFiles") return true;
  }
  const std::string ext = relative.extension().string();
  return ext == ".o" || ext == ".obj" || ext == ".d";
}

// The regular files of `artifact` (a file or a folder, walked in name order) as relative
// names and contents. FailedPrecondition beyond kMaxArtifactFiles or kMaxArtifactBytes.
Status CollectArtifact(const fs::path& artifact, std::vector<std::string>* names,
                       std::vector<std::string>* contents) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (fs::is_regular_file(artifact, ec)) {
    files.push_back(artifact.filename());
  } else {
    for (auto it = fs::recursive_directory_iterator(artifact, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file()) continue;
      const fs::path relative = fs::relative(it->path(), artifact);
      if (!IsBuildIntermediate(relative)) files.push_back(relative);
    }
    if (ec) return InternalError("cannot list " + artifact.string() + ": " + ec.message());
    std::sort(files.begin(), files.end());
  }
  if (files.size() > kMaxArtifactFiles) {
    return FailedPreconditionError("artifact has " + std::to_string(files.size()) +
                                   " files, more than the limit of " +
                                   std::to_string(kMaxArtifactFiles));
  }
  const fs::path base = fs::is_regular_file(artifact) ? artifact.parent_path() : artifact;
  int64_t total = 0;
  for (const fs::path& file : files) {
    TL_ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(base / file));
    total += static_cast<int64_t>(bytes.size());
    if (total > kMaxArtifactBytes) {
      return FailedPreconditionError("artifact is larger than the limit of " +
                                     std::to_string(kMaxArtifactBytes) + " bytes");
    }
    names->push_back(file.generic_string());
    contents->push_back(std::move(bytes));
  }
  return OkStatus();
}

}  // namespace

JobWorker::JobWorker(store::MetadataStore& store, JobWorkerOptions options)
    : store_(store), options_(options) {}

JobWorker::~JobWorker() { Stop(); }

Status JobWorker::Start() {
  TL_ASSIGN_OR_RETURN(const int64_t interrupted,
                      store_.FailRunningJobs("interrupted: server restarted"));
  if (interrupted > 0) {
    TL_LOG(kWarning) << interrupted << " job(s) left running by an earlier server marked failed";
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = false;
    notified_ = true;  // look for jobs queued before the start
  }
  cancel_ = false;
  thread_ = std::thread([this] { Loop(); });
  return OkStatus();
}

void JobWorker::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cancel_ = true;
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void JobWorker::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    notified_ = true;
  }
  cv_.notify_all();
}

void JobWorker::Loop() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(options_.poll_ms),
                   [this] { return stopping_ || notified_; });
      if (stopping_) return;
      notified_ = false;
    }
    // Drain the queue, checking for a stop between jobs.
    for (;;) {
      StatusOr<std::optional<store::Job>> job = store_.ClaimNextJob();
      if (!job.ok()) {
        TL_LOG(kWarning) << "cannot claim a job: " << job.status().message();
        break;
      }
      if (!job->has_value()) break;
      RunJob(**job);
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
    }
  }
}

void JobWorker::RunJob(const store::Job& job) {
  const bool compile = job.kind == "compile";
  if (compile) {
    TL_LOG(kInfo) << "job " << job.id << ": compiling model " << job.model_id << " for "
                  << job.params.value("target", "?");
  } else {
    TL_LOG(kInfo) << "job " << job.id << ": training impulse " << job.impulse_id
                  << " on dataset version " << job.dataset_version_id;
  }
  Status status;
  try {
    status = compile ? Compile(job) : Train(job);
  } catch (const std::exception& e) {
    status =
        InternalError(std::string(compile ? "compiling" : "training") + " failed: " + e.what());
  }
  if (status.ok()) {
    TL_LOG(kInfo) << "job " << job.id << ": succeeded";
    return;
  }
  const std::string reason =
      cancel_ ? "interrupted: server stopped (" + status.message() + ")" : status.message();
  TL_LOG(kInfo) << "job " << job.id << ": failed: " << reason;
  if (Status st = store_.FailJob(job.id, reason); !st.ok()) {
    TL_LOG(kError) << "job " << job.id << ": cannot record the failure: " << st.message();
  }
}

Status JobWorker::Train(const store::Job& job) {
  TL_ASSIGN_OR_RETURN(const store::ImpulseRecord impulse,
                      store_.GetImpulse(job.project_id, job.impulse_id));
  TL_ASSIGN_OR_RETURN(const store::DatasetVersion version,
                      store_.GetDatasetVersion(job.project_id, job.dataset_version_id));
  impulse::TrainRequest request;
  TL_ASSIGN_OR_RETURN(request.dataset, LoadDatasetVersion(store_, version));
  if (!impulse.config.is_null()) {
    TL_ASSIGN_OR_RETURN(request.impulse, impulse::ImpulseConfigFromJson(impulse.config));
  }
  request.seed = job.seed;
  request.threads = options_.threads;
  request.cancelled = [this] { return cancel_.load(); };
  request.validation_fraction = version.options.value("validation_fraction", 0.2);
  request.holdout_fraction = version.options.value("holdout_fraction", 0.2);
  // The pipeline writes the model directory into a private temporary folder; its files are
  // then stored as blobs, and only the model row makes them visible.
  std::error_code ec;
  const ScopedDir work(fs::temp_directory_path(ec) /
                       ("tinyloop-job-" + std::to_string(job.id) + "-" + RandomHex(8)));
  if (ec) return InternalError("no temporary folder: " + ec.message());
  request.out_dir = (work.path() / "model").string();

  ProgressWriter progress(store_, job.id, options_.progress_interval_ms);
  TL_ASSIGN_OR_RETURN(const impulse::TrainResult result,
                      impulse::TrainImpulse(
                          request, [&](const impulse::ProgressEvent& e) { progress.OnEvent(e); }));

  std::vector<std::string> names, contents;
  for (const auto& entry : fs::directory_iterator(request.out_dir, ec)) {
    if (!entry.is_regular_file()) continue;
    names.push_back(entry.path().filename().string());
  }
  if (ec) return InternalError("cannot list " + request.out_dir + ": " + ec.message());
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    TL_ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(work.path() / "model" / name));
    contents.push_back(std::move(bytes));
  }
  TL_ASSIGN_OR_RETURN(const std::vector<std::string> blobs, store_.PutBlobs(contents));

  store::ModelRecord model;
  model.project_id = job.project_id;
  model.impulse_id = job.impulse_id;
  model.dataset_version_id = job.dataset_version_id;
  model.job_id = job.id;
  model.seed = job.seed;
  model.headline = impulse::HeadlineJson(result.classification, result.anomaly, "");
  model.headline.erase("model_dir");
  model.headline["impulse"] = result.impulse_description;
  model.headline["epochs_run"] = result.epochs_run;
  model.headline["best_epoch"] = result.best_epoch;
  model.headline["train_seconds"] = result.train_seconds;
  for (size_t i = 0; i < names.size(); ++i) {
    model.files.push_back({names[i], blobs[i], static_cast<int64_t>(contents[i].size())});
  }
  Json final_progress = progress.progress();
  final_progress["stage"] = "done";
  final_progress["message"] = "model stored";
  return store_.FinishJobWithModel(std::move(model), final_progress).status();
}

Status JobWorker::Compile(const store::Job& job) {
  const std::string target = job.params.value("target", "");
  TL_ASSIGN_OR_RETURN(const store::ModelRecord model,
                      store_.GetModel(job.project_id, job.model_id));
  std::error_code ec;
  const ScopedDir work(fs::temp_directory_path(ec) /
                       ("tinyloop-job-" + std::to_string(job.id) + "-" + RandomHex(8)));
  if (ec) return InternalError("no temporary folder: " + ec.message());
  const fs::path model_dir = work.path() / "model";
  fs::create_directories(model_dir, ec);
  if (ec) return InternalError("cannot create " + model_dir.string() + ": " + ec.message());
  for (const store::ModelFile& file : model.files) {
    if (file.name.empty() || file.name.find('/') != std::string::npos || file.name[0] == '.') {
      return InternalError("model " + std::to_string(model.id) + " names a file '" + file.name +
                           "' that cannot be written");
    }
    TL_ASSIGN_OR_RETURN(const std::string bytes, store_.GetBlob(file.sha256));
    TL_RETURN_IF_ERROR(WriteWholeFile(model_dir / file.name, bytes));
  }
  Json progress = {{"stage", "compile"}, {"message", "compiling for " + target}};
  if (Status st = store_.UpdateJobProgress(job.id, progress); !st.ok()) {
    TL_LOG(kWarning) << "job " << job.id << ": progress not saved: " << st.message();
  }

  model::CompileRequest request;
  request.model = model_dir.string();
  request.target = target;
  request.out = (work.path() / ArtifactName(target)).string();
  request.eim_runner = options_.eim_runner;
  TL_ASSIGN_OR_RETURN(const model::CompileResult compiled, model::CompileModel(request));

  std::vector<std::string> names, contents;
  TL_RETURN_IF_ERROR(CollectArtifact(request.out, &names, &contents));
  TL_ASSIGN_OR_RETURN(const std::vector<std::string> blobs, store_.PutBlobs(contents));
  Json files = Json::array();
  for (size_t i = 0; i < names.size(); ++i) {
    files.push_back({{"name", names[i]},
                     {"sha256", blobs[i]},
                     {"size", static_cast<int64_t>(contents[i].size())}});
  }
  const Json result = {{"target", target},
                       {"model_file", compiled.model_file},
                       {"report", model::CompileResultJson(compiled)},
                       {"files", std::move(files)}};
  progress = {{"stage", "done"}, {"message", "artifact stored"}};
  return store_.FinishJob(job.id, result, progress);
}

}  // namespace tinyloop::service
