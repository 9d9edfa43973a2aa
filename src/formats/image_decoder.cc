#include "formats/image_decoder.h"

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

// jpeglib.h needs FILE and size_t declared first, and jerror.h comes after jpeglib.h.
// clang-format off
#include <jpeglib.h>
#include <jerror.h>
#include <png.h>
// clang-format on

namespace tinyloop::formats {
namespace {

// libpng and libjpeg report errors by longjmp. Every function below that calls setjmp keeps
// only trivially destructible locals, and the libraries' state lives in RAII holders in the
// caller's frame, so a longjmp never skips a destructor.

constexpr size_t kMessageSize = 200;
constexpr int kMaxJpegScans = 1000;

Status LibraryError(const char* what, const char* message) {
  return InvalidArgumentError(std::string(what) +
                              " is invalid: " + (message[0] != '\0' ? message : "decoder error"));
}

Status TooManyPixels(const char* what, uint64_t width, uint64_t height, uint64_t limit) {
  return InvalidArgumentError(std::string(what) + " is " + std::to_string(width) + "x" +
                              std::to_string(height) + " = " + std::to_string(width * height) +
                              " pixels, limit " + std::to_string(limit));
}

DecodedSample MakeImageSample(const std::vector<unsigned char>& pixels, uint32_t width,
                              uint32_t height, int channels) {
  DecodedSample sample;
  if (channels == 1) {
    sample.axes.push_back({"Y", "pixel"});
  } else {
    sample.axes = {{"R", "pixel"}, {"G", "pixel"}, {"B", "pixel"}};
  }
  sample.length = static_cast<size_t>(width) * height;
  sample.values.assign(pixels.begin(), pixels.end());
  sample.interval_ms = 0;
  sample.extra_metadata["image_width"] = width;
  sample.extra_metadata["image_height"] = height;
  return sample;
}

// ---- PNG -----------------------------------------------------------------------------------

struct PngSource {
  const unsigned char* data;
  size_t size;
  size_t pos;
  char message[kMessageSize];
};

void PngRead(png_structp png, png_bytep out, size_t length) {
  auto* source = static_cast<PngSource*>(png_get_io_ptr(png));
  if (length > source->size - source->pos) png_error(png, "unexpected end of data");
  std::memcpy(out, source->data + source->pos, length);
  source->pos += length;
}

void PngError(png_structp png, png_const_charp message) {
  auto* source = static_cast<PngSource*>(png_get_error_ptr(png));
  std::snprintf(source->message, sizeof(source->message), "%s", message);
  png_longjmp(png, 1);
}

void PngWarning(png_structp, png_const_charp) {}

class PngReadHandle {
 public:
  explicit PngReadHandle(PngSource* source)
      : png_(png_create_read_struct(PNG_LIBPNG_VER_STRING, source, PngError, PngWarning)) {
    if (png_ != nullptr) info_ = png_create_info_struct(png_);
  }
  ~PngReadHandle() {
    if (png_ != nullptr) {
      png_destroy_read_struct(&png_, info_ != nullptr ? &info_ : nullptr, nullptr);
    }
  }
  PngReadHandle(const PngReadHandle&) = delete;
  PngReadHandle& operator=(const PngReadHandle&) = delete;

  png_structp png() const { return png_; }
  png_infop info() const { return info_; }

 private:
  png_structp png_ = nullptr;
  png_infop info_ = nullptr;
};

struct PngLayout {
  uint32_t width;
  uint32_t height;
  int channels;
  size_t row_bytes;
  int passes;
};

void PngReadHeaderSteps(png_structp png, png_infop info, PngLayout* layout) {
  png_read_info(png, info);
  const int color_type = png_get_color_type(png, info);
  const int bit_depth = png_get_bit_depth(png, info);
  if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (bit_depth == 16) png_set_scale_16(png);
  // Also covers alpha that palette expansion creates from a tRNS chunk.
  png_set_strip_alpha(png);
  layout->passes = png_set_interlace_handling(png);
  png_read_update_info(png, info);
  layout->width = png_get_image_width(png, info);
  layout->height = png_get_image_height(png, info);
  layout->channels = png_get_channels(png, info);
  layout->row_bytes = png_get_rowbytes(png, info);
}

bool PngReadHeader(png_structp png, png_infop info, PngLayout* layout) {
  if (setjmp(png_jmpbuf(png))) return false;
  PngReadHeaderSteps(png, info, layout);
  return true;
}

void PngReadRowsSteps(png_structp png, const PngLayout* layout, unsigned char* pixels) {
  for (int pass = 0; pass < layout->passes; ++pass) {
    for (uint32_t y = 0; y < layout->height; ++y) {
      png_read_row(png, pixels + static_cast<size_t>(y) * layout->row_bytes, nullptr);
    }
  }
}

bool PngReadRows(png_structp png, const PngLayout* layout, unsigned char* pixels) {
  if (setjmp(png_jmpbuf(png))) return false;
  PngReadRowsSteps(png, layout, pixels);
  return true;
}

// ---- JPEG ----------------------------------------------------------------------------------

struct JpegErrorManager {
  jpeg_error_mgr pub;  // first member: libjpeg sees a jpeg_error_mgr*
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void JpegErrorExit(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

void JpegEmitMessage(j_common_ptr cinfo, int level) {
  // Truncated data makes libjpeg pad with gray and warn; treat that warning as an error.
  if (level == -1 && cinfo->err->msg_code == JWRN_JPEG_EOF) JpegErrorExit(cinfo);
}

void JpegProgress(j_common_ptr cinfo) {
  if (!cinfo->is_decompressor) return;
  const auto* dinfo = reinterpret_cast<j_decompress_ptr>(cinfo);
  if (dinfo->input_scan_number > kMaxJpegScans) {
    auto* err = reinterpret_cast<JpegErrorManager*>(cinfo->err);
    std::snprintf(err->message, sizeof(err->message), "more than %d progressive scans",
                  kMaxJpegScans);
    std::longjmp(err->jump, 1);
  }
}

class JpegReadHandle {
 public:
  JpegReadHandle() {
    std::memset(&cinfo_, 0, sizeof(cinfo_));
    std::memset(&err_, 0, sizeof(err_));
    std::memset(&progress_, 0, sizeof(progress_));
    cinfo_.err = jpeg_std_error(&err_.pub);
    err_.pub.error_exit = JpegErrorExit;
    err_.pub.emit_message = JpegEmitMessage;
    progress_.progress_monitor = JpegProgress;
  }
  ~JpegReadHandle() { jpeg_destroy_decompress(&cinfo_); }
  JpegReadHandle(const JpegReadHandle&) = delete;
  JpegReadHandle& operator=(const JpegReadHandle&) = delete;

  jpeg_decompress_struct* cinfo() { return &cinfo_; }
  JpegErrorManager* err() { return &err_; }
  jpeg_progress_mgr* progress() { return &progress_; }

 private:
  jpeg_decompress_struct cinfo_;
  JpegErrorManager err_;
  jpeg_progress_mgr progress_;
};

void JpegReadHeaderSteps(JpegReadHandle* handle, const unsigned char* data, size_t size) {
  jpeg_decompress_struct* cinfo = handle->cinfo();
  jpeg_create_decompress(cinfo);
  cinfo->progress = handle->progress();
  jpeg_mem_src(cinfo, data, static_cast<unsigned long>(size));
  jpeg_read_header(cinfo, TRUE);
  cinfo->out_color_space = cinfo->jpeg_color_space == JCS_GRAYSCALE ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_calc_output_dimensions(cinfo);
}

bool JpegReadHeader(JpegReadHandle* handle, const unsigned char* data, size_t size) {
  if (setjmp(handle->err()->jump)) return false;
  JpegReadHeaderSteps(handle, data, size);
  return true;
}

void JpegReadPixelsSteps(jpeg_decompress_struct* cinfo, unsigned char* pixels) {
  jpeg_start_decompress(cinfo);
  const size_t stride = static_cast<size_t>(cinfo->output_width) * cinfo->output_components;
  while (cinfo->output_scanline < cinfo->output_height) {
    JSAMPROW row = pixels + static_cast<size_t>(cinfo->output_scanline) * stride;
    jpeg_read_scanlines(cinfo, &row, 1);
  }
  jpeg_finish_decompress(cinfo);
}

bool JpegReadPixels(JpegReadHandle* handle, unsigned char* pixels) {
  if (setjmp(handle->err()->jump)) return false;
  JpegReadPixelsSteps(handle->cinfo(), pixels);
  return true;
}

}  // namespace

StatusOr<DecodedSample> DecodePng(std::string_view body, const ImageOptions& options) {
  if (body.size() < 8 || png_sig_cmp(reinterpret_cast<png_const_bytep>(body.data()), 0, 8) != 0) {
    return InvalidArgumentError("PNG body does not start with the PNG signature");
  }
  PngSource source{reinterpret_cast<const unsigned char*>(body.data()), body.size(), 0, {}};
  PngReadHandle handle(&source);
  if (handle.png() == nullptr || handle.info() == nullptr) {
    return InternalError("libpng could not allocate its read state");
  }
  png_set_read_fn(handle.png(), &source, PngRead);
  PngLayout layout{};
  if (!PngReadHeader(handle.png(), handle.info(), &layout)) {
    return LibraryError("PNG", source.message);
  }
  const uint64_t pixels = uint64_t{layout.width} * layout.height;
  if (pixels > options.max_pixels) {
    return TooManyPixels("PNG", layout.width, layout.height, options.max_pixels);
  }
  if ((layout.channels != 1 && layout.channels != 3) ||
      layout.row_bytes != size_t{layout.width} * static_cast<size_t>(layout.channels)) {
    return InvalidArgumentError("PNG has an unexpected pixel layout after conversion");
  }
  std::vector<unsigned char> buffer(static_cast<size_t>(pixels) * layout.channels);
  if (!PngReadRows(handle.png(), &layout, buffer.data())) {
    return LibraryError("PNG", source.message);
  }
  return MakeImageSample(buffer, layout.width, layout.height, layout.channels);
}

StatusOr<DecodedSample> DecodeJpeg(std::string_view body, const ImageOptions& options) {
  if (body.size() < 3 || static_cast<unsigned char>(body[0]) != 0xFF ||
      static_cast<unsigned char>(body[1]) != 0xD8) {
    return InvalidArgumentError("JPEG body does not start with the JPEG SOI marker");
  }
  JpegReadHandle handle;
  const auto* data = reinterpret_cast<const unsigned char*>(body.data());
  if (!JpegReadHeader(&handle, data, body.size())) {
    return LibraryError("JPEG", handle.err()->message);
  }
  const jpeg_decompress_struct* cinfo = handle.cinfo();
  const uint64_t pixels = uint64_t{cinfo->output_width} * cinfo->output_height;
  if (pixels > options.max_pixels) {
    return TooManyPixels("JPEG", cinfo->output_width, cinfo->output_height, options.max_pixels);
  }
  const int channels = cinfo->output_components;
  if (channels != 1 && channels != 3) {
    return InvalidArgumentError("JPEG has " + std::to_string(channels) +
                                " output components, expected 1 or 3");
  }
  std::vector<unsigned char> buffer(static_cast<size_t>(pixels) * channels);
  if (!JpegReadPixels(&handle, buffer.data())) {
    return LibraryError("JPEG", handle.err()->message);
  }
  return MakeImageSample(buffer, cinfo->output_width, cinfo->output_height, channels);
}

StatusOr<DecodedSample> DecodeImage(std::string_view body, const ImageOptions& options) {
  if (body.size() >= 8 && png_sig_cmp(reinterpret_cast<png_const_bytep>(body.data()), 0, 8) == 0) {
    return DecodePng(body, options);
  }
  if (body.size() >= 2 && static_cast<unsigned char>(body[0]) == 0xFF &&
      static_cast<unsigned char>(body[1]) == 0xD8) {
    return DecodeJpeg(body, options);
  }
  return InvalidArgumentError("image body is neither PNG nor JPEG");
}

}  // namespace tinyloop::formats
