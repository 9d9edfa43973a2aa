// The impulse's anomaly block: k-means or GMM (src/train) trained on the training windows' DSP
// features, with the threshold the device uses, stored as anomaly.json in the model directory.
// Part of src/impulse. Immutable after Train/FromJson; Score is thread-safe.
#pragma once

#include <optional>
#include <vector>

#include "base/json.h"
#include "base/status.h"
#include "impulse/impulse_config.h"
#include "train/feature_scaler.h"
#include "train/gmm.h"
#include "train/kmeans.h"

namespace tinyloop::impulse {

class AnomalyBlock {
 public:
  // Trains the configured model (config.type must not be kNone) on `normal`.
  // Errors: those of KMeansModel::Train / GmmModel::Train (InvalidArgument naming the field).
  static StatusOr<AnomalyBlock> Train(const AnomalyConfig& config,
                                      const train::FeatureMatrix& normal, uint64_t seed);
  // Reads anomaly.json. InvalidArgument naming the field for a malformed document.
  static StatusOr<AnomalyBlock> FromJson(const Json& json);

  // Scores of every row (higher = more anomalous). Errors as the model's ScoreAll.
  StatusOr<std::vector<double>> ScoreAll(const train::FeatureMatrix& x) const;
  // {"type":"kmeans"|"gmm","threshold":...,"model":{...}}; threshold = the 99th percentile
  // of the training scores (windows scoring at or above it are flagged).
  Json ToJson() const;
  double threshold() const { return threshold_; }

 private:
  std::optional<train::KMeansModel> kmeans_;
  std::optional<train::GmmModel> gmm_;
  double threshold_ = 0;
};

}  // namespace tinyloop::impulse
