#include "formats/image_decoder.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

// clang-format off
#include <jpeglib.h>
#include <png.h>
// clang-format on

namespace tinyloop::formats {
namespace {

// Encodes with libpng's simplified API; `format` is e.g. PNG_FORMAT_RGB.
std::string EncodePng(const std::vector<unsigned char>& pixels, uint32_t width, uint32_t height,
                      uint32_t format) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = width;
  image.height = height;
  image.format = format;
  png_alloc_size_t size = 0;
  EXPECT_NE(png_image_write_to_memory(&image, nullptr, &size, 0, pixels.data(), 0, nullptr), 0);
  std::string out(size, '\0');
  EXPECT_NE(png_image_write_to_memory(&image, out.data(), &size, 0, pixels.data(), 0, nullptr), 0)
      << image.message;
  out.resize(size);
  return out;
}

std::string EncodeJpeg(const std::vector<unsigned char>& pixels, uint32_t width, uint32_t height,
                       int components, bool progressive) {
  jpeg_compress_struct cinfo;
  jpeg_error_mgr err;
  cinfo.err = jpeg_std_error(&err);
  jpeg_create_compress(&cinfo);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &buffer, &size);
  cinfo.image_width = width;
  cinfo.image_height = height;
  cinfo.input_components = components;
  cinfo.in_color_space = components == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, 95, TRUE);
  if (progressive) jpeg_simple_progression(&cinfo);
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = const_cast<unsigned char*>(pixels.data()) +
                   static_cast<size_t>(cinfo.next_scanline) * width * components;
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  std::string out(reinterpret_cast<char*>(buffer), size);
  std::free(buffer);
  return out;
}

std::vector<unsigned char> Gradient(uint32_t width, uint32_t height, int channels) {
  std::vector<unsigned char> pixels(static_cast<size_t>(width) * height * channels);
  for (uint32_t y = 0; y < height; ++y) {
    for (uint32_t x = 0; x < width; ++x) {
      for (int c = 0; c < channels; ++c) {
        pixels[(static_cast<size_t>(y) * width + x) * channels + c] =
            static_cast<unsigned char>((x * 8 + y * 3 + c * 60) & 0xFF);
      }
    }
  }
  return pixels;
}

// A smooth image, which JPEG reproduces closely.
std::vector<unsigned char> Smooth(uint32_t width, uint32_t height) {
  std::vector<unsigned char> pixels(static_cast<size_t>(width) * height * 3);
  for (uint32_t y = 0; y < height; ++y) {
    for (uint32_t x = 0; x < width; ++x) {
      unsigned char* p = &pixels[(static_cast<size_t>(y) * width + x) * 3];
      p[0] = static_cast<unsigned char>(x * 255 / width);
      p[1] = static_cast<unsigned char>(y * 255 / height);
      p[2] = 128;
    }
  }
  return pixels;
}

void ExpectInvalid(const StatusOr<DecodedSample>& result, const std::string& text) {
  ASSERT_FALSE(result.ok()) << "expected an error containing: " << text;
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << result.status().ToString();
  EXPECT_NE(result.status().message().find(text), std::string::npos) << result.status().message();
}

TEST(ImageDecoderTest, RgbPngIsExact) {
  const auto pixels = Gradient(37, 21, 3);
  auto sample = DecodePng(EncodePng(pixels, 37, 21, PNG_FORMAT_RGB), {});
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  ASSERT_EQ(sample->axes.size(), 3u);
  EXPECT_EQ(sample->axes[0].name, "R");
  EXPECT_EQ(sample->axes[2].name, "B");
  EXPECT_EQ(sample->axes[0].units, "pixel");
  EXPECT_EQ(sample->length, 37u * 21u);
  EXPECT_EQ(sample->interval_ms, 0);
  EXPECT_EQ(sample->extra_metadata["image_width"], 37);
  EXPECT_EQ(sample->extra_metadata["image_height"], 21);
  ASSERT_EQ(sample->values.size(), pixels.size());
  for (size_t i = 0; i < pixels.size(); ++i) ASSERT_EQ(sample->values[i], pixels[i]) << i;
}

TEST(ImageDecoderTest, GrayAndAlphaPngs) {
  const auto gray = Gradient(16, 9, 1);
  auto g = DecodePng(EncodePng(gray, 16, 9, PNG_FORMAT_GRAY), {});
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  ASSERT_EQ(g->axes.size(), 1u);
  EXPECT_EQ(g->axes[0].name, "Y");
  EXPECT_EQ(g->values, std::vector<float>(gray.begin(), gray.end()));

  const auto rgba = Gradient(5, 4, 4);
  auto a = DecodePng(EncodePng(rgba, 5, 4, PNG_FORMAT_RGBA), {});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_EQ(a->axes.size(), 3u);
  ASSERT_EQ(a->values.size(), 5u * 4u * 3u);
  // The simplified writer stores RGBA as given when alpha is straight 8-bit sRGB.
  for (size_t p = 0; p < 20; ++p) {
    for (int c = 0; c < 3; ++c) EXPECT_EQ(a->values[p * 3 + c], rgba[p * 4 + c]);
  }

  auto ga = DecodePng(EncodePng(Gradient(3, 3, 2), 3, 3, PNG_FORMAT_GA), {});
  ASSERT_TRUE(ga.ok()) << ga.status().ToString();
  EXPECT_EQ(ga->axes.size(), 1u);
  EXPECT_EQ(ga->values.size(), 9u);
}

TEST(ImageDecoderTest, PngPixelLimitCheckedBeforeDecoding) {
  ImageOptions options;
  options.max_pixels = 100;
  ExpectInvalid(DecodePng(EncodePng(Gradient(11, 10, 3), 11, 10, PNG_FORMAT_RGB), options),
                "PNG is 11x10 = 110 pixels, limit 100");
}

TEST(ImageDecoderTest, TruncatedAndCorruptPngsAreRejected) {
  const std::string good = EncodePng(Gradient(20, 20, 3), 20, 20, PNG_FORMAT_RGB);
  for (size_t n = 0; n < good.size() - 12; ++n) {  // the last 12 bytes are the IEND chunk
    auto sample = DecodePng(good.substr(0, n), {});
    ASSERT_FALSE(sample.ok()) << "prefix " << n;
    EXPECT_EQ(sample.status().code(), StatusCode::kInvalidArgument);
  }
  std::string corrupt = good;
  corrupt[corrupt.size() / 2] ^= 0x55;  // inside IDAT: CRC or zlib error
  ExpectInvalid(DecodePng(corrupt, {}), "PNG is invalid");
  ExpectInvalid(DecodePng("not a png at all", {}), "PNG signature");
}

TEST(ImageDecoderTest, JpegDecodesToTheRightSize) {
  const auto pixels = Smooth(40, 24);
  auto sample = DecodeJpeg(EncodeJpeg(pixels, 40, 24, 3, false), {});
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  EXPECT_EQ(sample->axes.size(), 3u);
  EXPECT_EQ(sample->length, 40u * 24u);
  EXPECT_EQ(sample->extra_metadata["image_width"], 40);
  EXPECT_EQ(sample->extra_metadata["image_height"], 24);
  ASSERT_EQ(sample->values.size(), pixels.size());
  double error = 0;
  for (size_t i = 0; i < pixels.size(); ++i) error += std::abs(sample->values[i] - pixels[i]);
  EXPECT_LT(error / pixels.size(), 3.0);  // lossy, but close at quality 95
}

TEST(ImageDecoderTest, GrayAndProgressiveJpeg) {
  auto gray = DecodeJpeg(EncodeJpeg(Gradient(17, 13, 1), 17, 13, 1, false), {});
  ASSERT_TRUE(gray.ok()) << gray.status().ToString();
  ASSERT_EQ(gray->axes.size(), 1u);
  EXPECT_EQ(gray->axes[0].name, "Y");
  EXPECT_EQ(gray->values.size(), 17u * 13u);

  auto progressive = DecodeJpeg(EncodeJpeg(Gradient(64, 48, 3), 64, 48, 3, true), {});
  ASSERT_TRUE(progressive.ok()) << progressive.status().ToString();
  EXPECT_EQ(progressive->length, 64u * 48u);
}

TEST(ImageDecoderTest, TruncatedAndGarbageJpegsAreRejected) {
  const std::string good = EncodeJpeg(Gradient(32, 32, 3), 32, 32, 3, false);
  for (size_t n = 0; n + 2 < good.size(); n += 7) {  // everything short of the EOI marker
    auto sample = DecodeJpeg(good.substr(0, n), {});
    ASSERT_FALSE(sample.ok()) << "prefix " << n;
    EXPECT_EQ(sample.status().code(), StatusCode::kInvalidArgument);
  }
  ExpectInvalid(DecodeJpeg(std::string("\xff\xd8\xff\x00garbage", 11), {}), "JPEG is invalid");
  ExpectInvalid(DecodeJpeg("garbage", {}), "SOI marker");
  ImageOptions options;
  options.max_pixels = 1000;
  ExpectInvalid(DecodeJpeg(good, options), "JPEG is 32x32 = 1024 pixels, limit 1000");
}

TEST(ImageDecoderTest, RandomGarbageAfterSignaturesNeverCrashes) {
  uint32_t state = 12345;
  auto next = [&state] {
    state = state * 1664525u + 1013904223u;
    return static_cast<char>(state >> 24);
  };
  const std::string png = EncodePng(Gradient(8, 8, 3), 8, 8, PNG_FORMAT_RGB);
  const std::string jpeg = EncodeJpeg(Gradient(8, 8, 3), 8, 8, 3, false);
  for (int round = 0; round < 300; ++round) {
    std::string p = png;
    std::string j = jpeg;
    for (int k = 0; k < 4; ++k) {
      p[8 + static_cast<uint8_t>(next()) % (p.size() - 8)] = next();
      j[2 + static_cast<uint8_t>(next()) % (j.size() - 2)] = next();
    }
    (void)DecodeImage(p, {});
    (void)DecodeImage(j, {});
  }
}

TEST(ImageDecoderTest, DecodeImageSniffs) {
  const std::string png = EncodePng(Gradient(2, 2, 3), 2, 2, PNG_FORMAT_RGB);
  const std::string jpeg = EncodeJpeg(Gradient(8, 8, 3), 8, 8, 3, false);
  EXPECT_TRUE(DecodeImage(png, {}).ok());
  EXPECT_TRUE(DecodeImage(jpeg, {}).ok());
  ExpectInvalid(DecodeImage("GIF89a", {}), "neither PNG nor JPEG");
}

}  // namespace
}  // namespace tinyloop::formats
