// tinyloop server
#include <csignal>
#include <cstdio>

#include "api/api_server.h"
#include "base/log.h"
#include "commands.h"
#include "local_context.h"
#include "service/job_worker.h"

namespace tinyloop::app {
void AddServerCommand(CLI::App& app, int* exit_code) {
  struct Args {
    std::string data_dir, host = "127.0.0.1";
    int port = 4800, ingestion_port = 4810, threads = 8;
    double max_body_mb = 128;
    bool verbose = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd =
      app.add_subcommand("server",
                         "Serve the REST API, dashboard and metrics on --port and the Edge Impulse "
                         "ingestion API on --ingestion-port (SQLite + blob folder in --data-dir)");
  cmd->add_option("--data-dir", args->data_dir, "Data folder (created if missing)")->required();
  cmd->add_option("--port", args->port, "REST API / Studio-API / dashboard port")
      ->capture_default_str();
  cmd->add_option("--ingestion-port", args->ingestion_port, "Ingestion port (-1: none)")
      ->capture_default_str();
  cmd->add_option("--host", args->host, "Address to listen on")->capture_default_str();
  cmd->add_option("--max-body-mb", args->max_body_mb, "Largest request body accepted (MB)")
      ->capture_default_str();
  cmd->add_option("--threads", args->threads,
                  "Worker threads for the routes that may block (ingestion runs on the event "
                  "loops)")
      ->capture_default_str();
  cmd->add_flag("--verbose", args->verbose, "Log every request");
  cmd->callback([args, exit_code] {
    if (args->verbose) SetLogLevel(LogLevel::kDebug);
    BlockStopSignals();

    auto ctx = LocalContext::Open(args->data_dir);
    if (!ctx.ok()) return void(*exit_code = Fail(ctx.status()));
    api::ApiServerOptions options;
    options.host = args->host;
    options.port = args->port;
    options.ingestion_port = args->ingestion_port;
    options.worker_threads = args->threads;
    options.max_body_bytes = static_cast<size_t>(args->max_body_mb * 1024 * 1024);
    // The training worker runs the jobs the API queues; it lives as long as the server.
    service::JobWorkerOptions worker_options;
    // Without the runner, eim compile jobs fail saying why; everything else works.
    if (auto runner = FindEimRunner(); runner.ok()) worker_options.eim_runner = *runner;
    service::JobWorker worker(*(*ctx)->store, worker_options);
    (*ctx)->training->SetJobQueuedCallback([&worker] { worker.Notify(); });
    if (Status st = worker.Start(); !st.ok()) return void(*exit_code = Fail(st));
    api::ApiServer server(*(*ctx)->services, options);
    if (Status st = server.Start(); !st.ok()) return void(*exit_code = Fail(st));
    // The one readiness line tests and scripts wait for (stdout, flushed).
    std::printf(
        "listening on http://%s:%d (API, dashboard, metrics) and http://%s:%d "
        "(ingestion); data in %s\n",
        args->host.c_str(), server.port(), args->host.c_str(), server.ingestion_port(),
        args->data_dir.c_str());
    std::fflush(stdout);
    WaitForStopSignal();
    TL_LOG(kInfo) << "stopping";
    server.Stop();
    worker.Stop();
  });
}

}  // namespace tinyloop::app
