// Train / validation / test splits of a loaded dataset and the dataset version that records
// them. Splits honour the Edge Impulse categories (testing/ is the test set, anomaly/ is never
// trained on) and keep every group (file, device or speaker) on one side, chosen by a hash of
// the seed and the group key: deterministic, and stable when other groups are added.
// Part of src/impulse. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/json.h"
#include "impulse/recordings.h"

namespace tinyloop::impulse {

enum class Split { kTrain, kValidation, kTest, kAnomaly };
const char* SplitName(Split split);  // "train", "validation", "test", "anomaly"

struct SplitOptions {
  uint64_t seed = 1;
  // Share of the training groups (per label) held out for validation / early stopping.
  double validation_fraction = 0.2;
  // Share of the groups (per label) held out as the test set when the data has no testing/
  // category.
  double holdout_fraction = 0.2;
};

// One Split per recording (same order). Recordings in testing/ are kTest, anomaly/ kAnomaly.
// When no recording is in testing/, holdout_fraction of the other groups of each label become
// kTest; then validation_fraction of the remaining groups of each label become kValidation.
// A label with a single group keeps it for training.
std::vector<Split> AssignSplits(const Dataset& dataset, const SplitOptions& options);

// The dataset version: recordings sorted by id with label, category, split, group, window
// count and the SHA-256 of their values, plus "hash" (SHA-256 over all of that) and "id"
// ("ds-" + the first 12 hex digits of the hash). `windows` has one count per recording.
Json DatasetVersionJson(const Dataset& dataset, const std::vector<Split>& splits,
                        const std::vector<uint32_t>& windows);

}  // namespace tinyloop::impulse
