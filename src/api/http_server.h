// An HTTP/1.1 listener (cpp-httplib underneath, confined to http_server.cc) that turns each
// request into an HttpRequest and hands it to one function. Keep-alive, a fixed worker pool,
// and a body-size limit enforced from Content-Length before the body is read (413).
// Start/Stop from one thread; the handler is called from many worker threads at once.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "api/http.h"
#include "base/status.h"

namespace tinyloop::api {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;                        // 0 = any free port; Start() returns the chosen one
  int worker_threads = 64;             // connections served at once (keep-alive holds one)
  size_t max_body_bytes = 128u << 20;  // larger requests get 413 without reading the body
  int read_timeout_seconds = 30;
  size_t max_multipart_parts = 1000;  // more parts: 400 (Edge Impulse's documented limit)
};

class HttpServer {
 public:
  using RequestHandler = std::function<HttpResponse(HttpRequest&)>;
  // Builds the response for a request refused before its handler ran (body too large,
  // malformed request); the request carries method, path and headers only.
  using ErrorResponder = std::function<HttpResponse(const HttpRequest&, const Status&)>;

  HttpServer(HttpServerOptions options, RequestHandler handler, ErrorResponder on_error);
  ~HttpServer();  // Stops and joins.
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving on a background thread. Returns the bound port.
  // Unavailable when the address cannot be bound (message names host and port).
  StatusOr<int> Start();
  // Stops accepting, finishes in-flight requests and joins. Idempotent.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tinyloop::api
