// PNG (libpng) and JPEG (libjpeg) images decoded from memory into a DecodedSample: one row
// per pixel, axes R,G,B (or Y for grayscale), 8-bit values 0..255 as float.
// Part of src/formats; the only place png.h and jpeglib.h are included.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/status.h"
#include "formats/decoded_sample.h"

namespace tinyloop::formats {

struct ImageOptions {
  // Most pixels (width x height) accepted, checked before any pixel memory is allocated.
  // Default 16M.
  uint64_t max_pixels = uint64_t{16} << 20;
};

// Decodes a PNG: palette and low-bit grayscale are expanded, 16-bit channels scaled to 8 bits,
// alpha dropped, interlacing handled; no gamma correction, so 8-bit values come out exactly.
// Grayscale (with or without alpha) gives one axis "Y", anything else R,G,B; units "pixel".
// length = width*height, interval_ms = 0, extra_metadata {"image_width","image_height"}.
// Errors: InvalidArgument for a body that is not a PNG, is truncated or corrupt (CRC and
// zlib errors included; the message carries libpng's text), or exceeds options.max_pixels.
// Thread-safe: no shared state.
StatusOr<DecodedSample> DecodePng(std::string_view body, const ImageOptions& options);

// Decodes a baseline or progressive JPEG the same way (grayscale -> "Y", else converted to
// RGB by libjpeg). A premature end of data is an error, as are more than 1000 progressive
// scans. Errors: InvalidArgument as for DecodePng (CMYK/YCCK JPEGs are rejected as
// unsupported). Thread-safe: no shared state.
StatusOr<DecodedSample> DecodeJpeg(std::string_view body, const ImageOptions& options);

// Sniffs the PNG or JPEG signature and calls the matching decoder. InvalidArgument when the
// body is neither.
StatusOr<DecodedSample> DecodeImage(std::string_view body, const ImageOptions& options);

}  // namespace tinyloop::formats
