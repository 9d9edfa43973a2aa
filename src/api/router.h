// The route table: every HTTP route tinyloop serves, matched by method and a path pattern with
// "{name}" segments (e.g. "/api/v1/projects/{project}/samples/{sample}"). Handlers are plain
// functions of HttpRequest, so the whole table is testable without a socket.
// Build the table once at start-up, then Dispatch from any number of threads.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "api/http.h"

namespace tinyloop::api {

using Handler = std::function<HttpResponse(const HttpRequest&)>;

class Router {
 public:
  // `name` identifies the route in metrics and logs (e.g. "ingest_data").
  void Add(const std::string& method, const std::string& pattern, const std::string& name,
           Handler handler);

  // Runs the matching handler with request.path_params filled. Unknown path: 404, known path
  // with another method: 405, both in the native error shape. `route_name` receives the
  // matched route's name ("not_found" when none matched).
  HttpResponse Dispatch(HttpRequest& request, std::string* route_name = nullptr) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{x}" segments capture
    std::string name;
    Handler handler;
  };
  static bool Match(const Route& route, const std::vector<std::string>& path_segments,
                    std::map<std::string, std::string>* params);

  std::vector<Route> routes_;
};

// "/a/b/" -> {"a","b"}; empty segments are dropped.
std::vector<std::string> SplitPath(const std::string& path);

}  // namespace tinyloop::api
