// tinyloop demo: the main job end to end on the embedded default (SQLite + blob folder).
// Starts the server in-process, creates a project, ingests recordings over the HTTP API,
// prints the data report, then trains and evaluates an impulse picked from the same recordings
// and prints the headline metrics and the model card path. Later issues add compiling and
// deploying.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "api/api_server.h"
#include "api/http_client.h"
#include "base/json.h"
#include "commands.h"
#include "impulse/pipeline.h"
#include "local_context.h"
#include "service/data_report.h"
#include "sim/dataset_writer.h"
#include "uploader.h"

#ifndef TINYLOOP_SOURCE_DIR
#define TINYLOOP_SOURCE_DIR "."
#endif

namespace tinyloop::app {
namespace {

namespace fs = std::filesystem;

// The real recordings used when ../shared is beside the repository (read in place).
// TINYLOOP_SHARED overrides where that folder is (set it to a missing path to force the
// simulator).
std::string FindSharedHar() {
  std::vector<fs::path> bases = {fs::path("../shared"),
                                 fs::path(TINYLOOP_SOURCE_DIR) / "../shared"};
  if (const char* env = std::getenv("TINYLOOP_SHARED"); env != nullptr) bases = {fs::path(env)};
  for (const fs::path& base : bases) {
    const fs::path har = base / "datasets/st_har_iotnode";
    std::error_code ec;
    if (fs::is_directory(har, ec)) return fs::weakly_canonical(har, ec).string();
  }
  return "";
}

std::string MakeTempDir(const std::string& prefix) {
  std::string pattern = (fs::temp_directory_path() / (prefix + "XXXXXX")).string();
  if (mkdtemp(pattern.data()) == nullptr) return "";
  return pattern;
}

struct DemoArgs {
  std::string data, data_dir;
  int port = 0, ingestion_port = -1;
  bool json = false, serve = false;
};

// Prints a step for a person; silent with --json except for the final object.
void Step(const DemoArgs& args, const std::string& text) {
  if (!args.json) std::printf("==> %s\n", text.c_str());
  std::fflush(stdout);
}

Status RunDemo(const DemoArgs& args) {
  // 1. Data: --data, else the real HAR recordings, else the simulator.
  std::string data = args.data, source = args.data;
  std::string simulated_dir;  // removed at the end: the demo leaves no temp data behind
  struct RemoveOnExit {
    const std::string& dir;
    ~RemoveOnExit() {
      std::error_code ec;
      if (!dir.empty()) fs::remove_all(dir, ec);
    }
  } remove_simulated{simulated_dir};
  std::string category = "training";
  if (data.empty()) {
    data = FindSharedHar();
    source = "st_har_iotnode";
    category = "split";  // folders are labels only: split 80/20 into training/testing
  }
  if (data.empty()) {
    data = MakeTempDir("tinyloop-sim-");
    if (data.empty()) return UnavailableError("cannot create a temporary folder");
    source = "simulator";
    simulated_dir = data;
    Step(args, "../shared not found: simulating ceiling-fan vibration recordings into " + data);
    TL_RETURN_IF_ERROR(sim::WriteDemoDataset(data, sim::DemoDatasetOptions{}));
  } else if (!fs::exists(data)) {
    return NotFoundError("--data folder not found: " + data);
  }

  // 2. Server on the embedded store.
  std::string data_dir = args.data_dir.empty() ? MakeTempDir("tinyloop-demo-") : args.data_dir;
  if (data_dir.empty()) return UnavailableError("cannot create a temporary data folder");
  TL_ASSIGN_OR_RETURN(auto ctx, LocalContext::Open(data_dir));
  api::ApiServerOptions options;
  options.port = args.port;
  options.ingestion_port = args.ingestion_port;
  api::ApiServer server(*ctx->services, options);
  TL_RETURN_IF_ERROR(server.Start());
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port());
  const std::string ingest_url = "http://127.0.0.1:" + std::to_string(server.ingestion_port());
  Step(args, "server listening on " + url + " (data in " + data_dir + ")");

  // 3. Project and key, then ingestion over HTTP (the Edge Impulse-compatible endpoint).
  TL_ASSIGN_OR_RETURN(auto created,
                      ctx->projects->CreateProject("demo-" + std::to_string(::getpid()), "demo"));
  Step(args, "project " + std::to_string(created.project.id) + " created; ingesting " + data);
  UploadOptions upload;
  upload.paths = {data};
  upload.category = category;
  upload.progress = !args.json;
  TL_ASSIGN_OR_RETURN(UploadSummary summary, UploadToServer(ingest_url, created.api_key, upload));
  if (summary.stored == 0) return InternalError("no sample was stored; see the errors above");

  // 4. The data report, fetched through the API like any client would.
  // (The client is dropped right away: an idle keep-alive connection would delay Stop.)
  TL_ASSIGN_OR_RETURN(auto client, api::HttpClient::Create(url));
  TL_ASSIGN_OR_RETURN(
      api::HttpResponse response,
      client->Get("/api/v1/projects/" + std::to_string(created.project.id) + "/data-report",
                  {{"x-api-key", created.api_key}}));
  client.reset();
  TL_ASSIGN_OR_RETURN(Json report, ParseJson(response.body));
  if (response.status != 200) return InternalError("data report failed: " + response.body);
  if (!args.json) {
    TL_ASSIGN_OR_RETURN(service::DataReport text, ctx->samples->Report(created.project.id));
    std::printf("\n%s\n", service::DataReportToText(text).c_str());
    std::printf("Dashboard: %s/  (API key %s)\n", url.c_str(), created.api_key.c_str());
    std::printf("Metrics:   %s/metrics\n", url.c_str());
  }

  // 5. An impulse picked from the data, trained and evaluated on held-out recordings.
  impulse::TrainRequest train;
  train.data_dir = data;
  train.out_dir = (fs::path(data_dir) / "models" / "demo").string();
  Step(args, "training an impulse picked from the data (model in " + train.out_dir + ")");
  const impulse::ProgressSink progress = [&args](const impulse::ProgressEvent& event) {
    if (!event.epoch && !event.message.empty()) Step(args, event.stage + ": " + event.message);
  };
  TL_ASSIGN_OR_RETURN(impulse::TrainResult trained, impulse::TrainImpulse(train, progress));
  const Json headline =
      impulse::HeadlineJson(trained.classification, trained.anomaly, trained.model_dir);
  if (!args.json) {
    const auto& report = trained.classification;
    std::printf("\nImpulse: %s\n", trained.impulse_description.c_str());
    std::printf(
        "Accuracy on held-out recordings: %.1f %% (95 %% CI %.1f-%.1f %%), F1 %.3f, %zu "
        "windows\n",
        100 * report.accuracy, 100 * report.accuracy_ci95.lo, 100 * report.accuracy_ci95.hi,
        report.f1_macro, static_cast<size_t>(report.samples));
    std::printf("int8 model (what a device runs): %.1f %%\n",
                100 * trained.int8_classification.accuracy);
    if (trained.anomaly) std::printf("Anomaly detection ROC AUC: %.3f\n", trained.anomaly->roc_auc);
    std::printf("Model card: %s\n\n", trained.model_card_path.c_str());
  }

  if (args.serve) {
    Step(args, "serving until Ctrl-C");
    WaitForStopSignal();
  } else if (!args.json) {
    std::error_code ec;
    const std::string self = fs::read_symlink("/proc/self/exe", ec).string();
    std::printf("To browse this data later: %s server --data-dir %s\n",
                self.empty() ? "tinyloop" : self.c_str(), data_dir.c_str());
  }
  server.Stop();

  Json figures = {{"samples_ingested", summary.stored},
                  {"files_failed", summary.failed},
                  {"findings_by_kind", report["findings_by_kind"]},
                  {"data_source", source},
                  {"data_dir", data_dir},
                  {"samples_by_label", report["by_label"]},
                  {"accuracy", headline["accuracy"]},
                  {"accuracy_ci95", headline["accuracy_ci95"]},
                  {"f1_macro", headline["f1_macro"]},
                  {"labels", headline["labels"]},
                  {"confusion_matrix", headline["confusion_matrix"]},
                  {"model_dir", trained.model_dir},
                  {"model_card", trained.model_card_path},
                  {"train_seconds", trained.train_seconds}};
  figures["int8_accuracy"] = trained.int8_classification.accuracy;
  if (headline.contains("anomaly_auc")) figures["anomaly_auc"] = headline["anomaly_auc"];
  std::printf("%s\n", DumpJson(figures).c_str());
  return OkStatus();
}

}  // namespace

void AddDemoCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<DemoArgs>();
  auto* cmd = app.add_subcommand(
      "demo",
      "Run the whole loop on the embedded default: start the server, ingest "
      "recordings (../shared's st_har_iotnode, the fan simulator, or --data DIR) over "
      "HTTP, print the data report, then train and evaluate an impulse picked from "
      "the data and print its metrics and model card");
  cmd->add_option("--data", args->data, "Folder of recordings to use instead");
  cmd->add_option("--data-dir", args->data_dir, "Server data folder (default: a new temp folder)");
  cmd->add_option("--port", args->port, "API port (0 = any free port)")->capture_default_str();
  cmd->add_option("--ingestion-port", args->ingestion_port, "Ingestion port (-1 = same as --port)")
      ->capture_default_str();
  cmd->add_flag("--serve", args->serve, "Keep the server running at the end (Ctrl-C stops it)");
  cmd->add_flag("--json", args->json, "Quiet; the last line is a JSON object of the figures");
  cmd->callback([args, exit_code] {
    if (args->serve) {
      BlockStopSignals();
    } else {
      std::signal(SIGPIPE, SIG_IGN);
    }
    if (Status st = RunDemo(*args); !st.ok()) *exit_code = Fail(st);
  });
}

}  // namespace tinyloop::app
