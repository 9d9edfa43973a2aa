#include "formats/internal/acquisition_json_fast.h"

#include <simdjson.h>

#include <array>
#include <cmath>
#include <cstring>
#include <string>

#include "base/crypto.h"
#include "formats/internal/body_scan.h"
#include "formats/internal/utf8.h"

namespace tinyloop::formats::internal {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

constexpr size_t kSignatureHexLength = 64;
// The signature's characters as they are read when the HMAC is computed (the format's rule).
constexpr std::string_view kZeroedSignature =
    "0000000000000000000000000000000000000000000000000000000000000000";
static_assert(kZeroedSignature.size() == kSignatureHexLength);
constexpr size_t kMaxDeviceFieldBytes = 256;
constexpr size_t kMaxSensorFieldBytes = 128;
constexpr size_t kMaxFastBodyBytes = size_t{1} << 20;

// Looks up `keys` in `obj`. False when any of them appears more than once: nlohmann keeps the
// last duplicate and simdjson finds the first, so only the general decoder may judge those.
template <size_t N>
bool Fields(object obj, const std::array<std::string_view, N>& keys, std::array<element, N>* values,
            std::array<bool, N>* present) {
  present->fill(false);
  for (auto field : obj) {
    for (size_t i = 0; i < N; ++i) {
      if (field.key != keys[i]) continue;
      if ((*present)[i]) return false;
      (*present)[i] = true;
      (*values)[i] = field.value;
    }
  }
  return true;
}

// The checks of CheckString in acquisition.cc.
bool GoodString(element value, size_t max_bytes, bool allow_empty, std::string* out) {
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) return false;
  if ((!allow_empty && text.empty()) || text.size() > max_bytes || !IsValidUtf8(text)) {
    return false;
  }
  out->assign(text);
  return true;
}

bool IsNumber(element value) {
  const element_type type = value.type();
  return type == element_type::INT64 || type == element_type::UINT64 ||
         type == element_type::DOUBLE;
}

bool Number(element value, double* out) {
  return IsNumber(value) && value.get_double().get(*out) == simdjson::SUCCESS;
}

bool IsLowerOrUpperHex(std::string_view text) {
  for (char c : text) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

// protected.{ver,alg}, the signature's shape and, for HS256, the HMAC over the body with the
// signature characters zeroed (the acquisition format's rule).
bool CheckSignature(std::string_view body, element protected_header, element signature,
                    const AcquisitionOptions& options, bool* hmac_signed) {
  object header;
  if (protected_header.get_object().get(header) != simdjson::SUCCESS) return false;
  std::array<element, 2> values;
  std::array<bool, 2> present;
  if (!Fields<2>(header, {"ver", "alg"}, &values, &present) || !present[0] || !present[1]) {
    return false;
  }
  std::string_view ver;
  std::string_view alg;
  if (values[0].get_string().get(ver) != simdjson::SUCCESS || ver != "v1") return false;
  if (values[1].get_string().get(alg) != simdjson::SUCCESS) return false;
  std::string_view received;
  if (signature.get_string().get(received) != simdjson::SUCCESS) return false;

  *hmac_signed = false;
  if (alg == "none") return options.allow_unsigned;
  if (alg != "HS256") return false;
  if (received.size() != kSignatureHexLength || !IsLowerOrUpperHex(received)) return false;
  if (!options.verify_signature) return true;

  const StatusOr<ByteSpan> span = FindJsonSignature(body);
  if (!span.ok() || span->length != kSignatureHexLength ||
      body.substr(span->offset, span->length) != received) {
    return false;
  }
  // Hashed in three pieces rather than over a zeroed copy of the body.
  const Digest256 expected = HmacSha256(
      options.hmac_key,
      {body.substr(0, span->offset), kZeroedSignature, body.substr(span->offset + span->length)});
  if (!DigestMatchesHex(expected, received)) return false;
  *hmac_signed = true;
  return true;
}

bool DecodeSensors(element sensors_value, DecodedSample* sample) {
  array sensors;
  if (sensors_value.get_array().get(sensors) != simdjson::SUCCESS) return false;
  for (element entry : sensors) {
    if (sample->axes.size() == kMaxAcquisitionAxes) return false;
    object sensor;
    if (entry.get_object().get(sensor) != simdjson::SUCCESS) return false;
    std::array<element, 2> values;
    std::array<bool, 2> present;
    if (!Fields<2>(sensor, {"name", "units"}, &values, &present) || !present[0] || !present[1]) {
      return false;
    }
    SensorAxis axis;
    if (!GoodString(values[0], kMaxSensorFieldBytes, /*allow_empty=*/false, &axis.name) ||
        !GoodString(values[1], kMaxSensorFieldBytes, /*allow_empty=*/true, &axis.units)) {
      return false;
    }
    sample->axes.push_back(std::move(axis));
  }
  return !sample->axes.empty();
}

bool DecodeValues(element values_value, const AcquisitionOptions& options, DecodedSample* sample) {
  array rows;
  if (values_value.get_array().get(rows) != simdjson::SUCCESS) return false;
  const size_t axes = sample->axes.size();
  const size_t max_rows = options.max_values / axes;
  sample->values.reserve(std::min<size_t>(rows.size(), max_rows) * axes);
  size_t row_count = 0;
  for (element row : rows) {
    if (++row_count > max_rows) return false;
    double number = 0;
    if (axes == 1 && Number(row, &number)) {  // single-axis data may be flattened: [1, 2, 3]
      sample->values.push_back(static_cast<float>(number));
      continue;
    }
    array cells;
    if (row.get_array().get(cells) != simdjson::SUCCESS) return false;
    size_t cell_count = 0;
    for (element cell : cells) {
      if (++cell_count > axes || !Number(cell, &number)) return false;
      sample->values.push_back(static_cast<float>(number));
    }
    if (cell_count != axes) return false;
  }
  sample->length = row_count;
  return row_count > 0;
}

bool DecodePayload(element payload_value, const AcquisitionOptions& options,
                   DecodedSample* sample) {
  object payload;
  if (payload_value.get_object().get(payload) != simdjson::SUCCESS) return false;
  std::array<element, 5> values;
  std::array<bool, 5> present;
  if (!Fields<5>(payload, {"device_type", "device_name", "interval_ms", "sensors", "values"},
                 &values, &present)) {
    return false;
  }
  if (!present[0] || !present[2] || !present[3] || !present[4]) return false;
  if (!GoodString(values[0], kMaxDeviceFieldBytes, true, &sample->device_type)) return false;
  if (present[1] && !values[1].is_null() &&
      !GoodString(values[1], kMaxDeviceFieldBytes, true, &sample->device_name)) {
    return false;
  }
  double interval = 0;
  if (!Number(values[2], &interval) || !std::isfinite(interval) || interval <= 0) return false;
  sample->interval_ms = interval;
  return DecodeSensors(values[3], sample) && DecodeValues(values[4], options, sample);
}

}  // namespace

FastJsonOutcome TryDecodeAcquisitionJson(std::string_view body, const AcquisitionOptions& options,
                                         DecodedSample* sample) {
  // A container cannot hold more elements than the body has bytes, so below this size the
  // general decoder's container limit cannot trigger. Above kMaxFastBodyBytes the per-thread
  // parser would keep too big a buffer; such bodies are rare and go the general way.
  if (body.size() > kMaxFastBodyBytes || body.size() > options.limits.max_container_elements) {
    return FastJsonOutcome::kDeclined;
  }
  // One parser per thread: it keeps its buffers, so steady-state parsing allocates nothing.
  thread_local simdjson::dom::parser parser;
  const size_t max_depth = static_cast<size_t>(std::max(options.limits.max_depth, 1));
  if (parser.max_depth() != max_depth &&
      parser.allocate(std::max<size_t>(body.size(), 4096), max_depth) != simdjson::SUCCESS) {
    return FastJsonOutcome::kDeclined;
  }
  element root;
  if (parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS) {
    return FastJsonOutcome::kDeclined;
  }
  object doc;
  if (root.get_object().get(doc) != simdjson::SUCCESS) return FastJsonOutcome::kDeclined;
  std::array<element, 3> values;
  std::array<bool, 3> present;
  if (!Fields<3>(doc, {"protected", "signature", "payload"}, &values, &present) || !present[0] ||
      !present[1] || !present[2]) {
    return FastJsonOutcome::kDeclined;
  }
  *sample = DecodedSample{};
  if (!CheckSignature(body, values[0], values[1], options, &sample->hmac_signed) ||
      !DecodePayload(values[2], options, sample)) {
    return FastJsonOutcome::kDeclined;
  }
  return FastJsonOutcome::kDecoded;
}

}  // namespace tinyloop::formats::internal
