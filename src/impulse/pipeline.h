// The end-to-end impulse pipeline: a folder of labelled recordings → a trained, evaluated model
// directory, and the evaluation of such a directory on any labelled folder. What `tinyloop
// train` and `tinyloop eval` run (and, later, the server's training jobs). Part of src/impulse,
// on top of formats, dsp, train, model and eval.
//
// MODEL_DIR holds: impulse.json (the impulse used, picked or given), model.tflite (float32),
// model_int8.tflite (int8 post-training quantized, float32 input/output), labels.txt, anomaly.json
// (when there is an anomaly block), evaluation.json (metrics on the test split), model_card.md and
// dataset.json (the dataset version: recordings, split, windows, content hash). Evaluation runs
// model.tflite and model_int8.tflite in src/runtime's interpreter, as the device would; the model
// card's hardware fields are the int8 model's.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/status.h"
#include "eval/metrics.h"
#include "impulse/impulse_config.h"
#include "impulse/recordings.h"
#include "impulse/split.h"

namespace tinyloop::impulse {

// A step of the pipeline, for progress lines. `epoch` is set during training.
struct ProgressEvent {
  std::string stage;    // "load", "impulse", "features", "train", "anomaly", "evaluate", "write"
  std::string message;  // human-readable, e.g. "92 recordings, 3 labels"
  std::optional<train::EpochMetrics> epoch;
  int max_epochs = 0;
};
// Called from the calling thread; may be empty.
using ProgressSink = std::function<void(const ProgressEvent&)>;

struct TrainRequest {
  // The labelled folder (see recordings.h), loaded unless `dataset` is set.
  std::string data_dir;
  // Pre-loaded recordings with their categories (e.g. a time-based split made by the caller).
  std::optional<Dataset> dataset;
  // The impulse to train; unset: PickImpulse from the data. Its labels, when empty, are the
  // data's.
  std::optional<ImpulseConfig> impulse;
  // Where to write the model directory (created if missing); empty: write nothing.
  std::string out_dir;
  uint64_t seed = 1;  // splits, weight init, batches, k-means
  GroupBy group_by = GroupBy::kFile;
  double validation_fraction = 0.2;
  double holdout_fraction = 0.2;  // test share when the data has no testing/ folder
  int threads = 2;                // libtorch threads
  // Asked after every training epoch; returning true stops the training, and TrainImpulse
  // fails with FailedPrecondition "training cancelled at epoch N". Empty: never cancelled.
  std::function<bool()> cancelled;
};

struct TrainResult {
  ImpulseConfig impulse;
  std::string impulse_description;             // DescribeImpulse
  bool impulse_picked = false;                 // true when chosen from the data
  eval::ClassificationReport classification;   // on the test split, per window
  std::optional<eval::AnomalyReport> anomaly;  // when there is an anomaly block and anomaly data
  Json evaluation;                             // the content of evaluation.json
  Json dataset_version;                        // the content of dataset.json
  std::vector<uint8_t> model_tflite;           // the model.tflite bytes
  std::vector<uint8_t> model_int8_tflite;      // the model_int8.tflite bytes
  // The int8 model on the same test split (accuracy within ~1 point of `classification`).
  eval::ClassificationReport int8_classification;
  std::string model_dir;  // empty when nothing was written
  std::string model_card_path;
  double train_seconds = 0;  // wall time of the whole request
  int epochs_run = 0;
  int best_epoch = 0;
};

// Loads, picks or validates the impulse, splits, computes features, trains the network (and the
// anomaly block), quantizes the network to int8 (impulse/int8_model.h), evaluates both on the
// test split and writes the model directory.
// Errors: those of LoadDataset and ValidateImpulse (InvalidArgument naming the field and the
// limit); InvalidArgument when a split has no windows (e.g. no test recordings) or a label is
// missing from the impulse's labels; FailedPrecondition / Internal from training; Internal
// or PermissionDenied naming the path when the directory cannot be written. On error nothing
// is left half-written: files go to a temporary folder renamed into place at the end.
StatusOr<TrainResult> TrainImpulse(const TrainRequest& request, const ProgressSink& progress = {});

struct EvalResult {
  eval::ClassificationReport classification;   // on every non-anomaly window of the folder
  std::optional<eval::AnomalyReport> anomaly;  // with an anomaly block and anomaly/ data
  Json evaluation;
  std::string model_dir;
  std::vector<std::string> labels;
};

// Re-runs DSP and model.tflite (and anomaly.json) from `model_dir` on the labelled folder
// `data_dir` (any layout; every category is evaluated, anomaly/ as anomalies).
// Errors: NotFound for a missing model file; InvalidArgument for a label the model does not
// know, data the impulse does not fit (ValidateImpulse) or a corrupt model.
StatusOr<EvalResult> EvaluateImpulse(const std::string& model_dir, const std::string& data_dir,
                                     const ProgressSink& progress = {});
// Same, on pre-loaded recordings.
StatusOr<EvalResult> EvaluateImpulseOn(const std::string& model_dir, const Dataset& dataset,
                                       const ProgressSink& progress = {});

// The headline JSON object of the CLI: accuracy, accuracy_ci95, f1_macro, labels,
// confusion_matrix, samples (windows), model_dir, and anomaly_auc when there is one.
Json HeadlineJson(const eval::ClassificationReport& report,
                  const std::optional<eval::AnomalyReport>& anomaly, const std::string& model_dir);

}  // namespace tinyloop::impulse
