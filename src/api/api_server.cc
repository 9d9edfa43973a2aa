#include "api/api_server.h"

#include "api/dashboard.h"
#include "base/clock.h"
#include "base/log.h"

namespace tinyloop::api {

ApiServer::ApiServer(Services& services, ApiServerOptions options)
    : services_(services), options_(std::move(options)), router_(BuildRouter(services)) {
  router_.Add("GET", "/", "dashboard", [](const HttpRequest&) { return DashboardPage(); });
}

ApiServer::~ApiServer() { Stop(); }

void ApiServer::Observe(const HttpRequest& request, const std::string& route,
                        const HttpResponse& response, int64_t start_nanos) {
  const double seconds = static_cast<double>(MonotonicNanos() - start_nanos) / 1e9;
  services_.metrics.ObserveRequest(route, response.status, seconds);
  if (response.status >= 400) {
    TL_LOG(kInfo) << request.method << " " << request.path << " -> " << response.status << " "
                  << response.body.substr(0, 200);
  } else {
    TL_LOG(kDebug) << request.method << " " << request.path << " -> " << response.status;
  }
}

HttpResponse ApiServer::Handle(HttpRequest& request) {
  const int64_t start = MonotonicNanos();
  std::string route;
  HttpResponse response = router_.Dispatch(request, &route);
  Observe(request, route, response, start);
  return response;
}

void ApiServer::Serve(HttpRequest request, HttpServer::Responder respond) {
  if (!router_.IsAsync(request)) {
    // May block (SQLite reads, reports): off the event loop.
    pool_->Post([this, request = std::move(request), respond = std::move(respond)]() mutable {
      HttpResponse response;
      try {
        response = Handle(request);
      } catch (const std::exception& e) {
        TL_LOG(kError) << "unhandled exception in " << request.method << " " << request.path << ": "
                       << e.what();
        response = ErrorForPath(request.path, InternalError("internal error"));
      }
      respond(std::move(response));
    });
    return;
  }
  // Decoding and verification run here, on the loop; the answer comes after the commit.
  const int64_t start = MonotonicNanos();
  auto route = std::make_shared<std::string>();
  const std::string method = request.method;
  const std::string path = request.path;
  router_.DispatchAsync(
      request,
      [this, route, start, method, path, respond = std::move(respond)](HttpResponse response) {
        HttpRequest summary;
        summary.method = method;
        summary.path = path;
        Observe(summary, *route, response, start);
        respond(std::move(response));
      },
      route.get());
}

Status ApiServer::Start() {
  std::vector<int*> ports = {&port_};
  std::vector<int> wanted = {options_.port};
  if (options_.ingestion_port >= 0 && options_.ingestion_port != options_.port) {
    ports.push_back(&ingestion_port_);
    wanted.push_back(options_.ingestion_port);
  }
  if (!pool_) pool_ = std::make_unique<WorkerPool>(options_.worker_threads, "http-worker");
  for (size_t i = 0; i < ports.size(); ++i) {
    HttpServerOptions http;
    http.host = options_.host;
    http.port = wanted[i];
    http.max_body_bytes = options_.max_body_bytes;
    auto server = std::make_unique<HttpServer>(
        http,
        [this](HttpRequest r, HttpServer::Responder respond) {
          Serve(std::move(r), std::move(respond));
        },
        [this](const HttpRequest& r, const Status& st) {
          services_.metrics.CountRejected(std::string(StatusCodeName(st.code())));
          return ErrorForPath(r.path, st);
        });
    TL_ASSIGN_OR_RETURN(*ports[i], server->Start());
    servers_.push_back(std::move(server));
  }
  if (ports.size() == 1) ingestion_port_ = port_;
  return OkStatus();
}

void ApiServer::Stop() {
  for (auto& server : servers_) server->Stop();
  servers_.clear();
}

}  // namespace tinyloop::api
