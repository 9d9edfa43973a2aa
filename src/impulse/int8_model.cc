#include "impulse/int8_model.h"

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

StatusOr<Int8Model> BuildInt8Model(const model::Graph& float_graph,
                                   const train::FeatureMatrix& training_rows) {
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
  Int8Model out;
  model::CalibrationData calibration;
  calibration.values =
      CalibrationSample(training_rows, kMaxCalibrationWindows, &calibration.examples);
  out.calibration_windows = calibration.examples;
  TL_ASSIGN_OR_RETURN(const model::Graph quantized, model::QuantizeInt8(float_graph, calibration));
  TL_ASSIGN_OR_RETURN(out.tflite, model::ExportTflite(quantized));
  TL_ASSIGN_OR_RETURN(out.graph, model::ImportTflite(out.tflite));
  out.resources = model::ComputeResourceReport(out.graph, "cortex-m4");
  return out;
}

}  // namespace tinyloop::impulse
