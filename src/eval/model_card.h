// The model card: a generated Markdown document that tells a product manager what a model is
// for, what data it saw, how well it does overall and per slice, where it is weak (generated
// limitations), and what it costs on the device (RAM, flash, latency — filled in by
// `tinyloop compile`). Pure function of its input: no clock, no I/O, deterministic bytes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "eval/metrics.h"

namespace tinyloop::eval {

// Thresholds that turn metrics into limitation lines.
struct ModelCardOptions {
  // A class whose recall or F1 is below this is listed as weak. Default 0.8.
  double weak_class_threshold = 0.8;
  // A slice whose accuracy is more than this many percentage points below the overall accuracy
  // is listed. Default 10.
  double slice_gap_points = 10;
  // Slices with fewer samples are listed as "too few samples to judge". Default 30.
  int64_t min_slice_samples = 30;
  // ECE above this produces a calibration warning. Default 0.1.
  double max_ece = 0.1;
};

// Device cost fields; absent ones read "not measured yet — run `tinyloop compile`".
struct HardwareFields {
  std::string target;  // e.g. "cortex-m4"; empty = not compiled yet
  std::optional<int64_t> arena_bytes;
  std::optional<int64_t> flash_bytes;
  std::optional<double> latency_ms;
};

struct ModelCardInput {
  std::string model_name;  // the title; "Untitled model" when empty
  std::string model_id;    // optional
  std::string created_at;  // optional; the card has no timestamp unless given
  // Free text; when empty, a default is generated from labels and sensor_kind.
  std::string intended_use;
  std::string sensor_kind;  // e.g. "accelerometer", "audio", "image"
  std::vector<std::string> labels;
  // Data.
  std::string dataset_version_id;
  std::string dataset_hash;
  std::map<std::string, std::map<std::string, int64_t>> counts_per_label_split;  // label→split→n
  std::map<std::string, int64_t> counts_per_device;
  // Impulse: rendered verbatim as JSON blocks (omitted when null).
  Json dsp_config;
  Json model_config;
  // Metrics (sections omitted when absent).
  std::optional<ClassificationReport> classification;
  std::optional<AnomalyReport> anomaly;
  std::optional<AnomalousInputBehaviour> anomalous_input;
  HardwareFields hardware;
  ModelCardOptions options;
};

// The generated limitation sentences (also part of the card), in a fixed order: weak classes,
// weak slices, slices too small to judge, calibration, behaviour on anomalous input.
std::vector<std::string> GenerateLimitations(const ModelCardInput& input);

// Renders the card as Markdown with the sections Intended use, Data, Impulse, Metrics,
// Limitations and Hardware. Never fails; the same input gives the same bytes.
std::string RenderModelCard(const ModelCardInput& input);

}  // namespace tinyloop::eval
