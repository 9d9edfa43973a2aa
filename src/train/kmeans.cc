#include "train/kmeans.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>

#include "base/random.h"

namespace tinyloop::train {
namespace {

constexpr int kFormatVersion = 1;

double SquaredDistance(const double* a, const double* b, size_t d) {
  double sum = 0;
  for (size_t j = 0; j < d; ++j) {
    const double diff = a[j] - b[j];
    sum += diff * diff;
  }
  return sum;
}

// Nearest centroid (lowest index on ties) and its squared distance.
int Nearest(const std::vector<std::vector<double>>& centroids, const double* z, size_t d,
            double* best) {
  int index = 0;
  *best = std::numeric_limits<double>::infinity();
  for (size_t k = 0; k < centroids.size(); ++k) {
    const double dist = SquaredDistance(z, centroids[k].data(), d);
    if (dist < *best) {
      *best = dist;
      index = static_cast<int>(k);
    }
  }
  return index;
}

// k-means++ (Arthur & Vassilvitskii 2007): each next centroid is a data point drawn with
// probability proportional to its squared distance to the nearest centroid chosen so far.
std::vector<std::vector<double>> SeedPlusPlus(const std::vector<double>& z, int64_t n, size_t d,
                                              int k, Rng* rng) {
  std::vector<std::vector<double>> centroids;
  auto point = [&](int64_t i) {
    return std::vector<double>(z.begin() + i * d, z.begin() + (i + 1) * d);
  };
  centroids.push_back(point(rng->Below(n)));
  std::vector<double> d2(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) d2[i] = SquaredDistance(&z[i * d], centroids[0].data(), d);
  while (static_cast<int>(centroids.size()) < k) {
    double total = 0;
    for (double v : d2) total += v;
    int64_t chosen = n - 1;
    if (total > 0) {
      const double target = rng->Uniform() * total;
      double cumulative = 0;
      for (int64_t i = 0; i < n; ++i) {
        cumulative += d2[i];
        if (cumulative > target) {
          chosen = i;
          break;
        }
      }
    } else {
      chosen = rng->Below(n);  // every point coincides with a centroid already
    }
    centroids.push_back(point(chosen));
    const double* c = centroids.back().data();
    for (int64_t i = 0; i < n; ++i) d2[i] = std::min(d2[i], SquaredDistance(&z[i * d], c, d));
  }
  return centroids;
}

Status ValidateConfig(const KMeansConfig& c, int64_t rows) {
  if (c.clusters) {
    if (*c.clusters < 1) {
      return InvalidArgumentError("clusters must be >= 1, got " + std::to_string(*c.clusters));
    }
    if (*c.clusters > rows) {
      return InvalidArgumentError("clusters (" + std::to_string(*c.clusters) + ") exceeds the " +
                                  std::to_string(rows) + " training samples");
    }
  }
  if (c.max_iterations < 1) {
    return InvalidArgumentError("max_iterations must be >= 1, got " +
                                std::to_string(c.max_iterations));
  }
  if (!(c.tolerance >= 0)) return InvalidArgumentError("tolerance must be >= 0");
  return OkStatus();
}

// Reads an optional key of `json` into `out` with `get`, naming the key on a type mismatch.
template <typename T, typename Check>
Status ReadKey(const Json& json, const char* key, Check is_type, T* out) {
  if (!json.contains(key)) return OkStatus();
  const Json& v = json[key];
  if (!is_type(v))
    return InvalidArgumentError(std::string("kmeans config: '") + key + "' has the wrong type");
  *out = v.get<T>();
  return OkStatus();
}

bool IsInt(const Json& v) { return v.is_number_integer(); }
bool IsUnsigned(const Json& v) {
  return v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0);
}
bool IsNumber(const Json& v) { return v.is_number(); }
bool IsBool(const Json& v) { return v.is_boolean(); }

}  // namespace

double Percentile99(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double pos = 0.99 * static_cast<double>(values.size() - 1);
  const size_t lo = static_cast<size_t>(pos);
  const size_t hi = std::min(values.size() - 1, lo + 1);
  return values[lo] + (pos - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

Json ToJson(const KMeansConfig& c) {
  Json j = {{"seed", c.seed},
            {"max_iterations", c.max_iterations},
            {"tolerance", c.tolerance},
            {"features", c.features},
            {"standardize", c.standardize},
            {"normalize_by_cluster_distance", c.normalize_by_cluster_distance}};
  if (c.clusters) j["clusters"] = *c.clusters;
  return j;
}

StatusOr<KMeansConfig> KMeansConfigFromJson(const Json& json) {
  if (!json.is_object()) return InvalidArgumentError("kmeans config: expected an object");
  static const char* const kKeys[] = {"clusters",
                                      "seed",
                                      "max_iterations",
                                      "tolerance",
                                      "features",
                                      "standardize",
                                      "normalize_by_cluster_distance"};
  for (const auto& item : json.items()) {
    if (std::find_if(std::begin(kKeys), std::end(kKeys),
                     [&](const char* k) { return item.key() == k; }) == std::end(kKeys)) {
      return InvalidArgumentError("kmeans config: unknown key '" + item.key() + "'");
    }
  }
  KMeansConfig c;
  if (json.contains("clusters")) {
    int clusters = 0;
    TL_RETURN_IF_ERROR(ReadKey(json, "clusters", IsInt, &clusters));
    c.clusters = clusters;
  }
  TL_RETURN_IF_ERROR(ReadKey(json, "seed", IsUnsigned, &c.seed));
  TL_RETURN_IF_ERROR(ReadKey(json, "max_iterations", IsInt, &c.max_iterations));
  TL_RETURN_IF_ERROR(ReadKey(json, "tolerance", IsNumber, &c.tolerance));
  TL_RETURN_IF_ERROR(ReadKey(json, "standardize", IsBool, &c.standardize));
  TL_RETURN_IF_ERROR(
      ReadKey(json, "normalize_by_cluster_distance", IsBool, &c.normalize_by_cluster_distance));
  if (json.contains("features")) {
    const Json& f = json["features"];
    if (!f.is_array() || !std::all_of(f.begin(), f.end(), IsInt)) {
      return InvalidArgumentError("kmeans config: 'features' must be an array of integers");
    }
    c.features = f.get<std::vector<int>>();
  }
  return c;
}

StatusOr<KMeansModel> KMeansModel::Train(const FeatureMatrix& x, const KMeansConfig& config) {
  TL_ASSIGN_OR_RETURN(FeatureMatrix selected, SelectColumns(x, config.features));
  TL_RETURN_IF_ERROR(ValidateFeatures(selected));
  if (selected.rows < 1) return InvalidArgumentError("features: no training samples");
  TL_RETURN_IF_ERROR(ValidateConfig(config, selected.rows));

  KMeansModel m;
  m.input_features_ = x.cols;
  m.features_ = config.features;
  if (m.features_.empty()) {
    for (int64_t j = 0; j < x.cols; ++j) m.features_.push_back(static_cast<int>(j));
  }
  m.standardize_ = config.standardize;
  m.normalize_ = config.normalize_by_cluster_distance;
  m.seed_ = config.seed;
  if (config.standardize) {
    TL_ASSIGN_OR_RETURN(m.scaler_, FeatureScaler::Fit(selected));
  } else {
    m.scaler_ = FeatureScaler::Identity(selected.cols);
  }

  const int64_t n = selected.rows;
  const size_t d = static_cast<size_t>(selected.cols);
  std::vector<double> z(static_cast<size_t>(n) * d);
  for (int64_t i = 0; i < n; ++i) m.scaler_.Transform(selected.row(i), &z[i * d]);

  const int k = config.clusters.value_or(
      static_cast<int>(std::min<int64_t>(kDefaultKMeansClusters, std::max<int64_t>(1, n / 2))));
  Rng rng(config.seed);
  m.centroids_ = SeedPlusPlus(z, n, d, k, &rng);

  std::vector<int> assignment(static_cast<size_t>(n), -1);
  std::vector<double> dist2(static_cast<size_t>(n));
  for (m.iterations_ = 1; m.iterations_ <= config.max_iterations; ++m.iterations_) {
    for (int64_t i = 0; i < n; ++i) assignment[i] = Nearest(m.centroids_, &z[i * d], d, &dist2[i]);
    std::vector<std::vector<double>> sums(k, std::vector<double>(d, 0.0));
    std::vector<int64_t> counts(k, 0);
    for (int64_t i = 0; i < n; ++i) {
      ++counts[assignment[i]];
      for (size_t j = 0; j < d; ++j) sums[assignment[i]][j] += z[i * d + j];
    }
    // An empty cluster takes over the point farthest from its centroid, so k stays k.
    std::vector<bool> taken(static_cast<size_t>(n), false);
    double shift = 0;
    for (int c = 0; c < k; ++c) {
      if (counts[c] == 0) {
        int64_t far = -1;
        for (int64_t i = 0; i < n; ++i) {
          if (!taken[i] && (far < 0 || dist2[i] > dist2[far])) far = i;
        }
        taken[far] = true;
        sums[c].assign(z.begin() + far * d, z.begin() + (far + 1) * d);
        counts[c] = 1;
      }
      for (size_t j = 0; j < d; ++j) sums[c][j] /= static_cast<double>(counts[c]);
      shift =
          std::max(shift, std::sqrt(SquaredDistance(sums[c].data(), m.centroids_[c].data(), d)));
    }
    m.centroids_ = std::move(sums);
    if (shift <= config.tolerance) {
      m.converged_ = true;
      break;
    }
  }
  m.iterations_ = std::min(m.iterations_, config.max_iterations);

  // Final assignment: sizes, spreads and the training scores.
  m.cluster_sizes_.assign(k, 0);
  std::vector<double> dist_sum(k, 0.0);
  double total_dist = 0;
  for (int64_t i = 0; i < n; ++i) {
    assignment[i] = Nearest(m.centroids_, &z[i * d], d, &dist2[i]);
    ++m.cluster_sizes_[assignment[i]];
    dist_sum[assignment[i]] += std::sqrt(dist2[i]);
    total_dist += std::sqrt(dist2[i]);
    m.inertia_ += dist2[i];
  }
  const double overall = total_dist > 0 ? total_dist / static_cast<double>(n) : 1.0;
  m.mean_distances_.assign(k, overall);
  for (int c = 0; c < k; ++c) {
    if (m.cluster_sizes_[c] >= 2 && dist_sum[c] > 0) {
      m.mean_distances_[c] = dist_sum[c] / static_cast<double>(m.cluster_sizes_[c]);
    }
  }
  std::vector<double> scores(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    scores[i] = std::sqrt(dist2[i]);
    if (m.normalize_) scores[i] /= m.mean_distances_[assignment[i]];
  }
  m.training_score_max_ = *std::max_element(scores.begin(), scores.end());
  m.training_score_p99_ = Percentile99(std::move(scores));
  return m;
}

double KMeansModel::NearestDistance(const double* z, int* cluster) const {
  double best = 0;
  *cluster = Nearest(centroids_, z, features_.size(), &best);
  return std::sqrt(best);
}

StatusOr<double> KMeansModel::ScoreRow(const float* row) const {
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
  int cluster = 0;
  const double distance = NearestDistance(z.data(), &cluster);
  return normalize_ ? distance / mean_distances_[cluster] : distance;
}

StatusOr<double> KMeansModel::Score(const std::vector<float>& row) const {
  if (static_cast<int64_t>(row.size()) != input_features_) {
    return InvalidArgumentError("features: got " + std::to_string(row.size()) +
                                " values, the model expects " + std::to_string(input_features_));
  }
  return ScoreRow(row.data());
}

StatusOr<std::vector<double>> KMeansModel::ScoreAll(const FeatureMatrix& x) const {
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

Json KMeansModel::ToJson() const {
  return {{"type", "kmeans"},
          {"version", kFormatVersion},
          {"input_features", input_features_},
          {"features", features_},
          {"standardize", standardize_},
          {"normalize_by_cluster_distance", normalize_},
          {"scaler", scaler_.ToJson()},
          {"centroids", centroids_},
          {"cluster_sizes", cluster_sizes_},
          {"mean_distances", mean_distances_},
          {"training",
           {{"seed", seed_},
            {"iterations", iterations_},
            {"converged", converged_},
            {"inertia", inertia_},
            {"score_p99", training_score_p99_},
            {"score_max", training_score_max_}}}};
}

StatusOr<KMeansModel> KMeansModel::FromJson(const Json& json) {
  auto field = [&](const char* key) -> const Json& {
    static const Json kNull;
    return json.is_object() && json.contains(key) ? json[key] : kNull;
  };
  TL_ASSIGN_OR_RETURN(AnomalyModelHeader header,
                      AnomalyModelHeaderFromJson(json, "kmeans", kFormatVersion));
  KMeansModel m;
  m.input_features_ = header.input_features;
  m.features_ = std::move(header.features);
  m.standardize_ = header.standardize;
  m.scaler_ = std::move(header.scaler);
  if (!field("normalize_by_cluster_distance").is_boolean()) {
    return InvalidArgumentError("kmeans: 'normalize_by_cluster_distance' must be a boolean");
  }
  m.normalize_ = field("normalize_by_cluster_distance").get<bool>();
  const size_t d = m.features_.size();
  const Json& centroids = field("centroids");
  if (!centroids.is_array() || centroids.empty()) {
    return InvalidArgumentError("kmeans: 'centroids' must be a non-empty array");
  }
  for (const Json& c : centroids) {
    TL_ASSIGN_OR_RETURN(std::vector<double> centroid, NumbersFromJson(c, "kmeans.centroids"));
    if (centroid.size() != d) {
      return InvalidArgumentError("kmeans: each centroid needs " + std::to_string(d) + " values");
    }
    m.centroids_.push_back(std::move(centroid));
  }
  TL_ASSIGN_OR_RETURN(m.mean_distances_,
                      NumbersFromJson(field("mean_distances"), "kmeans.mean_distances"));
  TL_ASSIGN_OR_RETURN(std::vector<double> sizes,
                      NumbersFromJson(field("cluster_sizes"), "kmeans.cluster_sizes"));
  if (m.mean_distances_.size() != m.centroids_.size() || sizes.size() != m.centroids_.size()) {
    return InvalidArgumentError(
        "kmeans: 'cluster_sizes' and 'mean_distances' need one entry per centroid");
  }
  for (double v : m.mean_distances_) {
    if (!(v > 0)) return InvalidArgumentError("kmeans: 'mean_distances' must be > 0");
  }
  for (double v : sizes) m.cluster_sizes_.push_back(static_cast<int64_t>(v));
  const Json& training = field("training");
  if (!training.is_object()) return m;
  try {
    m.seed_ = training.value("seed", uint64_t{0});
    m.iterations_ = training.value("iterations", 0);
    m.converged_ = training.value("converged", false);
    m.inertia_ = training.value("inertia", 0.0);
    m.training_score_p99_ = training.value("score_p99", 0.0);
    m.training_score_max_ = training.value("score_max", 0.0);
  } catch (const Json::exception& e) {
    return InvalidArgumentError(std::string("kmeans: 'training' has a mistyped field: ") +
                                e.what());
  }
  return m;
}

}  // namespace tinyloop::train
