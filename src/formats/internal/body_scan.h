// Byte-level scanners over raw acquisition bodies, used where a parsed DOM is not enough: the
// HMAC covers the exact bytes, so the signature value must be found in place, and a CBOR
// header followed by raw binary samples needs the offset where its first item ends.
// Internal to src/formats. All functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

#include "base/status.h"

namespace tinyloop::formats::internal {

// Where the characters of a signature value lie in a body: body.substr(offset, length).
struct ByteSpan {
  size_t offset = 0;
  size_t length = 0;
};

// Result of scanning the first CBOR item of a body.
struct CborScan {
  size_t end = 0;              // offset just past the first complete item
  bool has_signature = false;  // the top-level map has a definite text "signature" value
  ByteSpan signature;          // its text bytes (after the text header), when has_signature
};

// Walks the first CBOR item of `bytes` without building it. When that item is a map, finds
// the value of its "signature" key. InvalidArgument on malformed or truncated CBOR, nesting
// deeper than `max_depth`, a declared length past the end of the input, or more than one
// "signature" key.
StatusOr<CborScan> ScanCborItem(std::string_view bytes, int max_depth);

// Finds the characters between the quotes of the top-level "signature" member of a JSON
// object text (already validated by ParseJson). InvalidArgument when there is no such
// member written literally as "signature", when there is more than one, or when its value
// is not a string.
StatusOr<ByteSpan> FindJsonSignature(std::string_view text);

}  // namespace tinyloop::formats::internal
