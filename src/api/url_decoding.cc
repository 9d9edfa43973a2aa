#include "api/url_decoding.h"

#include <cstdint>

namespace tinyloop::api {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The value of `digits` hex digits at text[at], or -1 when they are not all there.
int64_t ParseHex(std::string_view text, size_t at, size_t digits) {
  if (at + digits > text.size()) return -1;
  int64_t value = 0;
  for (size_t i = 0; i < digits; ++i) {
    const int v = HexValue(text[at + i]);
    if (v < 0) return -1;
    value = value * 16 + v;
  }
  return value;
}

void AppendUtf8(uint32_t code_point, std::string& out) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

}  // namespace

std::string DecodeUrl(std::string_view text, bool plus_is_space) {
  // Most values (API keys, content types, numbers) have nothing to decode: one scan, one copy.
  if (text.find('%') == std::string_view::npos &&
      (!plus_is_space || text.find('+') == std::string_view::npos)) {
    return std::string(text);
  }
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 1 < text.size()) {
      if (text[i + 1] == 'u') {
        const int64_t code_point = ParseHex(text, i + 2, 4);
        if (code_point >= 0) {
          AppendUtf8(static_cast<uint32_t>(code_point), out);
          i += 5;
          continue;
        }
      } else {
        const int64_t byte = ParseHex(text, i + 1, 2);
        if (byte >= 0) {
          out.push_back(static_cast<char>(byte));
          i += 2;
          continue;
        }
      }
      out.push_back(c);
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::map<std::string, std::string> ParseQueryString(std::string_view query) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view piece = query.substr(start, end - start);
    if (!piece.empty()) {
      const size_t eq = piece.find('=');
      const std::string_view name = piece.substr(0, eq);
      const std::string_view value =
          eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1);
      out.emplace(DecodeUrl(name, true), DecodeUrl(value, true));
    }
    start = end + 1;
  }
  return out;
}

}  // namespace tinyloop::api
