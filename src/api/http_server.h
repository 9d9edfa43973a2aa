// An HTTP/1.1 listener served by a few event-loop threads (Boost.Beast/Asio underneath,
// confined to http_server.cc) that turns each request into an HttpRequest and hands it, with a
// way to answer later, to one function. Each connection lives on one loop; keep-alive,
// pipelined requests (answered in order), and a body-size limit enforced from Content-Length
// before the body is read (413). Start/Stop from one thread.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "api/http.h"
#include "base/status.h"

namespace tinyloop::api {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;                        // 0 = any free port; Start() returns the chosen one
  size_t max_body_bytes = 128u << 20;  // larger requests get 413 without reading the body
  int read_timeout_seconds = 30;       // to receive a request once its first byte arrived
  int keep_alive_seconds = 5;          // an idle connection is closed after this long
  size_t max_multipart_parts = 1000;   // more parts: 400 (Edge Impulse's documented limit)
  int listen_backlog = 1024;
  // Event-loop threads; connections are spread over them round-robin as they are accepted.
  // 0 = one per CPU core, at most 4. At most 64.
  int loop_threads = 0;
};

class HttpServer {
 public:
  // Delivers the answer to one request: call it exactly once, from any thread. Answers to
  // the requests of one connection go out in the order the requests came.
  using Responder = std::function<void(HttpResponse)>;
  // Runs on the connection's event-loop thread for every request (so on several threads at
  // once when loop_threads > 1) and must not block: work that waits (a
  // commit, a slow query) goes to another thread, which calls `respond` when done.
  using RequestHandler = std::function<void(HttpRequest request, Responder respond)>;
  // Builds the response for a request refused before its handler ran (body too large,
  // malformed request, bad multipart); the request carries method, path and headers only.
  // Runs on the connection's event-loop thread (several at once when loop_threads > 1).
  using ErrorResponder = std::function<HttpResponse(const HttpRequest&, const Status&)>;

  HttpServer(HttpServerOptions options, RequestHandler handler, ErrorResponder on_error);
  ~HttpServer();  // Stops and joins.
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving on loop_threads background threads, all named "http-loop".
  // Returns the bound port. Unavailable when the address cannot be bound (message names host
  // and port); InvalidArgument when loop_threads is out of range.
  StatusOr<int> Start();
  // Stops accepting, waits (up to 30 s) for the answers of requests already handed to the
  // handler on every loop, closes every connection and joins. Idempotent.
  void Stop();

  // Requests handed to the handler and not yet answered (for tests and metrics).
  int in_flight() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tinyloop::api
