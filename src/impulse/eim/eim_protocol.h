// The Edge Impulse Linux runner protocol (the messages LinuxImpulseRunner sends over the Unix
// socket: hello, classify, classify_continuous, set_threshold) answered by an EimClassifier.
// Transport-free: one parsed request in, one response object out, so tests can drive it without
// a socket. Part of the .eim runner program; not thread-safe (one connection).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/json.h"
#include "impulse/eim/eim_classifier.h"

namespace tinyloop::model {

// Block ids of the thresholds the hello advertises (and set_threshold accepts).
inline constexpr int kClassificationBlockId = 3;
inline constexpr int kAnomalyBlockId = 4;

class EimSession {
 public:
  // `classifier` must outlive the session.
  explicit EimSession(EimClassifier* classifier);

  // The hello response body without "id" (also what --print-info prints).
  Json HelloBody() const;

  // Answers one request (a JSON object with a top-level "id"). Never fails: errors become
  // {"id":N,"success":false,"error":"..."}; error texts never contain braces.
  Json Handle(const Json& request);

  // Splits complete top-level JSON objects off the front of `buffer` (string-aware brace
  // counting), leaving any incomplete tail in place.
  static std::vector<std::string> TakeMessages(std::string* buffer);

 private:
  Json Classify(const std::vector<float>& raw);
  Json ClassifyContinuous(const std::vector<float>& slice);
  Json SetThreshold(const Json& body);
  int32_t slice_size() const;

  EimClassifier* classifier_;
  bool hello_done_ = false;
  double min_score_ = 0.6;
  double min_anomaly_score_ = 0;
  std::vector<float> continuous_window_;  // the last window_frames x axes values
};

}  // namespace tinyloop::model
