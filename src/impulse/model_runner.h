// Runs a float model::Graph the way the device does: lowered to a runtime program
// (model/runtime_program.h) and executed by the freestanding interpreter with its reference
// kernels, in an arena allocated here. Evaluation of a trained or re-imported model.tflite goes
// through this class, so the reported metrics are those of the exported model.
// Part of src/impulse. Not thread-safe (one interpreter); movable.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "base/status.h"
#include "model/ir.h"

namespace tinyloop::impulse {

class ModelRunner {
 public:
  // Lowers and prepares `graph` (one float32 input of N features, one float32 output).
  // InvalidArgument/Unimplemented from the lowering (naming the op), or when the graph's input
  // or output is not float32.
  static StatusOr<std::unique_ptr<ModelRunner>> Create(const model::Graph& graph);
  ~ModelRunner();

  int64_t input_size() const { return input_size_; }
  int64_t output_size() const { return output_size_; }

  // Runs the model on `rows` examples (features.size() == rows * input_size()) and returns
  // rows * output_size() values. InvalidArgument for a wrong size; Internal when the
  // interpreter fails.
  StatusOr<std::vector<float>> Predict(const std::vector<float>& features);

 private:
  ModelRunner();
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int64_t input_size_ = 0;
  int64_t output_size_ = 0;
};

}  // namespace tinyloop::impulse
