#include "local_context.h"

#include <pthread.h>

#include <csignal>
#include <cstdio>

#include "store/sqlite_store.h"

namespace tinyloop::app {

StatusOr<std::unique_ptr<LocalContext>> LocalContext::Open(const std::string& data_dir) {
  if (data_dir.empty()) return InvalidArgumentError("--data-dir is required");
  auto ctx = std::make_unique<LocalContext>();
  TL_ASSIGN_OR_RETURN(auto sqlite, store::SqliteStore::Open(data_dir, store::SqliteStoreOptions{}));
  ctx->store = std::move(sqlite);
  const Clock& clock = SystemClock::Get();
  ctx->projects = std::make_unique<service::ProjectService>(*ctx->store, clock);
  ctx->ingest = std::make_unique<service::IngestService>(*ctx->store, *ctx->projects, clock);
  ctx->samples = std::make_unique<service::SampleService>(*ctx->store, *ctx->ingest);
  ctx->training = std::make_unique<service::TrainingService>(*ctx->store);
  ctx->services = std::make_unique<api::Services>(api::Services{
      *ctx->projects, *ctx->ingest, *ctx->samples, *ctx->store, ctx->metrics, ctx->training.get()});
  return ctx;
}

namespace {
sigset_t StopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}
}  // namespace

void BlockStopSignals() {
  const sigset_t set = StopSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

void WaitForStopSignal() {
  const sigset_t set = StopSignals();
  int signal = 0;
  sigwait(&set, &signal);
}

int Fail(const Status& status) {
  std::fprintf(stderr, "tinyloop: %s\n", status.message().c_str());
  return status.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

}  // namespace tinyloop::app
