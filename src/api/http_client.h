// A small blocking HTTP/1.1 client (keep-alive) for the CLI talking to a tinyloop server and
// for tests. cpp-httplib underneath, confined to http_client.cc. Not thread-safe: one
// client per thread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/http.h"
#include "base/status.h"

namespace tinyloop::api {

class HttpClient {
 public:
  // `base_url` like "http://127.0.0.1:4800" (no path). InvalidArgument from Create otherwise.
  static StatusOr<std::unique_ptr<HttpClient>> Create(const std::string& base_url,
                                                      int timeout_seconds = 60);
  ~HttpClient();

  using Headers = std::map<std::string, std::string>;
  // Any HTTP status is ok here; Unavailable only when no response came (connection refused,
  // timeout), with the URL in the message.
  StatusOr<HttpResponse> Get(const std::string& path, const Headers& headers = {});
  StatusOr<HttpResponse> Post(const std::string& path, const Headers& headers,
                              const std::string& body, const std::string& content_type);
  // multipart/form-data with the given parts.
  StatusOr<HttpResponse> PostMultipart(const std::string& path, const Headers& headers,
                                       const std::vector<MultipartPart>& parts);
  StatusOr<HttpResponse> Send(const std::string& method, const std::string& path,
                              const Headers& headers, const std::string& body,
                              const std::string& content_type);

 private:
  struct Impl;
  explicit HttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tinyloop::api
