// tinyloop eval MODEL_DIR DATA_DIR [--json]
#include <cstdio>

#include "base/json.h"
#include "commands.h"
#include "eval/metrics.h"
#include "impulse/pipeline.h"
#include "local_context.h"

namespace tinyloop::app {

void AddEvalCommand(CLI::App& app, int* exit_code) {
  struct Args {
    std::string model_dir, data_dir;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "eval",
      "Evaluate a trained model folder (from `tinyloop train`) on any labelled folder: "
      "confusion matrix, per-class and per-slice metrics, calibration, anomaly ROC");
  cmd->add_option("MODEL_DIR", args->model_dir, "Model folder written by `tinyloop train`")
      ->required();
  cmd->add_option("DATA_DIR", args->data_dir, "Labelled folder (same layouts as train)")
      ->required();
  cmd->add_flag("--json", args->json, "Print the headline metrics as one JSON line last");
  cmd->callback([args, exit_code] {
    auto result = impulse::EvaluateImpulse(args->model_dir, args->data_dir);
    if (!result.ok()) return void(*exit_code = Fail(result.status()));
    const eval::ClassificationReport& report = result->classification;
    if (args->json) {
      Json out = impulse::HeadlineJson(report, result->anomaly, result->model_dir);
      std::printf("%s\n", DumpJson(out).c_str());
      return;
    }
    std::printf("%s", eval::ToText(report).c_str());
    if (result->anomaly) std::printf("%s", eval::ToText(*result->anomaly).c_str());
  });
}

}  // namespace tinyloop::app
