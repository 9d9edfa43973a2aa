#include "formats/acquisition.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "base/crypto.h"
#include "formats/internal/acquisition_json_fast.h"
#include "formats/internal/body_scan.h"
#include "formats/internal/utf8.h"

namespace tinyloop::formats {
namespace {

constexpr size_t kSignatureHexLength = 64;
// The signature's characters as they are read when the HMAC is computed (the format's rule).
constexpr std::string_view kZeroedSignature =
    "0000000000000000000000000000000000000000000000000000000000000000";
static_assert(kZeroedSignature.size() == kSignatureHexLength);
constexpr size_t kMaxDeviceFieldBytes = 256;
constexpr size_t kMaxSensorFieldBytes = 128;
constexpr std::string_view kBinaryRefPrefix = "Ref-BINARY-";

enum class Alg { kHs256, kNone };

struct ParsedBody {
  Json doc;
  std::string_view trailer;  // bytes after the CBOR item (binary samples); empty for JSON
  internal::CborScan cbor;   // only for CBOR encodings
};

StatusOr<ParsedBody> ParseBody(std::string_view body, AcquisitionEncoding encoding,
                               const ParseLimits& limits) {
  ParsedBody parsed;
  if (encoding == AcquisitionEncoding::kJson) {
    TL_ASSIGN_OR_RETURN(parsed.doc, ParseJson(body, limits));
    return parsed;
  }
  // The header ends where its first CBOR item ends; whatever follows is binary samples.
  TL_ASSIGN_OR_RETURN(parsed.cbor, internal::ScanCborItem(body, limits.max_depth));
  TL_ASSIGN_OR_RETURN(parsed.doc, ParseCbor(body.substr(0, parsed.cbor.end), limits));
  parsed.trailer = body.substr(parsed.cbor.end);
  return parsed;
}

Status CheckString(const Json& value, std::string_view field, size_t max_bytes, bool allow_empty) {
  if (!value.is_string()) return InvalidArgumentError(std::string(field) + " must be a string");
  const auto& text = value.get_ref<const std::string&>();
  if (!allow_empty && text.empty()) {
    return InvalidArgumentError(std::string(field) + " must not be empty");
  }
  if (text.size() > max_bytes) {
    return InvalidArgumentError(std::string(field) + " is " + std::to_string(text.size()) +
                                " bytes, limit " + std::to_string(max_bytes));
  }
  if (!internal::IsValidUtf8(text)) {
    return InvalidArgumentError(std::string(field) + " is not valid UTF-8");
  }
  return OkStatus();
}

bool IsHex(std::string_view text) {
  for (char c : text) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

// Validates protected.{ver,alg} and the signature's shape.
StatusOr<Alg> CheckHeader(const Json& doc) {
  const auto prot = doc.find("protected");
  if (prot == doc.end() || !prot->is_object()) {
    return InvalidArgumentError("protected must be an object with ver and alg");
  }
  const auto ver = prot->find("ver");
  if (ver == prot->end() || !ver->is_string() || ver->get_ref<const std::string&>() != "v1") {
    return InvalidArgumentError("protected.ver must be \"v1\"");
  }
  const auto alg_it = prot->find("alg");
  if (alg_it == prot->end() || !alg_it->is_string()) {
    return InvalidArgumentError("protected.alg must be \"HS256\" or \"none\"");
  }
  const auto& alg_name = alg_it->get_ref<const std::string&>();
  Alg alg;
  if (alg_name == "HS256") {
    alg = Alg::kHs256;
  } else if (alg_name == "none") {
    alg = Alg::kNone;
  } else {
    return InvalidArgumentError("protected.alg must be \"HS256\" or \"none\", got \"" +
                                alg_name.substr(0, 32) + "\"");
  }
  const auto sig = doc.find("signature");
  if (sig == doc.end() || !sig->is_string()) {
    return InvalidArgumentError("signature must be a string");
  }
  if (alg == Alg::kHs256) {
    const auto& text = sig->get_ref<const std::string&>();
    if (text.size() != kSignatureHexLength || !IsHex(text)) {
      return InvalidArgumentError("signature must be 64 hex characters for HS256, got " +
                                  std::to_string(text.size()) + " characters");
    }
  }
  return alg;
}

// Recomputes the HMAC over the body with the signature characters zeroed, as the spec says.
Status VerifyHmac(std::string_view body, AcquisitionEncoding encoding, const ParsedBody& parsed,
                  const std::string& received, const std::string& key) {
  internal::ByteSpan span;
  if (encoding == AcquisitionEncoding::kJson) {
    TL_ASSIGN_OR_RETURN(span, internal::FindJsonSignature(body));
  } else {
    if (!parsed.cbor.has_signature) {
      return InvalidArgumentError("could not locate the signature text in the CBOR body");
    }
    span = parsed.cbor.signature;
  }
  // The span must hold exactly the characters the parser saw, or we would verify other bytes.
  if (span.length != kSignatureHexLength || body.substr(span.offset, span.length) != received) {
    return InvalidArgumentError("signature in the raw body does not match the parsed signature");
  }
  // Hashed in three pieces rather than over a zeroed copy of the body.
  const Digest256 expected = HmacSha256(
      key, {body.substr(0, span.offset), kZeroedSignature, body.substr(span.offset + span.length)});
  if (!DigestMatchesHex(expected, received)) {
    return UnauthenticatedError("signature does not match the project's HMAC key");
  }
  return OkStatus();
}

StatusOr<std::vector<SensorAxis>> ParseSensors(const Json& payload) {
  const auto sensors = payload.find("sensors");
  if (sensors == payload.end() || !sensors->is_array() || sensors->empty()) {
    return InvalidArgumentError("payload.sensors must be a non-empty array of {name, units}");
  }
  if (sensors->size() > kMaxAcquisitionAxes) {
    return InvalidArgumentError("payload.sensors has " + std::to_string(sensors->size()) +
                                " entries, limit " + std::to_string(kMaxAcquisitionAxes));
  }
  std::vector<SensorAxis> axes;
  axes.reserve(sensors->size());
  for (size_t i = 0; i < sensors->size(); ++i) {
    const Json& sensor = (*sensors)[i];
    const std::string field = "payload.sensors[" + std::to_string(i) + "]";
    if (!sensor.is_object()) return InvalidArgumentError(field + " must be an object");
    const auto name = sensor.find("name");
    const auto units = sensor.find("units");
    if (name == sensor.end()) return InvalidArgumentError(field + ".name is required");
    if (units == sensor.end()) return InvalidArgumentError(field + ".units is required");
    TL_RETURN_IF_ERROR(CheckString(*name, field + ".name", kMaxSensorFieldBytes, false));
    TL_RETURN_IF_ERROR(CheckString(*units, field + ".units", kMaxSensorFieldBytes, true));
    axes.push_back({name->get<std::string>(), units->get<std::string>()});
  }
  return axes;
}

enum class BinaryKind { kI8, kU8, kI16, kU16, kI32, kU32, kF32 };

struct BinaryType {
  std::string_view name;
  BinaryKind kind;
  size_t size;
};

constexpr BinaryType kBinaryTypes[] = {{"i8", BinaryKind::kI8, 1},   {"u8", BinaryKind::kU8, 1},
                                       {"i16", BinaryKind::kI16, 2}, {"u16", BinaryKind::kU16, 2},
                                       {"i32", BinaryKind::kI32, 4}, {"u32", BinaryKind::kU32, 4},
                                       {"f32", BinaryKind::kF32, 4}};

template <BinaryKind kKind>
void ConvertLittleEndian(const unsigned char* bytes, size_t count, size_t size, float* out) {
  for (size_t i = 0; i < count; ++i, bytes += size) {
    uint32_t raw = 0;
    for (size_t b = 0; b < size; ++b) raw |= static_cast<uint32_t>(bytes[b]) << (8 * b);
    if constexpr (kKind == BinaryKind::kI8) {
      out[i] = static_cast<float>(static_cast<int8_t>(static_cast<uint8_t>(raw)));
    } else if constexpr (kKind == BinaryKind::kI16) {
      out[i] = static_cast<float>(static_cast<int16_t>(static_cast<uint16_t>(raw)));
    } else if constexpr (kKind == BinaryKind::kI32) {
      out[i] = static_cast<float>(static_cast<int32_t>(raw));
    } else if constexpr (kKind == BinaryKind::kF32) {
      std::memcpy(&out[i], &raw, sizeof(float));
    } else {
      out[i] = static_cast<float>(raw);
    }
  }
}

void ConvertBinary(const BinaryType& type, const unsigned char* bytes, size_t count, float* out) {
  switch (type.kind) {
    case BinaryKind::kI8:
      return ConvertLittleEndian<BinaryKind::kI8>(bytes, count, 1, out);
    case BinaryKind::kU8:
      return ConvertLittleEndian<BinaryKind::kU8>(bytes, count, 1, out);
    case BinaryKind::kI16:
      return ConvertLittleEndian<BinaryKind::kI16>(bytes, count, 2, out);
    case BinaryKind::kU16:
      return ConvertLittleEndian<BinaryKind::kU16>(bytes, count, 2, out);
    case BinaryKind::kI32:
      return ConvertLittleEndian<BinaryKind::kI32>(bytes, count, 4, out);
    case BinaryKind::kU32:
      return ConvertLittleEndian<BinaryKind::kU32>(bytes, count, 4, out);
    case BinaryKind::kF32:
      return ConvertLittleEndian<BinaryKind::kF32>(bytes, count, 4, out);
  }
}

Status DecodeBinaryValues(std::string_view ref, std::string_view trailer,
                          const AcquisitionOptions& options, DecodedSample* sample) {
  std::string_view type = ref.substr(kBinaryRefPrefix.size());
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  const BinaryType* found = nullptr;
  for (const BinaryType& candidate : kBinaryTypes) {
    if (candidate.name == type) found = &candidate;
  }
  if (found == nullptr) {
    return InvalidArgumentError("payload.values[0] references binary type \"" +
                                std::string(type.substr(0, 16)) +
                                "\"; supported: i8, u8, i16, u16, i32, u32, f32");
  }
  const size_t axes = sample->axes.size();
  const size_t row_bytes = found->size * axes;
  if (trailer.empty()) {
    return InvalidArgumentError(
        "payload.values references a binary payload but no bytes follow "
        "the CBOR header");
  }
  if (trailer.size() % row_bytes != 0) {
    return InvalidArgumentError("binary payload has " + std::to_string(trailer.size()) +
                                " bytes, not a multiple of " + std::to_string(row_bytes) + " (" +
                                std::to_string(axes) + " axes of " + std::string(type) + ")");
  }
  const size_t count = trailer.size() / found->size;
  if (count > options.max_values) {
    return InvalidArgumentError("binary payload holds " + std::to_string(count) +
                                " values, limit " + std::to_string(options.max_values));
  }
  sample->values.resize(count);
  ConvertBinary(*found, reinterpret_cast<const unsigned char*>(trailer.data()), count,
                sample->values.data());
  sample->length = count / axes;
  sample->extra_metadata["binary_type"] = std::string(type);
  return OkStatus();
}

std::string RowField(size_t row) { return "payload.values[" + std::to_string(row) + "]"; }

Status NotANumber(size_t row, size_t axis, bool flattened) {
  return InvalidArgumentError(
      (flattened ? RowField(row) : RowField(row) + "[" + std::to_string(axis) + "]") +
      " must be a number");
}

Status DecodeJsonValues(const Json& values, const AcquisitionOptions& options,
                        DecodedSample* sample) {
  const size_t axes = sample->axes.size();
  const size_t rows = values.size();
  if (rows > options.max_values / axes) {
    return InvalidArgumentError("payload.values has " + std::to_string(rows) + " rows of " +
                                std::to_string(axes) + " values, limit " +
                                std::to_string(options.max_values) + " values");
  }
  sample->values.resize(rows * axes);
  float* out = sample->values.data();
  for (size_t r = 0; r < rows; ++r) {
    const Json& row = values[r];
    if (row.is_number() && axes == 1) {  // single-axis data may be flattened: [1, 2, 3]
      *out++ = static_cast<float>(row.get<double>());
      continue;
    }
    if (!row.is_array()) {
      if (axes == 1) return NotANumber(r, 0, /*flattened=*/true);
      return InvalidArgumentError(RowField(r) + " must be an array of " + std::to_string(axes) +
                                  " numbers");
    }
    if (row.size() != axes) {
      return InvalidArgumentError(RowField(r) + " has " + std::to_string(row.size()) +
                                  " entries but payload.sensors declares " + std::to_string(axes));
    }
    for (size_t a = 0; a < axes; ++a) {
      if (!row[a].is_number()) return NotANumber(r, a, /*flattened=*/false);
      *out++ = static_cast<float>(row[a].get<double>());
    }
  }
  sample->length = rows;
  return OkStatus();
}

Status DecodePayload(const Json& doc, std::string_view trailer, AcquisitionEncoding encoding,
                     const AcquisitionOptions& options, DecodedSample* sample) {
  const auto payload_it = doc.find("payload");
  if (payload_it == doc.end() || !payload_it->is_object()) {
    return InvalidArgumentError("payload must be an object");
  }
  const Json& payload = *payload_it;

  const auto device_type = payload.find("device_type");
  if (device_type == payload.end()) return InvalidArgumentError("payload.device_type is required");
  TL_RETURN_IF_ERROR(CheckString(*device_type, "payload.device_type", kMaxDeviceFieldBytes, true));
  sample->device_type = device_type->get<std::string>();

  const auto device_name = payload.find("device_name");
  if (device_name != payload.end() && !device_name->is_null()) {
    TL_RETURN_IF_ERROR(
        CheckString(*device_name, "payload.device_name", kMaxDeviceFieldBytes, true));
    sample->device_name = device_name->get<std::string>();
  }

  const auto interval = payload.find("interval_ms");
  if (interval == payload.end() || !interval->is_number() ||
      !std::isfinite(interval->get<double>()) || interval->get<double>() <= 0) {
    return InvalidArgumentError("payload.interval_ms must be a positive number");
  }
  sample->interval_ms = interval->get<double>();

  TL_ASSIGN_OR_RETURN(sample->axes, ParseSensors(payload));

  const auto values = payload.find("values");
  if (values == payload.end() || !values->is_array() || values->empty()) {
    return InvalidArgumentError("payload.values must be a non-empty array");
  }
  const Json& first = values->front();
  const bool binary_ref = values->size() == 1 && first.is_string() &&
                          first.get_ref<const std::string&>().compare(0, kBinaryRefPrefix.size(),
                                                                      kBinaryRefPrefix) == 0;
  if (binary_ref) {
    if (encoding == AcquisitionEncoding::kJson) {
      return InvalidArgumentError(
          "payload.values references a binary payload, which only a CBOR body can carry");
    }
    return DecodeBinaryValues(first.get_ref<const std::string&>(), trailer, options, sample);
  }
  if (!trailer.empty()) {
    return InvalidArgumentError(std::to_string(trailer.size()) +
                                " bytes follow the CBOR item but payload.values does not "
                                "reference a binary payload");
  }
  return DecodeJsonValues(*values, options, sample);
}

}  // namespace

StatusOr<DecodedSample> DecodeAcquisition(std::string_view body, AcquisitionEncoding encoding,
                                          const AcquisitionOptions& options) {
  if (encoding == AcquisitionEncoding::kJson) {
    DecodedSample sample;
    if (internal::TryDecodeAcquisitionJson(body, options, &sample) ==
        internal::FastJsonOutcome::kDecoded) {
      return sample;
    }
  }
  return internal::DecodeAcquisitionGeneral(body, encoding, options);
}

namespace internal {

StatusOr<DecodedSample> DecodeAcquisitionGeneral(std::string_view body,
                                                 AcquisitionEncoding encoding,
                                                 const AcquisitionOptions& options) {
  TL_ASSIGN_OR_RETURN(ParsedBody parsed, ParseBody(body, encoding, options.limits));
  if (!parsed.doc.is_object()) {
    return InvalidArgumentError("body must be an object with protected, signature and payload");
  }
  TL_ASSIGN_OR_RETURN(const Alg alg, CheckHeader(parsed.doc));

  DecodedSample sample;
  if (alg == Alg::kNone) {
    if (!options.allow_unsigned) {
      return UnauthenticatedError("unsigned samples (alg none) are not allowed in this project");
    }
  } else if (options.verify_signature) {
    TL_RETURN_IF_ERROR(VerifyHmac(body, encoding, parsed,
                                  parsed.doc["signature"].get_ref<const std::string&>(),
                                  options.hmac_key));
    sample.hmac_signed = true;
  }
  TL_RETURN_IF_ERROR(DecodePayload(parsed.doc, parsed.trailer, encoding, options, &sample));
  return sample;
}

}  // namespace internal
}  // namespace tinyloop::formats
