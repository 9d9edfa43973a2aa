// tinyloop train DATA_DIR --out MODEL_DIR [--impulse impulse.json] [--seed N] [--json]
// tinyloop train --server URL --api-key K --project ID [--impulse F] [--seed N] [--json]
#include <unistd.h>

#include <cmath>
#include <cstdio>

#include "base/json.h"
#include "commands.h"
#include "eval/metrics.h"
#include "impulse/pipeline.h"
#include "local_context.h"
#include "train_remote.h"

namespace tinyloop::app {
namespace {

// Progress on stderr: stage lines, and one line per epoch (redrawn in place on a terminal).
void PrintProgress(const impulse::ProgressEvent& e, bool tty) {
  if (!e.epoch) {
    std::fprintf(stderr, "%s%s: %s\n", tty ? "\r\033[K" : "", e.stage.c_str(), e.message.c_str());
    return;
  }
  const train::EpochMetrics& m = *e.epoch;
  std::fprintf(stderr, "%sepoch %d/%d  loss %.4f", tty ? "\r\033[K" : "", m.epoch, e.max_epochs,
               m.train_loss);
  if (!std::isnan(m.validation_loss)) std::fprintf(stderr, "  val_loss %.4f", m.validation_loss);
  if (!std::isnan(m.validation_accuracy)) {
    std::fprintf(stderr, "  val_acc %.3f", m.validation_accuracy);
  }
  std::fprintf(stderr, tty ? "" : "\n");
  std::fflush(stderr);
}

// Runs the job on the server and prints what the offline form prints. Returns the exit code.
template <typename Args>
int TrainRemote(const Args& args) {
  RemoteTrainOptions options;
  options.server = args.server;
  options.api_key = args.api_key;
  options.project = args.project;
  options.impulse_file = args.impulse_file;
  options.seed = args.seed;
  auto model = TrainOnServer(options);
  if (!model.ok()) return Fail(model.status());
  const Json& m = *model;
  std::printf("impulse: %s\n", m.value("impulse", std::string()).c_str());
  std::printf("accuracy %.1f %% on %lld test windows, F1 macro %.3f\n",
              100 * m.value("accuracy", 0.0), m.value("samples", 0LL), m.value("f1_macro", 0.0));
  std::printf("model %lld: %s\n", m.value("model_id", 0LL),
              m.value("model_dir", std::string()).c_str());
  if (args.json) {
    Json out;
    for (const char* key : {"accuracy", "accuracy_ci95", "f1_macro", "labels", "confusion_matrix",
                            "samples", "anomaly_auc", "model_dir", "model_id", "job_id",
                            "dataset_id", "impulse", "train_seconds"}) {
      if (m.contains(key)) out[key] = m[key];
    }
    std::printf("%s\n", DumpJson(out).c_str());
  }
  std::fflush(stdout);
  return 0;
}

}  // namespace

void AddTrainCommand(CLI::App& app, int* exit_code) {
  struct Args {
    std::string data_dir, out, impulse_file, group_by = "file", server, api_key;
    int64_t project = 0;
    uint64_t seed = 1;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "train",
      "Train and evaluate an impulse (windowing + DSP + neural network, optional "
      "anomaly block) on a folder of labelled recordings, or as a job on a server's "
      "project (--server); picks the impulse from the data unless --impulse is given");
  cmd->add_option("DATA_DIR", args->data_dir,
                  "Folder with training/<label>/ and testing/<label>/, or <label>/ folders");
  cmd->add_option("--out", args->out, "Model folder to write");
  cmd->add_option("--server", args->server,
                  "Train on a server instead, e.g. http://127.0.0.1:4800 (needs --project)");
  cmd->add_option("--api-key", args->api_key, "API key (with --server)")
      ->envname("TINYLOOP_API_KEY");
  cmd->add_option("--project", args->project, "Project id (with --server)");
  cmd->add_option("--impulse", args->impulse_file, "impulse.json to use instead of picking one");
  cmd->add_option("--seed", args->seed, "Seed of splits and training")->capture_default_str();
  cmd->add_option("--group-by", args->group_by,
                  "Keep these together in one split: file, device or speaker")
      ->check(CLI::IsMember({"file", "device", "speaker"}))
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "Print the headline metrics as one JSON line last");
  cmd->callback([args, exit_code] {
    if (!args->server.empty()) return void(*exit_code = TrainRemote(*args));
    if (args->data_dir.empty() || args->out.empty()) {
      return void(*exit_code = Fail(InvalidArgumentError(
                      "DATA_DIR and --out are required (or --server, --api-key and --project)")));
    }
    impulse::TrainRequest req;
    req.data_dir = args->data_dir;
    req.out_dir = args->out;
    req.seed = args->seed;
    req.group_by = args->group_by == "device"    ? impulse::GroupBy::kDevice
                   : args->group_by == "speaker" ? impulse::GroupBy::kSpeaker
                                                 : impulse::GroupBy::kFile;
    if (!args->impulse_file.empty()) {
      auto config = impulse::ReadImpulseConfig(args->impulse_file);
      if (!config.ok()) return void(*exit_code = Fail(config.status()));
      req.impulse = *config;
    }
    const bool tty = isatty(STDERR_FILENO) != 0;
    auto result = impulse::TrainImpulse(
        req, [tty](const impulse::ProgressEvent& e) { PrintProgress(e, tty); });
    if (tty) std::fprintf(stderr, "\r\033[K");
    if (!result.ok()) return void(*exit_code = Fail(result.status()));
    const eval::ClassificationReport& report = result->classification;
    if (!args->json) std::printf("%s", eval::ToText(report).c_str());
    std::printf("impulse: %s\n", result->impulse_description.c_str());
    std::printf("accuracy %.1f %% (95 %% CI %.1f-%.1f) on %lld test windows, F1 macro %.3f\n",
                100 * report.accuracy, 100 * report.accuracy_ci95.lo, 100 * report.accuracy_ci95.hi,
                static_cast<long long>(report.samples), report.f1_macro);
    std::printf("int8 model: accuracy %.1f %% (%+.1f points vs float32)\n",
                100 * result->int8_classification.accuracy,
                100 * (result->int8_classification.accuracy - report.accuracy));
    if (result->anomaly) std::printf("anomaly ROC AUC %.3f\n", result->anomaly->roc_auc);
    std::printf("trained in %.1f s (%d epochs, best %d); model card: %s\n", result->train_seconds,
                result->epochs_run, result->best_epoch, result->model_card_path.c_str());
    if (args->json) {
      Json out = impulse::HeadlineJson(report, result->anomaly, result->model_dir);
      out["int8_accuracy"] = result->int8_classification.accuracy;
      out["train_seconds"] = result->train_seconds;
      out["model_card"] = result->model_card_path;
      out["dataset_version"] = result->dataset_version["id"];
      out["impulse"] = result->impulse_description;
      std::printf("%s\n", DumpJson(out).c_str());
    }
    std::fflush(stdout);
  });
}

}  // namespace tinyloop::app
