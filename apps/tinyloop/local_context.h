// Wiring for commands that work on a data folder directly (server, project, key, offline
// ingest and reports): opens the SQLite store and builds the services over it.
#pragma once

#include <memory>
#include <string>

#include "api/metrics.h"
#include "api/routes.h"
#include "base/clock.h"
#include "base/status.h"
#include "service/ingest_service.h"
#include "service/projects.h"
#include "service/sample_service.h"
#include "service/training_service.h"
#include "store/metadata_store.h"

namespace tinyloop::app {

struct LocalContext {
  std::unique_ptr<store::MetadataStore> store;
  std::unique_ptr<service::ProjectService> projects;
  std::unique_ptr<service::IngestService> ingest;
  std::unique_ptr<service::SampleService> samples;
  std::unique_ptr<service::TrainingService> training;
  api::Metrics metrics;
  std::unique_ptr<api::Services> services;

  // Opens (creating if needed) the store in `data_dir`.
  static StatusOr<std::unique_ptr<LocalContext>> Open(const std::string& data_dir);
};

// Blocks SIGINT and SIGTERM in the calling thread and every thread it starts later (call
// before starting servers), so WaitForStopSignal can receive them; ignores SIGPIPE.
void BlockStopSignals();
// Blocks until SIGINT or SIGTERM arrives (after BlockStopSignals).
void WaitForStopSignal();

// The .eim runner program (tinyloop-eim-runner): TINYLOOP_EIM_RUNNER, else beside this
// binary. NotFound / FailedPrecondition saying how to get it otherwise.
StatusOr<std::string> FindEimRunner();

// Prints "tinyloop: <message>" to stderr and returns exit code 1 (2 for usage errors).
int Fail(const Status& status);

}  // namespace tinyloop::app
