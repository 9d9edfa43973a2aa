#include "impulse/anomaly_block.h"

namespace tinyloop::impulse {

StatusOr<AnomalyBlock> AnomalyBlock::Train(const AnomalyConfig& config,
                                           const train::FeatureMatrix& normal, uint64_t seed) {
  AnomalyBlock block;
  if (config.type == AnomalyType::kKMeans) {
    train::KMeansConfig k = config.kmeans;
    k.seed = seed;
    if (k.clusters && *k.clusters > normal.rows) k.clusters = int(normal.rows);
    auto model = train::KMeansModel::Train(normal, k);
    if (!model.ok()) return model.status().WithPrefix("anomaly (kmeans)");
    block.threshold_ = model->training_score_p99();
    block.kmeans_ = std::move(*model);
  } else if (config.type == AnomalyType::kGmm) {
    train::GmmConfig g = config.gmm;
    g.seed = seed;
    auto model = train::GmmModel::Train(normal, g);
    if (!model.ok()) return model.status().WithPrefix("anomaly (gmm)");
    block.threshold_ = model->training_score_p99();
    block.gmm_ = std::move(*model);
  } else {
    return InvalidArgumentError("anomaly: no anomaly block configured");
  }
  return block;
}

StatusOr<AnomalyBlock> AnomalyBlock::FromJson(const Json& json) {
  if (!json.is_object() || !json.contains("type") || !json.contains("model") ||
      !json.contains("threshold") || !json.at("threshold").is_number()) {
    return InvalidArgumentError("anomaly.json: needs \"type\", \"threshold\" and \"model\"");
  }
  AnomalyBlock block;
  block.threshold_ = json.at("threshold").get<double>();
  const std::string type = json.at("type").is_string() ? json.at("type").get<std::string>() : "";
  if (type == "kmeans") {
    auto model = train::KMeansModel::FromJson(json.at("model"));
    if (!model.ok()) return model.status().WithPrefix("anomaly.json");
    block.kmeans_ = std::move(*model);
  } else if (type == "gmm") {
    auto model = train::GmmModel::FromJson(json.at("model"));
    if (!model.ok()) return model.status().WithPrefix("anomaly.json");
    block.gmm_ = std::move(*model);
  } else {
    return InvalidArgumentError("anomaly.json: type must be \"kmeans\" or \"gmm\"");
  }
  return block;
}

StatusOr<std::vector<double>> AnomalyBlock::ScoreAll(const train::FeatureMatrix& x) const {
  if (kmeans_) return kmeans_->ScoreAll(x);
  if (gmm_) return gmm_->ScoreAll(x);
  return FailedPreconditionError("anomaly: block not trained");
}

Json AnomalyBlock::ToJson() const {
  return Json{{"type", kmeans_ ? "kmeans" : "gmm"},
              {"threshold", threshold_},
              {"model", kmeans_ ? kmeans_->ToJson() : gmm_->ToJson()}};
}

}  // namespace tinyloop::impulse
