#include "formats/file_names.h"

#include <cstdint>
#include <cstdlib>

#include "formats/internal/utf8.h"

namespace tinyloop::formats {
namespace {

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string LowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = LowerAscii(c);
  return out;
}

// Bytes of the JavaScript \s character at the start of `text` (0 when there is none):
// ASCII \t \n \v \f \r space, and the Unicode space separators, U+FEFF, U+2028/2029.
size_t JsWhitespaceBytes(std::string_view text) {
  if (text.empty()) return 0;
  const auto c = static_cast<uint8_t>(text[0]);
  if (c == ' ' || (c >= 0x09 && c <= 0x0D)) return 1;
  if (c < 0x80 || !internal::IsValidUtf8(text.substr(0, c >= 0xF0 ? 4 : (c >= 0xE0 ? 3 : 2)))) {
    return 0;
  }
  auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  if (c == 0xC2 && byte(1) == 0xA0) return 2;                     // U+00A0
  if (c == 0xE1 && byte(1) == 0x9A && byte(2) == 0x80) return 3;  // U+1680
  if (c == 0xE2 && byte(1) == 0x80) {
    const uint8_t d = byte(2);
    if (d <= 0x8A || d == 0xA8 || d == 0xA9 || d == 0xAF) return 3;  // U+2000..200A,2028,2029,202F
  }
  if (c == 0xE2 && byte(1) == 0x81 && byte(2) == 0x9F) return 3;  // U+205F
  if (c == 0xE3 && byte(1) == 0x80 && byte(2) == 0x80) return 3;  // U+3000
  if (c == 0xEF && byte(1) == 0xBB && byte(2) == 0xBF) return 3;  // U+FEFF
  return 0;
}

bool HasControlCharacter(std::string_view text) {
  for (char ch : text) {
    const auto c = static_cast<uint8_t>(ch);
    if (c < 0x20 || c == 0x7F) return true;
  }
  return false;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = LowerAscii(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string_view Extension(std::string_view file_name) {
  const size_t dot = file_name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  return file_name.substr(dot + 1);
}

// Sniffs the acquisition encoding: JSON text starts with '{' after optional whitespace/BOM.
AcquisitionEncoding SniffAcquisition(std::string_view body) {
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  for (char c : body) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    return c == '{' ? AcquisitionEncoding::kJson : AcquisitionEncoding::kCborWithBinary;
  }
  return AcquisitionEncoding::kJson;
}

}  // namespace

std::string LabelFromFileName(std::string_view file_name) {
  size_t i = 0;
  while (i < file_name.size()) {
    const char c = file_name[i];
    if (IsAsciiAlnum(c) || c == '-' || c == '_') {
      ++i;
      continue;
    }
    const size_t space = JsWhitespaceBytes(file_name.substr(i));
    if (space == 0) break;
    i += space;
  }
  return std::string(file_name.substr(0, i));
}

Status ValidateFileName(std::string_view file_name) {
  if (file_name.empty()) return InvalidArgumentError("file name must not be empty");
  if (file_name.size() > kMaxFileNameBytes) {
    return InvalidArgumentError("file name is " + std::to_string(file_name.size()) +
                                " bytes, limit " + std::to_string(kMaxFileNameBytes));
  }
  size_t start = 0;
  while (start <= file_name.size()) {
    const size_t sep = file_name.find_first_of("/\\", start);
    const std::string_view part = file_name.substr(
        start, sep == std::string_view::npos ? std::string_view::npos : sep - start);
    if (part == "..") return InvalidArgumentError("file name must not contain '..' components");
    if (sep == std::string_view::npos) break;
    start = sep + 1;
  }
  if (file_name.find_first_of("/\\") != std::string_view::npos) {
    return InvalidArgumentError("file name must not contain '/' or '\\'");
  }
  if (file_name == ".") return InvalidArgumentError("file name must not be '.'");
  if (HasControlCharacter(file_name)) {
    return InvalidArgumentError("file name must not contain NUL or control characters");
  }
  if (!internal::IsValidUtf8(file_name)) {
    return InvalidArgumentError("file name is not valid UTF-8");
  }
  return OkStatus();
}

Status ValidateLabel(std::string_view label) {
  if (label.empty()) return InvalidArgumentError("label must not be empty");
  if (label.size() > kMaxLabelBytes) {
    return InvalidArgumentError("label is " + std::to_string(label.size()) + " bytes, limit " +
                                std::to_string(kMaxLabelBytes));
  }
  if (!internal::IsValidUtf8(label)) return InvalidArgumentError("label is not valid UTF-8");
  if (HasControlCharacter(label)) {
    return InvalidArgumentError("label must not contain control characters");
  }
  return OkStatus();
}

StatusOr<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (text.size() - i < 3) {
      return InvalidArgumentError("invalid percent escape at byte " + std::to_string(i) +
                                  ": '%' must be followed by two hex digits");
    }
    const int high = HexDigit(text[i + 1]);
    const int low = HexDigit(text[i + 2]);
    if (high < 0 || low < 0) {
      return InvalidArgumentError("invalid percent escape at byte " + std::to_string(i) +
                                  ": '%' must be followed by two hex digits");
    }
    out.push_back(static_cast<char>((high << 4) | low));
    i += 2;
  }
  return out;
}

double IntervalFromFileName(std::string_view file_name) {
  const std::string lower = LowerAscii(file_name);
  for (size_t at = lower.find("hz"); at != std::string::npos; at = lower.find("hz", at + 1)) {
    if (at + 2 < lower.size() && IsAsciiAlpha(lower[at + 2])) continue;
    size_t end = at;
    double multiplier = 1;
    if (end > 0 && lower[end - 1] == 'k') {
      multiplier = 1000;
      --end;
    }
    size_t begin = end;
    while (begin > 0 && (IsDigit(lower[begin - 1]) || lower[begin - 1] == '.')) --begin;
    if (begin == end || (begin > 0 && IsAsciiAlnum(lower[begin - 1]))) continue;
    const std::string number = lower.substr(begin, end - begin);
    if (number.front() == '.' || number.back() == '.' || number.find('.') != number.rfind('.')) {
      continue;
    }
    const double rate = std::strtod(number.c_str(), nullptr) * multiplier;
    if (rate > 0) return 1000.0 / rate;
  }
  return 0;
}

StatusOr<FileKind> DetectFileKind(std::string_view file_name, std::string_view content_type) {
  const std::string ext = LowerAscii(Extension(file_name));
  if (ext == "json") return FileKind::kAcquisitionJson;
  if (ext == "cbor") return FileKind::kAcquisitionCbor;
  if (ext == "csv" || ext == "txt") return FileKind::kCsv;
  if (ext == "wav") return FileKind::kWav;
  if (ext == "png") return FileKind::kPng;
  if (ext == "jpg" || ext == "jpeg") return FileKind::kJpeg;

  std::string type = LowerAscii(content_type.substr(0, content_type.find(';')));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  while (!type.empty() && type.front() == ' ') type.erase(0, 1);
  if (type == "application/json") return FileKind::kAcquisitionJson;
  if (type == "application/cbor" || type == "application/octet-stream") {
    return FileKind::kAcquisitionCbor;
  }
  if (type == "text/csv" || type == "text/plain") return FileKind::kCsv;
  if (type == "audio/wav" || type == "audio/wave" || type == "audio/x-wav" ||
      type == "audio/vnd.wave") {
    return FileKind::kWav;
  }
  if (type == "image/png") return FileKind::kPng;
  if (type == "image/jpeg" || type == "image/jpg") return FileKind::kJpeg;
  return InvalidArgumentError("unsupported file type (extension \"" +
                              std::string(Extension(file_name).substr(0, 16)) +
                              "\", content type \"" + std::string(content_type.substr(0, 64)) +
                              "\"); supported: .json .cbor .csv .txt .wav .png .jpg .jpeg");
}

StatusOr<DecodedSample> DecodeFile(std::string_view file_name, std::string_view content_type,
                                   std::string_view body, const DecodeOptions& options) {
  TL_ASSIGN_OR_RETURN(const FileKind kind, DetectFileKind(file_name, content_type));
  switch (kind) {
    case FileKind::kAcquisitionJson:
    case FileKind::kAcquisitionCbor:
      return DecodeAcquisition(body, SniffAcquisition(body), options.acquisition);
    case FileKind::kCsv: {
      TL_ASSIGN_OR_RETURN(DecodedSample sample, DecodeCsv(body, options.csv));
      if (sample.interval_ms <= 0) sample.interval_ms = IntervalFromFileName(file_name);
      return sample;
    }
    case FileKind::kWav:
      return DecodeWav(body, options.wav);
    case FileKind::kPng:
    case FileKind::kJpeg:
      return DecodeImage(body, options.image);
  }
  return InvalidArgumentError("unsupported file kind");
}

}  // namespace tinyloop::formats
