#include "service/datasets.h"

#include <cmath>
#include <cstring>
#include <map>
#include <vector>

#include "base/crypto.h"
#include "impulse/split.h"

namespace tinyloop::service {
namespace {

// Values written to a blob per PutBlobs call, to bound memory on large projects.
constexpr size_t kBlobBatch = 256;

std::string EncodeValues(const std::vector<float>& values) {
  std::string out(values.size() * 4, '\0');
  for (size_t i = 0; i < values.size(); ++i) {
    uint32_t bits;
    std::memcpy(&bits, &values[i], 4);
    for (int b = 0; b < 4; ++b) out[i * 4 + b] = static_cast<char>((bits >> (8 * b)) & 0xff);
  }
  return out;
}

StatusOr<std::vector<float>> DecodeValues(const std::string& bytes) {
  if (bytes.size() % 4 != 0) return DataLossError("stored values blob has a partial float");
  std::vector<float> out(bytes.size() / 4);
  for (size_t i = 0; i < out.size(); ++i) {
    uint32_t bits = 0;
    for (int b = 0; b < 4; ++b) {
      bits |= uint32_t{static_cast<unsigned char>(bytes[i * 4 + b])} << (8 * b);
    }
    std::memcpy(&out[i], &bits, 4);
  }
  return out;
}

impulse::Category CategoryOf(const std::string& category) {
  if (category == "testing") return impulse::Category::kTesting;
  if (category == "anomaly") return impulse::Category::kAnomaly;
  return impulse::Category::kTraining;
}

Status CheckFraction(const Json& json, const char* field, double* out) {
  if (!json.contains(field)) return OkStatus();
  const Json& v = json[field];
  if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < 0 ||
      v.get<double>() > 0.9) {
    return InvalidArgumentError(std::string(field) + " must be a number in [0, 0.9]");
  }
  *out = v.get<double>();
  return OkStatus();
}

}  // namespace

StatusOr<DatasetOptions> DatasetOptionsFromJson(const Json& json) {
  DatasetOptions options;
  if (json.is_null()) return options;
  if (!json.is_object()) return InvalidArgumentError("dataset options must be a JSON object");
  for (const auto& [key, value] : json.items()) {
    if (key != "seed" && key != "group_by" && key != "validation_fraction" &&
        key != "holdout_fraction") {
      return InvalidArgumentError("unknown dataset option '" + key +
                                  "' (known: seed, group_by, validation_fraction, "
                                  "holdout_fraction)");
    }
  }
  if (json.contains("seed")) {
    if (!json["seed"].is_number_unsigned()) {
      return InvalidArgumentError("seed must be an integer >= 0");
    }
    options.seed = json["seed"].get<uint64_t>();
  }
  if (json.contains("group_by")) {
    if (!json["group_by"].is_string() ||
        (json["group_by"] != "file" && json["group_by"] != "device")) {
      return InvalidArgumentError("group_by must be \"file\" or \"device\"");
    }
    options.group_by = json["group_by"].get<std::string>();
  }
  TL_RETURN_IF_ERROR(CheckFraction(json, "validation_fraction", &options.validation_fraction));
  TL_RETURN_IF_ERROR(CheckFraction(json, "holdout_fraction", &options.holdout_fraction));
  return options;
}

Json DatasetOptionsToJson(const DatasetOptions& options) {
  return {{"seed", options.seed},
          {"group_by", options.group_by},
          {"validation_fraction", options.validation_fraction},
          {"holdout_fraction", options.holdout_fraction}};
}

StatusOr<store::DatasetVersion> SnapshotDataset(store::MetadataStore& store, int64_t project_id,
                                                const DatasetOptions& options) {
  TL_RETURN_IF_ERROR(store.GetProject(project_id).status());
  const impulse::GroupBy group_by =
      options.group_by == "device" ? impulse::GroupBy::kDevice : impulse::GroupBy::kFile;
  store::DatasetVersion version;
  version.project_id = project_id;
  version.options = DatasetOptionsToJson(options);
  // Recordings without values: AssignSplits needs only categories, labels and groups.
  impulse::Dataset split_input;
  store::SampleFilter filter;
  filter.project_id = project_id;
  filter.limit = 10000;
  std::vector<std::string> pending;  // values of samples [first_pending, end)
  size_t first_pending = 0;
  auto flush = [&]() -> Status {
    TL_ASSIGN_OR_RETURN(const std::vector<std::string> names, store.PutBlobs(pending));
    for (size_t i = 0; i < names.size(); ++i) {
      version.samples[first_pending + i].values_blob = names[i];
    }
    pending.clear();
    first_pending = version.samples.size();
    return OkStatus();
  };
  for (;;) {
    TL_ASSIGN_OR_RETURN(const store::SampleList page, store.ListSamples(filter));
    for (const store::Sample& s : page.samples) {
      if (s.label.empty()) continue;
      // A sample deleted since the listing is simply not part of the version.
      StatusOr<std::vector<float>> values = store.GetSampleValues(project_id, s.id);
      if (values.status().code() == StatusCode::kNotFound) continue;
      TL_RETURN_IF_ERROR(values.status());
      store::DatasetVersionSample entry;
      entry.sample_id = s.id;
      entry.file_name = s.file_name;
      entry.label = s.label;
      entry.category = s.category;
      entry.device_name = s.device_name;
      entry.interval_ms = s.interval_ms;
      entry.axes = s.axes;
      entry.length = s.length;
      entry.metadata = s.metadata;
      entry.group = impulse::GroupKey(s.file_name, s.device_name, group_by);
      version.samples.push_back(std::move(entry));
      pending.push_back(EncodeValues(*values));
      if (pending.size() >= kBlobBatch) TL_RETURN_IF_ERROR(flush());

      impulse::Recording r;
      r.id = std::to_string(s.id);
      r.label = s.label;
      r.category = CategoryOf(s.category);
      r.group = version.samples.back().group;
      split_input.recordings.push_back(std::move(r));
    }
    filter.offset += static_cast<int64_t>(page.samples.size());
    if (page.samples.empty() || filter.offset >= page.total) break;
  }
  if (!pending.empty()) TL_RETURN_IF_ERROR(flush());
  if (version.samples.empty()) {
    return FailedPreconditionError("project " + std::to_string(project_id) +
                                   " has no labelled samples to make a dataset version of");
  }
  impulse::SplitOptions split_options;
  split_options.seed = options.seed;
  split_options.validation_fraction = options.validation_fraction;
  split_options.holdout_fraction = options.holdout_fraction;
  const std::vector<impulse::Split> splits = impulse::AssignSplits(split_input, split_options);
  std::string digest = DumpJson(version.options) + "\n";
  for (size_t i = 0; i < version.samples.size(); ++i) {
    store::DatasetVersionSample& s = version.samples[i];
    s.split = impulse::SplitName(splits[i]);
    digest += std::to_string(s.sample_id) + "\t" + s.label + "\t" + s.category + "\t" + s.split +
              "\t" + s.group + "\t" + s.values_blob + "\n";
  }
  version.content_hash = Sha256Hex(digest);
  return store.CreateDatasetVersion(std::move(version));
}

StatusOr<impulse::Dataset> LoadDatasetVersion(store::MetadataStore& store,
                                              const store::DatasetVersion& version) {
  impulse::Dataset dataset;
  bool has_test = false;
  for (const store::DatasetVersionSample& s : version.samples) has_test |= s.split == "test";
  for (const store::DatasetVersionSample& s : version.samples) {
    impulse::Recording r;
    r.id = std::to_string(s.sample_id);
    r.file_name = s.file_name;
    r.label = s.label;
    r.group = s.group;
    r.category = s.split == "anomaly" ? impulse::Category::kAnomaly
                 : s.split == "test"  ? impulse::Category::kTesting
                 : has_test           ? impulse::Category::kTraining
                                      : impulse::Category::kSplit;
    TL_ASSIGN_OR_RETURN(const std::string bytes, store.GetBlob(s.values_blob));
    TL_ASSIGN_OR_RETURN(r.sample.values, DecodeValues(bytes));
    if (r.sample.values.size() != static_cast<size_t>(s.length) * s.axes.size()) {
      return DataLossError("values of sample " + std::to_string(s.sample_id) +
                           " do not match its length and axes");
    }
    r.sample.device_name = s.device_name;
    r.sample.interval_ms = s.interval_ms;
    r.sample.length = static_cast<size_t>(s.length);
    for (const store::Axis& a : s.axes) r.sample.axes.push_back({a.name, a.units});
    for (const char* key : {"image_width", "image_height"}) {
      if (s.metadata.contains(key)) r.sample.extra_metadata[key] = s.metadata[key];
    }
    dataset.recordings.push_back(std::move(r));
  }
  return dataset;
}

}  // namespace tinyloop::service
