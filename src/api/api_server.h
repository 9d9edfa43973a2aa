// The running HTTP side of `tinyloop server`: the route table served on the main port (REST
// API, Studio-API subset, dashboard, metrics) and on the ingestion port (Edge Impulse's 4810),
// with request metrics and access logging around every handler. Start/Stop from one thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/http_server.h"
#include "api/router.h"
#include "api/routes.h"

namespace tinyloop::api {

struct ApiServerOptions {
  std::string host = "127.0.0.1";
  int port = 4800;            // REST API, Studio subset, dashboard, metrics (0 = any)
  int ingestion_port = 4810;  // ingestion (every route is served here too); -1 = none
  size_t max_body_bytes = 128u << 20;
  int worker_threads = 64;    // per port
};

class ApiServer {
 public:
  // `services` must outlive the server.
  ApiServer(Services& services, ApiServerOptions options);
  ~ApiServer();

  // Binds both ports and serves in the background. Unavailable if a port cannot be bound.
  Status Start();
  void Stop();

  int port() const { return port_; }
  int ingestion_port() const { return ingestion_port_; }

  // Dispatches one request through the table with metrics, without a socket (for tests).
  HttpResponse Handle(HttpRequest& request);

 private:
  Services& services_;
  ApiServerOptions options_;
  Router router_;
  std::vector<std::unique_ptr<HttpServer>> servers_;
  int port_ = 0;
  int ingestion_port_ = 0;
};

}  // namespace tinyloop::api
