#include "impulse/int8_model.h"

#include <cstring>
#include <string>

#include "model/quantize.h"
#include "model/tflite_export.h"
#include "model/tflite_import.h"

namespace tinyloop::impulse {

std::vector<float> CalibrationSample(const train::FeatureMatrix& rows, int64_t max_rows,
                                     int64_t* examples) {
  *examples = 0;
  std::vector<float> sample;
  if (rows.rows <= 0 || max_rows <= 0) return sample;
  const int64_t step = (rows.rows + max_rows - 1) / max_rows;
  for (int64_t r = 0; r < rows.rows; r += step) {
    sample.insert(sample.end(), rows.row(r), rows.row(r) + rows.cols);
    ++*examples;
  }
  return sample;
}

namespace {

int32_t AddFloatTensor(model::Graph* g, std::string name, std::vector<int32_t> shape,
                       const std::vector<float>& values) {
  model::Tensor t;
  t.name = std::move(name);
  t.type = model::DType::kFloat32;
  t.shape = std::move(shape);
  t.data.resize(values.size() * sizeof(float));
  if (!values.empty()) std::memcpy(t.data.data(), values.data(), t.data.size());
  g->tensors.push_back(std::move(t));
  return int32_t(g->tensors.size() - 1);
}

// raw input -> MUL(scale) -> ADD(shift) -> the graph's old (float32) input, in front of its ops.
void PrependStandardization(const InputStandardization& s, model::Graph* g) {
  const int32_t standardized = g->inputs[0];
  const std::vector<int32_t> shape = g->tensors[size_t(standardized)].shape;
  const int32_t n = int32_t(s.scale.size());
  const int32_t raw = AddFloatTensor(g, g->tensors[size_t(standardized)].name, shape, {});
  g->tensors[size_t(standardized)].name += "_standardized";
  const int32_t scale = AddFloatTensor(g, "input/standardize_scale", {n}, s.scale);
  const int32_t shift = AddFloatTensor(g, "input/standardize_shift", {n}, s.shift);
  const int32_t scaled = AddFloatTensor(g, "input/standardize_mul", shape, {});
  model::Op mul;
  mul.type = model::OpType::kMul;
  mul.inputs = {raw, scale};
  mul.outputs = {scaled};
  model::Op add;
  add.type = model::OpType::kAdd;
  add.inputs = {scaled, shift};
  add.outputs = {standardized};
  g->ops.insert(g->ops.begin(), {mul, add});
  g->inputs = {raw};
}

}  // namespace

StatusOr<Int8Model> BuildInt8Model(const model::Graph& float_graph,
                                   const train::FeatureMatrix& training_rows,
                                   const InputStandardization& standardization) {
  if (float_graph.inputs.size() != 1) {
    return InvalidArgumentError("int8 model: the float graph must have exactly one input");
  }
  const int64_t inputs = float_graph.tensors[size_t(float_graph.inputs[0])].element_count();
  if (training_rows.rows < 1 || training_rows.cols != inputs) {
    return InvalidArgumentError("int8 model: calibration needs at least one training window of " +
                                std::to_string(inputs) + " features (got " +
                                std::to_string(training_rows.rows) + " windows of " +
                                std::to_string(training_rows.cols) + ")");
  }
  if (!standardization.empty() && (int64_t(standardization.scale.size()) != inputs ||
                                   standardization.shift.size() != standardization.scale.size())) {
    return InvalidArgumentError("int8 model: the input standardization has " +
                                std::to_string(standardization.scale.size()) +
                                " values, the graph " + std::to_string(inputs) + " inputs");
  }
  Int8Model out;
  model::CalibrationData calibration;
  calibration.values =
      CalibrationSample(training_rows, kMaxCalibrationWindows, &calibration.examples);
  out.calibration_windows = calibration.examples;
  if (!standardization.empty()) {
    // The same float32 arithmetic as the MUL and ADD the model starts with.
    for (size_t i = 0; i < calibration.values.size(); ++i) {
      const size_t f = i % size_t(inputs);
      const float scaled = calibration.values[i] * standardization.scale[f];
      calibration.values[i] = scaled + standardization.shift[f];
    }
  }
  TL_ASSIGN_OR_RETURN(model::Graph quantized, model::QuantizeInt8(float_graph, calibration));
  if (!standardization.empty()) PrependStandardization(standardization, &quantized);
  TL_ASSIGN_OR_RETURN(out.tflite, model::ExportTflite(quantized));
  TL_ASSIGN_OR_RETURN(out.graph, model::ImportTflite(out.tflite));
  out.resources = model::ComputeResourceReport(out.graph, "cortex-m4");
  return out;
}

}  // namespace tinyloop::impulse
