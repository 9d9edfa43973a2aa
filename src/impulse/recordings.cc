#include "impulse/recordings.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "formats/file_names.h"

namespace tinyloop::impulse {
namespace fs = std::filesystem;
namespace {

struct FoundFile {
  fs::path path;
  std::string label;  // empty: infer from the file name
  Category category = Category::kSplit;
};

bool IsDocumentation(const std::string& name) {
  std::string upper;
  for (char c : name) upper += char(std::toupper(static_cast<unsigned char>(c)));
  for (const char* doc : {"README", "LICENSE", "LICENCE", "SOURCE", "MANIFEST", "CHANGELOG",
                          "NOTICE", "COPYING", "DATASET_INFO"}) {
    if (upper.rfind(doc, 0) == 0) return true;
  }
  return false;
}

bool IsSampleFile(const fs::path& path) {
  const std::string name = path.filename().string();
  if (name.empty() || name[0] == '.' || IsDocumentation(name)) return false;
  return formats::DetectFileKind(name, "").ok();
}

bool CategoryFromName(const std::string& name, Category* out) {
  if (name == "training")
    *out = Category::kTraining;
  else if (name == "testing")
    *out = Category::kTesting;
  else if (name == "anomaly")
    *out = Category::kAnomaly;
  else
    return false;
  return true;
}

// Every sample file under `dir` (recursively), labelled `label`.
Status AddTree(const fs::path& dir, const std::string& label, Category category,
               std::vector<FoundFile>* out) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file(ec) && IsSampleFile(it->path())) {
      out->push_back({it->path(), label, category});
    }
  }
  if (ec) return UnavailableError("cannot read folder " + dir.string() + ": " + ec.message());
  return OkStatus();
}

// Sub-folders are categories or labels. Loose files next to label folders are indexes and
// documentation (e.g. a manifest.csv) and are skipped; in a folder of loose files only, the
// label comes from each file's name.
Status ScanLevel(const fs::path& dir, Category category, bool allow_categories,
                 std::vector<FoundFile>* out) {
  std::error_code ec;
  std::vector<fs::path> dirs, files;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::end(it); it.increment(ec)) {
    if (it->is_directory(ec)) {
      if (it->path().filename().string()[0] != '.') dirs.push_back(it->path());
    } else if (it->is_regular_file(ec) && IsSampleFile(it->path())) {
      files.push_back(it->path());
    }
  }
  if (ec) return UnavailableError("cannot read folder " + dir.string() + ": " + ec.message());
  for (const fs::path& d : dirs) {
    Category c;
    if (allow_categories && CategoryFromName(d.filename().string(), &c)) {
      TL_RETURN_IF_ERROR(ScanLevel(d, c, false, out));
    } else {
      TL_RETURN_IF_ERROR(AddTree(d, d.filename().string(), category, out));
    }
  }
  if (dirs.empty()) {
    for (const fs::path& f : files) out->push_back({f, "", category});
  }
  return OkStatus();
}

std::string AxesText(const formats::DecodedSample& s) {
  std::string out;
  for (size_t i = 0; i < s.axes.size(); ++i) out += (i ? "," : "") + s.axes[i].name;
  return out;
}

double RateHz(const formats::DecodedSample& s) {
  return s.interval_ms > 0 ? 1000.0 / s.interval_ms : 0.0;
}

}  // namespace

const char* CategoryName(Category category) {
  switch (category) {
    case Category::kTraining:
      return "training";
    case Category::kTesting:
      return "testing";
    case Category::kAnomaly:
      return "anomaly";
    case Category::kSplit:
      return "split";
  }
  return "split";
}

std::string GroupKey(const std::string& file_name, const std::string& device_name,
                     GroupBy group_by) {
  switch (group_by) {
    case GroupBy::kFile:
      return file_name;
    case GroupBy::kDevice:
      return device_name.empty() ? file_name : device_name;
    case GroupBy::kSpeaker: {
      const size_t pos = file_name.find("_nohash_");
      return pos == std::string::npos ? file_name : file_name.substr(0, pos);
    }
  }
  return file_name;
}

Status FinishDataset(Dataset* dataset, size_t min_labels) {
  if (dataset->recordings.empty()) return InvalidArgumentError("no recordings in the data");
  const Recording& first = dataset->recordings.front();
  std::set<std::string> labels;
  for (const Recording& r : dataset->recordings) {
    const formats::DecodedSample& a = first.sample;
    const formats::DecodedSample& b = r.sample;
    if (b.axes.size() != a.axes.size()) {
      return InvalidArgumentError(r.id + " has " + std::to_string(b.axes.size()) + " axes (" +
                                  AxesText(b) + ") but " + first.id + " has " +
                                  std::to_string(a.axes.size()) + " (" + AxesText(a) + ")");
    }
    const double ra = RateHz(a), rb = RateHz(b);
    if ((ra == 0) != (rb == 0) || std::fabs(ra - rb) > 0.01 * std::max(ra, rb)) {
      std::ostringstream msg;
      msg << r.id << " is sampled at " << rb << " Hz but " << first.id << " at " << ra
          << " Hz; resample the recordings to one rate";
      return InvalidArgumentError(msg.str());
    }
    if (b.length == 0) return InvalidArgumentError(r.id + " has no samples");
    if (r.category != Category::kAnomaly) labels.insert(r.label);
  }
  dataset->labels.assign(labels.begin(), labels.end());
  if (dataset->labels.size() < min_labels) {
    return InvalidArgumentError("the data has " + std::to_string(dataset->labels.size()) +
                                " label(s); a classifier needs at least two");
  }
  return OkStatus();
}

StatusOr<Dataset> LoadDataset(const std::string& data_dir, const LoadOptions& options) {
  std::error_code ec;
  if (!fs::is_directory(data_dir, ec)) return NotFoundError("no such folder: " + data_dir);
  std::vector<FoundFile> found;
  TL_RETURN_IF_ERROR(ScanLevel(data_dir, Category::kSplit, true, &found));
  std::sort(found.begin(), found.end(),
            [](const FoundFile& a, const FoundFile& b) { return a.path < b.path; });
  if (options.max_files > 0 && found.size() > options.max_files) found.resize(options.max_files);
  if (found.empty()) {
    return InvalidArgumentError("no recordings (.csv .txt .wav .json .cbor .png .jpg) in " +
                                data_dir);
  }
  Dataset dataset;
  formats::DecodeOptions decode;
  decode.acquisition.verify_signature = false;
  for (const FoundFile& f : found) {
    Recording r;
    r.id = fs::relative(f.path, data_dir, ec).generic_string();
    if (ec || r.id.empty()) r.id = f.path.generic_string();
    r.file_name = f.path.filename().string();
    r.category = f.category;
    r.label = f.label.empty() ? formats::LabelFromFileName(r.file_name) : f.label;
    if (r.label.empty()) {
      return InvalidArgumentError(r.id +
                                  ": no label (put the file in a folder named after its "
                                  "label, or start its name with the label)");
    }
    std::ifstream in(f.path, std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    if (!in) return InvalidArgumentError(r.id + ": cannot read the file");
    auto sample = formats::DecodeFile(r.file_name, "", buf.str(), decode);
    if (!sample.ok()) return sample.status().WithPrefix(r.id);
    r.sample = std::move(*sample);
    r.group = GroupKey(r.file_name, r.sample.device_name, options.group_by);
    dataset.recordings.push_back(std::move(r));
  }
  TL_RETURN_IF_ERROR(FinishDataset(&dataset, options.min_labels));
  return dataset;
}

DataShape DescribeData(const Dataset& dataset) {
  DataShape shape;
  if (dataset.recordings.empty()) return shape;
  const formats::DecodedSample& first = dataset.recordings.front().sample;
  shape.axes = uint32_t(first.axes.size());
  for (const auto& a : first.axes) shape.axis_names.push_back(a.name);
  shape.is_image = first.extra_metadata.contains("image_width");
  shape.frequency_hz = RateHz(first);
  if (shape.is_image) {
    shape.image_width = first.extra_metadata.value("image_width", 0u);
    shape.image_height = first.extra_metadata.value("image_height", 0u);
  }
  shape.shortest_frames = uint32_t(first.length);
  for (const Recording& r : dataset.recordings) {
    shape.shortest_frames = std::min(shape.shortest_frames, uint32_t(r.sample.length));
  }
  return shape;
}

}  // namespace tinyloop::impulse
