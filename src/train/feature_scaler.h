// Feature matrices and standardization for the anomaly learning blocks (k-means, GMM): a
// row-major float matrix of DSP features, and a scaler that maps each column to zero mean and
// unit standard deviation with statistics learned from training data. Serializable to JSON so
// that the device applies exactly the same transform.
#pragma once

#include <cstdint>
#include <vector>

#include "base/json.h"
#include "base/status.h"

namespace tinyloop::train {

// Row-major features: rows × cols floats, one row per window. A plain value type.
struct FeatureMatrix {
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<float> values;  // size rows * cols

  const float* row(int64_t i) const { return values.data() + i * cols; }
};

// Builds a matrix from equally long rows. InvalidArgument when rows differ in length.
StatusOr<FeatureMatrix> MakeFeatureMatrix(const std::vector<std::vector<float>>& rows);

// The columns `indices` of `x`, in that order; empty `indices` selects every column.
// InvalidArgument naming the entry ("features[2] = 9 is outside [0, 6)") for an index out of
// range or repeated, and when values.size() != rows * cols. Values are not checked.
StatusOr<FeatureMatrix> SelectColumns(const FeatureMatrix& x, const std::vector<int>& indices);

// Checks shape and values: InvalidArgument when values.size() != rows * cols, when cols < 1, or
// when a value is NaN/Inf (the message names the row and column).
Status ValidateFeatures(const FeatureMatrix& x);

// Standardizes features: z = (x - mean) / scale, scale = max(std, std_floor). Immutable after
// Fit; thread-safe for concurrent Transform calls.
class FeatureScaler {
 public:
  // Identity scaler of `cols` features (mean 0, scale 1).
  static FeatureScaler Identity(int64_t cols);

  // Learns per-column mean and population standard deviation (floored at `std_floor`, so a
  // constant feature does not divide by zero). Errors as ValidateFeatures, plus InvalidArgument
  // for an empty matrix or std_floor <= 0.
  static StatusOr<FeatureScaler> Fit(const FeatureMatrix& x, double std_floor = 1e-6);

  // Writes the standardized `row` (cols() values) to `out` (cols() values). Precondition: both
  // hold cols() values.
  void Transform(const float* row, double* out) const;

  int64_t cols() const { return static_cast<int64_t>(mean_.size()); }
  const std::vector<double>& mean() const { return mean_; }
  const std::vector<double>& scale() const { return scale_; }

  // {"mean":[...], "scale":[...]}.
  Json ToJson() const;
  // InvalidArgument naming the field when arrays are missing, of different sizes, not finite, or
  // a scale is <= 0.
  static StatusOr<FeatureScaler> FromJson(const Json& json);

 private:
  std::vector<double> mean_;
  std::vector<double> scale_;
};

// Reads a JSON array of finite numbers (used by the anomaly blocks' FromJson). InvalidArgument
// naming `field` otherwise.
StatusOr<std::vector<double>> NumbersFromJson(const Json& json, const char* field);

// The fields every anomaly model file starts with: {"type", "version", "input_features",
// "features", "standardize", "scaler"}.
struct AnomalyModelHeader {
  int64_t input_features = 0;
  std::vector<int> features;  // selected columns, each in [0, input_features)
  bool standardize = false;
  FeatureScaler scaler;  // one column per selected feature
};

// Reads and checks the header of an anomaly model file whose "type" must be `type` and
// "version" `version`. InvalidArgument naming the field, prefixed with `type`, otherwise.
StatusOr<AnomalyModelHeader> AnomalyModelHeaderFromJson(const Json& json, const char* type,
                                                        int version);

}  // namespace tinyloop::train
