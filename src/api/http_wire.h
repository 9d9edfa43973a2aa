// The bytes of an HTTP/1.x response, written in one piece by the event-loop server
// (http_server.cc): status line, the handler's headers, Content-Type, Content-Length and the
// Connection header that keep-alive needs, then the body. Also the ASCII lower-casing used
// for header names. No I/O and no Boost, so the framing is unit-tested on its own.
#pragma once

#include <string>
#include <string_view>

#include "api/http.h"

namespace tinyloop::api {

// How the response is framed for the request it answers.
struct ResponseFraming {
  unsigned version = 11;      // the request's: 10 (HTTP/1.0) or 11 (HTTP/1.1)
  bool keep_alive = true;     // false: the server closes the connection after this response
  bool head_request = false;  // HEAD: Content-Length of the body, but no body
};

// The response as bytes. The handler's headers come first, except Content-Length and
// Connection (the server frames the message) and Content-Type when `response.content_type` is
// set; CR and LF in header names and values become spaces, so a value cannot add a header.
// 1xx, 204 and 304 answers carry neither Content-Length nor a body.
std::string SerializeResponse(const HttpResponse& response, const ResponseFraming& framing);

// The reason phrase of an HTTP status code ("Not Found"); "Unknown" for codes it does not
// know.
std::string_view ReasonPhrase(int status);

// `text` with A-Z turned into a-z (and nothing else changed, whatever the locale).
std::string AsciiLower(std::string_view text);

}  // namespace tinyloop::api
