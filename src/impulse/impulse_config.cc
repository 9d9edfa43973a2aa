#include "impulse/impulse_config.h"

#include <cmath>
#include <fstream>
#include <sstream>

namespace tinyloop::impulse {
namespace {

Status CheckKeys(const Json& json, const char* where, std::initializer_list<const char*> known) {
  if (!json.is_object()) return InvalidArgumentError(std::string(where) + " must be an object");
  for (const auto& [key, value] : json.items()) {
    bool ok = false;
    for (const char* k : known) ok = ok || key == k;
    if (!ok) return InvalidArgumentError(std::string(where) + ": unknown field '" + key + "'");
  }
  return OkStatus();
}

template <typename T>
Status ReadNumber(const Json& json, const char* key, const char* where, T* out) {
  if (!json.contains(key)) return OkStatus();
  const Json& v = json.at(key);
  if (!v.is_number()) {
    return InvalidArgumentError(std::string(where) + "." + key + " must be a number");
  }
  if constexpr (std::is_integral_v<T>) {
    if (!v.is_number_integer()) {
      return InvalidArgumentError(std::string(where) + "." + key + " must be an integer");
    }
  }
  *out = v.get<T>();
  return OkStatus();
}

Status ReadBool(const Json& json, const char* key, const char* where, bool* out) {
  if (!json.contains(key)) return OkStatus();
  if (!json.at(key).is_boolean()) {
    return InvalidArgumentError(std::string(where) + "." + key + " must be true or false");
  }
  *out = json.at(key).get<bool>();
  return OkStatus();
}

Status ReadStrings(const Json& json, const char* key, const char* where,
                   std::vector<std::string>* out) {
  if (!json.contains(key)) return OkStatus();
  const Json& v = json.at(key);
  if (!v.is_array()) {
    return InvalidArgumentError(std::string(where) + "." + key + " must be an array of strings");
  }
  out->clear();
  for (const Json& s : v) {
    if (!s.is_string()) {
      return InvalidArgumentError(std::string(where) + "." + key + " must be an array of strings");
    }
    out->push_back(s.get<std::string>());
  }
  return OkStatus();
}

StatusOr<InputConfig> InputFromJson(const Json& json) {
  InputConfig input;
  if (!json.is_object() || !json.contains("type") || !json.at("type").is_string()) {
    return InvalidArgumentError("input must be an object with a \"type\"");
  }
  const std::string type = json.at("type").get<std::string>();
  TL_RETURN_IF_ERROR(ReadStrings(json, "axes", "input", &input.axes));
  if (type == "image") {
    TL_RETURN_IF_ERROR(CheckKeys(json, "input", {"type", "axes"}));
    input.type = InputType::kImage;
    return input;
  }
  if (type != "time-series") {
    return InvalidArgumentError("input.type must be \"time-series\" or \"image\", got \"" + type +
                                "\"");
  }
  TL_RETURN_IF_ERROR(ReadBool(json, "remove_mean", "input", &input.remove_mean));
  Json ts = json;
  ts.erase("axes");
  ts.erase("remove_mean");
  auto parsed = dsp::TimeSeriesConfigFromJson(ts);
  if (!parsed.ok()) return parsed.status().WithPrefix("input");
  input.time_series = *parsed;
  return input;
}

Json InputToJson(const InputConfig& input) {
  Json out;
  if (input.type == InputType::kImage) {
    out = Json{{"type", "image"}};
  } else {
    out = dsp::TimeSeriesConfigToJson(input.time_series);
    out["remove_mean"] = input.remove_mean;
  }
  out["axes"] = input.axes;
  return out;
}

Status TrainingFromJson(const Json& json, LearningConfig* learning) {
  train::TrainOptions& t = learning->training;
  TL_RETURN_IF_ERROR(CheckKeys(json, "learning.training",
                               {"epochs", "batch_size", "learning_rate", "patience",
                                "class_weights", "shifted_copies", "time_shift_ms"}));
  const char* w = "learning.training";
  TL_RETURN_IF_ERROR(ReadNumber(json, "epochs", w, &t.epochs));
  TL_RETURN_IF_ERROR(ReadNumber(json, "batch_size", w, &t.batch_size));
  TL_RETURN_IF_ERROR(ReadNumber(json, "learning_rate", w, &t.learning_rate));
  TL_RETURN_IF_ERROR(ReadNumber(json, "patience", w, &t.patience));
  TL_RETURN_IF_ERROR(ReadBool(json, "class_weights", w, &t.class_weights));
  TL_RETURN_IF_ERROR(ReadNumber(json, "shifted_copies", w, &learning->shifted_copies));
  TL_RETURN_IF_ERROR(ReadNumber(json, "time_shift_ms", w, &learning->time_shift_ms));
  if (learning->shifted_copies < 0 || learning->shifted_copies > 8) {
    return InvalidArgumentError("learning.training.shifted_copies must be in [0, 8], got " +
                                std::to_string(learning->shifted_copies));
  }
  if (!(learning->time_shift_ms >= 0)) {
    return InvalidArgumentError("learning.training.time_shift_ms must be >= 0");
  }
  if (t.epochs < 1 || t.epochs > 10000) {
    return InvalidArgumentError("learning.training.epochs must be in [1, 10000], got " +
                                std::to_string(t.epochs));
  }
  if (t.batch_size < 1 || t.batch_size > 65536) {
    return InvalidArgumentError("learning.training.batch_size must be in [1, 65536], got " +
                                std::to_string(t.batch_size));
  }
  if (!(t.learning_rate > 0 && t.learning_rate <= 1)) {
    return InvalidArgumentError("learning.training.learning_rate must be in (0, 1]");
  }
  if (t.patience < 0) return InvalidArgumentError("learning.training.patience must be >= 0");
  return OkStatus();
}

StatusOr<train::GmmConfig> GmmFromJson(const Json& json) {
  train::GmmConfig g;
  const char* w = "anomaly";
  TL_RETURN_IF_ERROR(CheckKeys(json, w,
                               {"type", "components", "seed", "max_iterations", "tolerance",
                                "variance_floor", "features", "standardize"}));
  if (json.contains("components")) {
    int c = 0;
    TL_RETURN_IF_ERROR(ReadNumber(json, "components", w, &c));
    g.components = c;
  }
  TL_RETURN_IF_ERROR(ReadNumber(json, "seed", w, &g.seed));
  TL_RETURN_IF_ERROR(ReadNumber(json, "max_iterations", w, &g.max_iterations));
  TL_RETURN_IF_ERROR(ReadNumber(json, "tolerance", w, &g.tolerance));
  TL_RETURN_IF_ERROR(ReadNumber(json, "variance_floor", w, &g.variance_floor));
  TL_RETURN_IF_ERROR(ReadBool(json, "standardize", w, &g.standardize));
  if (json.contains("features")) {
    if (!json.at("features").is_array()) {
      return InvalidArgumentError("anomaly.features must be an array of feature indices");
    }
    for (const Json& f : json.at("features")) {
      if (!f.is_number_integer()) {
        return InvalidArgumentError("anomaly.features must be an array of feature indices");
      }
      g.features.push_back(f.get<int>());
    }
  }
  return g;
}

Json GmmToJson(const train::GmmConfig& g) {
  Json out{{"type", "gmm"},
           {"seed", g.seed},
           {"max_iterations", g.max_iterations},
           {"tolerance", g.tolerance},
           {"variance_floor", g.variance_floor},
           {"features", g.features},
           {"standardize", g.standardize}};
  if (g.components) out["components"] = *g.components;
  return out;
}

StatusOr<AnomalyConfig> AnomalyFromJson(const Json& json) {
  AnomalyConfig a;
  if (json.is_null()) return a;
  if (!json.is_object() || !json.contains("type") || !json.at("type").is_string()) {
    return InvalidArgumentError("anomaly must be an object with a \"type\" (kmeans or gmm)");
  }
  const std::string type = json.at("type").get<std::string>();
  if (type == "kmeans") {
    Json k = json;
    k.erase("type");
    auto parsed = train::KMeansConfigFromJson(k);
    if (!parsed.ok()) return parsed.status().WithPrefix("anomaly");
    a.type = AnomalyType::kKMeans;
    a.kmeans = *parsed;
  } else if (type == "gmm") {
    TL_ASSIGN_OR_RETURN(a.gmm, GmmFromJson(json));
    a.type = AnomalyType::kGmm;
  } else {
    return InvalidArgumentError("anomaly.type must be \"kmeans\" or \"gmm\", got \"" + type + "\"");
  }
  return a;
}

}  // namespace

StatusOr<ImpulseConfig> ImpulseConfigFromJson(const Json& json) {
  TL_RETURN_IF_ERROR(
      CheckKeys(json, "impulse", {"version", "input", "dsp", "learning", "anomaly", "labels"}));
  if (json.contains("version") && json.at("version") != 1) {
    return InvalidArgumentError("impulse.version must be 1");
  }
  for (const char* key : {"input", "dsp", "learning"}) {
    if (!json.contains(key)) {
      return InvalidArgumentError(std::string("impulse: missing \"") + key + "\" block");
    }
  }
  ImpulseConfig config;
  TL_ASSIGN_OR_RETURN(config.input, InputFromJson(json.at("input")));
  auto dsp = dsp::BlockConfigFromJson(json.at("dsp"));
  if (!dsp.ok()) return dsp.status().WithPrefix("dsp");
  config.dsp = *dsp;
  const Json& learning = json.at("learning");
  TL_RETURN_IF_ERROR(CheckKeys(learning, "learning", {"nn", "training"}));
  if (!learning.contains("nn")) return InvalidArgumentError("learning: missing \"nn\"");
  auto nn = train::NnSpecFromJson(learning.at("nn"));
  if (!nn.ok()) return nn.status().WithPrefix("learning.nn");
  config.learning.nn = *nn;
  if (learning.contains("training")) {
    TL_RETURN_IF_ERROR(TrainingFromJson(learning.at("training"), &config.learning));
  }
  if (json.contains("anomaly")) {
    TL_ASSIGN_OR_RETURN(config.anomaly, AnomalyFromJson(json.at("anomaly")));
  }
  TL_RETURN_IF_ERROR(ReadStrings(json, "labels", "impulse", &config.labels));
  if (config.input.type == InputType::kImage && config.dsp.type != dsp::BlockType::kImage) {
    return InvalidArgumentError(std::string("dsp.type \"") + dsp::BlockTypeName(config.dsp.type) +
                                "\" cannot run on an image input; use \"image\"");
  }
  if (config.input.type == InputType::kTimeSeries && config.dsp.type == dsp::BlockType::kImage) {
    return InvalidArgumentError("dsp.type \"image\" needs an image input (input.type \"image\")");
  }
  return config;
}

StatusOr<ImpulseConfig> ReadImpulseConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot read " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  auto json = ParseJson(buf.str());
  if (!json.ok()) return json.status().WithPrefix(path);
  auto config = ImpulseConfigFromJson(*json);
  if (!config.ok()) return config.status().WithPrefix(path);
  return config;
}

Json ImpulseConfigToJson(const ImpulseConfig& config) {
  const train::TrainOptions& t = config.learning.training;
  Json out{{"version", 1},
           {"input", InputToJson(config.input)},
           {"dsp", dsp::BlockConfigToJson(config.dsp)},
           {"learning",
            {{"nn", train::NnSpecToJson(config.learning.nn)},
             {"training",
              {{"epochs", t.epochs},
               {"batch_size", t.batch_size},
               {"learning_rate", t.learning_rate},
               {"patience", t.patience},
               {"class_weights", t.class_weights},
               {"shifted_copies", config.learning.shifted_copies},
               {"time_shift_ms", config.learning.time_shift_ms}}}}},
           {"labels", config.labels}};
  if (config.anomaly.type == AnomalyType::kKMeans) {
    Json k = train::ToJson(config.anomaly.kmeans);
    k["type"] = "kmeans";
    out["anomaly"] = k;
  } else if (config.anomaly.type == AnomalyType::kGmm) {
    out["anomaly"] = GmmToJson(config.anomaly.gmm);
  }
  return out;
}

StatusOr<std::vector<int>> ValidateImpulse(const ImpulseConfig& config, const DataShape& data) {
  const InputConfig& in = config.input;
  if (in.type == InputType::kImage && !data.is_image) {
    return InvalidArgumentError("input.type \"image\" does not fit the data: it is a time series");
  }
  if (in.type == InputType::kTimeSeries && data.is_image) {
    return InvalidArgumentError("input.type \"time-series\" does not fit the data: it is images");
  }
  if (!in.axes.empty() && in.axes.size() != data.axes) {
    return InvalidArgumentError("input.axes lists " + std::to_string(in.axes.size()) +
                                " axes but the data has " + std::to_string(data.axes));
  }
  StatusOr<dsp::BlockPlan> plan = InvalidArgumentError("no plan");
  if (in.type == InputType::kImage) {
    dsp::ImageShape shape{data.image_height, data.image_width, data.axes};
    plan = dsp::PlanBlock(config.dsp, shape);
  } else {
    const dsp::TimeSeriesConfig& ts = in.time_series;
    if (data.frequency_hz > 0 &&
        std::fabs(ts.frequency_hz - data.frequency_hz) > 0.01 * data.frequency_hz) {
      std::ostringstream msg;
      msg << "input.frequency_hz " << ts.frequency_hz << " does not match the data ("
          << data.frequency_hz << " Hz)";
      return InvalidArgumentError(msg.str());
    }
    auto window = dsp::WindowConfigFor(ts, data.shortest_frames);
    if (!window.ok()) {
      std::ostringstream msg;
      msg << "input.window_size_ms " << ts.window_size_ms
          << " does not fit the shortest recording (" << data.shortest_frames
          << " samples = " << data.shortest_frames * 1000.0 / ts.frequency_hz
          << " ms): " << window.status().message();
      return InvalidArgumentError(msg.str());
    }
    plan = dsp::PlanBlock(config.dsp, dsp::SignalShape{window->window_samples, data.axes});
  }
  if (!plan.ok()) return plan.status().WithPrefix("dsp");
  std::vector<int> shape;
  for (uint32_t i = 0; i < plan->output.rank; ++i) shape.push_back(int(plan->output.dims[i]));
  Status match = train::CheckInputMatches(config.learning.nn, shape);
  if (!match.ok()) return match.WithPrefix("learning.nn");
  const train::HeadSpec& head = config.learning.nn.head;
  if (head.type != train::HeadType::kClassifier) {
    return InvalidArgumentError("learning.nn.output must be a classifier for labelled folders");
  }
  if (!config.labels.empty() && size_t(head.outputs) != config.labels.size()) {
    return InvalidArgumentError("learning.nn.output.classes " + std::to_string(head.outputs) +
                                " does not match the " + std::to_string(config.labels.size()) +
                                " labels in the data");
  }
  return shape;
}

}  // namespace tinyloop::impulse
