// tinyloop compile MODEL_DIR|FILE.tflite --target tflite|host|cpp-lib|cortex-m4|eim --out PATH
// [--json]: the CLI over model::CompileModel (model/compile.h). With --json the last stdout line
// is the resource report plus "model_file" (model_int8.tflite when a MODEL_DIR has one and the
// target deploys to a device).
#include <cstdio>

#include "base/json.h"
#include "commands.h"
#include "local_context.h"
#include "model/compile.h"

namespace tinyloop::app {

void AddCompileCommand(CLI::App& app, int* exit_code) {
  struct Args {
    std::string model, target, out, example_input;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  std::vector<std::string> names;
  std::string help = "Target:";
  for (const model::CompileTarget& t : model::CompileTargets()) {
    names.push_back(t.name);
    help += std::string("\n  ") + t.name + ": " + t.what;
  }
  auto* cmd = app.add_subcommand(
      "compile",
      "Compile a model (.tflite or a trained MODEL_DIR) for a target and report its "
      "arena, weights, flash, MACs and op counts");
  cmd->add_option("MODEL", args->model,
                  "MODEL_DIR (model_int8.tflite for host, cpp-lib, cortex-m4 and eim when "
                  "present, else model.tflite) or a .tflite file")
      ->required();
  cmd->add_option("--target", args->target, help)->required()->check(CLI::IsMember(names));
  cmd->add_option("--out", args->out, "Output file (tflite) or folder (other targets)")->required();
  cmd->add_option("--example-input", args->example_input,
                  "cortex-m4: raw input tensor the example firmware runs on (default: the "
                  "input zero point everywhere)");
  cmd->add_flag("--json", args->json, "Print the resource report as one JSON line last");
  cmd->callback([args, exit_code] {
    model::CompileRequest request;
    request.model = args->model;
    request.target = args->target;
    request.out = args->out;
    request.example_input = args->example_input;
    if (args->target == "eim") {
      auto runner = FindEimRunner();
      if (!runner.ok()) return void(*exit_code = Fail(runner.status()));
      request.eim_runner = *runner;
    }
    auto result = model::CompileModel(request);
    if (!result.ok()) return void(*exit_code = Fail(result.status()));
    if (!result->note.empty()) std::fprintf(stderr, "%s\n", result->note.c_str());
    const model::ResourceReport& report = result->report;
    if (args->json) {
      std::printf("%s\n", DumpJson(model::CompileResultJson(*result)).c_str());
      return;
    }
    std::printf("%s (%s) -> %s: arena %llu B, weights %llu B, flash %llu B%s, %llu MACs\n",
                args->target.c_str(), result->model_file.c_str(), args->out.c_str(),
                static_cast<unsigned long long>(report.arena_bytes),
                static_cast<unsigned long long>(report.weights_bytes),
                static_cast<unsigned long long>(report.flash_bytes),
                report.flash_measured ? " (arm-none-eabi-size text+data)" : " (estimate)",
                static_cast<unsigned long long>(report.macs));
  });
}

}  // namespace tinyloop::app
