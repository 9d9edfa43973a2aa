// tinyloop's own HTTP request/response types, so routes and handlers never see the HTTP
// libraries (Boost.Beast is confined to http_server.cc, cpp-httplib to http_client.cc) and
// can be unit-tested without a socket.
// Also the one mapping from Status to HTTP status and the one JSON error shape.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/status.h"

namespace tinyloop::api {

struct MultipartPart {
  std::string name;
  std::string file_name;
  std::string content_type;
  std::string content;
};

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query string
  // Lower-cased header names; one value each (the first wins).
  std::map<std::string, std::string> headers;
  std::map<std::string, std::string> query;
  std::string body;
  std::vector<MultipartPart> parts;  // multipart/form-data, in arrival order
  bool is_multipart = false;
  // Values captured by "{name}" segments of the matched route, by name.
  std::map<std::string, std::string> path_params;

  // Header value or "" (name is matched case-insensitively).
  std::string Header(const std::string& name) const;
  bool HasHeader(const std::string& name) const;
  // Query value or `fallback`.
  std::string Query(const std::string& name, const std::string& fallback = "") const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::map<std::string, std::string> headers;

  static HttpResponse Json(const tinyloop::Json& json, int status = 200);
  static HttpResponse Text(std::string text, int status = 200);
};

// The HTTP status for a non-ok Status: InvalidArgument 400, Unauthenticated 401,
// PermissionDenied 403, NotFound 404, AlreadyExists 409, FailedPrecondition 412,
// ResourceExhausted 413, Unimplemented 501, Unavailable 503, others 500.
int HttpStatusFor(const Status& status);

// The native API's one error shape: {"error":{"code":"invalid_argument","message":"..."}}.
HttpResponse ErrorResponse(const Status& status);
HttpResponse ErrorResponse(int http_status, const std::string& code, const std::string& message);

}  // namespace tinyloop::api
