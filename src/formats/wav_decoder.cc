#include "formats/wav_decoder.h"

#include <cstdint>
#include <cstring>
#include <string>

namespace tinyloop::formats {
namespace {

constexpr uint16_t kFormatPcm = 1;
constexpr uint16_t kFormatFloat = 3;
constexpr uint16_t kFormatExtensible = 0xFFFE;
constexpr uint16_t kMaxChannels = 8;

uint32_t Le32(const unsigned char* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
uint16_t Le16(const unsigned char* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }

struct WavFormat {
  uint16_t format = 0;  // kFormatPcm or kFormatFloat after resolving extensible
  uint16_t channels = 0;
  uint32_t sample_rate = 0;
  uint16_t block_align = 0;
  uint16_t bits = 0;
};

Status ParseFmt(const unsigned char* p, uint32_t size, WavFormat* fmt) {
  if (size < 16) {
    return InvalidArgumentError("WAV fmt chunk is " + std::to_string(size) +
                                " bytes, at least 16 required");
  }
  fmt->format = Le16(p);
  fmt->channels = Le16(p + 2);
  fmt->sample_rate = Le32(p + 4);
  fmt->block_align = Le16(p + 12);
  fmt->bits = Le16(p + 14);
  if (fmt->format == kFormatExtensible) {
    // WAVE_FORMAT_EXTENSIBLE: cbSize(2) validBits(2) channelMask(4) subFormat GUID(16), whose
    // first two bytes are the real format code.
    if (size < 40) {
      return InvalidArgumentError("WAV extensible fmt chunk is " + std::to_string(size) +
                                  " bytes, at least 40 required");
    }
    fmt->format = Le16(p + 24);
  }
  if (fmt->format != kFormatPcm && fmt->format != kFormatFloat) {
    return InvalidArgumentError("WAV format code " + std::to_string(fmt->format) +
                                " is not supported (only PCM 1 and IEEE float 3)");
  }
  if (fmt->channels < 1 || fmt->channels > kMaxChannels) {
    return InvalidArgumentError("WAV has " + std::to_string(fmt->channels) +
                                " channels, supported 1.." + std::to_string(kMaxChannels));
  }
  if (fmt->sample_rate == 0) return InvalidArgumentError("WAV sample rate must be positive");
  const bool bits_ok = fmt->format == kFormatFloat ? fmt->bits == 32
                                                   : (fmt->bits == 8 || fmt->bits == 16 ||
                                                      fmt->bits == 24 || fmt->bits == 32);
  if (!bits_ok) {
    return InvalidArgumentError(
        "WAV " + std::string(fmt->format == kFormatFloat ? "float" : "PCM") + " with " +
        std::to_string(fmt->bits) + " bits per sample is not supported (PCM 8/16/24/32, float 32)");
  }
  const uint32_t expected_align = static_cast<uint32_t>(fmt->channels) * (fmt->bits / 8);
  if (fmt->block_align != expected_align) {
    return InvalidArgumentError("WAV block align is " + std::to_string(fmt->block_align) +
                                " but channels x bytes per sample is " +
                                std::to_string(expected_align));
  }
  return OkStatus();
}

float SampleAt(const unsigned char* p, const WavFormat& fmt) {
  switch (fmt.bits) {
    case 8:
      return static_cast<float>(static_cast<int>(p[0]) - 128);
    case 16:
      return static_cast<float>(static_cast<int16_t>(Le16(p)));
    case 24: {
      // Sign-extend from bit 23.
      int32_t v = static_cast<int32_t>(p[0] | (p[1] << 8) | (p[2] << 16));
      if (v & 0x800000) v -= 0x1000000;
      return static_cast<float>(v);
    }
    default:
      if (fmt.format == kFormatFloat) {
        const uint32_t raw = Le32(p);
        float f;
        std::memcpy(&f, &raw, sizeof(f));
        return f;
      }
      return static_cast<float>(static_cast<int32_t>(Le32(p)));
  }
}

}  // namespace

StatusOr<DecodedSample> DecodeWav(std::string_view body, const WavOptions& options) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(body.data());
  if (body.size() < 12 || body.substr(0, 4) != "RIFF" || body.substr(8, 4) != "WAVE") {
    return InvalidArgumentError("WAV body must start with a RIFF/WAVE header");
  }
  const uint64_t riff_size = Le32(bytes + 4);
  if (riff_size < 4 || riff_size > body.size() - 8) {
    return InvalidArgumentError("WAV RIFF chunk declares " + std::to_string(riff_size) +
                                " bytes but the body holds " + std::to_string(body.size() - 8));
  }
  const size_t end = static_cast<size_t>(8 + riff_size);

  WavFormat fmt;
  bool have_fmt = false;
  std::string_view data;
  bool have_data = false;
  size_t pos = 12;
  while (pos < end && !have_data) {
    if (end - pos < 8) {
      return InvalidArgumentError("WAV chunk header at byte " + std::to_string(pos) +
                                  " is truncated");
    }
    const std::string_view id = body.substr(pos, 4);
    const uint32_t size = Le32(bytes + pos + 4);
    pos += 8;
    if (size > end - pos) {
      return InvalidArgumentError("WAV chunk '" + std::string(id) + "' declares " +
                                  std::to_string(size) + " bytes but only " +
                                  std::to_string(end - pos) + " remain");
    }
    if (id == "fmt ") {
      TL_RETURN_IF_ERROR(ParseFmt(bytes + pos, size, &fmt));
      have_fmt = true;
    } else if (id == "data") {
      if (!have_fmt) return InvalidArgumentError("WAV data chunk comes before the fmt chunk");
      data = body.substr(pos, size);
      have_data = true;
    }
    // Chunks are padded to an even size; a missing final pad byte is tolerated.
    pos += size + (size & 1);
  }
  if (!have_fmt) return InvalidArgumentError("WAV has no fmt chunk");
  if (!have_data) return InvalidArgumentError("WAV has no data chunk");
  if (data.size() % fmt.block_align != 0) {
    return InvalidArgumentError("WAV data chunk has " + std::to_string(data.size()) +
                                " bytes, not a multiple of the frame size " +
                                std::to_string(fmt.block_align));
  }
  const size_t frames = data.size() / fmt.block_align;
  if (frames == 0) return InvalidArgumentError("WAV data chunk has no samples");
  const size_t count = frames * fmt.channels;
  if (count > options.max_values) {
    return InvalidArgumentError("WAV holds " + std::to_string(count) + " samples, limit " +
                                std::to_string(options.max_values));
  }

  DecodedSample sample;
  if (fmt.channels == 1) {
    sample.axes.push_back({"audio", "wav"});
  } else {
    for (uint16_t c = 0; c < fmt.channels; ++c) {
      sample.axes.push_back({"ch" + std::to_string(c), "wav"});
    }
  }
  sample.interval_ms = 1000.0 / fmt.sample_rate;
  sample.length = frames;
  sample.values.resize(count);
  const size_t step = fmt.bits / 8;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  for (size_t i = 0; i < count; ++i, p += step) sample.values[i] = SampleAt(p, fmt);
  sample.extra_metadata["sample_rate_hz"] = fmt.sample_rate;
  sample.extra_metadata["bits_per_sample"] = fmt.bits;
  return sample;
}

}  // namespace tinyloop::formats
