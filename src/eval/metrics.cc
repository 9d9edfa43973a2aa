// Classification metrics. The anomaly half of metrics.h lives in anomaly_metrics.cc.
#include "eval/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

namespace tinyloop::eval {
namespace {

// Number of thresholds in the sweep (0.00, 0.05, ..., 0.95).
constexpr int kSweepSteps = 20;
// Confidence at or above which an anomalous input counts as "confidently" misassigned.
constexpr double kConfidentProbability = 0.8;

double Ratio(int64_t num, int64_t den) {
  return den == 0 ? 0.0 : static_cast<double>(num) / static_cast<double>(den);
}

std::string Fixed(double value, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, value);
  return buf;
}

std::string Percent(double fraction) { return Fixed(100.0 * fraction, 1) + " %"; }

// Arg-max with the lowest index on ties.
int ArgMax(const std::vector<float>& p) {
  int best = 0;
  for (int i = 1; i < static_cast<int>(p.size()); ++i) {
    if (p[i] > p[best]) best = i;
  }
  return best;
}

// Per-class metrics and macro/weighted F1 from a confusion matrix.
struct F1Summary {
  std::vector<ClassMetrics> per_class;
  double macro = 0;
  double weighted = 0;
};

F1Summary SummarizeConfusion(const std::vector<std::vector<int64_t>>& cm,
                             const std::vector<std::string>& labels) {
  const size_t n = labels.size();
  F1Summary out;
  out.per_class.resize(n);
  int64_t total = 0;
  int occurring = 0;
  double macro_sum = 0;
  double weighted_sum = 0;
  for (size_t c = 0; c < n; ++c) {
    ClassMetrics& m = out.per_class[c];
    m.label = labels[c];
    for (size_t j = 0; j < n; ++j) {
      m.support += cm[c][j];
      m.predicted += cm[j][c];
    }
    const int64_t tp = cm[c][c];
    m.precision = Ratio(tp, m.predicted);
    m.recall = Ratio(tp, m.support);
    m.f1 = m.precision + m.recall > 0 ? 2 * m.precision * m.recall / (m.precision + m.recall) : 0;
    total += m.support;
    if (m.support > 0 || m.predicted > 0) {
      ++occurring;
      macro_sum += m.f1;
    }
    weighted_sum += m.f1 * static_cast<double>(m.support);
  }
  out.macro = occurring == 0 ? 0 : macro_sum / occurring;
  out.weighted = total == 0 ? 0 : weighted_sum / static_cast<double>(total);
  return out;
}

std::vector<std::vector<int64_t>> EmptyMatrix(size_t n) {
  return std::vector<std::vector<int64_t>>(n, std::vector<int64_t>(n, 0));
}

Status Validate(const ClassificationInput& input) {
  if (input.labels.empty()) return InvalidArgumentError("labels: at least one label is required");
  if (input.options.calibration_bins < 1) {
    return InvalidArgumentError("options.calibration_bins must be >= 1, got " +
                                std::to_string(input.options.calibration_bins));
  }
  if (input.options.most_confused < 0) {
    return InvalidArgumentError("options.most_confused must be >= 0, got " +
                                std::to_string(input.options.most_confused));
  }
  const int n = static_cast<int>(input.labels.size());
  for (const ClassificationSample& s : input.samples) {
    if (s.true_label < 0 || s.true_label >= n) {
      return InvalidArgumentError("sample '" + s.id + "': true_label " +
                                  std::to_string(s.true_label) + " outside [0, " +
                                  std::to_string(n) + ")");
    }
    if (static_cast<int>(s.probabilities.size()) != n) {
      return InvalidArgumentError("sample '" + s.id +
                                  "': " + std::to_string(s.probabilities.size()) +
                                  " probabilities for " + std::to_string(n) + " labels");
    }
    for (float p : s.probabilities) {
      if (!std::isfinite(p)) {
        return InvalidArgumentError("sample '" + s.id + "': probability is NaN or infinite");
      }
    }
  }
  return OkStatus();
}

Calibration ComputeCalibration(const std::vector<double>& confidence,
                               const std::vector<bool>& correct, int bins) {
  Calibration cal;
  cal.bins.resize(bins);
  std::vector<double> conf_sum(bins, 0.0);
  std::vector<int64_t> hits(bins, 0);
  double total_conf = 0;
  int64_t total_hits = 0;
  for (size_t i = 0; i < confidence.size(); ++i) {
    const double c = std::clamp(confidence[i], 0.0, 1.0);
    const int b = std::min(bins - 1, static_cast<int>(c * bins));
    ++cal.bins[b].count;
    conf_sum[b] += c;
    hits[b] += correct[i] ? 1 : 0;
    total_conf += c;
    total_hits += correct[i] ? 1 : 0;
  }
  const double n = static_cast<double>(confidence.size());
  for (int b = 0; b < bins; ++b) {
    ReliabilityBin& bin = cal.bins[b];
    bin.lower = static_cast<double>(b) / bins;
    bin.upper = static_cast<double>(b + 1) / bins;
    if (bin.count == 0) continue;
    bin.mean_confidence = conf_sum[b] / static_cast<double>(bin.count);
    bin.accuracy = Ratio(hits[b], bin.count);
    cal.ece += static_cast<double>(bin.count) / n * std::fabs(bin.accuracy - bin.mean_confidence);
  }
  if (n > 0) cal.overconfidence = total_conf / n - static_cast<double>(total_hits) / n;
  return cal;
}

}  // namespace

Interval WilsonInterval(int64_t successes, int64_t trials, double z) {
  if (trials <= 0) return {0.0, 1.0};
  const double n = static_cast<double>(trials);
  const double p = static_cast<double>(successes) / n;
  const double z2 = z * z;
  const double denom = 1 + z2 / n;
  const double center = (p + z2 / (2 * n)) / denom;
  const double half = z * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom;
  return {std::max(0.0, center - half), std::min(1.0, center + half)};
}

StatusOr<ClassificationReport> EvaluateClassification(const ClassificationInput& input) {
  TL_RETURN_IF_ERROR(Validate(input));
  const size_t n_labels = input.labels.size();
  const size_t n = input.samples.size();
  ClassificationReport r;
  r.labels = input.labels;
  r.samples = static_cast<int64_t>(n);
  r.confusion_matrix = EmptyMatrix(n_labels);

  std::vector<int> predicted(n);
  std::vector<double> confidence(n);
  std::vector<bool> correct(n);
  for (size_t i = 0; i < n; ++i) {
    const ClassificationSample& s = input.samples[i];
    predicted[i] = ArgMax(s.probabilities);
    confidence[i] = s.probabilities[predicted[i]];
    correct[i] = predicted[i] == s.true_label;
    ++r.confusion_matrix[s.true_label][predicted[i]];
    r.correct += correct[i] ? 1 : 0;
  }
  r.accuracy = Ratio(r.correct, r.samples);
  r.accuracy_ci95 = WilsonInterval(r.correct, r.samples);
  F1Summary f1 = SummarizeConfusion(r.confusion_matrix, r.labels);
  r.per_class = std::move(f1.per_class);
  r.f1_macro = f1.macro;
  r.f1_weighted = f1.weighted;

  // Slices: one confusion matrix per (key, value); std::map keeps them sorted.
  std::map<std::pair<std::string, std::string>, std::vector<std::vector<int64_t>>> slice_cm;
  for (size_t i = 0; i < n; ++i) {
    for (const auto& [key, value] : input.samples[i].attributes) {
      auto it = slice_cm.try_emplace({key, value}, EmptyMatrix(n_labels)).first;
      ++it->second[input.samples[i].true_label][predicted[i]];
    }
  }
  for (const auto& [kv, cm] : slice_cm) {
    SliceMetrics m;
    m.key = kv.first;
    m.value = kv.second;
    for (size_t a = 0; a < n_labels; ++a) {
      for (size_t b = 0; b < n_labels; ++b) m.count += cm[a][b];
      m.correct += cm[a][a];
    }
    m.accuracy = Ratio(m.correct, m.count);
    m.accuracy_ci95 = WilsonInterval(m.correct, m.count);
    m.f1_macro = SummarizeConfusion(cm, r.labels).macro;
    r.slices.push_back(std::move(m));
  }

  r.calibration = ComputeCalibration(confidence, correct, input.options.calibration_bins);

  for (int step = 0; step < kSweepSteps; ++step) {
    ThresholdPoint tp;
    tp.threshold = step / static_cast<double>(kSweepSteps);
    int64_t hits = 0;
    for (size_t i = 0; i < n; ++i) {
      if (confidence[i] >= tp.threshold) {
        ++tp.covered;
        hits += correct[i] ? 1 : 0;
      }
    }
    tp.coverage = Ratio(tp.covered, r.samples);
    tp.accuracy = Ratio(hits, tp.covered);
    r.threshold_sweep.push_back(tp);
  }

  std::vector<ConfusedSample> wrong;
  for (size_t i = 0; i < n; ++i) {
    if (correct[i]) continue;
    const ClassificationSample& s = input.samples[i];
    wrong.push_back({s.id, s.true_label, predicted[i], confidence[i],
                     static_cast<double>(s.probabilities[s.true_label])});
  }
  std::stable_sort(wrong.begin(), wrong.end(),
                   [](const ConfusedSample& a, const ConfusedSample& b) {
                     if (a.confidence != b.confidence) return a.confidence > b.confidence;
                     return a.id < b.id;
                   });
  if (static_cast<int>(wrong.size()) > input.options.most_confused) {
    wrong.resize(input.options.most_confused);
  }
  r.most_confused = std::move(wrong);

  r.uncertain_threshold = input.options.uncertain_threshold;
  if (r.uncertain_threshold > 0) {
    int64_t certain = 0;
    int64_t certain_hits = 0;
    for (size_t i = 0; i < n; ++i) {
      if (confidence[i] < r.uncertain_threshold) {
        ++r.uncertain;
      } else {
        ++certain;
        certain_hits += correct[i] ? 1 : 0;
      }
    }
    r.accuracy_when_certain = Ratio(certain_hits, certain);
  } else {
    r.accuracy_when_certain = r.accuracy;
  }
  return r;
}

StatusOr<AnomalousInputBehaviour> SummarizeAnomalousInput(
    const std::vector<std::string>& labels, const std::vector<std::vector<float>>& probabilities) {
  if (labels.empty()) return InvalidArgumentError("labels: at least one label is required");
  AnomalousInputBehaviour out;
  std::vector<int64_t> counts(labels.size(), 0);
  double conf_sum = 0;
  int64_t confident = 0;
  for (size_t i = 0; i < probabilities.size(); ++i) {
    if (probabilities[i].size() != labels.size()) {
      return InvalidArgumentError("anomalous input " + std::to_string(i) + ": " +
                                  std::to_string(probabilities[i].size()) + " probabilities for " +
                                  std::to_string(labels.size()) + " labels");
    }
    const int p = ArgMax(probabilities[i]);
    ++counts[p];
    conf_sum += probabilities[i][p];
    confident += probabilities[i][p] >= kConfidentProbability ? 1 : 0;
  }
  out.count = static_cast<int64_t>(probabilities.size());
  if (out.count == 0) return out;
  const size_t dominant = std::max_element(counts.begin(), counts.end()) - counts.begin();
  out.dominant_label = labels[dominant];
  out.dominant_share = Ratio(counts[dominant], out.count);
  out.mean_confidence = conf_sum / static_cast<double>(out.count);
  out.share_confident = Ratio(confident, out.count);
  return out;
}

Json ToJson(const ClassificationReport& r) {
  Json j = Json::object();
  j["samples"] = r.samples;
  j["correct"] = r.correct;
  j["accuracy"] = r.accuracy;
  j["accuracy_ci95"] = {r.accuracy_ci95.lo, r.accuracy_ci95.hi};
  j["f1_macro"] = r.f1_macro;
  j["f1_weighted"] = r.f1_weighted;
  j["labels"] = r.labels;
  j["confusion_matrix"] = r.confusion_matrix;
  Json per_class = Json::array();
  for (const ClassMetrics& m : r.per_class) {
    per_class.push_back({{"label", m.label},
                         {"support", m.support},
                         {"predicted", m.predicted},
                         {"precision", m.precision},
                         {"recall", m.recall},
                         {"f1", m.f1}});
  }
  j["per_class"] = std::move(per_class);
  Json slices = Json::array();
  for (const SliceMetrics& s : r.slices) {
    slices.push_back({{"key", s.key},
                      {"value", s.value},
                      {"count", s.count},
                      {"correct", s.correct},
                      {"accuracy", s.accuracy},
                      {"accuracy_ci95", {s.accuracy_ci95.lo, s.accuracy_ci95.hi}},
                      {"f1_macro", s.f1_macro}});
  }
  j["slices"] = std::move(slices);
  Json bins = Json::array();
  for (const ReliabilityBin& b : r.calibration.bins) {
    bins.push_back({{"lower", b.lower},
                    {"upper", b.upper},
                    {"count", b.count},
                    {"mean_confidence", b.mean_confidence},
                    {"accuracy", b.accuracy}});
  }
  j["calibration"] = {{"ece", r.calibration.ece},
                      {"overconfidence", r.calibration.overconfidence},
                      {"bins", std::move(bins)}};
  Json sweep = Json::array();
  for (const ThresholdPoint& t : r.threshold_sweep) {
    sweep.push_back({{"threshold", t.threshold},
                     {"covered", t.covered},
                     {"coverage", t.coverage},
                     {"accuracy", t.accuracy}});
  }
  j["threshold_sweep"] = std::move(sweep);
  Json confused = Json::array();
  for (const ConfusedSample& c : r.most_confused) {
    confused.push_back({{"id", c.id},
                        {"true_label", r.labels[c.true_label]},
                        {"predicted_label", r.labels[c.predicted_label]},
                        {"confidence", c.confidence},
                        {"true_probability", c.true_probability}});
  }
  j["most_confused"] = std::move(confused);
  j["uncertain"] = {{"threshold", r.uncertain_threshold},
                    {"count", r.uncertain},
                    {"accuracy_when_certain", r.accuracy_when_certain}};
  return j;
}

std::string ToText(const ClassificationReport& r) {
  std::string out;
  out += "accuracy " + Percent(r.accuracy) + " (95% CI " + Percent(r.accuracy_ci95.lo) + " - " +
         Percent(r.accuracy_ci95.hi) + ", n=" + std::to_string(r.samples) + ")  f1_macro " +
         Fixed(r.f1_macro, 3) + "  f1_weighted " + Fixed(r.f1_weighted, 3) + "\n";
  size_t width = 9;
  for (const std::string& l : r.labels) width = std::max(width, l.size());
  auto pad = [](const std::string& s, size_t w) {
    return s.size() >= w ? s : s + std::string(w - s.size(), ' ');
  };
  auto rpad = [](const std::string& s, size_t w) {
    return s.size() >= w ? s : std::string(w - s.size(), ' ') + s;
  };
  out += "\nconfusion matrix (rows = true, columns = predicted)\n" + pad("", width);
  for (const std::string& l : r.labels) out += " " + rpad(l, width);
  out += "\n";
  for (size_t i = 0; i < r.labels.size(); ++i) {
    out += pad(r.labels[i], width);
    for (int64_t v : r.confusion_matrix[i]) out += " " + rpad(std::to_string(v), width);
    out += "\n";
  }
  out += "\n" + pad("class", width) + "  precision  recall     f1  support\n";
  for (const ClassMetrics& m : r.per_class) {
    out += pad(m.label, width) + "  " + rpad(Fixed(m.precision, 3), 9) + "  " +
           rpad(Fixed(m.recall, 3), 6) + "  " + rpad(Fixed(m.f1, 3), 5) + "  " +
           rpad(std::to_string(m.support), 7) + "\n";
  }
  if (!r.slices.empty()) {
    std::vector<const SliceMetrics*> sorted;
    for (const SliceMetrics& s : r.slices) sorted.push_back(&s);
    std::stable_sort(
        sorted.begin(), sorted.end(),
        [](const SliceMetrics* a, const SliceMetrics* b) { return a->accuracy < b->accuracy; });
    out += "\nweakest slices\n";
    for (size_t i = 0; i < sorted.size() && i < 5; ++i) {
      out += "  " + sorted[i]->key + "=" + sorted[i]->value + "  accuracy " +
             Percent(sorted[i]->accuracy) + " (n=" + std::to_string(sorted[i]->count) + ")\n";
    }
  }
  out += "\ncalibration: ECE " + Fixed(r.calibration.ece, 3) + " (" +
         (r.calibration.overconfidence >= 0 ? "over" : "under") + "-confident by " +
         Fixed(std::fabs(r.calibration.overconfidence), 3) + ")\n";
  if (r.uncertain_threshold > 0) {
    out += "uncertain (confidence < " + Fixed(r.uncertain_threshold, 2) +
           "): " + std::to_string(r.uncertain) + ", accuracy on the rest " +
           Percent(r.accuracy_when_certain) + "\n";
  }
  if (!r.most_confused.empty()) {
    out += "\nmost confused\n";
    for (size_t i = 0; i < r.most_confused.size() && i < 5; ++i) {
      const ConfusedSample& c = r.most_confused[i];
      out += "  " + c.id + "  true " + r.labels[c.true_label] + ", predicted " +
             r.labels[c.predicted_label] + " (" + Fixed(c.confidence, 3) + ")\n";
    }
  }
  return out;
}

}  // namespace tinyloop::eval
