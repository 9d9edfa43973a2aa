// Parsing one HTTP/1.1 response from the bytes received so far, for the benchmarks' load
// generators (http_load_client.h, http_load_loop.h): status line, Content-Length and
// "Connection: close". Not a general parser: no chunked bodies, no bodies without a length.
// Part of bench/; production code uses api::HttpClient.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "base/status.h"

namespace tinyloop::bench {

// Responses whose head (status line and headers) is longer than this are refused.
inline constexpr size_t kMaxResponseHeadBytes = 64 * 1024;

// One complete response at the start of a buffer. `body` points into that buffer.
struct HttpResponseView {
  int status = 0;
  bool close = false;     // the server answered "Connection: close"
  std::string_view body;  // Content-Length bytes after the head
  size_t size = 0;        // bytes of the whole response, head and body
};

// Parses the response that starts at bytes[0]. Returns nullopt while it is incomplete (read
// more and call again with the longer buffer); InvalidArgument when the status line is
// malformed, Content-Length is missing or not a number, the body is chunked, or the head grows
// over kMaxResponseHeadBytes. Bytes after the response are left alone.
StatusOr<std::optional<HttpResponseView>> ParseHttpResponse(std::string_view bytes);

}  // namespace tinyloop::bench
