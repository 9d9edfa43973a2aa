#include "model/compile.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "model/codegen_build.h"
#include "model/codegen_cpp.h"
#include "model/eim/eim_bundle.h"
#include "model/tflite_export.h"
#include "model/tflite_import.h"

namespace tinyloop::model {
namespace {

namespace fs = std::filesystem;

struct CompileInput {
  Graph graph;
  CppLibraryOptions library;  // labels and DSP config from a MODEL_DIR
  std::vector<uint8_t> example_input;
  EimBundle eim;  // impulse.json, labels.txt, anomaly.json of a MODEL_DIR (model: graph)
  std::string eim_runner;
};

StatusOr<std::string> ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot read " + path.string());
  return std::string(std::istreambuf_iterator<char>(in), {});
}

StatusOr<CompileInput> LoadInput(const CompileRequest& request, std::string* model_file) {
  CompileInput input;
  const bool is_dir = fs::is_directory(request.model);
  *model_file = is_dir ? DeployedModelFile(request.model, request.target) : request.model;
  const fs::path file = is_dir ? fs::path(request.model) / *model_file : fs::path(request.model);
  TL_ASSIGN_OR_RETURN(const std::string bytes, ReadText(file));
  TL_ASSIGN_OR_RETURN(input.graph,
                      ImportTflite(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  if (is_dir) {
    const fs::path dir(request.model);
    if (auto labels = ReadText(dir / "labels.txt"); labels.ok()) {
      std::istringstream lines(*labels);
      for (std::string l; std::getline(lines, l);) {
        if (!l.empty()) input.library.labels.push_back(l);
      }
      input.eim.labels_txt = *labels;
    }
    const Tensor& out = input.graph.tensors[input.graph.outputs.at(0)];
    if (static_cast<int64_t>(input.library.labels.size()) != out.element_count()) {
      input.library.labels.clear();  // not a classifier head over these labels
    }
    if (auto impulse = ReadText(dir / "impulse.json"); impulse.ok()) {
      input.library.dsp_config_json = *impulse;
      input.eim.impulse_json = *impulse;
    }
    if (auto anomaly = ReadText(dir / "anomaly.json"); anomaly.ok()) {
      input.eim.anomaly_json = *anomaly;
    }
  }
  if (!request.example_input.empty()) {
    TL_ASSIGN_OR_RETURN(const std::string in, ReadText(request.example_input));
    input.example_input.assign(in.begin(), in.end());
  }
  input.eim_runner = request.eim_runner;
  return input;
}

StatusOr<CompileResult> CompileTflite(const CompileInput& in, const fs::path& out) {
  TL_ASSIGN_OR_RETURN(const std::vector<uint8_t> bytes, ExportTflite(in.graph));
  std::ofstream file(out, std::ios::binary | std::ios::trunc);
  file.write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  file.close();
  if (!file) return InternalError("cannot write " + out.string());
  CompileResult result;
  result.report = ComputeResourceReport(in.graph, "tflite");
  result.report.flash_bytes = bytes.size();  // the model file TFLM keeps in flash (no code)
  return result;
}

StatusOr<CompileResult> CompileCppLib(const CompileInput& in, const fs::path& out) {
  TL_ASSIGN_OR_RETURN(const CppLibrary lib, GenerateCppLibrary(in.graph, in.library));
  TL_RETURN_IF_ERROR(WriteCppLibrary(lib, out));
  CompileResult result;
  result.report = ComputeResourceReport(in.graph, "cpp-lib");
  result.report.arena_bytes = lib.arena_bytes;
  result.report.flash_bytes = lib.constant_bytes + result.report.code_bytes_estimate;
  return result;
}

StatusOr<CompileResult> CompileHost(const CompileInput& in, const fs::path& out) {
  TL_ASSIGN_OR_RETURN(const CppLibrary lib, GenerateCppLibrary(in.graph, in.library));
  TL_ASSIGN_OR_RETURN(const fs::path exe, BuildHostExample(lib, out));
  CompileResult result;
  result.report = ComputeResourceReport(in.graph, "host");
  result.report.arena_bytes = lib.arena_bytes;
  result.report.flash_bytes = lib.constant_bytes + result.report.code_bytes_estimate;
  result.note = "host example: " + exe.string() + " INPUT.bin [OUTPUT.bin]";
  return result;
}

StatusOr<CompileResult> CompileCortexM4(const CompileInput& in, const fs::path& out) {
  TL_ASSIGN_OR_RETURN(const CppLibrary lib, GenerateCppLibrary(in.graph, in.library));
  TL_ASSIGN_OR_RETURN(const FirmwareBuild fw, BuildCortexM4Firmware(lib, out, in.example_input));
  CompileResult result;
  result.report = ComputeResourceReport(in.graph, "cortex-m4");
  result.report.arena_bytes = lib.arena_bytes;
  result.report.flash_bytes = fw.flash_bytes();
  result.report.flash_measured = true;
  result.report.ram_bytes = fw.ram_bytes();
  result.note = "firmware: " + fw.elf.string() +
                " (run: qemu-system-arm -M mps2-an386 -nographic "
                "-semihosting-config enable=on,target=native -kernel " +
                fw.elf.string() + ")";
  return result;
}

// A copy of the runner program with the model bundle (model/eim/eim_bundle.h) appended.
StatusOr<CompileResult> CompileEim(const CompileInput& in, const fs::path& out) {
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
  if (in.eim_runner.empty() || !fs::is_regular_file(in.eim_runner)) {
    return FailedPreconditionError("the .eim runner program '" + in.eim_runner + "' is not a file");
  }
  TL_ASSIGN_OR_RETURN(const std::string program, ReadText(in.eim_runner));
  EimBundle bundle = in.eim;
  TL_ASSIGN_OR_RETURN(bundle.model_tflite, ExportTflite(in.graph));
  const std::vector<uint8_t> appended = EncodeEimBundle(bundle);
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
  CompileResult result;
  result.report = ComputeResourceReport(in.graph, "eim");
  result.report.flash_bytes = program.size() + appended.size();  // the whole executable
  return result;
}

using CompileFn = StatusOr<CompileResult> (*)(const CompileInput&, const fs::path&);

struct TargetEntry {
  CompileTarget target;
  CompileFn compile;
  bool deploys_int8;  // a MODEL_DIR's model_int8.tflite is what this target puts on a device
};

// Add a target here: its name, what it writes, and the function that builds it.
const TargetEntry kTargets[] = {
    {{"tflite", "a .tflite file"}, CompileTflite, false},
    {{"host", "a folder: the C++ library and its host example, built"}, CompileHost, true},
    {{"cpp-lib", "a folder: the self-contained C++ library with CMake and host examples"},
     CompileCppLib,
     true},
    {{"cortex-m4",
      "a folder: the C++ library and Cortex-M4 firmware (cortex_m4/fw.elf) for QEMU "
      "mps2-an386"},
     CompileCortexM4,
     true},
    {{"eim",
      "a Linux x86-64 .eim executable (Edge Impulse runner protocol; needs a MODEL_DIR "
      "with impulse.json)"},
     CompileEim,
     true},
};

const TargetEntry* FindTarget(const std::string& name) {
  for (const TargetEntry& t : kTargets) {
    if (name == t.target.name) return &t;
  }
  return nullptr;
}

}  // namespace

const std::vector<CompileTarget>& CompileTargets() {
  static const std::vector<CompileTarget> targets = [] {
    std::vector<CompileTarget> v;
    for (const TargetEntry& t : kTargets) v.push_back(t.target);
    return v;
  }();
  return targets;
}

std::string DeployedModelFile(const std::string& model_dir, const std::string& target) {
  const TargetEntry* entry = FindTarget(target);
  if (entry != nullptr && entry->deploys_int8 &&
      fs::is_regular_file(fs::path(model_dir) / "model_int8.tflite")) {
    return "model_int8.tflite";
  }
  return "model.tflite";
}

StatusOr<CompileResult> CompileModel(const CompileRequest& request) {
  const TargetEntry* entry = FindTarget(request.target);
  if (entry == nullptr) {
    std::string names;
    for (const TargetEntry& t : kTargets)
      names += std::string(names.empty() ? "" : ", ") + t.target.name;
    return InvalidArgumentError("target '" + request.target + "' is not one of " + names);
  }
  std::string model_file;
  TL_ASSIGN_OR_RETURN(const CompileInput input, LoadInput(request, &model_file));
  TL_ASSIGN_OR_RETURN(CompileResult result, entry->compile(input, request.out));
  result.artifact = request.out;
  result.model_file = model_file;
  return result;
}

Json CompileResultJson(const CompileResult& result) {
  Json out = ResourceReportJson(result.report);
  out["model_file"] = result.model_file;
  return out;
}

}  // namespace tinyloop::model
