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

HttpResponse ApiServer::Handle(HttpRequest& request) {
  const int64_t start = MonotonicNanos();
  std::string route;
  HttpResponse response = router_.Dispatch(request, &route);
  const double seconds = static_cast<double>(MonotonicNanos() - start) / 1e9;
  services_.metrics.ObserveRequest(route, response.status, seconds);
  if (response.status >= 400) {
    TL_LOG(kInfo) << request.method << " " << request.path << " -> " << response.status << " "
                  << response.body.substr(0, 200);
  } else {
    TL_LOG(kDebug) << request.method << " " << request.path << " -> " << response.status;
  }
  return response;
}

Status ApiServer::Start() {
  std::vector<int*> ports = {&port_};
  std::vector<int> wanted = {options_.port};
  if (options_.ingestion_port >= 0 && options_.ingestion_port != options_.port) {
    ports.push_back(&ingestion_port_);
    wanted.push_back(options_.ingestion_port);
  }
  for (size_t i = 0; i < ports.size(); ++i) {
    HttpServerOptions http;
    http.host = options_.host;
    http.port = wanted[i];
    http.max_body_bytes = options_.max_body_bytes;
    http.worker_threads = options_.worker_threads;
    auto server = std::make_unique<HttpServer>(
        http, [this](HttpRequest& r) { return Handle(r); },
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
