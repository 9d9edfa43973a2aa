// `tinyloop train --server URL --api-key K --project ID`: submits a train job to a running
// server (native API: impulse, train, job polling) and follows it with a progress bar.
#pragma once

#include <cstdint>
#include <string>

#include "base/json.h"
#include "base/status.h"

namespace tinyloop::app {

struct RemoteTrainOptions {
  std::string server;  // e.g. "http://127.0.0.1:4800"
  std::string api_key;
  int64_t project = 0;
  std::string impulse_file;  // impulse.json to use; empty: the server picks one
  uint64_t seed = 1;
  bool progress = true;  // progress on stderr
};

// Creates an impulse, starts a job on a new dataset version, waits for it and returns the
// headline of the stored model: accuracy, accuracy_ci95, f1_macro, labels, confusion_matrix,
// samples, model_id, job_id, dataset_id and model_dir (the model's URL on the server).
// Unavailable when the server cannot be reached; the server's error (with its message) for a
// refused request; Internal "training job N failed: <reason>" for a failed job.
StatusOr<Json> TrainOnServer(const RemoteTrainOptions& options);

}  // namespace tinyloop::app
