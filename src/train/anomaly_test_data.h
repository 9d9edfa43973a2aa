// Synthetic feature data for the anomaly block tests: Gaussian blobs from a small deterministic
// generator (no dependency on the simulator module).
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "train/feature_scaler.h"

namespace tinyloop::train::testing {

// splitmix64 stream with Box-Muller normals; enough for test data.
class TestRandom {
 public:
  explicit TestRandom(uint64_t seed) : state_(seed) {}
  double Uniform() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return static_cast<double>((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
  }
  double Normal() {
    const double u = 1.0 - Uniform();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * Uniform());
  }

 private:
  uint64_t state_;
};

// `rows` points around `center` with standard deviation `sigma` in every dimension.
inline std::vector<std::vector<float>> Blob(TestRandom* rng, int rows,
                                            const std::vector<double>& center, double sigma) {
  std::vector<std::vector<float>> out;
  for (int i = 0; i < rows; ++i) {
    std::vector<float> row;
    for (double c : center) row.push_back(static_cast<float>(c + sigma * rng->Normal()));
    out.push_back(std::move(row));
  }
  return out;
}

inline FeatureMatrix ToMatrix(const std::vector<std::vector<float>>& rows) {
  return MakeFeatureMatrix(rows).value();
}

// Two well-separated blobs in 3-D: 100 points around (0,0,0), 100 around (10,10,10), sigma 1.
inline FeatureMatrix TwoBlobs(uint64_t seed = 7) {
  TestRandom rng(seed);
  auto rows = Blob(&rng, 100, {0, 0, 0}, 1.0);
  auto more = Blob(&rng, 100, {10, 10, 10}, 1.0);
  rows.insert(rows.end(), more.begin(), more.end());
  return ToMatrix(rows);
}

}  // namespace tinyloop::train::testing
