#include "train/gmm.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "train/kmeans.h"

namespace tinyloop::train {
namespace {

constexpr int kFormatVersion = 1;
constexpr double kLogTwoPi = 1.8378770664093454835606594728112;
// Responsibility mass below which a component counts as empty in the M-step.
constexpr double kMinComponentMass = 1e-10;

Status ValidateConfig(const GmmConfig& c, int64_t rows) {
  if (c.components) {
    if (*c.components < 1) {
      return InvalidArgumentError("components must be >= 1, got " + std::to_string(*c.components));
    }
    if (*c.components > rows) {
      return InvalidArgumentError("components (" + std::to_string(*c.components) +
                                  ") exceeds the " + std::to_string(rows) + " training samples");
    }
  }
  if (c.max_iterations < 1) {
    return InvalidArgumentError("max_iterations must be >= 1, got " +
                                std::to_string(c.max_iterations));
  }
  if (!(c.tolerance >= 0)) return InvalidArgumentError("tolerance must be >= 0");
  if (!(c.variance_floor > 0)) return InvalidArgumentError("variance_floor must be > 0");
  return OkStatus();
}

// log(sum(exp(v))) without overflow.
double LogSumExp(const std::vector<double>& v) {
  const double top = *std::max_element(v.begin(), v.end());
  if (!std::isfinite(top)) return top;
  double sum = 0;
  for (double x : v) sum += std::exp(x - top);
  return top + std::log(sum);
}

StatusOr<std::vector<std::vector<double>>> MatrixFromJson(const Json& json, const char* field,
                                                          size_t cols) {
  if (!json.is_array() || json.empty()) {
    return InvalidArgumentError(std::string("gmm: '") + field + "' must be a non-empty array");
  }
  std::vector<std::vector<double>> out;
  for (const Json& row : json) {
    TL_ASSIGN_OR_RETURN(std::vector<double> values, NumbersFromJson(row, field));
    if (values.size() != cols) {
      return InvalidArgumentError(std::string("gmm: each row of '") + field + "' needs " +
                                  std::to_string(cols) + " values");
    }
    out.push_back(std::move(values));
  }
  return out;
}

}  // namespace

StatusOr<GmmModel> GmmModel::Train(const FeatureMatrix& x, const GmmConfig& config) {
  TL_ASSIGN_OR_RETURN(FeatureMatrix selected, SelectColumns(x, config.features));
  TL_RETURN_IF_ERROR(ValidateFeatures(selected));
  if (selected.rows < 1) return InvalidArgumentError("features: no training samples");
  TL_RETURN_IF_ERROR(ValidateConfig(config, selected.rows));
  const int64_t n = selected.rows;
  const size_t d = static_cast<size_t>(selected.cols);
  const int k = config.components.value_or(
      static_cast<int>(std::min<int64_t>(kDefaultGmmComponents, std::max<int64_t>(1, n / 10))));

  KMeansConfig kc;
  kc.clusters = k;
  kc.seed = config.seed;
  kc.standardize = config.standardize;
  TL_ASSIGN_OR_RETURN(KMeansModel km, KMeansModel::Train(selected, kc));

  GmmModel m;
  m.input_features_ = x.cols;
  m.features_ = config.features;
  if (m.features_.empty()) {
    for (int64_t j = 0; j < x.cols; ++j) m.features_.push_back(static_cast<int>(j));
  }
  m.standardize_ = config.standardize;
  m.seed_ = config.seed;
  m.variance_floor_ = config.variance_floor;
  m.scaler_ = km.scaler();
  std::vector<double> z(static_cast<size_t>(n) * d);
  for (int64_t i = 0; i < n; ++i) m.scaler_.Transform(selected.row(i), &z[i * d]);

  // Initialization: hard k-means assignments give weights, means and per-cluster variances.
  m.means_ = km.centroids();
  m.weights_.assign(k, 0.0);
  m.variances_.assign(k, std::vector<double>(d, 0.0));
  std::vector<int64_t> counts(k, 0);
  for (int64_t i = 0; i < n; ++i) {
    int best = 0;
    double best_dist = std::numeric_limits<double>::infinity();
    for (int c = 0; c < k; ++c) {
      double dist = 0;
      for (size_t j = 0; j < d; ++j) {
        const double diff = z[i * d + j] - m.means_[c][j];
        dist += diff * diff;
      }
      if (dist < best_dist) {
        best_dist = dist;
        best = c;
      }
    }
    ++counts[best];
    for (size_t j = 0; j < d; ++j) {
      const double diff = z[i * d + j] - m.means_[best][j];
      m.variances_[best][j] += diff * diff;
    }
  }
  for (int c = 0; c < k; ++c) {
    m.weights_[c] = std::max<double>(static_cast<double>(counts[c]), 1.0) / static_cast<double>(n);
    for (size_t j = 0; j < d; ++j) {
      // A singleton cluster has no spread of its own: start it at unit (standardized) variance.
      m.variances_[c][j] =
          counts[c] >= 2 ? m.variances_[c][j] / static_cast<double>(counts[c]) : 1.0;
      m.variances_[c][j] = std::max(m.variances_[c][j], config.variance_floor);
    }
  }
  double weight_sum = 0;
  for (double w : m.weights_) weight_sum += w;
  for (double& w : m.weights_) w /= weight_sum;

  std::vector<double> resp(static_cast<size_t>(n) * k);
  std::vector<double> log_p(k);
  double previous = -std::numeric_limits<double>::infinity();
  for (m.iterations_ = 1; m.iterations_ <= config.max_iterations; ++m.iterations_) {
    // E-step: responsibilities in the log domain.
    m.Precompute();
    double total = 0;
    for (int64_t i = 0; i < n; ++i) {
      for (int c = 0; c < k; ++c) {
        double q = 0;
        for (size_t j = 0; j < d; ++j) {
          const double diff = z[i * d + j] - m.means_[c][j];
          q += diff * diff / m.variances_[c][j];
        }
        log_p[c] = m.log_norm_[c] - 0.5 * q;
      }
      const double lse = LogSumExp(log_p);
      total += lse;
      for (int c = 0; c < k; ++c) resp[i * k + c] = std::exp(log_p[c] - lse);
    }
    m.mean_log_likelihood_ = total / static_cast<double>(n);
    if (m.mean_log_likelihood_ - previous < config.tolerance) {
      m.converged_ = true;
      break;
    }
    previous = m.mean_log_likelihood_;
    // M-step.
    for (int c = 0; c < k; ++c) {
      double mass = 0;
      for (int64_t i = 0; i < n; ++i) mass += resp[i * k + c];
      if (mass < kMinComponentMass) {
        m.weights_[c] = kMinComponentMass;  // keep its mean and variances; it is all but unused
        continue;
      }
      m.weights_[c] = mass / static_cast<double>(n);
      std::vector<double> mean(d, 0.0);
      for (int64_t i = 0; i < n; ++i) {
        for (size_t j = 0; j < d; ++j) mean[j] += resp[i * k + c] * z[i * d + j];
      }
      for (double& v : mean) v /= mass;
      std::vector<double> var(d, 0.0);
      for (int64_t i = 0; i < n; ++i) {
        for (size_t j = 0; j < d; ++j) {
          const double diff = z[i * d + j] - mean[j];
          var[j] += resp[i * k + c] * diff * diff;
        }
      }
      for (double& v : var) v = std::max(v / mass, config.variance_floor);
      m.means_[c] = std::move(mean);
      m.variances_[c] = std::move(var);
    }
    weight_sum = 0;
    for (double w : m.weights_) weight_sum += w;
    for (double& w : m.weights_) w /= weight_sum;
  }
  m.iterations_ = std::min(m.iterations_, config.max_iterations);
  m.Precompute();

  std::vector<double> scores(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) scores[i] = -m.LogLikelihood(&z[i * d]);
  m.training_score_max_ = *std::max_element(scores.begin(), scores.end());
  m.training_score_p99_ = Percentile99(std::move(scores));
  return m;
}

void GmmModel::Precompute() {
  log_norm_.resize(weights_.size());
  for (size_t c = 0; c < weights_.size(); ++c) {
    double log_det = 0;
    for (double v : variances_[c]) log_det += std::log(v);
    log_norm_[c] = std::log(weights_[c]) -
                   0.5 * (static_cast<double>(variances_[c].size()) * kLogTwoPi + log_det);
  }
}

double GmmModel::LogLikelihood(const double* z) const {
  std::vector<double> log_p(weights_.size());
  for (size_t c = 0; c < weights_.size(); ++c) {
    double q = 0;
    for (size_t j = 0; j < means_[c].size(); ++j) {
      const double diff = z[j] - means_[c][j];
      q += diff * diff / variances_[c][j];
    }
    log_p[c] = log_norm_[c] - 0.5 * q;
  }
  return LogSumExp(log_p);
}

StatusOr<double> GmmModel::ScoreRow(const float* row) const {
  const size_t d = features_.size();
  std::vector<float> selected(d);
  for (size_t j = 0; j < d; ++j) {
    selected[j] = row[features_[j]];
    if (!std::isfinite(selected[j])) {
      return InvalidArgumentError("features: NaN or infinite value at column " +
                                  std::to_string(features_[j]));
    }
  }
  std::vector<double> z(d);
  scaler_.Transform(selected.data(), z.data());
  return -LogLikelihood(z.data());
}

StatusOr<double> GmmModel::Score(const std::vector<float>& row) const {
  if (static_cast<int64_t>(row.size()) != input_features_) {
    return InvalidArgumentError("features: got " + std::to_string(row.size()) +
                                " values, the model expects " + std::to_string(input_features_));
  }
  return ScoreRow(row.data());
}

StatusOr<std::vector<double>> GmmModel::ScoreAll(const FeatureMatrix& x) const {
  if (x.cols != input_features_ || static_cast<int64_t>(x.values.size()) != x.rows * x.cols) {
    return InvalidArgumentError("features: matrix has " + std::to_string(x.cols) +
                                " columns, the model expects " + std::to_string(input_features_));
  }
  std::vector<double> out;
  out.reserve(static_cast<size_t>(x.rows));
  for (int64_t i = 0; i < x.rows; ++i) {
    auto score = ScoreRow(x.row(i));
    if (!score.ok()) return score.status().WithPrefix("row " + std::to_string(i));
    out.push_back(*score);
  }
  return out;
}

Json GmmModel::ToJson() const {
  return {{"type", "gmm"},
          {"version", kFormatVersion},
          {"input_features", input_features_},
          {"features", features_},
          {"standardize", standardize_},
          {"scaler", scaler_.ToJson()},
          {"weights", weights_},
          {"means", means_},
          {"variances", variances_},
          {"training",
           {{"seed", seed_},
            {"iterations", iterations_},
            {"converged", converged_},
            {"variance_floor", variance_floor_},
            {"mean_log_likelihood", mean_log_likelihood_},
            {"score_p99", training_score_p99_},
            {"score_max", training_score_max_}}}};
}

StatusOr<GmmModel> GmmModel::FromJson(const Json& json) {
  auto field = [&](const char* key) -> const Json& {
    static const Json kNull;
    return json.is_object() && json.contains(key) ? json[key] : kNull;
  };
  TL_ASSIGN_OR_RETURN(AnomalyModelHeader header,
                      AnomalyModelHeaderFromJson(json, "gmm", kFormatVersion));
  GmmModel m;
  m.input_features_ = header.input_features;
  m.features_ = std::move(header.features);
  m.standardize_ = header.standardize;
  m.scaler_ = std::move(header.scaler);
  const size_t d = m.features_.size();
  TL_ASSIGN_OR_RETURN(m.weights_, NumbersFromJson(field("weights"), "gmm.weights"));
  TL_ASSIGN_OR_RETURN(m.means_, MatrixFromJson(field("means"), "means", d));
  TL_ASSIGN_OR_RETURN(m.variances_, MatrixFromJson(field("variances"), "variances", d));
  if (m.weights_.size() != m.means_.size() || m.variances_.size() != m.means_.size()) {
    return InvalidArgumentError(
        "gmm: 'weights', 'means' and 'variances' need one entry per "
        "component");
  }
  for (double w : m.weights_) {
    if (!(w > 0)) return InvalidArgumentError("gmm: 'weights' must be > 0");
  }
  for (const auto& row : m.variances_) {
    for (double v : row) {
      if (!(v > 0)) return InvalidArgumentError("gmm: 'variances' must be > 0");
    }
  }
  const Json& training = field("training");
  if (training.is_object()) {
    try {
      m.seed_ = training.value("seed", uint64_t{0});
      m.iterations_ = training.value("iterations", 0);
      m.converged_ = training.value("converged", false);
      m.variance_floor_ = training.value("variance_floor", 0.0);
      m.mean_log_likelihood_ = training.value("mean_log_likelihood", 0.0);
      m.training_score_p99_ = training.value("score_p99", 0.0);
      m.training_score_max_ = training.value("score_max", 0.0);
    } catch (const Json::exception& e) {
      return InvalidArgumentError(std::string("gmm: 'training' has a mistyped field: ") + e.what());
    }
  }
  m.Precompute();
  return m;
}

}  // namespace tinyloop::train
