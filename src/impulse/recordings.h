// Labelled recordings loaded from a data folder for training and evaluation: the Edge Impulse
// layouts (training/<label>/, testing/<label>/, anomaly/<label>/) or <label>/<files>, decoded
// through src/formats (CSV with or without header, WAV, PNG/JPEG, acquisition JSON/CBOR), with
// the group key that split-by-group uses. Part of src/impulse. Plain functions; thread-compatible.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "formats/decoded_sample.h"
#include "impulse/impulse_config.h"

namespace tinyloop::impulse {

// Where a recording belongs. kSplit: the folder gave no category; the pipeline holds out part
// of these as the test set. kAnomaly: recordings of abnormal behaviour (Edge Impulse's anomaly
// category); never trained on, used to measure the anomaly block and the classifier's
// behaviour on inputs outside its classes.
enum class Category { kTraining, kTesting, kAnomaly, kSplit };
const char* CategoryName(Category category);  // "training", "testing", "anomaly", "split"

struct Recording {
  std::string id;         // path relative to the data folder, e.g. "training/idle/idle.1.json"
  std::string file_name;  // base name
  std::string label;
  Category category = Category::kSplit;
  // Recordings with the same group key always land in the same split (see GroupBy).
  std::string group;
  formats::DecodedSample sample;
};

// How the group key of a recording is chosen.
enum class GroupBy {
  kFile,     // each file is its own group (default)
  kDevice,   // the device name from the file (acquisition JSON/CBOR), else the file name
  kSpeaker,  // the file-name prefix before "_nohash_" (Speech Commands), else the file name
};

struct LoadOptions {
  GroupBy group_by = GroupBy::kFile;
  // Stop after this many files (0 = no limit). For tests and quick looks.
  size_t max_files = 0;
  // Fewest distinct labels accepted (2 for training a classifier, 1 for evaluation).
  size_t min_labels = 2;
};

// A loaded folder: recordings sorted by id, and the sorted distinct labels of the recordings
// that are not in the anomaly category.
struct Dataset {
  std::vector<Recording> recordings;
  std::vector<std::string> labels;
};

// Loads every ingestible file under `data_dir`. Labels come from the folders (or, for loose
// files, from the file name, as Edge Impulse infers them); CSV sample rates come from the
// header's timestamp column or a rate in the file name (e.g. "_26Hz").
// Errors: NotFound when data_dir does not exist; InvalidArgument naming the file for a file
// that does not decode, has no label, or has other axes or another sample rate than the first
// file ("b.csv has 2 axes (x,y) but a.csv has 3 (x,y,z)"); InvalidArgument when there are no
// recordings or fewer than options.min_labels labels.
StatusOr<Dataset> LoadDataset(const std::string& data_dir, const LoadOptions& options = {});

// The group key of a file under `group_by`.
std::string GroupKey(const std::string& file_name, const std::string& device_name,
                     GroupBy group_by);

// Checks that all recordings share axes and sample rate (names both files otherwise) and
// fills `labels`. InvalidArgument also when `dataset` has no recordings or fewer than
// `min_labels` labels.
Status FinishDataset(Dataset* dataset, size_t min_labels = 2);

// The shape of the data for ValidateImpulse: axes, rate, shortest recording, image size.
DataShape DescribeData(const Dataset& dataset);

}  // namespace tinyloop::impulse
