#include "formats/wav_decoder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace tinyloop::formats {
namespace {

void PutLe(std::string* out, uint32_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

std::string Chunk(const std::string& id, const std::string& payload) {
  std::string out = id;
  PutLe(&out, static_cast<uint32_t>(payload.size()), 4);
  out += payload;
  if (payload.size() % 2 == 1) out.push_back('\0');
  return out;
}

std::string Fmt(uint16_t format, uint16_t channels, uint32_t rate, uint16_t bits) {
  std::string fmt;
  PutLe(&fmt, format, 2);
  PutLe(&fmt, channels, 2);
  PutLe(&fmt, rate, 4);
  PutLe(&fmt, rate * channels * (bits / 8), 4);
  PutLe(&fmt, channels * (bits / 8), 2);
  PutLe(&fmt, bits, 2);
  return fmt;
}

std::string Riff(const std::string& chunks) {
  std::string out = "RIFF";
  PutLe(&out, static_cast<uint32_t>(4 + chunks.size()), 4);
  return out + "WAVE" + chunks;
}

std::vector<int16_t> Sine(size_t n) {
  std::vector<int16_t> samples(n);
  for (size_t i = 0; i < n; ++i) {
    samples[i] = static_cast<int16_t>(std::lround(32767 * std::sin(2 * M_PI * 440 * i / 16000.0)));
  }
  samples[1] = -32768;
  return samples;
}

std::string Pcm16(const std::vector<int16_t>& samples) {
  std::string data;
  for (int16_t s : samples) PutLe(&data, static_cast<uint16_t>(s), 2);
  return data;
}

void ExpectInvalid(const StatusOr<DecodedSample>& result, const std::string& text) {
  ASSERT_FALSE(result.ok()) << "expected an error containing: " << text;
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find(text), std::string::npos) << result.status().message();
}

TEST(WavDecoderTest, Mono16BitSineRoundTripsExactly) {
  const std::vector<int16_t> samples = Sine(1600);
  const std::string body = Riff(Chunk("fmt ", Fmt(1, 1, 16000, 16)) +
                                Chunk("LIST", std::string("INFOISFT\x05\0\0\0test\0", 17)) +
                                Chunk("data", Pcm16(samples)));
  auto sample = DecodeWav(body, {});
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  ASSERT_EQ(sample->axes.size(), 1u);
  EXPECT_EQ(sample->axes[0].name, "audio");
  EXPECT_EQ(sample->axes[0].units, "wav");
  EXPECT_EQ(sample->interval_ms, 0.0625);
  EXPECT_EQ(sample->length, samples.size());
  ASSERT_EQ(sample->values.size(), samples.size());
  for (size_t i = 0; i < samples.size(); ++i) ASSERT_EQ(sample->values[i], samples[i]) << i;
  EXPECT_EQ(sample->extra_metadata["sample_rate_hz"], 16000);
  EXPECT_EQ(sample->extra_metadata["bits_per_sample"], 16);
}

TEST(WavDecoderTest, StereoAndOtherDepths) {
  const std::string data8("\x00\x80\xff\x7f", 4);  // unsigned 8-bit, two stereo frames
  auto s8 = DecodeWav(Riff(Chunk("fmt ", Fmt(1, 2, 8000, 8)) + Chunk("data", data8)), {});
  ASSERT_TRUE(s8.ok()) << s8.status().ToString();
  EXPECT_EQ(s8->axes[1].name, "ch1");
  EXPECT_EQ(s8->length, 2u);
  EXPECT_EQ(s8->values, (std::vector<float>{-128, 0, 127, -1}));

  std::string data24;
  PutLe(&data24, 0x7FFFFF, 3);
  PutLe(&data24, 0x800000, 3);
  PutLe(&data24, 0xFFFFFE, 3);
  auto s24 = DecodeWav(Riff(Chunk("fmt ", Fmt(1, 1, 48000, 24)) + Chunk("data", data24)), {});
  ASSERT_TRUE(s24.ok()) << s24.status().ToString();
  EXPECT_EQ(s24->values, (std::vector<float>{8388607, -8388608, -2}));

  std::string data32;
  PutLe(&data32, 0xFFFFFFFF, 4);
  PutLe(&data32, 65536, 4);
  auto s32 = DecodeWav(Riff(Chunk("fmt ", Fmt(1, 1, 100, 32)) + Chunk("data", data32)), {});
  ASSERT_TRUE(s32.ok()) << s32.status().ToString();
  EXPECT_EQ(s32->values, (std::vector<float>{-1, 65536}));
  EXPECT_EQ(s32->interval_ms, 10);

  const float floats[] = {0.5f, -1.0f};
  std::string dataf(reinterpret_cast<const char*>(floats), sizeof(floats));
  auto sf = DecodeWav(Riff(Chunk("fmt ", Fmt(3, 1, 16000, 32)) + Chunk("data", dataf)), {});
  ASSERT_TRUE(sf.ok()) << sf.status().ToString();
  EXPECT_EQ(sf->values, (std::vector<float>{0.5f, -1.0f}));
}

TEST(WavDecoderTest, ExtensibleFormat) {
  std::string fmt = Fmt(0xFFFE, 1, 16000, 16);
  PutLe(&fmt, 22, 2);      // cbSize
  PutLe(&fmt, 16, 2);      // valid bits
  PutLe(&fmt, 4, 4);       // channel mask
  PutLe(&fmt, 1, 2);       // sub-format: PCM
  fmt.append(14, '\x01');  // rest of the GUID
  auto sample = DecodeWav(Riff(Chunk("fmt ", fmt) + Chunk("data", Pcm16({5, -5}))), {});
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  EXPECT_EQ(sample->values, (std::vector<float>{5, -5}));
}

TEST(WavDecoderTest, TruncatedChunksAreRejected) {
  const std::string good =
      Riff(Chunk("fmt ", Fmt(1, 1, 16000, 16)) + Chunk("data", Pcm16(Sine(64))));
  // Data chunk claims more than the body holds (RIFF size patched to match the body).
  std::string body = good.substr(0, good.size() - 10);
  const uint32_t riff = static_cast<uint32_t>(body.size() - 8);
  std::memcpy(body.data() + 4, &riff, 4);
  ExpectInvalid(DecodeWav(body, {}), "WAV chunk 'data' declares 128 bytes but only 118 remain");
  // RIFF size larger than the body.
  ExpectInvalid(DecodeWav(good.substr(0, good.size() - 1), {}), "WAV RIFF chunk declares");
  // Every prefix fails cleanly.
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(DecodeWav(good.substr(0, n), {}).ok()) << n;
  }
}

TEST(WavDecoderTest, MalformedBodiesAreRejected) {
  ExpectInvalid(DecodeWav(std::string("RIFX\0\0\0\0WAVE", 12), {}), "RIFF/WAVE header");
  ExpectInvalid(DecodeWav(Riff(Chunk("data", "ab")), {}), "data chunk comes before the fmt");
  ExpectInvalid(DecodeWav(Riff(Chunk("fmt ", Fmt(1, 1, 8000, 16))), {}), "no data chunk");
  ExpectInvalid(DecodeWav(Riff(Chunk("fmt ", "short")), {}), "fmt chunk is 5 bytes");
  ExpectInvalid(DecodeWav(Riff(Chunk("fmt ", Fmt(2, 1, 8000, 16)) + Chunk("data", "ab")), {}),
                "format code 2 is not supported");
  ExpectInvalid(DecodeWav(Riff(Chunk("fmt ", Fmt(1, 9, 8000, 16)) + Chunk("data", "ab")), {}),
                "9 channels");
  ExpectInvalid(DecodeWav(Riff(Chunk("fmt ", Fmt(1, 1, 8000, 12)) + Chunk("data", "ab")), {}),
                "12 bits per sample");
  ExpectInvalid(DecodeWav(Riff(Chunk("fmt ", Fmt(3, 1, 8000, 64)) + Chunk("data", "ab")), {}),
                "64 bits per sample");
  ExpectInvalid(DecodeWav(Riff(Chunk("fmt ", Fmt(1, 1, 0, 16)) + Chunk("data", "ab")), {}),
                "sample rate");
  ExpectInvalid(DecodeWav(Riff(Chunk("fmt ", Fmt(1, 2, 8000, 16)) + Chunk("data", "abc")), {}),
                "not a multiple of the frame size 4");
  ExpectInvalid(DecodeWav(Riff(Chunk("fmt ", Fmt(1, 1, 8000, 16)) + Chunk("data", "")), {}),
                "no samples");
  WavOptions small;
  small.max_values = 1;
  ExpectInvalid(DecodeWav(Riff(Chunk("fmt ", Fmt(1, 1, 8000, 16)) + Chunk("data", "abcd")), small),
                "2 samples, limit 1");
}

}  // namespace
}  // namespace tinyloop::formats
