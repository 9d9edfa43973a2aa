#include "api/http_wire.h"

#include <algorithm>

namespace tinyloop::api {
namespace {

char AsciiLowerChar(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLowerChar(a[i]) != AsciiLowerChar(b[i])) return false;
  }
  return true;
}

// Appends `text` with CR and LF replaced, so it stays within its header line.
void AppendHeaderText(std::string_view text, std::string& out) {
  for (const char c : text) out.push_back(c == '\r' || c == '\n' ? ' ' : c);
}

void AppendHeader(std::string_view name, std::string_view value, std::string& out) {
  AppendHeaderText(name, out);
  out.append(": ");
  AppendHeaderText(value, out);
  out.append("\r\n");
}

}  // namespace

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = AsciiLowerChar(c);
  return out;
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Range Not Satisfiable";
    case 417:
      return "Expectation Failed";
    case 421:
      return "Misdirected Request";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

std::string SerializeResponse(const HttpResponse& response, const ResponseFraming& framing) {
  const int status = response.status;
  const bool bodiless = (status >= 100 && status < 200) || status == 204 || status == 304;
  std::string out;
  out.reserve(128 + response.headers.size() * 48 + response.content_type.size() +
              (framing.head_request || bodiless ? 0 : response.body.size()));
  out.append(framing.version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  const int code = std::clamp(status, 100, 999);  // the status line has three digits
  const char digits[4] = {static_cast<char>('0' + code / 100),
                          static_cast<char>('0' + code / 10 % 10),
                          static_cast<char>('0' + code % 10), ' '};
  out.append(digits, sizeof(digits));
  out.append(ReasonPhrase(code));
  out.append("\r\n");
  const bool own_type = !response.content_type.empty();
  for (const auto& [name, value] : response.headers) {
    if (EqualsIgnoringCase(name, "content-length") || EqualsIgnoringCase(name, "connection") ||
        (own_type && EqualsIgnoringCase(name, "content-type"))) {
      continue;
    }
    AppendHeader(name, value, out);
  }
  if (own_type) AppendHeader("Content-Type", response.content_type, out);
  if (!bodiless) AppendHeader("Content-Length", std::to_string(response.body.size()), out);
  // HTTP/1.1 keeps the connection unless told; HTTP/1.0 closes it unless told.
  if (framing.version >= 11 && !framing.keep_alive) out.append("Connection: close\r\n");
  if (framing.version < 11 && framing.keep_alive) out.append("Connection: keep-alive\r\n");
  out.append("\r\n");
  if (!framing.head_request && !bodiless) out.append(response.body);
  return out;
}

}  // namespace tinyloop::api
