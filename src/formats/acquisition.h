// Edge Impulse data acquisition format (JSON, CBOR, and CBOR header + raw binary samples):
// decoding with validation and HMAC-SHA256 verification, and a signer for tests, the
// simulator and benchmarks. Spec: compat/edge-impulse.md sections 1 and 1b.
// Part of src/formats; depends only on base.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/json.h"
#include "base/status.h"
#include "formats/decoded_sample.h"

namespace tinyloop::formats {

// How the body is encoded, i.e. what the client declared with its Content-Type.
enum class AcquisitionEncoding {
  kJson,            // application/json
  kCbor,            // application/cbor
  kCborWithBinary,  // application/octet-stream: CBOR header whose payload.values is
                    // ["Ref-BINARY-<type>"], then raw little-endian samples to the end.
};

struct AcquisitionOptions {
  // The project's HMAC key, used as raw bytes (not hex-decoded). Default empty, which is a
  // valid (if weak) HMAC key: callers that have no key should set verify_signature = false.
  std::string hmac_key;
  // Accept protected.alg == "none". Default true.
  bool allow_unsigned = true;
  // Check HS256 signatures against hmac_key. When false, HS256 bodies are accepted unchecked
  // and DecodedSample::hmac_signed stays false. Default true.
  bool verify_signature = true;
  // Depth and container-size limits for the JSON/CBOR parser. Defaults: see ParseLimits.
  ParseLimits limits;
  // Most numbers payload.values may hold in total (rows x axes). Default 16M.
  size_t max_values = size_t{16} << 20;
};

// Most entries payload.sensors may declare.
inline constexpr size_t kMaxAcquisitionAxes = 64;

// Decodes and validates one acquisition body.
//
// kCbor and kCborWithBinary read the same way: the body is one CBOR item, optionally followed
// by raw samples when payload.values is a single "Ref-BINARY-<i8|u8|i16|u16|i32|u32|f32>"
// string (right-padding with spaces allowed). Values keep their numeric scale as float32;
// CBOR NaN and Infinity are kept (later data checks flag them).
//
// Errors:
//  - InvalidArgument for a body that is not well-formed or breaks the format, with a message
//    naming the field and the limit, e.g. "payload.values[3] has 2 entries but
//    payload.sensors declares 3".
//  - Unauthenticated when alg is "none" and !options.allow_unsigned, or when an HS256
//    signature does not match options.hmac_key (and options.verify_signature).
// Thread-safe: no shared state.
StatusOr<DecodedSample> DecodeAcquisition(std::string_view body, AcquisitionEncoding encoding,
                                          const AcquisitionOptions& options);

// Serializes `doc` (an acquisition object: protected, payload; any signature is replaced)
// exactly as Edge Impulse clients do: signature set to 64 '0', serialized, HMAC-SHA256 over
// those bytes with `hmac_key`'s raw bytes, lower-case hex written over the zeros in place.
// For kCborWithBinary, doc's payload.values must be a one-string array such as
// ["Ref-BINARY-i16"]; it is written as an indefinite-length array and `binary_samples` (raw
// little-endian samples) is appended and covered by the signature. `binary_samples` is
// ignored for the other encodings. The signature is computed whatever protected.alg says.
// Preconditions (checked, abort on violation): doc is an object; for kCborWithBinary, the
// values shape above.
std::string SignAcquisition(Json doc, std::string_view hmac_key, AcquisitionEncoding encoding,
                            std::string_view binary_samples = {});

}  // namespace tinyloop::formats
