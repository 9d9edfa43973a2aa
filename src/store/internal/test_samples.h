// Test helper: builds NewSample values for src/store tests.
#pragma once

#include <string>

#include "store/metadata_store.h"

namespace tinyloop::store::internal {

// A 3-axis sample whose values (and so values_sha256) are determined by `seed`.
inline NewSample MakeTestSample(int64_t project_id, int seed, const std::string& label = "idle") {
  NewSample ns;
  Sample& s = ns.sample;
  s.project_id = project_id;
  s.file_name = "sample-" + std::to_string(seed) + ".json";
  s.label = label;
  s.category = "training";
  s.device_name = "dev-" + std::to_string(seed % 3);
  s.device_type = "FAN";
  s.interval_ms = 10;
  s.axes = {{"accX", "m/s2"}, {"accY", "m/s2"}, {"accZ", "m/s2"}};
  s.length = 4;
  for (int i = 0; i < 12; ++i) ns.values.push_back(static_cast<float>(seed) + 0.25f * i);
  ns.body = "{\"seed\":" + std::to_string(seed) + "}";
  s.content_type = "application/json";
  s.upload_source = "test";
  s.ingest_ms = 1000 + seed;
  return ns;
}

}  // namespace tinyloop::store::internal
