// Dataset versions: an immutable snapshot of a project's labelled samples (their values copied
// into content-addressed blobs, each sample's split fixed by the impulse module's AssignSplits),
// and the loading of a stored version back into the recordings the impulse pipeline trains on.
// Part of src/service, over store and impulse. Plain functions; thread-safe when the store is.
#pragma once

#include <cstdint>
#include <string>

#include "base/json.h"
#include "base/status.h"
#include "impulse/recordings.h"
#include "store/metadata_store.h"

namespace tinyloop::service {

struct DatasetOptions {
  uint64_t seed = 1;                 // which groups are held out
  std::string group_by = "file";     // "file" or "device": kept together in one split
  double validation_fraction = 0.2;  // [0, 0.9]
  double holdout_fraction = 0.2;     // [0, 0.9]; test share when there are no testing samples
};

// Reads {"seed","group_by","validation_fraction","holdout_fraction"} (all optional) from a
// request body; null or {} gives the defaults. InvalidArgument naming the field and the limit.
StatusOr<DatasetOptions> DatasetOptionsFromJson(const Json& json);
Json DatasetOptionsToJson(const DatasetOptions& options);

// Snapshots every labelled sample of the project (categories training, testing, anomaly;
// unlabeled ones are left out): stores each sample's values as a blob, assigns the splits and
// records the version with its content hash (SHA-256 over options and every sample's id,
// label, category, split, group and values). Later edits of the samples do not change it.
// FailedPrecondition when the project has no labelled sample; NotFound for an unknown project;
// store errors otherwise.
StatusOr<store::DatasetVersion> SnapshotDataset(store::MetadataStore& store, int64_t project_id,
                                                const DatasetOptions& options);

// The recordings of a stored version (with samples) for impulse::TrainImpulse: values from the
// blobs, category from the stored split (test -> testing, anomaly -> anomaly, the rest
// training), group as stored, ids "<sample id>". DataLoss when a values blob is damaged.
StatusOr<impulse::Dataset> LoadDatasetVersion(store::MetadataStore& store,
                                              const store::DatasetVersion& version);

}  // namespace tinyloop::service
