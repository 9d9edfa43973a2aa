// tinyloop compile MODEL_DIR|FILE.tflite --target tflite|host|cpp-lib|cortex-m4|eim --out PATH
// [--json]: one table of targets; each compiles the imported model and returns its resource
// report (model/resource_report.h), printed as the last stdout line with --json.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "base/json.h"
#include "commands.h"
#include "local_context.h"
#include "model/codegen_build.h"
#include "model/codegen_cpp.h"
#include "model/eim/eim_bundle.h"
#include "model/resource_report.h"
#include "model/tflite_export.h"
#include "model/tflite_import.h"

namespace tinyloop::app {
namespace {

namespace fs = std::filesystem;

struct CompileInput {
  model::Graph graph;
  model::CppLibraryOptions library;  // labels and DSP config from a MODEL_DIR
  std::vector<uint8_t> example_input;
  model::EimBundle eim;  // impulse.json, labels.txt, anomaly.json of a MODEL_DIR (model: graph)
};

StatusOr<std::string> ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot read " + path.string());
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// MODEL_DIR (model.tflite, optional labels.txt and impulse.json) or a .tflite file.
StatusOr<CompileInput> LoadModel(const std::string& model, const std::string& example_input) {
  CompileInput input;
  const bool is_dir = fs::is_directory(model);
  const fs::path file = is_dir ? fs::path(model) / "model.tflite" : fs::path(model);
  TL_ASSIGN_OR_RETURN(const std::string bytes, ReadText(file));
  TL_ASSIGN_OR_RETURN(
      input.graph,
      model::ImportTflite(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  if (is_dir) {
    if (auto labels = ReadText(fs::path(model) / "labels.txt"); labels.ok()) {
      std::istringstream lines(*labels);
      for (std::string l; std::getline(lines, l);) {
        if (!l.empty()) input.library.labels.push_back(l);
      }
    }
    const model::Tensor& out = input.graph.tensors[input.graph.outputs.at(0)];
    if (static_cast<int64_t>(input.library.labels.size()) != out.element_count()) {
      input.library.labels.clear();  // not a classifier head over these labels
    }
    if (auto impulse = ReadText(fs::path(model) / "impulse.json"); impulse.ok()) {
      input.library.dsp_config_json = *impulse;
      input.eim.impulse_json = *impulse;
    }
    if (auto labels = ReadText(fs::path(model) / "labels.txt"); labels.ok()) {
      input.eim.labels_txt = *labels;
    }
    if (auto anomaly = ReadText(fs::path(model) / "anomaly.json"); anomaly.ok()) {
      input.eim.anomaly_json = *anomaly;
    }
  }
  if (!example_input.empty()) {
    TL_ASSIGN_OR_RETURN(const std::string in, ReadText(example_input));
    input.example_input.assign(in.begin(), in.end());
  }
  return input;
}

StatusOr<model::ResourceReport> CompileTflite(const CompileInput& in, const fs::path& out) {
  TL_ASSIGN_OR_RETURN(const std::vector<uint8_t> bytes, model::ExportTflite(in.graph));
  std::ofstream file(out, std::ios::binary | std::ios::trunc);
  file.write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  file.close();
  if (!file) return InternalError("cannot write " + out.string());
  model::ResourceReport report = model::ComputeResourceReport(in.graph, "tflite");
  report.flash_bytes = bytes.size();  // the model file TFLM keeps in flash (code not included)
  return report;
}

StatusOr<model::ResourceReport> CompileCppLib(const CompileInput& in, const fs::path& out) {
  TL_ASSIGN_OR_RETURN(const model::CppLibrary lib, model::GenerateCppLibrary(in.graph, in.library));
  TL_RETURN_IF_ERROR(model::WriteCppLibrary(lib, out));
  model::ResourceReport report = model::ComputeResourceReport(in.graph, "cpp-lib");
  report.arena_bytes = lib.arena_bytes;
  report.flash_bytes = lib.constant_bytes + report.code_bytes_estimate;
  return report;
}

StatusOr<model::ResourceReport> CompileHost(const CompileInput& in, const fs::path& out) {
  TL_ASSIGN_OR_RETURN(const model::CppLibrary lib, model::GenerateCppLibrary(in.graph, in.library));
  TL_ASSIGN_OR_RETURN(const fs::path exe, model::BuildHostExample(lib, out));
  model::ResourceReport report = model::ComputeResourceReport(in.graph, "host");
  report.arena_bytes = lib.arena_bytes;
  report.flash_bytes = lib.constant_bytes + report.code_bytes_estimate;
  std::fprintf(stderr, "host example: %s INPUT.bin [OUTPUT.bin]\n", exe.c_str());
  return report;
}

StatusOr<model::ResourceReport> CompileCortexM4(const CompileInput& in, const fs::path& out) {
  TL_ASSIGN_OR_RETURN(const model::CppLibrary lib, model::GenerateCppLibrary(in.graph, in.library));
  TL_ASSIGN_OR_RETURN(const model::FirmwareBuild fw,
                      model::BuildCortexM4Firmware(lib, out, in.example_input));
  model::ResourceReport report = model::ComputeResourceReport(in.graph, "cortex-m4");
  report.arena_bytes = lib.arena_bytes;
  report.flash_bytes = fw.flash_bytes();
  report.flash_measured = true;
  report.ram_bytes = fw.ram_bytes();
  std::fprintf(stderr,
               "firmware: %s (run: qemu-system-arm -M mps2-an386 -nographic "
               "-semihosting-config enable=on,target=native -kernel %s)\n",
               fw.elf.c_str(), fw.elf.c_str());
  return report;
}

// The .eim runner program (src/model/eim/eim_main.cc) is built beside the tinyloop binary (and
// installed beside it); TINYLOOP_EIM_RUNNER overrides where it is found.
StatusOr<fs::path> FindEimRunner() {
  if (const char* env = std::getenv("TINYLOOP_EIM_RUNNER"); env != nullptr && *env != '\0') {
    if (fs::is_regular_file(env)) return fs::path(env);
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
  return runner;
}

// A copy of the runner program with the model bundle (model/eim/eim_bundle.h) appended.
StatusOr<model::ResourceReport> CompileEim(const CompileInput& in, const fs::path& out) {
  if (in.eim.impulse_json.empty()) {
    return InvalidArgumentError(
        "target eim needs a MODEL_DIR with impulse.json (the DSP and "
        "window of the impulse), not a bare .tflite file");
  }
  for (const std::string& label : in.library.labels) {
    if (label.find_first_of("{}") != std::string::npos) {
      return InvalidArgumentError("label '" + label +
                                  "' contains a brace, which Edge Impulse's "
                                  "runner clients cannot frame");
    }
  }
  TL_ASSIGN_OR_RETURN(const fs::path runner, FindEimRunner());
  TL_ASSIGN_OR_RETURN(const std::string program, ReadText(runner));
  model::EimBundle bundle = in.eim;
  TL_ASSIGN_OR_RETURN(bundle.model_tflite, model::ExportTflite(in.graph));
  const std::vector<uint8_t> appended = model::EncodeEimBundle(bundle);
  const fs::path tmp = out.string() + ".tmp";
  {
    std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
    file.write(program.data(), static_cast<std::streamsize>(program.size()));
    file.write(reinterpret_cast<const char*>(appended.data()),
               static_cast<std::streamsize>(appended.size()));
    file.close();
    if (!file) return InternalError("cannot write " + tmp.string());
  }
  std::error_code ec;
  fs::permissions(tmp,
                  fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                      fs::perms::others_read | fs::perms::others_exec,
                  ec);
  if (!ec) fs::rename(tmp, out, ec);
  if (ec) return InternalError("cannot write " + out.string() + ": " + ec.message());
  model::ResourceReport report = model::ComputeResourceReport(in.graph, "eim");
  report.flash_bytes = program.size() + appended.size();  // the whole executable
  return report;
}

struct Target {
  const char* name;
  const char* what;  // what --out names
  StatusOr<model::ResourceReport> (*compile)(const CompileInput&, const fs::path&);
};

// Add a target here: its name, what it writes, and the function that builds it.
constexpr Target kTargets[] = {
    {"tflite", "a .tflite file", CompileTflite},
    {"host", "a folder: the C++ library and its host example, built", CompileHost},
    {"cpp-lib", "a folder: the self-contained C++ library with CMake and host examples",
     CompileCppLib},
    {"cortex-m4",
     "a folder: the C++ library and Cortex-M4 firmware (cortex_m4/fw.elf) for QEMU "
     "mps2-an386",
     CompileCortexM4},
    {"eim",
     "a Linux x86-64 .eim executable (Edge Impulse runner protocol; needs a MODEL_DIR "
     "with impulse.json)",
     CompileEim},
};

}  // namespace

void AddCompileCommand(CLI::App& app, int* exit_code) {
  struct Args {
    std::string model, target, out, example_input;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  std::vector<std::string> names;
  std::string help = "Target:";
  for (const Target& t : kTargets) {
    names.push_back(t.name);
    help += std::string("\n  ") + t.name + ": " + t.what;
  }
  auto* cmd = app.add_subcommand(
      "compile",
      "Compile a model (.tflite or a trained MODEL_DIR) for a target and report its "
      "arena, weights, flash, MACs and op counts");
  cmd->add_option("MODEL", args->model, "MODEL_DIR (with model.tflite) or a .tflite file")
      ->required();
  cmd->add_option("--target", args->target, help)->required()->check(CLI::IsMember(names));
  cmd->add_option("--out", args->out, "Output file (tflite) or folder (other targets)")->required();
  cmd->add_option("--example-input", args->example_input,
                  "cortex-m4: raw input tensor the example firmware runs on (default: the "
                  "input zero point everywhere)");
  cmd->add_flag("--json", args->json, "Print the resource report as one JSON line last");
  cmd->callback([args, exit_code] {
    const Target* target = nullptr;
    for (const Target& t : kTargets) {
      if (args->target == t.name) target = &t;
    }
    auto input = LoadModel(args->model, args->example_input);
    if (!input.ok()) return void(*exit_code = Fail(input.status()));
    auto report = target->compile(*input, args->out);
    if (!report.ok()) return void(*exit_code = Fail(report.status()));
    if (args->json) {
      std::printf("%s\n", DumpJson(model::ResourceReportJson(*report)).c_str());
      return;
    }
    std::printf("%s -> %s: arena %llu B, weights %llu B, flash %llu B%s, %llu MACs\n",
                args->target.c_str(), args->out.c_str(),
                static_cast<unsigned long long>(report->arena_bytes),
                static_cast<unsigned long long>(report->weights_bytes),
                static_cast<unsigned long long>(report->flash_bytes),
                report->flash_measured ? " (arm-none-eabi-size text+data)" : " (estimate)",
                static_cast<unsigned long long>(report->macs));
  });
}

}  // namespace tinyloop::app
