// PCM WAV (RIFF/WAVE) audio decoded into a DecodedSample the way Edge Impulse stores audio:
// values keep the integer sample scale. Part of src/formats.
#pragma once

#include <cstddef>
#include <string_view>

#include "base/status.h"
#include "formats/decoded_sample.h"

namespace tinyloop::formats {

struct WavOptions {
  // Most samples accepted in total (frames x channels). Default 64M.
  size_t max_values = size_t{64} << 20;
};

// Decodes a RIFF/WAVE body: format 1 (integer PCM, 8/16/24/32 bits), 3 (IEEE float, 32 bits)
// or 0xFFFE (extensible wrapping either), 1..8 channels. Unknown chunks are skipped.
// Values: integer samples as their signed integer value in float (16-bit 1234 -> 1234.0f;
// 8-bit unsigned PCM is re-centred to -128..127); float samples as stored. Axes "audio"
// (mono) or "ch0".."chN-1", units "wav"; interval_ms = 1000 / sample_rate; extra_metadata
// {"sample_rate_hz", "bits_per_sample"}.
// Errors: InvalidArgument for a missing RIFF/WAVE header, a chunk whose declared size runs
// past the body, a missing or malformed fmt chunk, an unsupported format/bit depth/channel
// count, data before fmt, a data size that is not whole frames, no samples, or more than
// options.max_values. Never reads outside `body`. Thread-safe: no shared state.
StatusOr<DecodedSample> DecodeWav(std::string_view body, const WavOptions& options);

}  // namespace tinyloop::formats
