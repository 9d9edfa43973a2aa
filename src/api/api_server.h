// The running HTTP side of `tinyloop server`: the route table served on the main port (REST
// API, Studio-API subset, dashboard, metrics) and on the ingestion port (Edge Impulse's 4810),
// with request metrics and access logging around every handler. Ingestion routes are
// asynchronous: they run on the ports' event loops and answer once their commit returned;
// the other routes run on a small worker pool. Start/Stop from one thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/http_server.h"
#include "api/router.h"
#include "api/routes.h"
#include "api/worker_pool.h"

namespace tinyloop::api {

struct ApiServerOptions {
  std::string host = "127.0.0.1";
  int port = 4800;            // REST API, Studio subset, dashboard, metrics (0 = any)
  int ingestion_port = 4810;  // ingestion (every route is served here too); -1 = none
  size_t max_body_bytes = 128u << 20;
  int worker_threads = 8;  // run the synchronous routes (shared by both ports)
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
  // The servers' handler, on their event-loop threads.
  void Serve(HttpRequest request, HttpServer::Responder respond);
  void Observe(const HttpRequest& request, const std::string& route, const HttpResponse& response,
               int64_t start_nanos);

  Services& services_;
  ApiServerOptions options_;
  Router router_;
  std::unique_ptr<WorkerPool> pool_;  // outlives the servers
  std::vector<std::unique_ptr<HttpServer>> servers_;
  int port_ = 0;
  int ingestion_port_ = 0;
};

}  // namespace tinyloop::api
