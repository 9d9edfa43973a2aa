// Anomaly-detection metrics of metrics.h: ROC AUC, ROC curve, thresholds, false alarms.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

#include "eval/metrics.h"

namespace tinyloop::eval {
namespace {

double Ratio(int64_t num, int64_t den) {
  return den == 0 ? 0.0 : static_cast<double>(num) / static_cast<double>(den);
}

std::string Fixed(double value, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, value);
  return buf;
}

std::string Score(double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", value);
  return buf;
}

ThresholdStats StatsAt(double threshold, const std::vector<double>& scores,
                       const std::vector<bool>& is_anomaly) {
  ThresholdStats s;
  s.threshold = threshold;
  for (size_t i = 0; i < scores.size(); ++i) {
    const bool flagged = scores[i] >= threshold;
    if (is_anomaly[i]) {
      ++(flagged ? s.true_positives : s.false_negatives);
    } else {
      ++(flagged ? s.false_positives : s.true_negatives);
    }
  }
  s.tpr = Ratio(s.true_positives, s.true_positives + s.false_negatives);
  s.fpr = Ratio(s.false_positives, s.false_positives + s.true_negatives);
  s.precision = Ratio(s.true_positives, s.true_positives + s.false_positives);
  return s;
}

// Percentile with linear interpolation between closest ranks (numpy's default).
double Percentile(std::vector<double> values, double percent) {
  std::sort(values.begin(), values.end());
  const double pos = percent / 100.0 * static_cast<double>(values.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(values.size() - 1, lo + 1);
  return values[lo] + (pos - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

Json StatsJson(const ThresholdStats& s) {
  return {{"threshold", s.threshold},
          {"tp", s.true_positives},
          {"fp", s.false_positives},
          {"tn", s.true_negatives},
          {"fn", s.false_negatives},
          {"tpr", s.tpr},
          {"fpr", s.fpr},
          {"precision", s.precision}};
}

std::string StatsText(const ThresholdStats& s) {
  return "threshold " + Score(s.threshold) + ": TPR " + Fixed(s.tpr, 3) + ", FPR " +
         Fixed(s.fpr, 3) + ", precision " + Fixed(s.precision, 3) + " (tp " +
         std::to_string(s.true_positives) + ", fp " + std::to_string(s.false_positives) + ")";
}

}  // namespace

StatusOr<AnomalyReport> EvaluateAnomaly(const std::vector<double>& scores,
                                        const std::vector<bool>& is_anomaly,
                                        const std::vector<std::string>& ids,
                                        const AnomalyOptions& options) {
  if (scores.size() != is_anomaly.size()) {
    return InvalidArgumentError("is_anomaly has " + std::to_string(is_anomaly.size()) +
                                " entries for " + std::to_string(scores.size()) + " scores");
  }
  if (!ids.empty() && ids.size() != scores.size()) {
    return InvalidArgumentError("ids has " + std::to_string(ids.size()) + " entries for " +
                                std::to_string(scores.size()) + " scores");
  }
  if (options.max_roc_points < 2) {
    return InvalidArgumentError("options.max_roc_points must be >= 2, got " +
                                std::to_string(options.max_roc_points));
  }
  if (options.top_false_alarms < 0) {
    return InvalidArgumentError("options.top_false_alarms must be >= 0, got " +
                                std::to_string(options.top_false_alarms));
  }
  if (!(options.normal_percentile >= 0 && options.normal_percentile <= 100)) {
    return InvalidArgumentError("options.normal_percentile must lie in [0, 100]");
  }
  const size_t n = scores.size();
  AnomalyReport r;
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(scores[i])) {
      return InvalidArgumentError("score " + std::to_string(i) + " is NaN or infinite");
    }
    ++(is_anomaly[i] ? r.anomalous : r.normal);
  }
  if (r.normal == 0 || r.anomalous == 0) {
    return InvalidArgumentError(
        "anomaly evaluation needs at least one normal and one anomalous "
        "sample (got " +
        std::to_string(r.normal) + " normal, " + std::to_string(r.anomalous) + " anomalous)");
  }

  // Indices by score descending; ties keep input order so the result is deterministic.
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return scores[a] > scores[b]; });

  // Mann-Whitney U from average ranks (rank 1 = lowest score; a tie group shares its mean rank,
  // which counts every tied normal/anomalous pair as one half).
  double rank_sum = 0;
  for (size_t start = 0; start < n;) {
    size_t end = start;
    while (end < n && scores[order[end]] == scores[order[start]]) ++end;
    // Descending positions start..end-1 are ascending ranks n-end+1 .. n-start.
    const double mean_rank =
        (static_cast<double>(n - end + 1) + static_cast<double>(n - start)) / 2;
    for (size_t k = start; k < end; ++k) {
      if (is_anomaly[order[k]]) rank_sum += mean_rank;
    }
    start = end;
  }
  const double pos = static_cast<double>(r.anomalous);
  const double neg = static_cast<double>(r.normal);
  r.roc_auc = (rank_sum - pos * (pos + 1) / 2) / (pos * neg);

  // Full ROC: one point per distinct score, then Youden's J over it.
  std::vector<RocPoint> full;
  full.push_back({std::numeric_limits<double>::infinity(), 0, 0});
  int64_t tp = 0;
  int64_t fp = 0;
  double best_j = -2;
  double best_threshold = scores[order[0]];
  for (size_t start = 0; start < n;) {
    size_t end = start;
    while (end < n && scores[order[end]] == scores[order[start]]) {
      ++(is_anomaly[order[end]] ? tp : fp);
      ++end;
    }
    RocPoint p{scores[order[start]], Ratio(fp, r.normal), Ratio(tp, r.anomalous)};
    if (p.tpr - p.fpr > best_j) {
      best_j = p.tpr - p.fpr;
      best_threshold = p.threshold;
    }
    full.push_back(p);
    start = end;
  }
  const size_t max_points = static_cast<size_t>(options.max_roc_points);
  if (full.size() <= max_points) {
    r.roc = std::move(full);
  } else {
    for (size_t i = 0; i < max_points; ++i) {
      r.roc.push_back(full[(i * (full.size() - 1) + (max_points - 1) / 2) / (max_points - 1)]);
    }
  }
  r.chosen = StatsAt(best_threshold, scores, is_anomaly);

  std::vector<double> normal_scores;
  for (size_t i = 0; i < n; ++i) {
    if (!is_anomaly[i]) normal_scores.push_back(scores[i]);
  }
  r.percentile = options.normal_percentile;
  r.normal_percentile =
      StatsAt(Percentile(normal_scores, options.normal_percentile), scores, is_anomaly);

  for (size_t k = 0;
       k < n && static_cast<int>(r.top_false_alarms.size()) < options.top_false_alarms; ++k) {
    const size_t i = order[k];
    if (is_anomaly[i]) continue;
    r.top_false_alarms.push_back(
        {ids.empty() ? std::to_string(i) : ids[i], scores[i], scores[i] >= r.chosen.threshold});
  }
  return r;
}

Json ToJson(const AnomalyReport& r) {
  Json roc = Json::array();
  for (const RocPoint& p : r.roc) {
    Json threshold = std::isfinite(p.threshold) ? Json(p.threshold) : Json(nullptr);
    roc.push_back({{"threshold", std::move(threshold)}, {"fpr", p.fpr}, {"tpr", p.tpr}});
  }
  Json alarms = Json::array();
  for (const FalseAlarm& a : r.top_false_alarms) {
    alarms.push_back({{"id", a.id}, {"score", a.score}, {"above_threshold", a.above_threshold}});
  }
  Json percentile = StatsJson(r.normal_percentile);
  percentile["percentile"] = r.percentile;
  return {{"normal", r.normal},
          {"anomalous", r.anomalous},
          {"roc_auc", r.roc_auc},
          {"threshold", r.chosen.threshold},
          {"chosen", StatsJson(r.chosen)},
          {"normal_percentile", std::move(percentile)},
          {"roc", std::move(roc)},
          {"top_false_alarms", std::move(alarms)}};
}

std::string ToText(const AnomalyReport& r) {
  std::string out = "ROC AUC " + Fixed(r.roc_auc, 4) + " (" + std::to_string(r.normal) +
                    " normal, " + std::to_string(r.anomalous) + " anomalous)\n";
  out += "chosen (Youden's J) " + StatsText(r.chosen) + "\n";
  out += "p" + Fixed(r.percentile, 0) + " of normal " + StatsText(r.normal_percentile) + "\n";
  if (!r.top_false_alarms.empty()) {
    out += "highest-scoring normal samples\n";
    for (const FalseAlarm& a : r.top_false_alarms) {
      out += "  " + a.id + "  score " + Score(a.score) +
             (a.above_threshold ? "  (false alarm)" : "") + "\n";
    }
  }
  return out;
}

}  // namespace tinyloop::eval
