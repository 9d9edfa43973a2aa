// tinyloop ingest FILES|DIR
#include <cstdio>

#include "base/json.h"
#include "commands.h"
#include "local_context.h"
#include "uploader.h"

namespace tinyloop::app {

Json SummaryJson(const UploadSummary& s) {
  return {{"files", s.files},     {"stored", s.stored},
          {"failed", s.failed},   {"skipped", s.skipped},
          {"errors", s.errors},   {"findings_by_kind", s.findings_by_kind}};
}

void AddIngestCommand(CLI::App& app, int* exit_code) {
  struct Args {
    UploadOptions upload;
    std::string label, server, api_key, data_dir;
    int64_t project = 0;
    bool json = false, quiet = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "ingest",
      "Ingest recordings (CSV, WAV, JSON/CBOR acquisition format, PNG/JPEG) from files or "
      "folders laid out as training/<label>/…, testing/<label>/… or <label>/…");
  cmd->add_option("paths", args->upload.paths, "Files and folders")->required();
  cmd->add_option("--label", args->label, "Label for every file (default: folder or file name)");
  cmd->add_option("--category", args->upload.category,
                  "training, testing, anomaly or split (80/20), where folders give none")
      ->capture_default_str();
  cmd->add_option("--server", args->server, "Server ingestion URL, e.g. http://127.0.0.1:4810");
  cmd->add_option("--api-key", args->api_key, "API key (with --server; or env TINYLOOP_API_KEY)")
      ->envname("TINYLOOP_API_KEY");
  cmd->add_option("--data-dir", args->data_dir, "Ingest into a local data folder instead");
  cmd->add_option("--project", args->project, "Project id (with --data-dir)");
  cmd->add_option("--interval-ms", args->upload.interval_ms,
                  "Sampling interval for CSV files without a time column");
  cmd->add_flag("--disallow-duplicates", args->upload.disallow_duplicates,
                "Refuse files whose values are already stored");
  cmd->add_flag("--json", args->json, "Print a JSON summary as the last line");
  cmd->add_flag("--quiet", args->quiet, "No progress line");
  cmd->callback([args, exit_code] {
    if (!args->label.empty()) args->upload.label = args->label;
    args->upload.progress = !args->quiet;
    StatusOr<UploadSummary> summary = InvalidArgumentError("unreachable");
    if (!args->server.empty()) {
      if (args->api_key.empty()) {
        return void(*exit_code = Fail(InvalidArgumentError("--api-key is required with --server")));
      }
      summary = UploadToServer(args->server, args->api_key, args->upload);
    } else if (!args->data_dir.empty()) {
      if (args->project <= 0) {
        return void(*exit_code = Fail(InvalidArgumentError("--project is required with --data-dir")));
      }
      auto ctx = LocalContext::Open(args->data_dir);
      if (!ctx.ok()) return void(*exit_code = Fail(ctx.status()));
      summary = IngestLocally(**ctx, args->project, args->upload);
    } else {
      return void(*exit_code = Fail(InvalidArgumentError("give --server URL or --data-dir DIR")));
    }
    if (!summary.ok()) return void(*exit_code = Fail(summary.status()));
    for (const auto& e : summary->errors) std::fprintf(stderr, "  failed: %s\n", e.c_str());
    if (args->json) std::printf("%s\n", DumpJson(SummaryJson(*summary)).c_str());
    if (summary->failed > 0) *exit_code = 1;
  });
}

}  // namespace tinyloop::app
