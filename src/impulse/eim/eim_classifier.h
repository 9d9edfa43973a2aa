// The classifier inside a tinyloop .eim: from an EimBundle (eim_bundle.h) to a prepared impulse
// that takes one raw sensor window (frames x axes, interleaved, as Edge Impulse's runner sends
// it), runs the impulse's DSP block, the model in tinyloop's runtime and the anomaly block, with
// the same code as `tinyloop train`/`eval` (impulse/features.h, impulse/model_runner.h).
// Part of the .eim runner program; not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "impulse/anomaly_block.h"
#include "impulse/impulse_config.h"
#include "impulse/model_runner.h"
#include "model/eim/eim_bundle.h"

namespace tinyloop::model {

struct EimResult {
  std::vector<float> scores;      // one per label
  std::optional<double> anomaly;  // with an anomaly block
  double dsp_ms = 0, classification_ms = 0, anomaly_ms = 0;
};

class EimClassifier {
 public:
  // Parses the bundle's impulse, model, labels and anomaly block. InvalidArgument naming the
  // part for a corrupt bundle; Unimplemented for an image impulse.
  static StatusOr<std::unique_ptr<EimClassifier>> Create(const EimBundle& bundle);

  const impulse::ImpulseConfig& impulse() const { return impulse_; }
  const std::vector<std::string>& labels() const { return labels_; }
  bool has_anomaly() const { return anomaly_.has_value(); }
  double anomaly_threshold() const { return anomaly_ ? anomaly_->threshold() : 0.0; }
  double frequency_hz() const { return impulse_.input.time_series.frequency_hz; }
  uint32_t window_frames() const { return window_frames_; }
  uint32_t axes() const { return axes_; }
  int64_t input_features_count() const { return int64_t(window_frames_) * axes_; }

  // Classifies one raw window. InvalidArgument when `raw` has another size than
  // input_features_count(); DSP/model errors otherwise.
  StatusOr<EimResult> Classify(const std::vector<float>& raw);

 private:
  EimClassifier() = default;

  impulse::ImpulseConfig impulse_;
  std::vector<std::string> labels_;
  std::unique_ptr<impulse::ModelRunner> runner_;
  std::optional<impulse::AnomalyBlock> anomaly_;
  uint32_t window_frames_ = 0;
  uint32_t axes_ = 0;
};

}  // namespace tinyloop::model
