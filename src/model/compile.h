// Compiling a model for a deployment target: a MODEL_DIR (what `tinyloop train` writes) or a
// .tflite file in, a .tflite file, a generated C++ library (optionally built for the host or as
// Cortex-M4 firmware) or a Linux .eim out, with the resource report of what was compiled. What
// `tinyloop compile` runs, and what a server-side compile job calls. Host-only; part of
// src/model (above codegen, resource_report and eim_bundle).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/status.h"
#include "model/resource_report.h"

namespace tinyloop::model {

struct CompileTarget {
  const char* name;  // "tflite", "host", "cpp-lib", "cortex-m4", "eim"
  const char* what;  // what the output path names, for help texts
};

// Every target, in help order.
const std::vector<CompileTarget>& CompileTargets();

struct CompileRequest {
  // MODEL_DIR (model.tflite and, when present, model_int8.tflite, labels.txt, impulse.json,
  // anomaly.json) or a .tflite file. A MODEL_DIR with model_int8.tflite deploys the int8 model
  // for host, cpp-lib, cortex-m4 and eim; target tflite and a .tflite file compile as given.
  std::string model;
  std::string target;  // one of CompileTargets()
  std::string out;     // output file (tflite, eim) or folder (other targets)
  // cortex-m4: raw input tensor the example firmware runs on; empty: the input zero point.
  std::string example_input;
  // eim: the runner program (tinyloop-eim-runner) the bundle is appended to.
  std::string eim_runner;
};

struct CompileResult {
  ResourceReport report;
  std::string artifact;    // the path written (== request.out)
  std::string model_file;  // the model compiled: "model.tflite", "model_int8.tflite" or the file
  std::string note;        // a human hint on using the artifact (how to run it); may be empty
};

// Compiles request.model for request.target into request.out.
// Errors: InvalidArgument for an unknown target, a .tflite where a MODEL_DIR is needed (eim),
// or a label the runner protocol cannot frame; NotFound for a missing model file or example
// input; FailedPrecondition when eim_runner is empty or not a file; the import, code generation
// and build errors otherwise. An eim is written to a temporary file renamed into place.
StatusOr<CompileResult> CompileModel(const CompileRequest& request);

// The model file a MODEL_DIR compiles for `target`: "model_int8.tflite" when that file exists
// and the target deploys to a device (host, cpp-lib, cortex-m4, eim), else "model.tflite".
std::string DeployedModelFile(const std::string& model_dir, const std::string& target);

// ResourceReportJson(result.report) plus "model_file".
Json CompileResultJson(const CompileResult& result);

}  // namespace tinyloop::model
