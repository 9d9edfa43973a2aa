#include "impulse/model_runner.h"

#include <cstring>

#include "model/runtime_program.h"
#include "runtime/interpreter.h"
#include "runtime/kernels/kernels.h"

namespace tinyloop::impulse {
namespace {

// A heap buffer with a 16-byte aligned start, as the runtime requires.
class AlignedBytes {
 public:
  explicit AlignedBytes(size_t size) : store_(size + 16) {
    auto p = reinterpret_cast<uintptr_t>(store_.data());
    data_ = store_.data() + ((16 - p % 16) % 16);
  }
  uint8_t* data() { return data_; }

 private:
  std::vector<uint8_t> store_;
  uint8_t* data_ = nullptr;
};

}  // namespace

struct ModelRunner::Impl {
  explicit Impl(const model::RuntimeProgram& p)
      : program(p.bytes.size()),
        program_size(p.bytes.size()),
        arena_size(p.arena_bytes + 1024),
        arena(arena_size),
        interpreter(resolver) {
    std::memcpy(program.data(), p.bytes.data(), p.bytes.size());
  }
  runtime::OpResolver<runtime::kReferenceKernelCount> resolver;
  AlignedBytes program;
  size_t program_size;
  size_t arena_size;
  AlignedBytes arena;
  runtime::Interpreter interpreter;
};

ModelRunner::ModelRunner() = default;
ModelRunner::~ModelRunner() = default;

StatusOr<std::unique_ptr<ModelRunner>> ModelRunner::Create(const model::Graph& graph) {
  if (graph.inputs.size() != 1 || graph.outputs.size() != 1) {
    return InvalidArgumentError("model: expected one input and one output tensor");
  }
  for (int32_t t : {graph.inputs[0], graph.outputs[0]}) {
    if (t < 0 || size_t(t) >= graph.tensors.size() ||
        graph.tensors[t].type != model::DType::kFloat32) {
      return InvalidArgumentError("model: input and output must be float32 tensors");
    }
  }
  TL_ASSIGN_OR_RETURN(model::RuntimeProgram program, model::LowerToRuntimeProgram(graph));
  std::unique_ptr<ModelRunner> runner(new ModelRunner());
  runner->impl_ = std::make_unique<Impl>(program);
  Impl& impl = *runner->impl_;
  if (runtime::AddReferenceKernels(&impl.resolver) != runtime::Status::kOk) {
    return InternalError("model: cannot register the reference kernels");
  }
  const runtime::Status st = impl.interpreter.Prepare(impl.program.data(), impl.program_size,
                                                      impl.arena.data(), impl.arena_size);
  if (st != runtime::Status::kOk) {
    return InvalidArgumentError(std::string("model: runtime Prepare failed: ") +
                                runtime::StatusName(st) + " at op " +
                                std::to_string(impl.interpreter.failed_op()));
  }
  runner->input_size_ = graph.tensors[graph.inputs[0]].element_count();
  runner->output_size_ = graph.tensors[graph.outputs[0]].element_count();
  return runner;
}

StatusOr<std::vector<float>> ModelRunner::Predict(const std::vector<float>& features) {
  if (input_size_ <= 0 || features.size() % size_t(input_size_) != 0) {
    return InvalidArgumentError("model: " + std::to_string(features.size()) +
                                " feature values are not a multiple of the input size " +
                                std::to_string(input_size_));
  }
  const size_t rows = features.size() / size_t(input_size_);
  std::vector<float> out(rows * size_t(output_size_));
  runtime::TensorView in, result;
  if (impl_->interpreter.input(0, &in) != runtime::Status::kOk ||
      impl_->interpreter.output(0, &result) != runtime::Status::kOk) {
    return InternalError("model: interpreter has no input/output");
  }
  const size_t in_bytes = size_t(input_size_) * sizeof(float);
  const size_t out_bytes = size_t(output_size_) * sizeof(float);
  if (in.bytes != in_bytes || result.bytes != out_bytes) {
    return InternalError("model: runtime tensor sizes differ from the graph");
  }
  for (size_t r = 0; r < rows; ++r) {
    std::memcpy(in.data, features.data() + r * input_size_, in_bytes);
    const runtime::Status st = impl_->interpreter.Invoke();
    if (st != runtime::Status::kOk) {
      return InternalError(std::string("model: Invoke failed: ") + runtime::StatusName(st));
    }
    // Outputs may move between invocations only if the plan changes; re-read the view anyway.
    impl_->interpreter.output(0, &result);
    std::memcpy(out.data() + r * output_size_, result.data, out_bytes);
  }
  return out;
}

}  // namespace tinyloop::impulse
