#include "impulse/eim/eim_protocol.h"

#include <algorithm>

namespace tinyloop::model {
namespace {

// The client splits the stream by counting braces without string awareness.
std::string NoBraces(std::string s) {
  for (char& c : s) {
    if (c == '{') c = '(';
    if (c == '}') c = ')';
  }
  return s;
}

Json ErrorBody(const std::string& message) {
  return Json{{"success", false}, {"error", NoBraces(message)}};
}

StatusOr<std::vector<float>> FloatArray(const Json& j, const char* field) {
  if (!j.is_array()) return InvalidArgumentError(std::string(field) + " must be an array");
  std::vector<float> out;
  out.reserve(j.size());
  for (const Json& v : j) {
    if (!v.is_number()) {
      return InvalidArgumentError(std::string(field) + " must hold numbers only");
    }
    out.push_back(v.get<float>());
  }
  return out;
}

// Edge Impulse sensor codes: 1 microphone, 2 accelerometer, -1 unknown.
int SensorCode(const EimClassifier& c) {
  if (c.axes() == 1 && c.frequency_hz() >= 4000) return 1;
  if (c.axes() == 3) return 2;
  return -1;
}

}  // namespace

EimSession::EimSession(EimClassifier* classifier) : classifier_(classifier) {
  continuous_window_.assign(size_t(classifier_->input_features_count()), 0.0f);
  if (classifier_->has_anomaly()) min_anomaly_score_ = classifier_->anomaly_threshold();
}

int32_t EimSession::slice_size() const {
  // Four slices per window, as Edge Impulse's continuous mode uses by default.
  const uint32_t frames = std::max<uint32_t>(1, classifier_->window_frames() / 4);
  return int32_t(frames * classifier_->axes());
}

Json EimSession::HelloBody() const {
  const EimClassifier& c = *classifier_;
  Json thresholds = Json::array();
  thresholds.push_back(
      {{"id", kClassificationBlockId}, {"type", "classification"}, {"min_score", min_score_}});
  int has_anomaly = 0;
  if (c.has_anomaly()) {
    has_anomaly = c.impulse().anomaly.type == impulse::AnomalyType::kGmm ? 2 : 1;
    thresholds.push_back({{"id", kAnomalyBlockId},
                          {"type", "anomaly_" + std::string(has_anomaly == 2 ? "gmm" : "kmeans")},
                          {"min_anomaly_score", min_anomaly_score_}});
  }
  Json labels = Json::array();
  for (const std::string& l : c.labels()) labels.push_back(NoBraces(l));
  Json params = {{"input_features_count", c.input_features_count()},
                 {"sensor", SensorCode(c)},
                 {"frequency", c.frequency_hz()},
                 {"interval_ms", 1000.0 / c.frequency_hz()},
                 {"axis_count", c.axes()},
                 {"image_input_width", 0},
                 {"image_input_height", 0},
                 {"image_input_frames", 1},
                 {"image_channel_count", 0},
                 {"image_resize_mode", "none"},
                 {"label_count", c.labels().size()},
                 {"has_anomaly", has_anomaly},
                 {"has_object_tracking", false},
                 {"labels", labels},
                 {"model_type", "classification"},
                 {"slice_size", slice_size()},
                 {"use_continuous_mode", false},
                 {"has_performance_calibration", false},
                 {"inferencing_engine", 2},
                 {"thresholds", thresholds}};
  return Json{{"success", true},
              {"project",
               {{"id", 1},
                {"owner", "tinyloop"},
                {"name", "tinyloop impulse"},
                {"deploy_version", 1},
                {"impulse_id", 1},
                {"impulse_name", "impulse"}}},
              {"model_parameters", params},
              {"inferencing_engine", {{"engine_type", 2}, {"properties", Json::array()}}}};
}

Json EimSession::Classify(const std::vector<float>& raw) {
  auto result = classifier_->Classify(raw);
  if (!result.ok()) return ErrorBody(result.status().message());
  Json classification = Json::object();
  for (size_t i = 0; i < classifier_->labels().size(); ++i) {
    classification[NoBraces(classifier_->labels()[i])] = result->scores[i];
  }
  Json body = {{"classification", classification}};
  if (result->anomaly) body["anomaly"] = *result->anomaly;
  return Json{{"success", true},
              {"result", body},
              {"timing",
               {{"dsp", result->dsp_ms},
                {"classification", result->classification_ms},
                {"anomaly", result->anomaly_ms}}}};
}

Json EimSession::ClassifyContinuous(const std::vector<float>& slice) {
  if (int32_t(slice.size()) != slice_size()) {
    return ErrorBody("classify_continuous: expected " + std::to_string(slice_size()) +
                     " values (slice_size), got " + std::to_string(slice.size()));
  }
  // Slide the window: drop the oldest slice, append the new one.
  std::vector<float>& w = continuous_window_;
  std::rotate(w.begin(), w.begin() + slice.size(), w.end());
  std::copy(slice.begin(), slice.end(), w.end() - slice.size());
  return Classify(w);
}

Json EimSession::SetThreshold(const Json& body) {
  if (!body.is_object() || !body.contains("id") || !body["id"].is_number_integer()) {
    return ErrorBody("set_threshold needs an object with an integer id");
  }
  const int id = body["id"].get<int>();
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (it.key() == "id") continue;
    if (!it.value().is_number())
      return ErrorBody("set_threshold: " + it.key() + " must be a number");
    const double v = it.value().get<double>();
    if (id == kClassificationBlockId && it.key() == "min_score") {
      min_score_ = v;
    } else if (id == kAnomalyBlockId && classifier_->has_anomaly() &&
               it.key() == "min_anomaly_score") {
      min_anomaly_score_ = v;
    } else {
      return ErrorBody("set_threshold: block " + std::to_string(id) + " has no threshold " +
                       it.key());
    }
  }
  return Json{{"success", true}};
}

Json EimSession::Handle(const Json& request) {
  Json response;
  if (!request.is_object()) {
    response = ErrorBody("request must be a JSON object");
  } else if (request.contains("hello")) {
    if (hello_done_) {
      response = ErrorBody("already initialized");
    } else {
      hello_done_ = true;
      response = HelloBody();
    }
  } else if (!hello_done_) {
    response = ErrorBody("send hello first");
  } else if (request.contains("classify")) {
    auto raw = FloatArray(request["classify"], "classify");
    response = raw.ok() ? Classify(*raw) : ErrorBody(raw.status().message());
  } else if (request.contains("classify_continuous")) {
    auto slice = FloatArray(request["classify_continuous"], "classify_continuous");
    response = slice.ok() ? ClassifyContinuous(*slice) : ErrorBody(slice.status().message());
  } else if (request.contains("set_threshold")) {
    response = SetThreshold(request["set_threshold"]);
  } else {
    response = ErrorBody("Failed to handle message");
  }
  if (request.is_object() && request.contains("id")) response["id"] = request["id"];
  return response;
}

std::vector<std::string> EimSession::TakeMessages(std::string* buffer) {
  std::vector<std::string> out;
  size_t start = std::string::npos;
  int depth = 0;
  bool in_string = false, escaped = false;
  size_t consumed = 0;
  for (size_t i = 0; i < buffer->size(); ++i) {
    const char c = (*buffer)[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"' && depth > 0) {
      in_string = true;
    } else if (c == '{') {
      if (depth++ == 0) start = i;
    } else if (c == '}' && depth > 0) {
      if (--depth == 0) {
        out.push_back(buffer->substr(start, i + 1 - start));
        consumed = i + 1;
      }
    } else if (depth == 0) {
      consumed = i + 1;  // bytes between messages (newlines) are dropped
    }
  }
  buffer->erase(0, consumed);
  return out;
}

}  // namespace tinyloop::model
