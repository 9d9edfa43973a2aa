// The `tinyloop` subcommands. Each Add* registers its subcommand(s) on the CLI11 app; the
// callback stores the exit code in *exit_code. main.cc only wires them together.
#pragma once

#include <CLI/CLI.hpp>

namespace tinyloop::app {

void AddProjectCommands(CLI::App& app, int* exit_code);  // project create/list, key create
void AddServerCommand(CLI::App& app, int* exit_code);    // server
void AddIngestCommand(CLI::App& app, int* exit_code);    // ingest
void AddDataCommands(CLI::App& app, int* exit_code);     // data report, data schema
void AddSimulateCommand(CLI::App& app, int* exit_code);  // simulate
void AddDemoCommand(CLI::App& app, int* exit_code);      // demo
void AddTrainCommand(CLI::App& app, int* exit_code);     // train
void AddEvalCommand(CLI::App& app, int* exit_code);      // eval
void AddRunCommand(CLI::App& app, int* exit_code);       // run (one inference of a .tflite)
void AddCompileCommand(CLI::App& app, int* exit_code);   // compile

}  // namespace tinyloop::app
