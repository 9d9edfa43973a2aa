// The fast path for the commonest ingest body: a well-formed Edge Impulse acquisition JSON
// document. It parses with simdjson straight into a DecodedSample (no JSON DOM of nlohmann
// nodes) and declines anything unusual, so the general decoder in acquisition.cc stays the one
// place that explains what is wrong with a body. Internal to src/formats; thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "formats/acquisition.h"

namespace tinyloop::formats::internal {

enum class FastJsonOutcome {
  kDecoded,   // `sample` holds the result the general decoder would have produced
  kDeclined,  // anything else: malformed, unusual, unsigned-but-disallowed, bad signature ...
};

// Decodes `body` as acquisition JSON when it is valid and every field is of the expected type,
// verifying the HS256 signature as DecodeAcquisition does. Declines (and leaves `sample` in an
// unspecified state) whenever the general decoder could answer differently, including every
// error case; the caller then runs the general decoder on the same body.
FastJsonOutcome TryDecodeAcquisitionJson(std::string_view body, const AcquisitionOptions& options,
                                         DecodedSample* sample);

// The general decoder behind DecodeAcquisition (same contract), without the fast path: the
// differential test holds the two against each other.
StatusOr<DecodedSample> DecodeAcquisitionGeneral(std::string_view body,
                                                 AcquisitionEncoding encoding,
                                                 const AcquisitionOptions& options);

}  // namespace tinyloop::formats::internal
