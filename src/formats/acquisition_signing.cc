// SignAcquisition: the client side of the Edge Impulse HMAC scheme, kept apart from the
// decoder so the server path stays small.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "base/crypto.h"
#include "formats/acquisition.h"
#include "formats/internal/body_scan.h"

namespace tinyloop::formats {
namespace {

constexpr size_t kSignatureHexLength = 64;

std::string ToCbor(const Json& doc) {
  const std::vector<uint8_t> bytes = Json::to_cbor(doc);
  return std::string(bytes.begin(), bytes.end());
}

// Rewrites the one-element definite array holding `ref` (0x81 <text>) as the indefinite
// array (0x9F <text> 0xFF) that Edge Impulse firmware writes.
std::string MakeValuesIndefinite(const std::string& header, const std::string& ref) {
  const std::string text = ToCbor(Json(ref));
  const std::string needle = "\x81" + text;
  const size_t at = header.find(needle);
  TL_CHECK(at != std::string::npos);
  TL_CHECK(header.find(needle, at + 1) == std::string::npos);
  return header.substr(0, at) + "\x9f" + text + "\xff" + header.substr(at + needle.size());
}

}  // namespace

std::string SignAcquisition(Json doc, std::string_view hmac_key, AcquisitionEncoding encoding,
                            std::string_view binary_samples) {
  TL_CHECK(doc.is_object());
  doc["signature"] = std::string(kSignatureHexLength, '0');

  std::string body;
  internal::ByteSpan span;
  if (encoding == AcquisitionEncoding::kJson) {
    body = DumpJson(doc);
    auto found = internal::FindJsonSignature(body);
    TL_CHECK(found.ok());
    span = *found;
  } else {
    if (encoding == AcquisitionEncoding::kCborWithBinary) {
      const Json& values = doc["payload"]["values"];
      TL_CHECK(values.is_array() && values.size() == 1 && values[0].is_string());
      body = MakeValuesIndefinite(ToCbor(doc), values[0].get<std::string>());
      body.append(binary_samples);
    } else {
      body = ToCbor(doc);
    }
    auto scan = internal::ScanCborItem(body, /*max_depth=*/64);
    TL_CHECK(scan.ok() && scan->has_signature);
    span = scan->signature;
  }
  TL_CHECK(span.length == kSignatureHexLength);
  const std::string hex = HexEncode(HmacSha256(hmac_key, body));
  std::memcpy(body.data() + span.offset, hex.data(), hex.size());
  return body;
}

}  // namespace tinyloop::formats
