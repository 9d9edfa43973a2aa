#include "local_context.h"

#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

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

// The .eim runner program (src/impulse/eim/eim_main.cc) is built beside the tinyloop binary (and
// installed beside it); TINYLOOP_EIM_RUNNER overrides where it is found.
StatusOr<std::string> FindEimRunner() {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("TINYLOOP_EIM_RUNNER"); env != nullptr && *env != '\0') {
    if (fs::is_regular_file(env)) return std::string(env);
    return NotFoundError(std::string("TINYLOOP_EIM_RUNNER=") + env + " is not a file");
  }
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  const fs::path runner = self.parent_path() / "tinyloop-eim-runner";
  if (ec || !fs::is_regular_file(runner)) {
    return FailedPreconditionError("the .eim runner program tinyloop-eim-runner is not beside " +
                                   self.string() +
                                   " (build the tinyloop-eim-runner target, or set "
                                   "TINYLOOP_EIM_RUNNER)");
  }
  return runner.string();
}

}  // namespace tinyloop::app
