#include "train/feature_scaler.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace tinyloop::train {

StatusOr<FeatureMatrix> MakeFeatureMatrix(const std::vector<std::vector<float>>& rows) {
  FeatureMatrix m;
  m.rows = static_cast<int64_t>(rows.size());
  m.cols = rows.empty() ? 0 : static_cast<int64_t>(rows[0].size());
  m.values.reserve(rows.size() * static_cast<size_t>(m.cols));
  for (size_t i = 0; i < rows.size(); ++i) {
    if (static_cast<int64_t>(rows[i].size()) != m.cols) {
      return InvalidArgumentError("features: row " + std::to_string(i) + " has " +
                                  std::to_string(rows[i].size()) + " values, row 0 has " +
                                  std::to_string(m.cols));
    }
    m.values.insert(m.values.end(), rows[i].begin(), rows[i].end());
  }
  return m;
}

StatusOr<FeatureMatrix> SelectColumns(const FeatureMatrix& x, const std::vector<int>& indices) {
  if (x.cols < 0 || x.rows < 0 || static_cast<int64_t>(x.values.size()) != x.rows * x.cols) {
    return InvalidArgumentError("features: " + std::to_string(x.values.size()) + " values for " +
                                std::to_string(x.rows) + " rows × " + std::to_string(x.cols) +
                                " columns");
  }
  if (indices.empty()) return x;
  std::vector<bool> seen(static_cast<size_t>(std::max<int64_t>(x.cols, 0)), false);
  for (size_t k = 0; k < indices.size(); ++k) {
    const int c = indices[k];
    const std::string name = "features[" + std::to_string(k) + "] = " + std::to_string(c);
    if (c < 0 || c >= x.cols) {
      return InvalidArgumentError(name + " is outside [0, " + std::to_string(x.cols) + ")");
    }
    if (seen[c]) return InvalidArgumentError(name + " is repeated");
    seen[c] = true;
  }
  FeatureMatrix out;
  out.rows = x.rows;
  out.cols = static_cast<int64_t>(indices.size());
  out.values.reserve(static_cast<size_t>(out.rows * out.cols));
  for (int64_t i = 0; i < x.rows; ++i) {
    for (int c : indices) out.values.push_back(x.row(i)[c]);
  }
  return out;
}

Status ValidateFeatures(const FeatureMatrix& x) {
  if (x.cols < 1) return InvalidArgumentError("features: at least one column is required");
  if (x.rows < 0 || static_cast<int64_t>(x.values.size()) != x.rows * x.cols) {
    return InvalidArgumentError("features: " + std::to_string(x.values.size()) + " values for " +
                                std::to_string(x.rows) + " rows × " + std::to_string(x.cols) +
                                " columns");
  }
  for (int64_t i = 0; i < x.rows; ++i) {
    for (int64_t j = 0; j < x.cols; ++j) {
      if (!std::isfinite(x.row(i)[j])) {
        return InvalidArgumentError("features: NaN or infinite value at row " + std::to_string(i) +
                                    ", column " + std::to_string(j));
      }
    }
  }
  return OkStatus();
}

FeatureScaler FeatureScaler::Identity(int64_t cols) {
  FeatureScaler s;
  s.mean_.assign(static_cast<size_t>(cols), 0.0);
  s.scale_.assign(static_cast<size_t>(cols), 1.0);
  return s;
}

StatusOr<FeatureScaler> FeatureScaler::Fit(const FeatureMatrix& x, double std_floor) {
  TL_RETURN_IF_ERROR(ValidateFeatures(x));
  if (x.rows < 1) return InvalidArgumentError("features: at least one row is required");
  if (!(std_floor > 0)) return InvalidArgumentError("std_floor must be > 0");
  FeatureScaler s;
  const size_t cols = static_cast<size_t>(x.cols);
  s.mean_.assign(cols, 0.0);
  s.scale_.assign(cols, 0.0);
  for (int64_t i = 0; i < x.rows; ++i) {
    for (size_t j = 0; j < cols; ++j) s.mean_[j] += x.row(i)[j];
  }
  for (double& m : s.mean_) m /= static_cast<double>(x.rows);
  // Two passes (mean, then squared deviations) to avoid the cancellation of E[x²] - E[x]².
  for (int64_t i = 0; i < x.rows; ++i) {
    for (size_t j = 0; j < cols; ++j) {
      const double d = x.row(i)[j] - s.mean_[j];
      s.scale_[j] += d * d;
    }
  }
  for (double& v : s.scale_) v = std::max(std::sqrt(v / static_cast<double>(x.rows)), std_floor);
  return s;
}

void FeatureScaler::Transform(const float* row, double* out) const {
  for (size_t j = 0; j < mean_.size(); ++j) out[j] = (row[j] - mean_[j]) / scale_[j];
}

Json FeatureScaler::ToJson() const { return {{"mean", mean_}, {"scale", scale_}}; }

StatusOr<FeatureScaler> FeatureScaler::FromJson(const Json& json) {
  if (!json.is_object()) return InvalidArgumentError("scaler: expected an object");
  FeatureScaler s;
  TL_ASSIGN_OR_RETURN(
      s.mean_, NumbersFromJson(json.contains("mean") ? json["mean"] : Json(), "scaler.mean"));
  TL_ASSIGN_OR_RETURN(
      s.scale_, NumbersFromJson(json.contains("scale") ? json["scale"] : Json(), "scaler.scale"));
  if (s.mean_.size() != s.scale_.size()) {
    return InvalidArgumentError("scaler: mean has " + std::to_string(s.mean_.size()) +
                                " entries, scale " + std::to_string(s.scale_.size()));
  }
  for (double v : s.scale_) {
    if (!(v > 0)) return InvalidArgumentError("scaler.scale: entries must be > 0");
  }
  return s;
}

StatusOr<std::vector<double>> NumbersFromJson(const Json& json, const char* field) {
  if (!json.is_array()) return InvalidArgumentError(std::string(field) + ": expected an array");
  std::vector<double> out;
  out.reserve(json.size());
  for (const Json& v : json) {
    if (!v.is_number() || !std::isfinite(v.get<double>())) {
      return InvalidArgumentError(std::string(field) + ": expected finite numbers");
    }
    out.push_back(v.get<double>());
  }
  return out;
}

StatusOr<AnomalyModelHeader> AnomalyModelHeaderFromJson(const Json& json, const char* type,
                                                        int version) {
  const std::string name = type;
  auto field = [&](const char* key) -> const Json& {
    static const Json kNull;
    return json.is_object() && json.contains(key) ? json[key] : kNull;
  };
  if (field("type") != name) {
    return InvalidArgumentError(name + ": 'type' must be \"" + name + "\"");
  }
  if (field("version") != version) {
    return InvalidArgumentError(name + ": unsupported 'version' (expected " +
                                std::to_string(version) + ")");
  }
  AnomalyModelHeader header;
  const Json& input_features = field("input_features");
  if (!input_features.is_number_integer() || input_features.get<int64_t>() < 0) {
    return InvalidArgumentError(name + ": 'input_features' must be a non-negative integer");
  }
  header.input_features = input_features.get<int64_t>();
  const Json& features = field("features");
  if (!features.is_array() || features.empty()) {
    return InvalidArgumentError(name + ": 'features' must be a non-empty array");
  }
  for (const Json& f : features) {
    if (!f.is_number_integer() || f.get<int64_t>() < 0 ||
        f.get<int64_t>() >= header.input_features) {
      return InvalidArgumentError(name + ": 'features' entries must lie in [0, input_features)");
    }
    header.features.push_back(f.get<int>());
  }
  if (!field("standardize").is_boolean()) {
    return InvalidArgumentError(name + ": 'standardize' must be a boolean");
  }
  header.standardize = field("standardize").get<bool>();
  TL_ASSIGN_OR_RETURN(header.scaler, FeatureScaler::FromJson(field("scaler")));
  if (static_cast<size_t>(header.scaler.cols()) != header.features.size()) {
    return InvalidArgumentError(name + ": 'scaler' size differs from 'features'");
  }
  return header;
}

}  // namespace tinyloop::train
