// train_bench: wall time from a folder of recordings to a trained, evaluated model (issue 3),
// on the real datasets in ../shared/datasets: st_har_iotnode (goal <= 15 s at >= 95 %) and
// speech_commands_v002_test_subset (goal <= 60 s, speaker-disjoint hold-out). Prints, per
// dataset, seconds, accuracy, the goals and the ratio of the time to its goal (< 1 is within).
// Usage: train_bench [--shared DIR] [--seed N] [--only st_har|speech]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "impulse/pipeline.h"

namespace {

struct Case {
  const char* name;
  const char* folder;
  tinyloop::impulse::GroupBy group_by;
  double goal_seconds;
  double goal_accuracy;
};

constexpr Case kCases[] = {
    {"st_har", "st_har_iotnode", tinyloop::impulse::GroupBy::kFile, 15.0, 0.95},
    {"speech", "speech_commands_v002_test_subset", tinyloop::impulse::GroupBy::kSpeaker, 60.0,
     0.65},
};

}  // namespace

int main(int argc, char** argv) {
  std::string shared = std::string(TINYLOOP_SOURCE_DIR) + "/../shared";
  std::string only;
  uint64_t seed = 1;
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (!std::strcmp(argv[i], "--shared") && has_value) {
      shared = argv[++i];
    } else if (!std::strcmp(argv[i], "--seed") && has_value) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (!std::strcmp(argv[i], "--only") && has_value) {
      only = argv[++i];
    } else {
      std::fprintf(stderr, "usage: train_bench [--shared DIR] [--seed N] [--only st_har|speech]\n");
      return 2;
    }
  }
  int failures = 0;
  std::printf("%-8s %9s %9s %9s %11s %9s  %s\n", "dataset", "seconds", "goal_s", "ratio",
              "accuracy", "goal_acc", "impulse");
  for (const Case& c : kCases) {
    if (!only.empty() && only != c.name) continue;
    const std::string dir = shared + "/datasets/" + c.folder;
    if (!std::filesystem::is_directory(dir)) {
      std::printf("%-8s skipped: %s not found\n", c.name, dir.c_str());
      continue;
    }
    tinyloop::impulse::TrainRequest req;
    req.data_dir = dir;
    req.seed = seed;
    req.group_by = c.group_by;
    auto result = tinyloop::impulse::TrainImpulse(req);
    if (!result.ok()) {
      std::printf("%-8s error: %s\n", c.name, result.status().message().c_str());
      ++failures;
      continue;
    }
    const double seconds = result->train_seconds;
    const double accuracy = result->classification.accuracy;
    std::printf("%-8s %9.2f %9.1f %9.2f %10.1f%% %8.0f%%  %s\n", c.name, seconds, c.goal_seconds,
                seconds / c.goal_seconds, 100 * accuracy, 100 * c.goal_accuracy,
                result->impulse_description.c_str());
    if (seconds > c.goal_seconds || accuracy < c.goal_accuracy) ++failures;
  }
  return failures == 0 ? 0 : 1;
}
