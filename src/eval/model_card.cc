#include "eval/model_card.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

namespace tinyloop::eval {
namespace {

constexpr const char* kNotMeasured = "not measured yet — run `tinyloop compile`";
// Below this AUC the anomaly detector gets a limitation line.
constexpr double kWeakAuc = 0.9;
// A false-alarm rate above this at the chosen threshold gets a limitation line.
constexpr double kNotableFalseAlarmRate = 0.01;
// An accuracy interval wider than this (in fraction) gets a "small test set" line.
constexpr double kWideInterval = 0.1;

std::string Fixed(double value, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, value);
  return buf;
}

std::string Percent(double fraction) { return Fixed(100.0 * fraction, 1) + " %"; }

// Inline code span that survives backticks in the text (CommonMark: a longer fence).
std::string Code(const std::string& s) {
  const bool has_tick = s.find('`') != std::string::npos;
  return has_tick ? "`` " + s + " ``" : "`" + s + "`";
}

// Table cell text: pipes escaped, line breaks flattened.
std::string Cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string Row(const std::vector<std::string>& cells) {
  std::string out = "|";
  for (const std::string& c : cells) out += " " + c + " |";
  return out + "\n";
}

std::string Header(const std::vector<std::string>& cells) {
  std::string out = Row(cells) + "|";
  for (size_t i = 0; i < cells.size(); ++i) out += i == 0 ? "---|" : "---:|";
  return out + "\n";
}

std::string JoinLabels(const std::vector<std::string>& labels) {
  std::string out;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += i + 1 == labels.size() ? " and " : ", ";
    out += Code(labels[i]);
  }
  return out;
}

std::string DefaultIntendedUse(const ModelCardInput& in) {
  const std::string sensor = in.sensor_kind.empty() ? "sensor" : in.sensor_kind;
  std::string out;
  if (!in.labels.empty()) {
    out = "Classifies windows of " + sensor + " data into one of " +
          std::to_string(in.labels.size()) + " classes (" + JoinLabels(in.labels) +
          ") on a microcontroller or Linux device.";
    if (in.anomaly) out += " An anomaly detector flags windows unlike the training data.";
  } else {
    out = "Flags windows of " + sensor + " data that differ from the normal data it was " +
          "trained on, on a microcontroller or Linux device.";
  }
  out +=
      " It was trained and evaluated only on the data described below: other sensors, "
      "mountings, devices or operating conditions need their own evaluation before use. It is "
      "not meant for safety-critical decisions without a human in the loop.";
  return out;
}

// The class most often confused with class `c` in its row (true c predicted as other), or -1.
int TopConfusion(const ClassificationReport& r, size_t c, int64_t* count) {
  int best = -1;
  *count = 0;
  for (size_t j = 0; j < r.labels.size(); ++j) {
    if (j != c && r.confusion_matrix[c][j] > *count) {
      *count = r.confusion_matrix[c][j];
      best = static_cast<int>(j);
    }
  }
  return best;
}

// The class whose samples are most often predicted as class `c` (column c), or -1.
int TopFalseSource(const ClassificationReport& r, size_t c, int64_t* count) {
  int best = -1;
  *count = 0;
  for (size_t i = 0; i < r.labels.size(); ++i) {
    if (i != c && r.confusion_matrix[i][c] > *count) {
      *count = r.confusion_matrix[i][c];
      best = static_cast<int>(i);
    }
  }
  return best;
}

void AppendClassificationLimitations(const ModelCardInput& in, std::vector<std::string>* out) {
  const ClassificationReport& r = *in.classification;
  const ModelCardOptions& o = in.options;
  for (size_t c = 0; c < r.per_class.size(); ++c) {
    const ClassMetrics& m = r.per_class[c];
    if (m.support == 0) continue;
    if (m.recall >= o.weak_class_threshold && m.f1 >= o.weak_class_threshold) continue;
    std::string line = "Class " + Code(m.label) + " is weak: recall " + Fixed(m.recall, 2) +
                       ", precision " + Fixed(m.precision, 2) + ", F1 " + Fixed(m.f1, 2) +
                       " (threshold " + Fixed(o.weak_class_threshold, 2) + ", support " +
                       std::to_string(m.support) + ").";
    int64_t count = 0;
    const int other = TopConfusion(r, c, &count);
    if (other >= 0) {
      line += " Its samples are most often predicted as " + Code(r.labels[other]) + " (" +
              std::to_string(count) + " of " + std::to_string(m.support) + ").";
    }
    const int source = TopFalseSource(r, c, &count);
    if (source >= 0 && m.precision < o.weak_class_threshold) {
      line += " It is predicted for " + std::to_string(count) + " " + Code(r.labels[source]) +
              " samples.";
    }
    out->push_back(std::move(line));
  }
  std::vector<std::string> small;
  for (const SliceMetrics& s : r.slices) {
    const std::string name = Code(s.key + "=" + s.value);
    if (s.count < o.min_slice_samples) {
      small.push_back(name + " (n=" + std::to_string(s.count) + ")");
    } else if (100.0 * (r.accuracy - s.accuracy) > o.slice_gap_points) {
      out->push_back("Slice " + name + " is weak: accuracy " + Percent(s.accuracy) + " (95 % CI " +
                     Percent(s.accuracy_ci95.lo) + " – " + Percent(s.accuracy_ci95.hi) +
                     ", n=" + std::to_string(s.count) + ") vs " + Percent(r.accuracy) +
                     " overall, more than " + Fixed(o.slice_gap_points, 0) + " points below.");
    }
  }
  if (!small.empty()) {
    std::string line =
        "Too few samples to judge (fewer than " + std::to_string(o.min_slice_samples) + "): ";
    for (size_t i = 0; i < small.size(); ++i) line += (i > 0 ? ", " : "") + small[i];
    out->push_back(line + ".");
  }
  if (r.samples > 0 && r.accuracy_ci95.hi - r.accuracy_ci95.lo > kWideInterval) {
    out->push_back("The test set is small (n=" + std::to_string(r.samples) +
                   "): the 95 % interval of the accuracy spans " + Percent(r.accuracy_ci95.lo) +
                   " – " + Percent(r.accuracy_ci95.hi) + ".");
  }
  if (r.calibration.ece > o.max_ece) {
    const bool over = r.calibration.overconfidence >= 0;
    out->push_back("Confidence is poorly calibrated (ECE " + Fixed(r.calibration.ece, 3) + " > " +
                   Fixed(o.max_ece, 2) + "): the model is " +
                   (over ? "over-confident (mean confidence exceeds accuracy by "
                         : "under-confident (accuracy exceeds mean confidence by ") +
                   Fixed(std::fabs(r.calibration.overconfidence), 3) +
                   "), so its probabilities should not be read as accuracies.");
  }
}

std::string HardwareValue(const std::optional<int64_t>& bytes) {
  if (!bytes) return kNotMeasured;
  return std::to_string(*bytes) + " bytes (" + Fixed(static_cast<double>(*bytes) / 1024.0, 1) +
         " KiB)";
}

std::string RenderData(const ModelCardInput& in) {
  std::string out = "## Data\n\n";
  out += "- Dataset version: " +
         (in.dataset_version_id.empty() ? std::string("(not recorded)")
                                        : Code(in.dataset_version_id)) +
         "\n";
  if (!in.dataset_hash.empty()) out += "- Content hash: " + Code(in.dataset_hash) + "\n";
  if (!in.counts_per_label_split.empty()) {
    std::set<std::string> splits;
    for (const auto& [label, per_split] : in.counts_per_label_split) {
      for (const auto& [split, n] : per_split) splits.insert(split);
    }
    std::vector<std::string> header = {"label"};
    header.insert(header.end(), splits.begin(), splits.end());
    header.push_back("total");
    out += "\nSamples per label and split:\n\n" + Header(header);
    for (const auto& [label, per_split] : in.counts_per_label_split) {
      std::vector<std::string> row = {Cell(label)};
      int64_t total = 0;
      for (const std::string& split : splits) {
        auto it = per_split.find(split);
        const int64_t n = it == per_split.end() ? 0 : it->second;
        total += n;
        row.push_back(std::to_string(n));
      }
      row.push_back(std::to_string(total));
      out += Row(row);
    }
  }
  if (!in.counts_per_device.empty()) {
    out += "\nSamples per device:\n\n" + Header({"device", "samples"});
    for (const auto& [device, n] : in.counts_per_device) {
      out += Row({Cell(device.empty() ? "(unknown)" : device), std::to_string(n)});
    }
  }
  return out + "\n";
}

std::string JsonBlock(const std::string& title, const Json& j) {
  if (j.is_null()) return "";
  return "### " + title + "\n\n```json\n" + j.dump(2, ' ', false, Json::error_handler_t::replace) +
         "\n```\n\n";
}

std::string RenderClassification(const ClassificationReport& r) {
  std::string out = "### Classification\n\n";
  out += "- Accuracy: **" + Percent(r.accuracy) + "** (95 % CI " + Percent(r.accuracy_ci95.lo) +
         " – " + Percent(r.accuracy_ci95.hi) + ", n=" + std::to_string(r.samples) + ")\n";
  out += "- F1 macro: " + Fixed(r.f1_macro, 3) + ", F1 weighted: " + Fixed(r.f1_weighted, 3) + "\n";
  out += "- Calibration: ECE " + Fixed(r.calibration.ece, 3) + " over " +
         std::to_string(r.calibration.bins.size()) + " confidence bins\n\n";
  out += Header({"class", "precision", "recall", "F1", "support"});
  for (const ClassMetrics& m : r.per_class) {
    out += Row({Cell(m.label), Fixed(m.precision, 3), Fixed(m.recall, 3), Fixed(m.f1, 3),
                std::to_string(m.support)});
  }
  std::vector<std::string> header = {"true \\ predicted"};
  for (const std::string& l : r.labels) header.push_back(Cell(l));
  out += "\nConfusion matrix (rows = true, columns = predicted):\n\n" + Header(header);
  for (size_t i = 0; i < r.labels.size(); ++i) {
    std::vector<std::string> row = {Cell(r.labels[i])};
    for (int64_t v : r.confusion_matrix[i]) row.push_back(std::to_string(v));
    out += Row(row);
  }
  if (!r.slices.empty()) {
    out += "\nSlices:\n\n" + Header({"slice", "samples", "accuracy", "95 % CI", "F1 macro"});
    for (const SliceMetrics& s : r.slices) {
      out += Row({Cell(s.key + "=" + s.value), std::to_string(s.count), Percent(s.accuracy),
                  Percent(s.accuracy_ci95.lo) + " – " + Percent(s.accuracy_ci95.hi),
                  Fixed(s.f1_macro, 3)});
    }
  }
  return out + "\n";
}

std::string RenderAnomaly(const AnomalyReport& r) {
  char threshold[64];
  std::snprintf(threshold, sizeof threshold, "%.6g", r.chosen.threshold);
  return "### Anomaly detection\n\n- ROC AUC: **" + Fixed(r.roc_auc, 4) + "** (" +
         std::to_string(r.normal) + " normal, " + std::to_string(r.anomalous) +
         " anomalous windows)\n- Threshold (Youden's J): " + threshold + " — detects " +
         Percent(r.chosen.tpr) + " of anomalies with " + Percent(r.chosen.fpr) +
         " false alarms on normal windows\n\n";
}

}  // namespace

std::vector<std::string> GenerateLimitations(const ModelCardInput& in) {
  std::vector<std::string> out;
  if (in.classification) AppendClassificationLimitations(in, &out);
  if (in.anomaly) {
    const AnomalyReport& a = *in.anomaly;
    if (a.roc_auc < kWeakAuc) {
      out.push_back("Anomaly detection separates normal from anomalous windows poorly (ROC AUC " +
                    Fixed(a.roc_auc, 3) + ").");
    }
    if (a.chosen.fpr > kNotableFalseAlarmRate) {
      out.push_back("At the chosen anomaly threshold, " + Percent(a.chosen.fpr) +
                    " of normal windows raise a false alarm.");
    }
  }
  if (in.anomalous_input && in.anomalous_input->count > 0) {
    const AnomalousInputBehaviour& b = *in.anomalous_input;
    out.push_back("On anomalous input (" + std::to_string(b.count) +
                  " windows) the classifier assigns " + Percent(b.dominant_share) + " of them to " +
                  Code(b.dominant_label) + " with mean confidence " + Fixed(b.mean_confidence, 2) +
                  " (" + Percent(b.share_confident) +
                  " with confidence >= 0.80): it cannot answer \"none of these\", so pair it with "
                  "an anomaly detector.");
  } else if (in.classification) {
    out.push_back(
        "Behaviour on anomalous input was not evaluated: the classifier always picks "
        "one of its classes, whatever the input.");
  }
  return out;
}

std::string RenderModelCard(const ModelCardInput& in) {
  std::string out =
      "# Model card: " + (in.model_name.empty() ? "Untitled model" : in.model_name) + "\n\n";
  if (!in.model_id.empty()) out += "- Model id: " + Code(in.model_id) + "\n";
  if (!in.created_at.empty()) out += "- Created: " + in.created_at + "\n";
  if (!in.model_id.empty() || !in.created_at.empty()) out += "\n";

  out += "## Intended use\n\n" +
         (in.intended_use.empty() ? DefaultIntendedUse(in) : in.intended_use) + "\n\n";
  out += RenderData(in);

  out += "## Impulse\n\n";
  if (in.dsp_config.is_null() && in.model_config.is_null()) out += "(not recorded)\n\n";
  out += JsonBlock("DSP block", in.dsp_config);
  out += JsonBlock("Learning block", in.model_config);

  out += "## Metrics\n\n";
  if (!in.classification && !in.anomaly) out += "(not evaluated yet)\n\n";
  if (in.classification) out += RenderClassification(*in.classification);
  if (in.anomaly) out += RenderAnomaly(*in.anomaly);

  out += "## Limitations\n\n";
  const std::vector<std::string> limitations = GenerateLimitations(in);
  if (limitations.empty()) {
    out += "- No class or slice fell below the thresholds on this dataset version.\n";
  }
  for (const std::string& line : limitations) out += "- " + line + "\n";
  out += "\n";

  out += "## Hardware\n\n" + Header({"field", "value"});
  out += Row({"Target", in.hardware.target.empty() ? kNotMeasured : Cell(in.hardware.target)});
  out += Row({"RAM (tensor arena)", HardwareValue(in.hardware.arena_bytes)});
  out += Row({"Flash", HardwareValue(in.hardware.flash_bytes)});
  out += Row({"Latency per inference",
              in.hardware.latency_ms ? Fixed(*in.hardware.latency_ms, 3) + " ms" : kNotMeasured});
  return out;
}

}  // namespace tinyloop::eval
