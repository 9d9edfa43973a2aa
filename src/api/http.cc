#include "api/http.h"

#include <algorithm>

#include "api/http_wire.h"

namespace tinyloop::api {
namespace {
// Header names are stored lower-cased; routes mostly ask in lower case already.
std::map<std::string, std::string>::const_iterator FindHeader(
    const std::map<std::string, std::string>& headers, const std::string& name) {
  const bool lower =
      std::none_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
  return lower ? headers.find(name) : headers.find(AsciiLower(name));
}
}  // namespace

std::string HttpRequest::Header(const std::string& name) const {
  auto it = FindHeader(headers, name);
  return it == headers.end() ? std::string() : it->second;
}

bool HttpRequest::HasHeader(const std::string& name) const {
  return FindHeader(headers, name) != headers.end();
}

std::string HttpRequest::Query(const std::string& name, const std::string& fallback) const {
  auto it = query.find(name);
  return it == query.end() ? fallback : it->second;
}

HttpResponse HttpResponse::Json(const tinyloop::Json& json, int status) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = DumpJson(json);
  return r;
}

HttpResponse HttpResponse::Text(std::string text, int status) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(text);
  return r;
}

int HttpStatusFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
      return 409;
    case StatusCode::kFailedPrecondition:
      return 412;
    case StatusCode::kResourceExhausted:
      return 413;
    case StatusCode::kUnimplemented:
      return 501;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kInternal:
    case StatusCode::kDataLoss:
      return 500;
  }
  return 500;
}

HttpResponse ErrorResponse(int http_status, const std::string& code, const std::string& message) {
  return HttpResponse::Json({{"error", {{"code", code}, {"message", message}}}}, http_status);
}

HttpResponse ErrorResponse(const Status& status) {
  return ErrorResponse(HttpStatusFor(status), std::string(StatusCodeName(status.code())),
                       status.message());
}

}  // namespace tinyloop::api
