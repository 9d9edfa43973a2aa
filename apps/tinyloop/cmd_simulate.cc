// tinyloop simulate
#include <cstdio>

#include "commands.h"
#include "local_context.h"
#include "sim/dataset_writer.h"

namespace tinyloop::app {

void AddSimulateCommand(CLI::App& app, int* exit_code) {
  struct Args {
    std::string out;
    sim::DemoDatasetOptions options;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "simulate", "Write deterministic 3-axis vibration recordings of a ceiling fan (off, low, "
                  "medium, high) as Edge Impulse-style training/, testing/ and anomaly/ (coin on a blade) folders");
  cmd->add_option("--out", args->out, "Output folder")->required();
  cmd->add_option("--seed", args->options.seed, "Random seed")->capture_default_str();
  cmd->callback([args, exit_code] {
    if (Status st = sim::WriteDemoDataset(args->out, args->options); !st.ok()) {
      return void(*exit_code = Fail(st));
    }
    std::printf("wrote simulated fan recordings to %s\n", args->out.c_str());
  });
}

}  // namespace tinyloop::app
