// JSON and CBOR (nlohmann_json underneath) with limits for untrusted input, plus number
// formatting that keeps float32 values exact. Parsing never throws: errors come back as
// InvalidArgument naming the problem (syntax, depth, element count).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace tinyloop {

using Json = nlohmann::json;

struct ParseLimits {
  // Deepest nesting of arrays/objects accepted. Default 32.
  int max_depth = 32;
  // Most elements a single array or object may declare or contain. Default 16M.
  uint64_t max_container_elements = 16u << 20;
};

// Parses JSON text. InvalidArgument on a syntax error ("invalid JSON at byte N: ..."), on
// nesting deeper than limits.max_depth, or on a container larger than the limit.
StatusOr<Json> ParseJson(std::string_view text, const ParseLimits& limits = {});

// Parses one CBOR item (RFC 8949) from `bytes`; trailing bytes are an error. Same limits; a
// declared string/array length larger than the remaining input is rejected without allocating.
StatusOr<Json> ParseCbor(std::string_view bytes, const ParseLimits& limits = {});

// Shortest decimal text that parses back (strtof) to exactly `value`; "NaN"/"Infinity" never
// appear: non-finite values are formatted as JSON null.
std::string FormatFloat32(float value);

// Serializes without throwing: invalid UTF-8 in strings is replaced by U+FFFD.
std::string DumpJson(const Json& json);

}  // namespace tinyloop
