// tinyloop run MODEL.tflite --input IN.bin --output OUT.bin: one inference in tinyloop's runtime
// (the reference kernels the device runs) on a raw input tensor; writes the raw output tensor.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>

#include "commands.h"
#include "local_context.h"
#include "model/runtime_program.h"
#include "model/tflite_import.h"
#include "runtime/interpreter.h"
#include "runtime/kernels/kernels.h"

namespace tinyloop::app {
namespace {

StatusOr<std::vector<uint8_t>> ReadFile(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError(std::string("cannot read ") + what + " " + path);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// A 16-byte aligned copy of `size` bytes (zeroed when `data` is null), owned by `holder`.
uint8_t* Aligned(const uint8_t* data, size_t size, std::unique_ptr<uint8_t[]>* holder) {
  holder->reset(new uint8_t[size + 16]());
  const uintptr_t p = reinterpret_cast<uintptr_t>(holder->get());
  uint8_t* aligned = reinterpret_cast<uint8_t*>((p + 15) / 16 * 16);
  if (data != nullptr) std::copy(data, data + size, aligned);
  return aligned;
}

StatusOr<std::vector<uint8_t>> RunOnce(const std::string& model_path,
                                       const std::string& input_path) {
  TL_ASSIGN_OR_RETURN(const std::vector<uint8_t> bytes, ReadFile(model_path, "model"));
  TL_ASSIGN_OR_RETURN(const model::Graph graph, model::ImportTflite(bytes));
  TL_ASSIGN_OR_RETURN(const model::RuntimeProgram program, model::LowerToRuntimeProgram(graph));
  TL_ASSIGN_OR_RETURN(const std::vector<uint8_t> input, ReadFile(input_path, "input"));
  if (graph.inputs.size() != 1 || graph.outputs.size() != 1) {
    return InvalidArgumentError("tinyloop run supports models with one input and one output");
  }
  const model::Tensor& in = graph.tensors[graph.inputs[0]];
  if (static_cast<int64_t>(input.size()) != in.byte_size()) {
    return InvalidArgumentError(
        "input " + input_path + " has " + std::to_string(input.size()) + " bytes; model input '" +
        in.name + "' (" + model::DTypeName(in.type) + ", " + std::to_string(in.element_count()) +
        " elements) needs " + std::to_string(in.byte_size()));
  }
  runtime::OpResolver<runtime::kReferenceKernelCount> resolver;
  if (runtime::AddReferenceKernels(&resolver) != runtime::Status::kOk) {
    return InternalError("cannot register the runtime kernels");
  }
  std::unique_ptr<uint8_t[]> program_holder, arena_holder;
  const uint8_t* code = Aligned(program.bytes.data(), program.bytes.size(), &program_holder);
  uint8_t* arena = Aligned(nullptr, program.arena_bytes, &arena_holder);
  runtime::Interpreter interpreter(resolver);
  runtime::Status status =
      interpreter.Prepare(code, program.bytes.size(), arena, program.arena_bytes);
  runtime::TensorView in_view, out_view;
  if (status == runtime::Status::kOk) status = interpreter.input(0, &in_view);
  if (status == runtime::Status::kOk) {
    std::copy(input.begin(), input.end(), in_view.data);
    status = interpreter.Invoke();
  }
  if (status == runtime::Status::kOk) status = interpreter.output(0, &out_view);
  if (status != runtime::Status::kOk) {
    return InternalError(std::string("runtime: ") + runtime::StatusName(status));
  }
  return std::vector<uint8_t>(out_view.data, out_view.data + out_view.bytes);
}

}  // namespace

void AddRunCommand(CLI::App& app, int* exit_code) {
  struct Args {
    std::string model, input, output;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "run", "Run a .tflite model once in tinyloop's runtime on a raw input tensor file");
  cmd->add_option("MODEL", args->model, "The .tflite model")->required();
  cmd->add_option("--input", args->input, "Raw input tensor (bytes in the model's input type)")
      ->required();
  cmd->add_option("--output", args->output, "Where to write the raw output tensor")->required();
  cmd->callback([args, exit_code] {
    auto output = RunOnce(args->model, args->input);
    if (!output.ok()) return void(*exit_code = Fail(output.status()));
    std::ofstream out(args->output, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(output->data()),
              static_cast<std::streamsize>(output->size()));
    out.close();
    if (!out) return void(*exit_code = Fail(InternalError("cannot write " + args->output)));
    std::printf("wrote %zu output bytes to %s\n", output->size(), args->output.c_str());
  });
}

}  // namespace tinyloop::app
