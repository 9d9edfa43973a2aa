// Test helper for tests/eim/run.sh: the offline pipeline's prediction on one window, as JSON.
// Usage: eim_expected MODEL_DIR DATA_DIR. Takes the first recording of DATA_DIR, computes its
// windows' features, runs the model the .eim deploys (model_int8.tflite, else model.tflite) and
// anomaly.json, and prints
// {"features":[raw window 0],"classification":{label:score},"anomaly":score?}.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

#include "base/json.h"
#include "dsp/windowing.h"
#include "impulse/anomaly_block.h"
#include "impulse/features.h"
#include "impulse/model_runner.h"
#include "impulse/recordings.h"
#include "model/tflite_import.h"

namespace tinyloop {
namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

Status Run(const std::string& model_dir, const std::string& data_dir) {
  TL_ASSIGN_OR_RETURN(const impulse::ImpulseConfig config,
                      impulse::ReadImpulseConfig(model_dir + "/impulse.json"));
  TL_ASSIGN_OR_RETURN(const impulse::Dataset data, impulse::LoadDataset(data_dir));
  if (data.recordings.empty()) return NotFoundError("no recordings in " + data_dir);
  const formats::DecodedSample& sample = data.recordings[0].sample;
  TL_ASSIGN_OR_RETURN(const impulse::FeatureRows features,
                      impulse::ComputeFeatures(config, {&sample}));
  // The .eim deploys model_int8.tflite when the model directory has one (model/compile.h).
  std::string tflite = Read(model_dir + "/model_int8.tflite");
  if (tflite.empty()) tflite = Read(model_dir + "/model.tflite");
  TL_ASSIGN_OR_RETURN(
      const model::Graph graph,
      model::ImportTflite(reinterpret_cast<const uint8_t*>(tflite.data()), tflite.size()));
  TL_ASSIGN_OR_RETURN(auto runner, impulse::ModelRunner::Create(graph));
  std::vector<float> row(features.values.begin(), features.values.begin() + features.cols);
  TL_ASSIGN_OR_RETURN(const std::vector<float> scores, runner->Predict(row));
  std::vector<std::string> labels;
  std::istringstream lines(Read(model_dir + "/labels.txt"));
  for (std::string l; std::getline(lines, l);) {
    if (!l.empty()) labels.push_back(l);
  }
  const dsp::TimeSeriesConfig& ts = config.input.time_series;
  const uint32_t frames = dsp::SamplesFromMs(ts.window_size_ms, 1000.0f / ts.frequency_hz);
  Json out;
  out["features"] = std::vector<float>(sample.values.begin(),
                                       sample.values.begin() + frames * sample.axes.size());
  for (size_t i = 0; i < labels.size(); ++i) out["classification"][labels[i]] = scores.at(i);
  const std::string anomaly = Read(model_dir + "/anomaly.json");
  if (!anomaly.empty()) {
    TL_ASSIGN_OR_RETURN(const Json json, ParseJson(anomaly));
    TL_ASSIGN_OR_RETURN(const impulse::AnomalyBlock block, impulse::AnomalyBlock::FromJson(json));
    train::FeatureMatrix m;
    m.rows = 1;
    m.cols = features.cols;
    m.values = row;
    TL_ASSIGN_OR_RETURN(const std::vector<double> s, block.ScoreAll(m));
    out["anomaly"] = s.at(0);
  }
  std::printf("%s\n", DumpJson(out).c_str());
  return OkStatus();
}

}  // namespace
}  // namespace tinyloop

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s MODEL_DIR DATA_DIR\n", argv[0]);
    return 2;
  }
  const tinyloop::Status st = tinyloop::Run(argv[1], argv[2]);
  if (!st.ok()) {
    std::fprintf(stderr, "eim_expected: %s\n", st.ToString().c_str());
    return 1;
  }
  return 0;
}
