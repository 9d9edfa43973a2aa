// Host-side JSON for the DSP block configs (library tinyloop::dsp_json): parse and serialize
// each block's config ({"type":"spectral","fft_length":128,...}, absent fields take the struct
// defaults), validate it with errors that name the field and its limit, and compute a block's
// output shape and scratch size for a given input shape. The device never links this.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/json.h"
#include "base/status.h"
#include "dsp/dsp_types.h"
#include "dsp/flatten.h"
#include "dsp/image.h"
#include "dsp/mfcc.h"
#include "dsp/mfe.h"
#include "dsp/raw.h"
#include "dsp/spectral.h"
#include "dsp/windowing.h"

namespace tinyloop::dsp {

enum class BlockType : uint8_t { kRaw, kFlatten, kSpectral, kMfe, kMfcc, kImage };

// The JSON "type" of a block: "raw", "flatten", "spectral", "mfe", "mfcc", "image".
const char* BlockTypeName(BlockType type);

// One processing block's config: `type` says which member is meaningful; the others keep
// their defaults. Plain value type.
struct BlockConfig {
  BlockType type = BlockType::kRaw;
  RawConfig raw;
  FlattenConfig flatten;
  SpectralConfig spectral;
  MfeConfig mfe;
  MfccConfig mfcc;
  ImageConfig image;
};

// The time-series input block (windowing of a recording), as Edge Impulse's:
// {"type":"time-series","window_size_ms":1000,"window_increase_ms":500,"frequency_hz":100,
//  "pad_zeros":false}.
struct TimeSeriesConfig {
  float window_size_ms = 1000.0f;      // > 0
  float window_increase_ms = 1000.0f;  // > 0 (the stride between windows)
  float frequency_hz = 100.0f;         // sample rate of the recording, > 0
  bool pad_zeros = false;              // see WindowConfig::zero_pad
};

// Parses a block config. InvalidArgument when `json` is not an object, "type" is missing or
// unknown, a field is unknown or has the wrong JSON type, or a value is out of range (the
// message names the field and the limit, e.g. "spectral: fft_length must be a power of two
// between 16 and 4096, got 100").
StatusOr<BlockConfig> BlockConfigFromJson(const Json& json);
// Same, from JSON text (syntax errors as ParseJson).
StatusOr<BlockConfig> ParseBlockConfig(std::string_view text);
// Every field of the block's config plus "type"; BlockConfigFromJson reads it back equal.
Json BlockConfigToJson(const BlockConfig& config);

// Checks every field of a config built in code; the errors of BlockConfigFromJson.
Status ValidateBlockConfig(const BlockConfig& config);

// Output shape and scratch bytes of `config` on a time-series window or an image.
// InvalidArgument for an invalid config (as ValidateBlockConfig), for a signal given to the
// image block or an image to any other, or when the shape does not fit the config, e.g.
// "mfcc: frame_length_s 0.5 is 8000 samples at 16000 Hz, longer than the window (4000 frames)".
StatusOr<BlockPlan> PlanBlock(const BlockConfig& config, const SignalShape& input);
StatusOr<BlockPlan> PlanBlock(const BlockConfig& config, const ImageShape& input);

// Time-series input block: parse (same error rules, "type" must be "time-series"), serialize.
StatusOr<TimeSeriesConfig> TimeSeriesConfigFromJson(const Json& json);
Json TimeSeriesConfigToJson(const TimeSeriesConfig& config);

// The windowing of a recording of `recording_frames` samples at config.frequency_hz:
// window and stride converted from ms to samples. InvalidArgument when a field is out of range,
// a size rounds to 0 samples, or (without pad_zeros) the window is longer than the recording:
// "window_size_ms 5000 is longer than the sample (2000 ms)".
StatusOr<WindowConfig> WindowConfigFor(const TimeSeriesConfig& config, uint32_t recording_frames);

}  // namespace tinyloop::dsp
