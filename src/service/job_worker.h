// The server's job worker: one thread that claims queued jobs from the store and runs them.
// A train job builds the recordings of the job's dataset version, runs impulse::TrainImpulse
// with a progress sink that persists progress (stage and epoch figures, at most every 500 ms),
// stores the model's files as blobs and the model row. A compile job writes a stored model's
// files to a private folder, runs model::CompileModel for its target and stores the artifact's
// files as blobs with the resource report in the job's result. Either way the job ends
// succeeded — or failed with the reason, leaving nothing half-stored. Part of src/service.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "base/json.h"
#include "base/status.h"
#include "store/metadata_store.h"

namespace tinyloop::service {

struct JobWorkerOptions {
  // How often the worker looks for queued jobs without a Notify (jobs queued by another
  // process). Default 2000 ms.
  int poll_ms = 2000;
  // Least time between two progress writes of one job during training. Default 500 ms.
  int progress_interval_ms = 500;
  int threads = 2;  // libtorch threads per job
  // The .eim runner program (tinyloop-eim-runner) compile jobs of target eim append the model
  // to; empty: such jobs fail saying so.
  std::string eim_runner;
};

// Limits on what a compile job stores (a generated folder holds sources, not build outputs).
inline constexpr size_t kMaxArtifactFiles = 1000;
inline constexpr int64_t kMaxArtifactBytes = int64_t{256} << 20;

// Thread-safe: Notify may be called from any thread; Start and Stop from one thread. Borrows
// the store, which must outlive the worker. Stop (and the destructor) cancels the job in
// progress at its next training epoch (it fails with "interrupted: server stopped ...") and
// joins the thread.
class JobWorker {
 public:
  JobWorker(store::MetadataStore& store, JobWorkerOptions options = {});
  ~JobWorker();
  JobWorker(const JobWorker&) = delete;
  JobWorker& operator=(const JobWorker&) = delete;

  // Marks jobs a previous process left running as failed ("interrupted: server restarted"),
  // then starts the thread. Store errors of that update.
  Status Start();
  void Stop();
  // Wakes the worker to look for queued jobs now.
  void Notify();

  // Runs one claimed job to its end (succeeded or failed); what the thread does per job.
  // Exposed for tests that want no thread.
  void RunJob(const store::Job& job);

 private:
  void Loop();
  // Trains and stores the model; the job is still running when this returns an error.
  Status Train(const store::Job& job);
  // Compiles the job's model for params.target and stores the artifact; same contract.
  Status Compile(const store::Job& job);

  store::MetadataStore& store_;
  const JobWorkerOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;            // guarded by mu_
  bool notified_ = false;            // guarded by mu_
  std::atomic<bool> cancel_{false};  // set by Stop, read by the training's epoch callback
  std::thread thread_;
};

}  // namespace tinyloop::service
