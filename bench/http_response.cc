#include "http_response.h"

#include <string>

namespace tinyloop::bench {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// "HTTP/1.1 200 OK" -> 200.
StatusOr<int> ParseStatusLine(std::string_view line) {
  const size_t sp = line.find(' ');
  if (line.substr(0, 5) != "HTTP/" || sp == std::string_view::npos || sp + 4 > line.size() ||
      !IsDigit(line[sp + 1]) || !IsDigit(line[sp + 2]) || !IsDigit(line[sp + 3]) ||
      (sp + 4 < line.size() && line[sp + 4] != ' ')) {
    return InvalidArgumentError("malformed status line: '" + std::string(line.substr(0, 64)) + "'");
  }
  return (line[sp + 1] - '0') * 100 + (line[sp + 2] - '0') * 10 + (line[sp + 3] - '0');
}

// Digits only, at most 15 of them (no overflow, and far above any answer the bench expects).
StatusOr<size_t> ParseContentLength(std::string_view value) {
  if (value.empty() || value.size() > 15) {
    return InvalidArgumentError("Content-Length must be 1 to 15 digits, got '" +
                                std::string(value.substr(0, 32)) + "'");
  }
  size_t n = 0;
  for (const char c : value) {
    if (!IsDigit(c)) {
      return InvalidArgumentError("Content-Length must be digits, got '" + std::string(value) +
                                  "'");
    }
    n = n * 10 + static_cast<size_t>(c - '0');
  }
  return n;
}

}  // namespace

StatusOr<std::optional<HttpResponseView>> ParseHttpResponse(std::string_view bytes) {
  const size_t head_end = bytes.find("\r\n\r\n");
  if (head_end == std::string_view::npos) {
    if (bytes.size() > kMaxResponseHeadBytes) {
      return InvalidArgumentError("response head over " + std::to_string(kMaxResponseHeadBytes) +
                                  " bytes");
    }
    return std::optional<HttpResponseView>();
  }
  const std::string_view head = bytes.substr(0, head_end);
  size_t line_end = head.find("\r\n");
  if (line_end == std::string_view::npos) line_end = head.size();

  HttpResponseView response;
  TL_ASSIGN_OR_RETURN(response.status, ParseStatusLine(head.substr(0, line_end)));
  std::optional<size_t> content_length;
  size_t pos = line_end;
  while (pos < head.size()) {
    const size_t start = pos + 2;
    size_t end = head.find("\r\n", start);
    if (end == std::string_view::npos) end = head.size();
    const std::string_view line = head.substr(start, end - start);
    pos = end;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = Trim(line.substr(0, colon));
    const std::string_view value = Trim(line.substr(colon + 1));
    if (EqualsIgnoreCase(name, "content-length")) {
      TL_ASSIGN_OR_RETURN(content_length, ParseContentLength(value));
    } else if (EqualsIgnoreCase(name, "connection")) {
      response.close = EqualsIgnoreCase(value, "close");
    } else if (EqualsIgnoreCase(name, "transfer-encoding")) {
      return InvalidArgumentError("chunked responses are not supported by the bench client");
    }
  }
  if (!content_length) return InvalidArgumentError("response without Content-Length");

  const size_t body_start = head_end + 4;
  if (bytes.size() - body_start < *content_length) return std::optional<HttpResponseView>();
  response.body = bytes.substr(body_start, *content_length);
  response.size = body_start + *content_length;
  return std::optional<HttpResponseView>(response);
}

}  // namespace tinyloop::bench
