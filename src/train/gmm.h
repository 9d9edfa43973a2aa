// Gaussian-mixture anomaly detection learning block: a diagonal-covariance mixture fitted by EM
// (initialized from k-means, variances floored) on normal data only; a window's score is its
// negative log-likelihood under the mixture. Deterministic for the same seed and data on one
// platform (EM uses exp/log, whose last bits may differ between math libraries). Serializes to
// JSON for storage and for the device compiler.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/json.h"
#include "base/status.h"
#include "train/feature_scaler.h"

namespace tinyloop::train {

// Components used when GmmConfig::components is unset (capped at a tenth of the training rows).
inline constexpr int kDefaultGmmComponents = 8;

struct GmmConfig {
  // Mixture components. Unset: min(8, max(1, rows / 10)). Set: 1 <= components <= rows.
  std::optional<int> components;
  // Seed of the k-means initialization. Default 1.
  uint64_t seed = 1;
  // Most EM iterations. Default 100; must be >= 1.
  int max_iterations = 100;
  // Converged when the mean log-likelihood per sample improves by less than this. Default 1e-6.
  double tolerance = 1e-6;
  // Smallest variance of any component and feature (standardized units). Default 1e-3; > 0.
  double variance_floor = 1e-3;
  // Indices of the input features to use, in this order; empty (default) = all.
  std::vector<int> features;
  // Standardize the selected features before fitting. Default true.
  bool standardize = true;
};

// A trained mixture. Immutable; thread-safe for concurrent Score calls.
class GmmModel {
 public:
  // Fits the mixture to `x` (rows = windows, cols = all DSP features). InvalidArgument naming the
  // field for components < 1, components > rows, max_iterations < 1, tolerance < 0,
  // variance_floor <= 0, a feature index out of range or repeated, an empty matrix, or a NaN/Inf
  // among the selected features.
  static StatusOr<GmmModel> Train(const FeatureMatrix& x, const GmmConfig& config);

  // Negative log-likelihood of one window of input_features() values in standardized space
  // (higher = more anomalous), computed with log-sum-exp. InvalidArgument for a wrong size or a
  // NaN/Inf among the selected features.
  StatusOr<double> Score(const std::vector<float>& row) const;
  // Scores of every row of `x` (x.cols must equal input_features()). Errors as Score.
  StatusOr<std::vector<double>> ScoreAll(const FeatureMatrix& x) const;

  int components() const { return static_cast<int>(weights_.size()); }
  int64_t input_features() const { return input_features_; }
  const std::vector<int>& features() const { return features_; }  // resolved, never empty
  const FeatureScaler& scaler() const { return scaler_; }
  const std::vector<double>& weights() const { return weights_; }  // sum to 1
  const std::vector<std::vector<double>>& means() const { return means_; }
  const std::vector<std::vector<double>>& variances() const { return variances_; }
  int iterations() const { return iterations_; }
  bool converged() const { return converged_; }
  double mean_log_likelihood() const { return mean_log_likelihood_; }
  // 99th percentile and maximum of the training scores.
  double training_score_p99() const { return training_score_p99_; }
  double training_score_max() const { return training_score_max_; }

  // {"type":"gmm", "version":1, "input_features", "features", "standardize", "scaler",
  // "weights", "means", "variances", "training":{...}}. Same model → same bytes under DumpJson.
  Json ToJson() const;
  // InvalidArgument naming the field for a missing/mistyped field, inconsistent sizes, weights
  // that are not positive, or variances that are not positive.
  static StatusOr<GmmModel> FromJson(const Json& json);

 private:
  // log p(z) of a standardized point.
  double LogLikelihood(const double* z) const;
  StatusOr<double> ScoreRow(const float* row) const;
  // Precomputes log weights and per-component normalizers from weights_ and variances_.
  void Precompute();

  int64_t input_features_ = 0;
  std::vector<int> features_;
  bool standardize_ = true;
  FeatureScaler scaler_;
  std::vector<double> weights_;
  std::vector<std::vector<double>> means_;
  std::vector<std::vector<double>> variances_;
  std::vector<double> log_norm_;  // log w_k - 0.5 * sum_d log(2 pi var_kd)
  int iterations_ = 0;
  bool converged_ = false;
  double mean_log_likelihood_ = 0;
  uint64_t seed_ = 0;
  double variance_floor_ = 0;
  double training_score_p99_ = 0;
  double training_score_max_ = 0;
};

}  // namespace tinyloop::train
