// Training of the neural-network learning block with libtorch (CPU): Adam, class weights,
// early stopping on validation loss with the best weights restored, a progress callback that
// can cancel, and bit-for-bit reproducible results for a fixed seed. The result predicts with
// libtorch and exports a float model::Graph (nn_export.h). libtorch stays behind this header.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "base/status.h"
#include "model/ir.h"
#include "train/nn_export.h"
#include "train/nn_spec.h"

namespace tinyloop::train {

// Examples for training or validation. Row-major: row r is features[r * F, (r + 1) * F) where
// F is the element count of NnSpec::input_shape.
struct TrainData {
  std::vector<float> features;
  std::vector<int32_t> labels;  // classifier: one class index in [0, classes) per row
  std::vector<float> targets;   // regressor: `outputs` values per row, row-major
};

struct TrainOptions {
  int epochs = 100;  // upper bound; early stopping usually ends sooner
  int batch_size = 32;
  double learning_rate = 0.001;  // Adam
  // Stop after this many epochs without a lower validation loss and restore the best epoch's
  // weights; 0 disables early stopping (the last epoch's weights are kept). With no
  // validation rows the training loss is watched instead.
  int patience = 10;
  // Weight each class's loss by rows / (classes * rows_of_class) (classifiers only).
  bool class_weights = true;
  uint64_t seed = 1;
  // libtorch intra-op threads (OpenMP). Results are reproducible for a fixed thread count.
  // Default 1: the networks are small, and on a busy 2-core host two OpenMP threads were
  // measured 5-10x slower than one (threads spin at barriers while the other is descheduled).
  int threads = 1;
};

struct EpochMetrics {
  int epoch = 0;  // 1-based
  double train_loss = 0;
  double validation_loss = 0;      // NaN without validation rows
  double validation_accuracy = 0;  // classifiers only; NaN otherwise or without validation
};

// Called after every epoch; return false to cancel the training.
using ProgressCallback = std::function<bool(const EpochMetrics&)>;

// A trained network: the spec, its parameters and the training history. Movable, not
// copyable. Const methods may be called from several threads at once.
class TrainedNetwork {
 public:
  TrainedNetwork(TrainedNetwork&&) noexcept;
  TrainedNetwork& operator=(TrainedNetwork&&) noexcept;
  ~TrainedNetwork();

  const NnSpec& spec() const;
  const NetworkParams& params() const;
  const std::vector<EpochMetrics>& history() const;  // one entry per epoch run
  int best_epoch() const;                            // 1-based epoch whose weights were kept

  // Runs the network on `rows` examples in `features` (row-major, as in TrainData). Returns
  // rows x outputs values, row-major: class probabilities for a classifier, outputs for a
  // regressor. InvalidArgument when the size is not a multiple of the feature count.
  StatusOr<std::vector<float>> Predict(const std::vector<float>& features) const;

  // The float32 inference graph (ExportFloatGraph on spec() and params()).
  StatusOr<model::Graph> ExportGraph() const;

 private:
  friend StatusOr<TrainedNetwork> TrainNetwork(const NnSpec&, const TrainData&, const TrainData&,
                                               const TrainOptions&, const ProgressCallback&);
  struct Impl;
  explicit TrainedNetwork(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Trains `spec` on `train`, watching `validation` (may be empty) for early stopping.
// Deterministic: the same spec, data and options give identical parameters. Trainings in one
// process run one at a time (libtorch's random generator and thread count are global).
// Errors: InvalidArgument for an invalid spec or options, data whose size does not match the
// spec, labels out of range or non-finite values; FailedPrecondition "training cancelled at
// epoch N" when `progress` returned false; Internal when libtorch fails or the loss diverges
// to NaN. `progress` may be empty.
StatusOr<TrainedNetwork> TrainNetwork(const NnSpec& spec, const TrainData& train,
                                      const TrainData& validation, const TrainOptions& options,
                                      const ProgressCallback& progress = {});

}  // namespace tinyloop::train
