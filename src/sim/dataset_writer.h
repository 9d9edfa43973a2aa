// Writes a simulated ceiling-fan dataset as Edge Impulse acquisition JSON files, so the demo and
// the tests have labelled data on a machine without shared/datasets. The layout is the one Edge
// Impulse's uploader takes (category / label / file):
//   <out_dir>/training/<label>/<label>.<n>.json    normal operation, labels off low medium high
//   <out_dir>/testing/<label>/<label>.<n>.json     held-out normal operation, same labels
//   <out_dir>/anomaly/<label>/<label>.<n>.json     only with include_imbalance: a coin taped to a
//                                                  blade, labels low_imbalance medium_imbalance
//                                                  high_imbalance (n counts from 1)
// Imbalance goes to the separate "anomaly" category (an Edge Impulse ingestion category) rather
// than into training/: anomaly blocks (k-means, GMM) learn from normal data only and are scored
// on anomaly/. "off" has no imbalance label: a coin on a still blade changes nothing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/status.h"
#include "sim/fan_simulator.h"

namespace tinyloop::sim {

// payload.device_type of every simulated sample.
inline constexpr std::string_view kSimDeviceType = "TINYLOOP_FAN_SIM";

struct DemoDatasetOptions {
  // Seeds everything: devices, speeds, phases, noise. Same options -> byte-identical files.
  // Default 42.
  uint64_t seed = 42;
  // Files per label in training/ and testing/. Defaults 40 and 10. Range [0, 100000].
  int training_samples_per_label = 40;
  int testing_samples_per_label = 10;
  // Files per imbalance label in anomaly/ (only with include_imbalance). Default 10.
  // Range [0, 100000].
  int anomaly_samples_per_label = 10;
  // Length of each sample in seconds (200 rows per second at the default rate). Default 1.
  // Range (0, 60].
  double seconds_per_sample = 1.0;
  // Writes the anomaly/ category with imbalanced fans. Default true.
  bool include_imbalance = true;
  // Mass in grams taped to a blade for the anomaly samples. Default kUsQuarterGrams (5.67).
  // Range (0, 10000].
  double imbalance_grams = kUsQuarterGrams;
  // Simulated devices, "sim-fan-1" ... "sim-fan-<device_count>"; each has its own tilt, residual
  // imbalance, hum strength and sensor noise/offset. Samples go round-robin. Default 3.
  // Range [1, 1000].
  int device_count = 3;
  // protected.iat of every file (seconds since the epoch), fixed so output is reproducible.
  // Default 1700000000 (2023-11-14). Must be >= 0.
  int64_t issued_at = 1700000000;
  // The sensor every device uses. Default: the MSA301 profile of SensorSpec.
  SensorSpec sensor;
};

// The labels of one dataset in file-writing order: off low medium high for training/ and
// testing/, then (with include_imbalance) low_imbalance medium_imbalance high_imbalance.
std::vector<std::string> DemoDatasetLabels(const DemoDatasetOptions& options);

// The Edge Impulse acquisition document of `recording` (compat/edge-impulse.md section 1b),
// unsigned:
// {"protected":{"ver":"v1","alg":"none","iat":issued_at},"signature":"0" x 64,"payload":{
//  "device_name":device_name,"device_type":"TINYLOOP_FAN_SIM","interval_ms":...,
//  "sensors":[{"name":"accX","units":"g"},...],"values":[[x,y,z],...]}}.
// Values are the recording's float32 values, printed so they parse back exactly; interval_ms is
// an integer when it is whole. Pure function.
Json MakeAcquisitionJson(const Recording& recording, std::string_view device_name,
                         int64_t issued_at);

// Writes the whole dataset under out_dir (created with its parents if missing; existing files of
// the same names are replaced, each written to a temporary name first and then renamed).
// Errors: InvalidArgument naming the option and its limit; PermissionDenied or Internal naming
// the path that could not be created or written. Not safe to run twice concurrently on the same
// out_dir.
Status WriteDemoDataset(const std::string& out_dir, const DemoDatasetOptions& options);

}  // namespace tinyloop::sim
