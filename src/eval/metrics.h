// Evaluation metrics that answer "what are the model limitations?": for a classifier the
// confusion matrix, per-class and per-slice metrics, accuracy with a 95 % interval, calibration
// (ECE, reliability bins), an accuracy-vs-coverage threshold sweep and the most-confused samples;
// for an anomaly detector ROC AUC, the ROC curve, a chosen threshold and the top false alarms.
// Pure functions over plain structs (no I/O); rendered as JSON for the API and as text for the
// terminal. Everything here is thread-safe and deterministic.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/status.h"

namespace tinyloop::eval {

// A two-sided confidence interval of a proportion.
struct Interval {
  double lo = 0;
  double hi = 0;
};

// Wilson score interval of `successes` out of `trials` at normal quantile `z` (1.96 → 95 %).
// Returns {0, 1} when trials == 0. Precondition: 0 <= successes <= trials.
Interval WilsonInterval(int64_t successes, int64_t trials, double z = 1.96);

// ---------------------------------------------------------------------------------------------
// Classification

struct ClassificationSample {
  std::string id;
  int true_label = 0;  // index into ClassificationInput::labels
  // One probability per label (the softmax output); the prediction is the arg-max, the lowest
  // index on ties, and the confidence is its probability.
  std::vector<float> probabilities;
  // Slice attributes, e.g. {"device_name":"a", "device_type":"x", "meta.site":"b"}.
  std::map<std::string, std::string> attributes;
};

struct ClassificationOptions {
  // Number of equal-width confidence bins over [0, 1] for ECE and the reliability diagram.
  // Default 10.
  int calibration_bins = 10;
  // Most-confused samples listed (wrong predictions, highest confidence first). Default 20.
  int most_confused = 20;
  // When > 0, predictions whose confidence is below this count as "uncertain": the report gives
  // their number and the accuracy on the remaining ones. The other metrics use every sample.
  // Default 0 (off).
  double uncertain_threshold = 0;
};

struct ClassificationInput {
  std::vector<std::string> labels;
  std::vector<ClassificationSample> samples;
  ClassificationOptions options;
};

struct ClassMetrics {
  std::string label;
  int64_t support = 0;    // samples whose true label is this class
  int64_t predicted = 0;  // samples predicted as this class
  double precision = 0;   // 0 when the class is never predicted
  double recall = 0;      // 0 when the class has no support
  double f1 = 0;          // 0 when precision + recall == 0
};

// Metrics over the samples that carry attribute `key` with value `value`.
struct SliceMetrics {
  std::string key;
  std::string value;
  int64_t count = 0;
  int64_t correct = 0;
  double accuracy = 0;
  Interval accuracy_ci95;
  // Mean F1 over the classes that occur in the slice (as truth or prediction).
  double f1_macro = 0;
};

struct ReliabilityBin {
  double lower = 0;  // confidence range [lower, upper); the last bin includes 1.0
  double upper = 0;
  int64_t count = 0;
  double mean_confidence = 0;  // 0 when count == 0
  double accuracy = 0;         // 0 when count == 0
};

struct Calibration {
  // Expected calibration error: sum over bins of count/N * |accuracy - mean confidence|.
  double ece = 0;
  // Mean confidence minus accuracy over all samples: > 0 means over-confident.
  double overconfidence = 0;
  std::vector<ReliabilityBin> bins;
};

struct ThresholdPoint {
  double threshold = 0;
  int64_t covered = 0;  // samples whose confidence >= threshold
  double coverage = 0;  // covered / samples
  double accuracy = 0;  // accuracy on the covered samples; 0 when none is covered
};

struct ConfusedSample {
  std::string id;
  int true_label = 0;
  int predicted_label = 0;
  double confidence = 0;        // probability of the predicted label
  double true_probability = 0;  // probability given to the true label
};

// A value type built by EvaluateClassification. Share across threads only as const.
struct ClassificationReport {
  std::vector<std::string> labels;
  int64_t samples = 0;
  int64_t correct = 0;
  double accuracy = 0;
  Interval accuracy_ci95;
  double f1_macro = 0;     // mean F1 over the classes that occur (as truth or prediction)
  double f1_weighted = 0;  // F1 weighted by support
  // confusion_matrix[true][predicted], labels.size() × labels.size().
  std::vector<std::vector<int64_t>> confusion_matrix;
  std::vector<ClassMetrics> per_class;  // in label order
  std::vector<SliceMetrics> slices;     // sorted by key, then value
  Calibration calibration;
  std::vector<ThresholdPoint> threshold_sweep;  // thresholds 0.00, 0.05, ..., 0.95
  std::vector<ConfusedSample> most_confused;    // wrong predictions, confidence descending
  double uncertain_threshold = 0;               // copy of the option; 0 = off
  int64_t uncertain = 0;                        // samples below uncertain_threshold
  double accuracy_when_certain = 0;             // accuracy on the others (0 when none)
};

// Computes the report. InvalidArgument when labels is empty, when a sample's true_label is out
// of range, when its probability vector does not have one entry per label, or when a
// probability is NaN/Inf (the message names the sample id); also for calibration_bins < 1 or
// most_confused < 0. An empty sample list gives a report with zero counts.
StatusOr<ClassificationReport> EvaluateClassification(const ClassificationInput& input);

// Stable snake_case keys: "samples", "correct", "accuracy", "accuracy_ci95":[lo,hi],
// "f1_macro", "f1_weighted", "labels", "confusion_matrix", "per_class":[{label, support,
// predicted, precision, recall, f1}], "slices":[{key, value, count, correct, accuracy,
// accuracy_ci95, f1_macro}], "calibration":{"ece", "overconfidence", "bins":[{lower, upper,
// count, mean_confidence, accuracy}]}, "threshold_sweep":[{threshold, covered, coverage,
// accuracy}], "most_confused":[{id, true_label, predicted_label, confidence,
// true_probability}] (labels as names), "uncertain":{threshold, count, accuracy_when_certain}.
Json ToJson(const ClassificationReport& report);

// A compact terminal summary: accuracy with interval, F1, the confusion matrix, per-class
// metrics, the weakest slices, ECE and the top most-confused samples.
std::string ToText(const ClassificationReport& report);

// How a classifier behaves on inputs that belong to none of its classes (e.g. anomalous
// windows): the label it assigns most often, its share and the mean confidence.
struct AnomalousInputBehaviour {
  int64_t count = 0;
  std::string dominant_label;
  double dominant_share = 0;   // share of the inputs assigned to dominant_label
  double mean_confidence = 0;  // mean top probability over all the inputs
  double share_confident = 0;  // share with confidence >= 0.8
};

// Summarizes the classifier outputs `probabilities` (one vector per anomalous input, one entry
// per label). InvalidArgument when a vector's size differs from labels.size() or labels is
// empty. An empty list gives count 0.
StatusOr<AnomalousInputBehaviour> SummarizeAnomalousInput(
    const std::vector<std::string>& labels, const std::vector<std::vector<float>>& probabilities);

// ---------------------------------------------------------------------------------------------
// Anomaly detection

struct AnomalyOptions {
  // Most ROC points kept (evenly spaced along the curve, first and last included). Default 101.
  int max_roc_points = 101;
  // Highest-scoring normal samples listed as false alarms. Default 10.
  int top_false_alarms = 10;
  // Percentile of the normal scores reported as the alternative threshold. Default 99.
  double normal_percentile = 99;
};

struct RocPoint {
  // A sample is flagged when score >= threshold. The first point (nothing flagged) has
  // threshold +infinity (null in JSON).
  double threshold = 0;
  double fpr = 0;
  double tpr = 0;
};

// Confusion counts and rates for the rule "anomalous when score >= threshold".
struct ThresholdStats {
  double threshold = 0;
  int64_t true_positives = 0;
  int64_t false_positives = 0;
  int64_t true_negatives = 0;
  int64_t false_negatives = 0;
  double tpr = 0;        // recall on anomalies
  double fpr = 0;        // false-alarm rate on normal samples
  double precision = 0;  // 0 when nothing is flagged
};

struct FalseAlarm {
  std::string id;
  double score = 0;
  bool above_threshold = false;  // flagged at the chosen threshold
};

struct AnomalyReport {
  int64_t normal = 0;
  int64_t anomalous = 0;
  double roc_auc = 0;  // Mann-Whitney; tied scores count one half
  std::vector<RocPoint> roc;
  ThresholdStats chosen;             // the threshold maximizing Youden's J = TPR - FPR
  ThresholdStats normal_percentile;  // the threshold at the options' percentile of normal scores
  double percentile = 99;            // which percentile normal_percentile is
  std::vector<FalseAlarm> top_false_alarms;  // normal samples, score descending
};

// Evaluates anomaly `scores` (higher = more anomalous) against the truth `is_anomaly`.
// `ids` may be empty (samples are then named by their index). Ties in Youden's J choose the
// highest threshold. InvalidArgument when the sizes differ, when a score is NaN/Inf, when there
// is no normal or no anomalous sample, or for max_roc_points < 2, top_false_alarms < 0 or a
// percentile outside [0, 100].
StatusOr<AnomalyReport> EvaluateAnomaly(const std::vector<double>& scores,
                                        const std::vector<bool>& is_anomaly,
                                        const std::vector<std::string>& ids,
                                        const AnomalyOptions& options = {});

// Keys: "normal", "anomalous", "roc_auc", "threshold" (the chosen one), "chosen":{threshold,
// tp, fp, tn, fn, tpr, fpr, precision}, "normal_percentile":{percentile, threshold, ...},
// "roc":[{threshold, fpr, tpr}], "top_false_alarms":[{id, score, above_threshold}].
Json ToJson(const AnomalyReport& report);

// A compact terminal summary: AUC, both thresholds with their rates, top false alarms.
std::string ToText(const AnomalyReport& report);

}  // namespace tinyloop::eval
