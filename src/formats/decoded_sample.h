// The common result of decoding any sample body tinyloop ingests (Edge Impulse acquisition
// JSON/CBOR, CSV, WAV, PNG/JPEG): axes, sampling interval and float32 values, row-major.
// Plain data; the service turns it into a stored sample.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "base/json.h"

namespace tinyloop::formats {

struct SensorAxis {
  std::string name;   // e.g. "accX"
  std::string units;  // SenML units, e.g. "m/s2"; "N/A" when unknown
};

struct DecodedSample {
  std::string device_name;  // empty when the body does not say
  std::string device_type;  // empty when the body does not say
  double interval_ms = 0;   // 0 when there is no time axis (images)
  std::vector<SensorAxis> axes;
  size_t length = 0;          // rows; values.size() == length * axes.size()
  std::vector<float> values;  // row-major
  bool hmac_signed = false;   // body was HS256-signed and the signature verified
  // Facts about the body worth keeping as sample metadata (e.g. image_width, image_height).
  Json extra_metadata = Json::object();
};

}  // namespace tinyloop::formats
