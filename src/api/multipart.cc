#include "api/multipart.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace tinyloop::api {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Value of parameter `name` in a header like `form-data; name="data"; filename="a.json"`.
// Handles quoted strings with backslash escapes. Empty when absent.
std::string HeaderParam(std::string_view header, std::string_view name) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t semi = header.find(';', pos);
    if (semi == std::string_view::npos) return "";
    pos = semi + 1;
    std::string_view rest = Trim(header.substr(pos));
    const size_t eq = rest.find('=');
    if (eq == std::string_view::npos) return "";
    if (Lower(Trim(rest.substr(0, eq))) != name) continue;
    std::string_view value = rest.substr(eq + 1);
    std::string out;
    if (!value.empty() && value.front() == '"') {
      for (size_t i = 1; i < value.size() && value[i] != '"'; ++i) {
        if (value[i] == '\\' && i + 1 < value.size()) ++i;
        out.push_back(value[i]);
      }
      return out;
    }
    const size_t end = value.find(';');
    return std::string(Trim(value.substr(0, end)));
  }
  return "";
}

// RFC 5987 `filename*=UTF-8''a%20b.json` -> "a b.json"; "" if malformed.
std::string ExtendedValue(const std::string& value) {
  const size_t quote = value.find("''");
  if (quote == std::string::npos) return "";
  std::string out;
  for (size_t i = quote + 2; i < value.size(); ++i) {
    if (value[i] == '%' && i + 2 < value.size() && std::isxdigit(value[i + 1]) &&
        std::isxdigit(value[i + 2])) {
      out.push_back(static_cast<char>(std::stoi(value.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(value[i]);
    }
  }
  return out;
}

Status ParsePartHeaders(std::string_view headers, MultipartPart& part) {
  size_t pos = 0;
  bool disposition = false;
  while (pos < headers.size()) {
    size_t end = headers.find("\r\n", pos);
    if (end == std::string_view::npos) end = headers.size();
    const std::string_view line = headers.substr(pos, end - pos);
    pos = end + 2;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string name = Lower(Trim(line.substr(0, colon)));
    const std::string_view value = Trim(line.substr(colon + 1));
    if (name == "content-disposition") {
      disposition = true;
      part.name = HeaderParam(value, "name");
      part.file_name = HeaderParam(value, "filename");
      const std::string extended = ExtendedValue(HeaderParam(value, "filename*"));
      if (!extended.empty()) part.file_name = extended;
    } else if (name == "content-type") {
      part.content_type = std::string(value);
    }
  }
  if (!disposition) return InvalidArgumentError("multipart part has no Content-Disposition header");
  return OkStatus();
}

}  // namespace

StatusOr<std::vector<MultipartPart>> ParseMultipart(std::string_view content_type,
                                                    std::string_view body, size_t max_parts) {
  const std::string boundary = HeaderParam(content_type, "boundary");
  if (boundary.empty() || boundary.size() > 200) {
    return InvalidArgumentError("multipart Content-Type has no valid boundary parameter");
  }
  const std::string delimiter = "--" + boundary;
  const std::string next_delimiter = "\r\n" + delimiter;
  // The first delimiter may be preceded by a preamble.
  size_t pos = body.compare(0, delimiter.size(), delimiter) == 0
                   ? 0
                   : body.find(next_delimiter);
  if (pos == std::string_view::npos) {
    return InvalidArgumentError("multipart body does not contain its boundary");
  }
  pos = body.find(delimiter, pos) + delimiter.size();
  std::vector<MultipartPart> parts;
  for (;;) {
    if (body.compare(pos, 2, "--") == 0) return parts;  // closing delimiter; CRLF optional
    // Transport padding, then CRLF.
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;
    if (body.compare(pos, 2, "\r\n") != 0) {
      return InvalidArgumentError("multipart body is truncated after a boundary");
    }
    pos += 2;
    if (parts.size() == max_parts) {
      return InvalidArgumentError("request has more than " + std::to_string(max_parts) +
                                  " multipart parts, the limit");
    }
    const size_t headers_end = body.find("\r\n\r\n", pos);
    // A part with no headers at all starts directly with the blank line.
    const bool no_headers = body.compare(pos, 2, "\r\n") == 0;
    if (headers_end == std::string_view::npos && !no_headers) {
      return InvalidArgumentError("multipart part " + std::to_string(parts.size()) +
                                  " has unterminated headers");
    }
    MultipartPart part;
    size_t content_start = pos + 2;
    if (!no_headers) {
      TL_RETURN_IF_ERROR(ParsePartHeaders(body.substr(pos, headers_end - pos), part)
                             .WithPrefix("multipart part " + std::to_string(parts.size())));
      content_start = headers_end + 4;
    }
    const size_t content_end = body.find(next_delimiter, content_start);
    if (content_end == std::string_view::npos) {
      return InvalidArgumentError("multipart part " + std::to_string(parts.size()) +
                                  " has no closing boundary");
    }
    part.content = std::string(body.substr(content_start, content_end - content_start));
    parts.push_back(std::move(part));
    pos = content_end + next_delimiter.size();
  }
}

}  // namespace tinyloop::api
