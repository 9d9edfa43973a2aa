#include "impulse/eim/eim_classifier.h"

#include <chrono>
#include <sstream>

#include "dsp/windowing.h"
#include "formats/decoded_sample.h"
#include "impulse/features.h"
#include "model/tflite_import.h"
#include "train/feature_scaler.h"

namespace tinyloop::model {
namespace {

double MsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

StatusOr<std::unique_ptr<EimClassifier>> EimClassifier::Create(const EimBundle& bundle) {
  std::unique_ptr<EimClassifier> c(new EimClassifier());
  TL_ASSIGN_OR_RETURN(const Json impulse_json, ParseJson(bundle.impulse_json));
  TL_ASSIGN_OR_RETURN(c->impulse_, impulse::ImpulseConfigFromJson(impulse_json));
  if (c->impulse_.input.type != impulse::InputType::kTimeSeries) {
    return UnimplementedError("eim: image impulses are not supported yet (time series only)");
  }
  std::istringstream lines(bundle.labels_txt);
  for (std::string l; std::getline(lines, l);) {
    if (!l.empty()) c->labels_.push_back(l);
  }
  if (c->labels_.empty()) c->labels_ = c->impulse_.labels;
  TL_ASSIGN_OR_RETURN(const Graph graph, ImportTflite(bundle.model_tflite));
  TL_ASSIGN_OR_RETURN(c->runner_, impulse::ModelRunner::Create(graph));
  if (c->runner_->output_size() != int64_t(c->labels_.size())) {
    return InvalidArgumentError("eim: the model has " + std::to_string(c->runner_->output_size()) +
                                " outputs but there are " + std::to_string(c->labels_.size()) +
                                " labels");
  }
  if (!bundle.anomaly_json.empty()) {
    TL_ASSIGN_OR_RETURN(const Json anomaly_json, ParseJson(bundle.anomaly_json));
    TL_ASSIGN_OR_RETURN(c->anomaly_, impulse::AnomalyBlock::FromJson(anomaly_json));
  }
  const dsp::TimeSeriesConfig& ts = c->impulse_.input.time_series;
  c->window_frames_ = dsp::SamplesFromMs(ts.window_size_ms, 1000.0f / ts.frequency_hz);
  c->axes_ = uint32_t(c->impulse_.input.axes.empty() ? 0 : c->impulse_.input.axes.size());
  if (c->axes_ == 0) {
    return InvalidArgumentError(
        "eim: impulse.json input.axes is empty; the runner needs the axis "
        "names to size the raw window");
  }
  if (c->window_frames_ == 0) return InvalidArgumentError("eim: the window has no samples");
  return c;
}

StatusOr<EimResult> EimClassifier::Classify(const std::vector<float>& raw) {
  if (int64_t(raw.size()) != input_features_count()) {
    return InvalidArgumentError("features: expected " + std::to_string(input_features_count()) +
                                " values (" + std::to_string(window_frames_) + " frames x " +
                                std::to_string(axes_) + " axes), got " +
                                std::to_string(raw.size()));
  }
  formats::DecodedSample sample;
  sample.interval_ms = 1000.0 / frequency_hz();
  for (const std::string& name : impulse_.input.axes) sample.axes.push_back({name, ""});
  sample.length = window_frames_;
  sample.values = raw;
  EimResult result;
  auto start = std::chrono::steady_clock::now();
  TL_ASSIGN_OR_RETURN(const impulse::FeatureRows features,
                      impulse::ComputeFeatures(impulse_, {&sample}));
  if (features.rows < 1) return InternalError("eim: the DSP block produced no window");
  result.dsp_ms = MsSince(start);
  std::vector<float> first(features.values.begin(), features.values.begin() + features.cols);
  start = std::chrono::steady_clock::now();
  TL_ASSIGN_OR_RETURN(result.scores, runner_->Predict(first));
  result.classification_ms = MsSince(start);
  if (anomaly_) {
    start = std::chrono::steady_clock::now();
    train::FeatureMatrix m;
    m.rows = 1;
    m.cols = features.cols;
    m.values = std::move(first);
    TL_ASSIGN_OR_RETURN(const std::vector<double> scores, anomaly_->ScoreAll(m));
    result.anomaly = scores.at(0);
    result.anomaly_ms = MsSince(start);
  }
  return result;
}

}  // namespace tinyloop::model
