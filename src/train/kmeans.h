// K-means anomaly detection learning block: trained on normal data only, it scores a window by
// its distance to the nearest centroid (optionally relative to that cluster's spread). k-means++
// seeding with a built-in xoshiro256** generator and plain IEEE arithmetic make training
// bit-identical across platforms for the same seed and data. The trained model serializes to
// JSON for storage and for the device compiler.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/json.h"
#include "base/status.h"
#include "train/feature_scaler.h"

namespace tinyloop::train {

// Clusters used when KMeansConfig::clusters is unset (capped at half the training rows).
inline constexpr int kDefaultKMeansClusters = 32;

struct KMeansConfig {
  // Number of clusters. Unset: min(32, max(1, rows / 2)). Set: 1 <= clusters <= rows.
  std::optional<int> clusters;
  // Seed of k-means++ initialization. Default 1.
  uint64_t seed = 1;
  // Most Lloyd iterations. Default 100; must be >= 1.
  int max_iterations = 100;
  // Converged when no centroid moves farther than this (standardized units). Default 1e-6.
  double tolerance = 1e-6;
  // Indices of the input features to use, in this order; empty (default) = all.
  std::vector<int> features;
  // Standardize the selected features (mean 0, std 1 from the training data). Default true.
  bool standardize = true;
  // Divide the distance by the nearest cluster's mean training distance, so that tight and loose
  // clusters give comparable scores. Default false.
  bool normalize_by_cluster_distance = false;
};

// {"clusters" (absent when unset), "seed", "max_iterations", "tolerance", "features",
// "standardize", "normalize_by_cluster_distance"}.
Json ToJson(const KMeansConfig& config);
// Missing keys keep their defaults. InvalidArgument naming the key for an unknown key or a value
// of the wrong type.
StatusOr<KMeansConfig> KMeansConfigFromJson(const Json& json);

// A trained k-means model. Immutable; thread-safe for concurrent Score calls.
class KMeansModel {
 public:
  // Trains on `x` (rows = windows, cols = all DSP features). InvalidArgument naming the field for
  // clusters < 1, clusters > rows ("clusters (40) exceeds the 20 training samples"),
  // max_iterations < 1, tolerance < 0, a feature index out of range or repeated, an empty
  // matrix, or a NaN/Inf among the selected features.
  static StatusOr<KMeansModel> Train(const FeatureMatrix& x, const KMeansConfig& config);

  // Anomaly score of one window of input_features() values (higher = more anomalous): the
  // Euclidean distance to the nearest centroid in standardized space, divided by that cluster's
  // mean training distance when normalize_by_cluster_distance. InvalidArgument for a wrong size
  // or a NaN/Inf among the selected features.
  StatusOr<double> Score(const std::vector<float>& row) const;
  // Scores of every row of `x` (x.cols must equal input_features()). Errors as Score.
  StatusOr<std::vector<double>> ScoreAll(const FeatureMatrix& x) const;

  int clusters() const { return static_cast<int>(cluster_sizes_.size()); }
  int64_t input_features() const { return input_features_; }
  const std::vector<int>& features() const { return features_; }  // resolved, never empty
  const FeatureScaler& scaler() const { return scaler_; }
  // Centroid k in standardized space: centroids()[k] has features().size() values.
  const std::vector<std::vector<double>>& centroids() const { return centroids_; }
  const std::vector<int64_t>& cluster_sizes() const { return cluster_sizes_; }
  // Mean distance of a cluster's training points to its centroid; clusters with fewer than two
  // points (or a zero spread) get the overall mean distance, so normalized scores stay finite.
  const std::vector<double>& mean_distances() const { return mean_distances_; }
  int iterations() const { return iterations_; }
  bool converged() const { return converged_; }
  // 99th percentile and maximum of the training scores (a starting point for a threshold).
  double training_score_p99() const { return training_score_p99_; }
  double training_score_max() const { return training_score_max_; }

  // {"type":"kmeans", "version":1, "input_features", "features", "standardize",
  // "normalize_by_cluster_distance", "scaler", "centroids", "cluster_sizes", "mean_distances",
  // "training":{...}}. Same model → same bytes under DumpJson.
  Json ToJson() const;
  // InvalidArgument naming the field for a missing/mistyped field or inconsistent sizes.
  static StatusOr<KMeansModel> FromJson(const Json& json);

 private:
  // Distance to the nearest centroid of a standardized point; `cluster` receives its index.
  double NearestDistance(const double* z, int* cluster) const;
  StatusOr<double> ScoreRow(const float* row) const;

  int64_t input_features_ = 0;
  std::vector<int> features_;
  bool standardize_ = true;
  bool normalize_ = false;
  FeatureScaler scaler_;
  std::vector<std::vector<double>> centroids_;
  std::vector<int64_t> cluster_sizes_;
  std::vector<double> mean_distances_;
  int iterations_ = 0;
  bool converged_ = false;
  double inertia_ = 0;
  uint64_t seed_ = 0;
  double training_score_p99_ = 0;
  double training_score_max_ = 0;
};

// Shared by the anomaly blocks: the 99th percentile (linear interpolation) of `values`; 0 when
// empty.
double Percentile99(std::vector<double> values);

}  // namespace tinyloop::train
