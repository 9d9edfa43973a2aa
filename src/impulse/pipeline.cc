#include "impulse/pipeline.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "eval/model_card.h"
#include "impulse/anomaly_block.h"
#include "impulse/features.h"
#include "impulse/impulse_picker.h"
#include "impulse/int8_model.h"
#include "impulse/model_runner.h"
#include "model/tflite_export.h"
#include "model/tflite_import.h"
#include "train/nn_trainer.h"

namespace tinyloop::impulse {
namespace fs = std::filesystem;
namespace {

constexpr const char* kImpulseFile = "impulse.json";
constexpr const char* kModelFile = "model.tflite";
constexpr const char* kModelInt8File = "model_int8.tflite";
constexpr const char* kLabelsFile = "labels.txt";
constexpr const char* kAnomalyFile = "anomaly.json";
constexpr const char* kEvaluationFile = "evaluation.json";
constexpr const char* kModelCardFile = "model_card.md";
constexpr const char* kDatasetFile = "dataset.json";

void Emit(const ProgressSink& progress, const std::string& stage, const std::string& message) {
  if (progress) progress(ProgressEvent{stage, message, std::nullopt, 0});
}

std::vector<const formats::DecodedSample*> SamplesOf(const Dataset& dataset) {
  std::vector<const formats::DecodedSample*> out;
  for (const Recording& r : dataset.recordings) out.push_back(&r.sample);
  return out;
}

// The rows of `features` whose recording passes `keep`, as a matrix.
template <typename Pred>
train::FeatureMatrix SelectRows(const FeatureRows& features, Pred keep) {
  train::FeatureMatrix m;
  m.cols = features.cols;
  for (int64_t r = 0; r < features.rows; ++r) {
    if (!keep(features.recording[r])) continue;
    const float* row = features.values.data() + r * features.cols;
    m.values.insert(m.values.end(), row, row + features.cols);
    ++m.rows;
  }
  return m;
}

StatusOr<int> LabelIndex(const std::vector<std::string>& labels, const Recording& r) {
  auto it = std::find(labels.begin(), labels.end(), r.label);
  if (it == labels.end()) {
    return InvalidArgumentError(r.id + ": label \"" + r.label +
                                "\" is not one of the model's labels");
  }
  return int(it - labels.begin());
}

// Standardization of the network's input per channel (per feature for a dense first layer,
// per input channel — the last input dimension — for a conv first layer with VALID padding):
// training sees z = (x - mean) * inv_std, and afterwards the transform is folded into that
// layer's weights and bias, so the exported model takes the raw DSP features and computes
// exactly the same function. (With SAME padding the zeros padded in z-space would differ from
// the device's, so such networks are trained on the raw features.)
struct Standardizer {
  std::vector<double> mean, inv_std;  // one per channel
};

// The index of the layer the standardization folds into (spec.layers.size() = the head) and
// the channel count, or -1 when the first weighted layer does not allow an exact fold.
std::pair<int, int64_t> FoldTarget(const train::NnSpec& spec) {
  if (spec.input_shape.empty()) return {-1, 0};
  int64_t flat = 1;
  for (int d : spec.input_shape) flat *= d;
  for (size_t i = 0; i < spec.layers.size(); ++i) {
    const train::LayerSpec& l = spec.layers[i];
    if (l.type == train::LayerType::kDropout) continue;
    if (l.type == train::LayerType::kDense && spec.input_shape.size() == 1) return {int(i), flat};
    if ((l.type == train::LayerType::kConv1D || l.type == train::LayerType::kConv2D) &&
        l.padding == train::LayerPadding::kValid) {
      return {int(i), spec.input_shape.back()};
    }
    return {-1, 0};
  }
  return {spec.input_shape.size() == 1 ? int(spec.layers.size()) : -1, flat};
}

Standardizer FitStandardizer(const std::vector<float>& rows, int64_t channels) {
  Standardizer s;
  s.mean.assign(channels, 0.0);
  s.inv_std.assign(channels, 0.0);
  std::vector<double> sq(channels, 0.0);
  const size_t n = rows.size() / size_t(channels);
  if (n == 0) return s;
  for (size_t i = 0; i < rows.size(); ++i) s.mean[i % channels] += rows[i];
  for (double& m : s.mean) m /= double(n);
  for (size_t i = 0; i < rows.size(); ++i) {
    const double d = rows[i] - s.mean[i % channels];
    sq[i % channels] += d * d;
  }
  for (int64_t c = 0; c < channels; ++c) {
    const double sd = std::sqrt(sq[c] / double(n));
    s.inv_std[c] = sd > 1e-6 ? 1.0 / sd : 0.0;  // a constant channel carries nothing
  }
  return s;
}

void ApplyStandardizer(const Standardizer& s, std::vector<float>* rows) {
  const size_t channels = s.mean.size();
  for (size_t i = 0; i < rows->size(); ++i) {
    (*rows)[i] = float(((*rows)[i] - s.mean[i % channels]) * s.inv_std[i % channels]);
  }
}

// W' = W * inv_std[c], b' = b - sum W' mean[c], with W in PyTorch's [outputs, channels, ...]
// layout (dense: [units, inputs]; conv: [filters, in_channels, kh, kw]).
void FoldStandardizer(const Standardizer& s, train::LayerParams* layer) {
  const size_t channels = s.mean.size();
  const size_t outputs = layer->bias.size();
  if (outputs == 0 || layer->weight.size() % (outputs * channels) != 0) return;
  const size_t taps = layer->weight.size() / (outputs * channels);
  for (size_t o = 0; o < outputs; ++o) {
    double shift = 0;
    for (size_t c = 0; c < channels; ++c) {
      for (size_t k = 0; k < taps; ++k) {
        float& w = layer->weight[(o * channels + c) * taps + k];
        const double scaled = double(w) * s.inv_std[c];
        w = float(scaled);
        shift += scaled * s.mean[c];
      }
    }
    layer->bias[o] = float(double(layer->bias[o]) - shift);
  }
}

// Copies of the training recordings shifted in time (see LearningConfig::shifted_copies), with
// their labels, in recording order. Shift k (1-based) is +-time_shift * ceil(k / 2) / ceil(n / 2).
std::vector<std::pair<formats::DecodedSample, std::string>> ShiftedCopies(
    const ImpulseConfig& config, const Dataset& dataset, const std::vector<Split>& splits) {
  std::vector<std::pair<formats::DecodedSample, std::string>> out;
  const LearningConfig& l = config.learning;
  if (config.input.type != InputType::kTimeSeries || l.shifted_copies <= 0 ||
      l.time_shift_ms <= 0) {
    return out;
  }
  const int steps = (l.shifted_copies + 1) / 2;
  for (size_t i = 0; i < dataset.recordings.size(); ++i) {
    if (splits[i] != Split::kTrain) continue;
    const formats::DecodedSample& s = dataset.recordings[i].sample;
    const size_t axes = s.axes.size();
    for (int k = 1; k <= l.shifted_copies; ++k) {
      const double ms = l.time_shift_ms * ((k + 1) / 2) / steps * (k % 2 ? 1 : -1);
      const long shift = std::lround(ms * config.input.time_series.frequency_hz / 1000.0);
      formats::DecodedSample copy = s;
      std::fill(copy.values.begin(), copy.values.end(), 0.0f);
      for (long f = 0; f < long(s.length); ++f) {
        const long to = f + shift;
        if (to < 0 || to >= long(s.length)) continue;
        std::copy_n(s.values.begin() + f * axes, axes, copy.values.begin() + to * axes);
      }
      out.emplace_back(std::move(copy), dataset.recordings[i].label);
    }
  }
  return out;
}

struct Evaluated {
  eval::ClassificationReport classification;
  std::optional<eval::AnomalyReport> anomaly;
  std::optional<eval::AnomalousInputBehaviour> anomalous_input;
  Json json;
};

// Classification on the windows of `is_test` recordings; the classifier's behaviour and the
// anomaly block's ROC on the windows of anomaly/ recordings.
StatusOr<Evaluated> EvaluateWindows(const Dataset& dataset, const FeatureRows& features,
                                    const std::vector<bool>& is_test,
                                    const std::vector<std::string>& labels, ModelRunner& runner,
                                    const AnomalyBlock* anomaly) {
  auto is_anomaly = [&](int rec) { return dataset.recordings[rec].category == Category::kAnomaly; };
  const train::FeatureMatrix test = SelectRows(features, [&](int rec) { return is_test[rec]; });
  const train::FeatureMatrix abnormal = SelectRows(features, is_anomaly);
  TL_ASSIGN_OR_RETURN(std::vector<float> probs, runner.Predict(test.values));
  eval::ClassificationInput input;
  input.labels = labels;
  std::vector<std::string> test_ids, anomaly_ids;
  for (int64_t r = 0; r < features.rows; ++r) {
    const int rec = features.recording[r];
    const Recording& recording = dataset.recordings[rec];
    const std::string id = recording.id + "#" + std::to_string(features.window[r]);
    if (is_anomaly(rec)) anomaly_ids.push_back(id);
    if (!is_test[rec]) continue;
    eval::ClassificationSample s;
    s.id = id;
    TL_ASSIGN_OR_RETURN(s.true_label, LabelIndex(labels, recording));
    const size_t k = test_ids.size() * labels.size();
    s.probabilities.assign(probs.begin() + k, probs.begin() + k + labels.size());
    if (!recording.sample.device_name.empty()) {
      s.attributes["device_name"] = recording.sample.device_name;
    }
    if (!recording.sample.device_type.empty()) {
      s.attributes["device_type"] = recording.sample.device_type;
    }
    test_ids.push_back(id);
    input.samples.push_back(std::move(s));
  }
  Evaluated out;
  TL_ASSIGN_OR_RETURN(out.classification, eval::EvaluateClassification(input));
  out.json = Json{{"classification", eval::ToJson(out.classification)}};
  if (abnormal.rows > 0) {
    TL_ASSIGN_OR_RETURN(std::vector<float> ap, runner.Predict(abnormal.values));
    std::vector<std::vector<float>> rows;
    for (int64_t r = 0; r < abnormal.rows; ++r) {
      rows.emplace_back(ap.begin() + r * labels.size(), ap.begin() + (r + 1) * labels.size());
    }
    TL_ASSIGN_OR_RETURN(out.anomalous_input, eval::SummarizeAnomalousInput(labels, rows));
    out.json["anomalous_input"] = {{"count", out.anomalous_input->count},
                                   {"dominant_label", out.anomalous_input->dominant_label},
                                   {"dominant_share", out.anomalous_input->dominant_share},
                                   {"mean_confidence", out.anomalous_input->mean_confidence},
                                   {"share_confident", out.anomalous_input->share_confident}};
  }
  if (anomaly != nullptr && test.rows > 0 && abnormal.rows > 0) {
    TL_ASSIGN_OR_RETURN(std::vector<double> normal_scores, anomaly->ScoreAll(test));
    TL_ASSIGN_OR_RETURN(std::vector<double> abnormal_scores, anomaly->ScoreAll(abnormal));
    std::vector<double> scores = normal_scores;
    scores.insert(scores.end(), abnormal_scores.begin(), abnormal_scores.end());
    std::vector<bool> truth(normal_scores.size(), false);
    truth.resize(scores.size(), true);
    std::vector<std::string> ids = test_ids;
    ids.insert(ids.end(), anomaly_ids.begin(), anomaly_ids.end());
    TL_ASSIGN_OR_RETURN(out.anomaly, eval::EvaluateAnomaly(scores, truth, ids));
    out.json["anomaly"] = eval::ToJson(*out.anomaly);
  }
  return out;
}

Status WriteFileAtomically(const fs::path& path, const std::string& bytes) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
    out.flush();
    if (!out) return PermissionDeniedError("cannot write " + tmp.string());
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return InternalError("cannot rename " + tmp.string() + ": " + ec.message());
  return OkStatus();
}

StatusOr<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot read " + path.string());
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::string SensorKind(const ImpulseConfig& config) {
  if (config.input.type == InputType::kImage) return "image";
  if (config.dsp.type == dsp::BlockType::kMfcc || config.dsp.type == dsp::BlockType::kMfe) {
    return "audio";
  }
  return config.input.axes.size() == 3 ? "accelerometer" : "time series";
}

std::string ModelCard(const ImpulseConfig& config, const Dataset& dataset,
                      const std::vector<Split>& splits, const Json& version,
                      const Evaluated& evaluated, const model::ResourceReport& int8_resources) {
  eval::ModelCardInput card;
  card.model_name = "tinyloop impulse (" + std::string(dsp::BlockTypeName(config.dsp.type)) + ")";
  card.sensor_kind = SensorKind(config);
  card.labels = config.labels;
  card.dataset_version_id = version.value("id", "");
  card.dataset_hash = version.value("hash", "");
  for (size_t i = 0; i < dataset.recordings.size(); ++i) {
    const Recording& r = dataset.recordings[i];
    card.counts_per_label_split[r.label][SplitName(splits[i])] += 1;
    if (!r.sample.device_name.empty()) card.counts_per_device[r.sample.device_name] += 1;
  }
  const Json full = ImpulseConfigToJson(config);
  card.dsp_config = Json{{"input", full["input"]}, {"dsp", full["dsp"]}};
  card.model_config = full["learning"];
  if (full.contains("anomaly")) card.model_config["anomaly"] = full["anomaly"];
  card.classification = evaluated.classification;
  card.anomaly = evaluated.anomaly;
  card.anomalous_input = evaluated.anomalous_input;
  // The deployed model is model_int8.tflite: its planned arena and flash estimate (weights,
  // parameters, kernel code) for a Cortex-M4 library build.
  card.hardware.target = "cortex-m4 (model_int8.tflite, estimate before tinyloop compile)";
  card.hardware.arena_bytes = int64_t(int8_resources.arena_bytes);
  card.hardware.flash_bytes = int64_t(int8_resources.flash_bytes);
  return eval::RenderModelCard(card);
}

}  // namespace

Json HeadlineJson(const eval::ClassificationReport& report,
                  const std::optional<eval::AnomalyReport>& anomaly, const std::string& model_dir) {
  Json out{{"accuracy", report.accuracy},
           {"accuracy_ci95", {report.accuracy_ci95.lo, report.accuracy_ci95.hi}},
           {"f1_macro", report.f1_macro},
           {"labels", report.labels},
           {"confusion_matrix", report.confusion_matrix},
           {"samples", report.samples},
           {"model_dir", model_dir}};
  if (anomaly) out["anomaly_auc"] = anomaly->roc_auc;
  return out;
}

StatusOr<TrainResult> TrainImpulse(const TrainRequest& request, const ProgressSink& progress) {
  const auto start = std::chrono::steady_clock::now();
  Dataset loaded;
  if (!request.dataset) {
    Emit(progress, "load", "reading " + request.data_dir);
    LoadOptions load;
    load.group_by = request.group_by;
    TL_ASSIGN_OR_RETURN(loaded, LoadDataset(request.data_dir, load));
  } else {
    loaded = *request.dataset;
    TL_RETURN_IF_ERROR(FinishDataset(&loaded));
  }
  const Dataset& dataset = loaded;
  Emit(progress, "load",
       std::to_string(dataset.recordings.size()) + " recordings, " +
           std::to_string(dataset.labels.size()) + " labels");

  TrainResult result;
  const DataShape shape = DescribeData(dataset);
  if (request.impulse) {
    result.impulse = *request.impulse;
    if (result.impulse.labels.empty()) result.impulse.labels = dataset.labels;
  } else {
    TL_ASSIGN_OR_RETURN(result.impulse, PickImpulse(shape, dataset.labels));
    result.impulse_picked = true;
  }
  ImpulseConfig& config = result.impulse;
  for (const Recording& r : dataset.recordings) {
    if (r.category != Category::kAnomaly) {
      TL_RETURN_IF_ERROR(LabelIndex(config.labels, r).status());
    }
  }
  TL_RETURN_IF_ERROR(ValidateImpulse(config, shape).status());
  result.impulse_description = DescribeImpulse(config);
  Emit(progress, "impulse",
       std::string(result.impulse_picked ? "picked " : "using ") + result.impulse_description);

  SplitOptions split_options;
  split_options.seed = request.seed;
  split_options.validation_fraction = request.validation_fraction;
  split_options.holdout_fraction = request.holdout_fraction;
  const std::vector<Split> splits = AssignSplits(dataset, split_options);

  Emit(progress, "features",
       "computing " + std::string(dsp::BlockTypeName(config.dsp.type)) + " features");
  TL_ASSIGN_OR_RETURN(FeatureRows features, ComputeFeatures(config, SamplesOf(dataset)));
  std::vector<uint32_t> windows(dataset.recordings.size(), 0);
  for (int rec : features.recording) ++windows[rec];

  train::TrainData train_data, validation_data;
  std::vector<bool> is_test(dataset.recordings.size(), false);
  for (size_t i = 0; i < splits.size(); ++i) is_test[i] = splits[i] == Split::kTest;
  for (int64_t r = 0; r < features.rows; ++r) {
    const int rec = features.recording[r];
    const Split s = splits[rec];
    if (s != Split::kTrain && s != Split::kValidation) continue;
    train::TrainData& d = s == Split::kTrain ? train_data : validation_data;
    const float* row = features.values.data() + r * features.cols;
    d.features.insert(d.features.end(), row, row + features.cols);
    TL_ASSIGN_OR_RETURN(int label, LabelIndex(config.labels, dataset.recordings[rec]));
    d.labels.push_back(label);
  }
  const auto copies = ShiftedCopies(config, dataset, splits);
  if (!copies.empty()) {
    std::vector<const formats::DecodedSample*> samples;
    for (const auto& c : copies) samples.push_back(&c.first);
    TL_ASSIGN_OR_RETURN(FeatureRows extra, ComputeFeatures(config, samples));
    train_data.features.insert(train_data.features.end(), extra.values.begin(), extra.values.end());
    for (int rec : extra.recording) {
      train_data.labels.push_back(
          int(std::find(config.labels.begin(), config.labels.end(), copies[rec].second) -
              config.labels.begin()));
    }
  }
  int64_t test_windows = 0;
  for (int rec : features.recording) test_windows += is_test[rec] ? 1 : 0;
  if (train_data.labels.empty()) return InvalidArgumentError("no training windows in the data");
  if (test_windows == 0) {
    return InvalidArgumentError("no test windows: add a testing/ folder or more recordings");
  }
  Emit(progress, "features",
       std::to_string(train_data.labels.size()) + " training, " +
           std::to_string(validation_data.labels.size()) + " validation, " +
           std::to_string(test_windows) + " test windows of " + std::to_string(features.cols) +
           " features");

  const auto [fold_target, fold_channels] = FoldTarget(config.learning.nn);
  Standardizer standardizer;
  if (fold_target >= 0) {
    standardizer = FitStandardizer(train_data.features, fold_channels);
    ApplyStandardizer(standardizer, &train_data.features);
    ApplyStandardizer(standardizer, &validation_data.features);
  }
  train::TrainOptions options = config.learning.training;
  options.seed = request.seed;
  options.threads = request.threads;
  const int max_epochs = options.epochs;
  auto on_epoch = [&](const train::EpochMetrics& m) {
    if (progress) progress(ProgressEvent{"train", "", m, max_epochs});
    return !(request.cancelled && request.cancelled());
  };
  TL_ASSIGN_OR_RETURN(
      train::TrainedNetwork network,
      train::TrainNetwork(config.learning.nn, train_data, validation_data, options, on_epoch));
  result.epochs_run = int(network.history().size());
  result.best_epoch = network.best_epoch();
  train::NetworkParams params = network.params();
  const train::NetworkParams standardized_params = params;  // what the int8 model quantizes
  if (fold_target >= 0) {
    FoldStandardizer(standardizer, size_t(fold_target) < params.layers.size()
                                       ? &params.layers[fold_target]
                                       : &params.head);
  }
  TL_ASSIGN_OR_RETURN(model::Graph graph, train::ExportFloatGraph(config.learning.nn, params));
  TL_ASSIGN_OR_RETURN(result.model_tflite, model::ExportTflite(graph));
  // Evaluate what was exported: the .tflite bytes, re-imported and run by the runtime.
  TL_ASSIGN_OR_RETURN(model::Graph imported, model::ImportTflite(result.model_tflite));
  TL_ASSIGN_OR_RETURN(std::unique_ptr<ModelRunner> runner, ModelRunner::Create(imported));

  std::optional<AnomalyBlock> anomaly;
  if (config.anomaly.type != AnomalyType::kNone) {
    Emit(progress, "anomaly", "training the anomaly block on the normal training windows");
    const train::FeatureMatrix normal = SelectRows(features, [&](int rec) {
      return splits[rec] == Split::kTrain || splits[rec] == Split::kValidation;
    });
    TL_ASSIGN_OR_RETURN(anomaly, AnomalyBlock::Train(config.anomaly, normal, request.seed));
  }

  Emit(progress, "evaluate", "evaluating model.tflite on the test windows");
  TL_ASSIGN_OR_RETURN(Evaluated evaluated,
                      EvaluateWindows(dataset, features, is_test, config.labels, *runner,
                                      anomaly ? &*anomaly : nullptr));
  result.classification = evaluated.classification;
  result.anomaly = evaluated.anomaly;

  Emit(progress, "quantize", "int8 post-training quantization of the network");
  const train::FeatureMatrix calibration_rows =
      SelectRows(features, [&](int rec) { return splits[rec] == Split::kTrain; });
  // The int8 model standardizes its input in float32 and quantizes the unfolded network.
  model::Graph int8_source = imported;
  InputStandardization int8_standardization;
  if (fold_target >= 0) {
    TL_ASSIGN_OR_RETURN(int8_source,
                        train::ExportFloatGraph(config.learning.nn, standardized_params));
    const size_t channels = standardizer.mean.size();
    for (int64_t i = 0; i < features.cols; ++i) {
      const double inv_std = standardizer.inv_std[size_t(i) % channels];
      int8_standardization.scale.push_back(float(inv_std));
      int8_standardization.shift.push_back(
          float(-standardizer.mean[size_t(i) % channels] * inv_std));
    }
  }
  TL_ASSIGN_OR_RETURN(Int8Model int8,
                      BuildInt8Model(int8_source, calibration_rows, int8_standardization));
  result.model_int8_tflite = int8.tflite;
  TL_ASSIGN_OR_RETURN(std::unique_ptr<ModelRunner> int8_runner, ModelRunner::Create(int8.graph));
  Emit(progress, "evaluate", "evaluating model_int8.tflite on the test windows");
  TL_ASSIGN_OR_RETURN(
      Evaluated int8_evaluated,
      EvaluateWindows(dataset, features, is_test, config.labels, *int8_runner, nullptr));
  result.int8_classification = int8_evaluated.classification;
  result.dataset_version = DatasetVersionJson(dataset, splits, windows);
  result.train_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.evaluation = evaluated.json;
  Json history = Json::array();
  for (const train::EpochMetrics& m : network.history()) {
    history.push_back(
        {{"epoch", m.epoch},
         {"train_loss", m.train_loss},
         {"validation_loss", std::isnan(m.validation_loss) ? Json() : Json(m.validation_loss)},
         {"validation_accuracy",
          std::isnan(m.validation_accuracy) ? Json() : Json(m.validation_accuracy)}});
  }
  result.evaluation["training"] = {{"epochs_run", result.epochs_run},
                                   {"best_epoch", result.best_epoch},
                                   {"seed", request.seed},
                                   {"train_windows", train_data.labels.size()},
                                   {"validation_windows", validation_data.labels.size()},
                                   {"train_seconds", result.train_seconds},
                                   {"history", history}};
  result.evaluation["impulse"] = result.impulse_description;
  result.evaluation["dataset_version"] = result.dataset_version["id"];
  result.evaluation["split"] = "test";
  result.evaluation["inference"] = "model.tflite in the tinyloop runtime (float32)";
  result.evaluation["int8"] = {
      {"accuracy", result.int8_classification.accuracy},
      {"f1_macro", result.int8_classification.f1_macro},
      {"accuracy_delta_pp",
       100.0 * (result.int8_classification.accuracy - result.classification.accuracy)},
      {"inference", "model_int8.tflite in the tinyloop runtime (int8, float32 input/output)"},
      {"calibration_windows", int8.calibration_windows},
      {"resources", model::ResourceReportJson(int8.resources)}};
  if (request.out_dir.empty()) return result;

  Emit(progress, "write", "writing " + request.out_dir);
  std::error_code ec;
  fs::create_directories(request.out_dir, ec);
  if (ec) return PermissionDeniedError("cannot create " + request.out_dir + ": " + ec.message());
  const fs::path dir(request.out_dir);
  std::string labels_text;
  for (const std::string& l : config.labels) labels_text += l + "\n";
  const std::string card =
      ModelCard(config, dataset, splits, result.dataset_version, evaluated, int8.resources);
  TL_RETURN_IF_ERROR(
      WriteFileAtomically(dir / kImpulseFile, ImpulseConfigToJson(config).dump(2) + "\n"));
  TL_RETURN_IF_ERROR(WriteFileAtomically(
      dir / kModelFile, std::string(result.model_tflite.begin(), result.model_tflite.end())));
  TL_RETURN_IF_ERROR(WriteFileAtomically(
      dir / kModelInt8File,
      std::string(result.model_int8_tflite.begin(), result.model_int8_tflite.end())));
  TL_RETURN_IF_ERROR(WriteFileAtomically(dir / kLabelsFile, labels_text));
  if (anomaly) {
    TL_RETURN_IF_ERROR(WriteFileAtomically(dir / kAnomalyFile, DumpJson(anomaly->ToJson()) + "\n"));
  } else {
    fs::remove(dir / kAnomalyFile, ec);
  }
  TL_RETURN_IF_ERROR(WriteFileAtomically(dir / kEvaluationFile, result.evaluation.dump(2) + "\n"));
  TL_RETURN_IF_ERROR(WriteFileAtomically(dir / kModelCardFile, card));
  TL_RETURN_IF_ERROR(
      WriteFileAtomically(dir / kDatasetFile, result.dataset_version.dump(2) + "\n"));
  result.model_dir = request.out_dir;
  result.model_card_path = (dir / kModelCardFile).string();
  return result;
}

StatusOr<EvalResult> EvaluateImpulse(const std::string& model_dir, const std::string& data_dir,
                                     const ProgressSink& progress) {
  std::error_code ec;
  if (!fs::is_directory(model_dir, ec)) return NotFoundError("no such model folder: " + model_dir);
  Emit(progress, "load", "reading " + data_dir);
  LoadOptions load;
  load.min_labels = 1;
  TL_ASSIGN_OR_RETURN(Dataset dataset, LoadDataset(data_dir, load));
  return EvaluateImpulseOn(model_dir, dataset, progress);
}

StatusOr<EvalResult> EvaluateImpulseOn(const std::string& model_dir, const Dataset& dataset,
                                       const ProgressSink& progress) {
  const fs::path dir(model_dir);
  TL_ASSIGN_OR_RETURN(ImpulseConfig config, ReadImpulseConfig((dir / kImpulseFile).string()));
  if (config.labels.empty()) {
    TL_ASSIGN_OR_RETURN(std::string text, ReadFile(dir / kLabelsFile));
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty()) config.labels.push_back(line);
    }
  }
  TL_RETURN_IF_ERROR(ValidateImpulse(config, DescribeData(dataset)).status());
  TL_ASSIGN_OR_RETURN(std::string bytes, ReadFile(dir / kModelFile));
  auto graph = model::ImportTflite(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  if (!graph.ok()) return graph.status().WithPrefix((dir / kModelFile).string());
  TL_ASSIGN_OR_RETURN(std::unique_ptr<ModelRunner> runner, ModelRunner::Create(*graph));
  std::optional<AnomalyBlock> anomaly;
  if (fs::exists(dir / kAnomalyFile)) {
    TL_ASSIGN_OR_RETURN(std::string text, ReadFile(dir / kAnomalyFile));
    auto json = ParseJson(text);
    if (!json.ok()) return json.status().WithPrefix((dir / kAnomalyFile).string());
    TL_ASSIGN_OR_RETURN(anomaly, AnomalyBlock::FromJson(*json));
  }
  Emit(progress, "features", "computing features");
  TL_ASSIGN_OR_RETURN(FeatureRows features, ComputeFeatures(config, SamplesOf(dataset)));
  std::vector<bool> is_test(dataset.recordings.size());
  for (size_t i = 0; i < is_test.size(); ++i) {
    is_test[i] = dataset.recordings[i].category != Category::kAnomaly;
  }
  Emit(progress, "evaluate",
       "running model.tflite on " + std::to_string(features.rows) + " windows");
  TL_ASSIGN_OR_RETURN(Evaluated evaluated,
                      EvaluateWindows(dataset, features, is_test, config.labels, *runner,
                                      anomaly ? &*anomaly : nullptr));
  EvalResult result;
  result.classification = evaluated.classification;
  result.anomaly = evaluated.anomaly;
  result.evaluation = evaluated.json;
  result.model_dir = model_dir;
  result.labels = config.labels;
  return result;
}

}  // namespace tinyloop::impulse
