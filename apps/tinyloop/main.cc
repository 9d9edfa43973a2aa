// tinyloop: one binary for the TinyML loop. main() only wires the subcommands together.
#include <CLI/CLI.hpp>

#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{
      "tinyloop: self-hosted MLOps for TinyML. Ingest sensor data (Edge Impulse compatible), "
      "check it, and see whether the right data is arriving.",
      "tinyloop"};
  app.require_subcommand(1);
  app.footer(
      "\nExamples:\n"
      "  tinyloop project create fan --data-dir ./data --json\n"
      "  tinyloop server --data-dir ./data --port 4800 --ingestion-port 4810\n"
      "  tinyloop ingest recordings/ --category split --server http://127.0.0.1:4810 "
      "--api-key ei_tl_...\n"
      "  tinyloop data report --data-dir ./data --project 1\n"
      "  tinyloop demo\n"
      "Run 'tinyloop SUBCOMMAND --help' for the options of each.");
  app.set_version_flag("--version", "tinyloop 0.1.0");
  int exit_code = 0;
  tinyloop::app::AddProjectCommands(app, &exit_code);
  tinyloop::app::AddServerCommand(app, &exit_code);
  tinyloop::app::AddIngestCommand(app, &exit_code);
  tinyloop::app::AddDataCommands(app, &exit_code);
  tinyloop::app::AddSimulateCommand(app, &exit_code);
  tinyloop::app::AddDemoCommand(app, &exit_code);
  tinyloop::app::AddTrainCommand(app, &exit_code);
  tinyloop::app::AddEvalCommand(app, &exit_code);
  tinyloop::app::AddRunCommand(app, &exit_code);
  tinyloop::app::AddCompileCommand(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return exit_code;
}
