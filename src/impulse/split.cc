#include "impulse/split.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "base/crypto.h"

namespace tinyloop::impulse {
namespace {

// Moves round(fraction * groups) groups of each label (at least one when the label has two or
// more groups) from `from` to `to`. A group's label is that of its first recording.
void HoldOutGroups(const Dataset& dataset, const std::string& salt, double fraction, uint64_t seed,
                   Split from, Split to, std::vector<Split>* splits) {
  std::map<std::string, std::string> group_label;  // group -> label
  for (size_t i = 0; i < dataset.recordings.size(); ++i) {
    if ((*splits)[i] != from) continue;
    const Recording& r = dataset.recordings[i];
    group_label.emplace(r.group, r.label);
  }
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> by_label;
  for (const auto& [group, label] : group_label) {
    const std::string key = std::to_string(seed) + ":" + salt + ":" + group;
    by_label[label].push_back({Sha256Hex(key), group});
  }
  std::map<std::string, bool> held;
  for (auto& [label, groups] : by_label) {
    std::sort(groups.begin(), groups.end());
    if (groups.size() < 2 || fraction <= 0) continue;
    size_t n = size_t(std::lround(fraction * double(groups.size())));
    n = std::clamp<size_t>(n, 1, groups.size() - 1);
    for (size_t k = 0; k < n; ++k) held[groups[k].second] = true;
  }
  for (size_t i = 0; i < dataset.recordings.size(); ++i) {
    if ((*splits)[i] == from && held.count(dataset.recordings[i].group)) (*splits)[i] = to;
  }
}

}  // namespace

const char* SplitName(Split split) {
  switch (split) {
    case Split::kTrain:
      return "train";
    case Split::kValidation:
      return "validation";
    case Split::kTest:
      return "test";
    case Split::kAnomaly:
      return "anomaly";
  }
  return "train";
}

std::vector<Split> AssignSplits(const Dataset& dataset, const SplitOptions& options) {
  std::vector<Split> splits(dataset.recordings.size(), Split::kTrain);
  bool has_testing = false;
  for (size_t i = 0; i < splits.size(); ++i) {
    const Category c = dataset.recordings[i].category;
    if (c == Category::kTesting) {
      splits[i] = Split::kTest;
      has_testing = true;
    } else if (c == Category::kAnomaly) {
      splits[i] = Split::kAnomaly;
    }
  }
  if (!has_testing) {
    HoldOutGroups(dataset, "test", options.holdout_fraction, options.seed, Split::kTrain,
                  Split::kTest, &splits);
  }
  HoldOutGroups(dataset, "validation", options.validation_fraction, options.seed, Split::kTrain,
                Split::kValidation, &splits);
  return splits;
}

Json DatasetVersionJson(const Dataset& dataset, const std::vector<Split>& splits,
                        const std::vector<uint32_t>& windows) {
  std::vector<size_t> order(dataset.recordings.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return dataset.recordings[a].id < dataset.recordings[b].id;
  });
  Json recordings = Json::array();
  std::map<std::string, int64_t> counts;
  std::string digest_input;
  for (size_t i : order) {
    const Recording& r = dataset.recordings[i];
    const auto& v = r.sample.values;
    const std::string values_hash = Sha256Hex(
        std::string_view(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)));
    const uint32_t w = i < windows.size() ? windows[i] : 0;
    recordings.push_back({{"id", r.id},
                          {"label", r.label},
                          {"category", CategoryName(r.category)},
                          {"split", SplitName(splits[i])},
                          {"group", r.group},
                          {"windows", w},
                          {"sha256", values_hash}});
    digest_input += r.id + '\n' + r.label + '\n' + SplitName(splits[i]) + '\n' + r.group + '\n' +
                    std::to_string(w) + '\n' + values_hash + '\n';
    counts[SplitName(splits[i])] += 1;
  }
  const std::string hash = Sha256Hex(digest_input);
  return Json{{"id", "ds-" + hash.substr(0, 12)},
              {"hash", hash},
              {"labels", dataset.labels},
              {"recordings_per_split", counts},
              {"recordings", recordings}};
}

}  // namespace tinyloop::impulse
