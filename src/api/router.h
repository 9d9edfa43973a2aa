// The route table: every HTTP route tinyloop serves, matched by method and a path pattern with
// "{name}" segments (e.g. "/api/v1/projects/{project}/samples/{sample}"). Handlers are plain
// functions of HttpRequest, so the whole table is testable without a socket.
// Routes are synchronous (the handler returns the response) or asynchronous (the handler gets
// a Respond to call later, from any thread: ingestion answers once its commit returned).
// Build the table once at start-up, then Dispatch from any number of threads.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "api/http.h"

namespace tinyloop::api {

using Handler = std::function<HttpResponse(const HttpRequest&)>;
// Delivers a response; call it exactly once, from any thread.
using Respond = std::function<void(HttpResponse)>;
// Must not block: it returns as soon as the work is handed on, and calls `respond` later.
// It may move from the request (its body, its parts): nothing reads them after it.
using AsyncHandler = std::function<void(HttpRequest&, Respond respond)>;

class Router {
 public:
  // `name` identifies the route in metrics and logs (e.g. "ingest_data").
  void Add(const std::string& method, const std::string& pattern, const std::string& name,
           Handler handler);
  void AddAsync(const std::string& method, const std::string& pattern, const std::string& name,
                AsyncHandler handler);

  // Whether the route matching the request is asynchronous (false when none matches).
  bool IsAsync(const HttpRequest& request) const;

  // Runs the matching handler like Dispatch; a synchronous one answers before this returns,
  // an asynchronous one whenever it calls `respond`. `route_name` is set before any answer.
  void DispatchAsync(HttpRequest& request, Respond respond,
                     std::string* route_name = nullptr) const;

  // Runs the matching handler with request.path_params filled. Unknown path: 404, known path
  // with another method: 405, both in the native error shape. `route_name` receives the
  // matched route's name ("not_found" when none matched). An asynchronous route is waited for.
  HttpResponse Dispatch(HttpRequest& request, std::string* route_name = nullptr) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{x}" segments capture
    std::string name;
    Handler handler;             // set for synchronous routes
    AsyncHandler async_handler;  // set for asynchronous routes
  };
  struct PathSegments;  // a request path split without copying
  // The route for the request with path_params filled, or nullptr with `route_name` set to
  // "method_not_allowed" / "not_found" and `error` to the answer.
  const Route* Find(HttpRequest& request, std::string* route_name, HttpResponse* error) const;
  static bool Match(const Route& route, const PathSegments& path,
                    std::map<std::string, std::string>* params);

  std::vector<Route> routes_;
};

// "/a/b/" -> {"a","b"}; empty segments are dropped.
std::vector<std::string> SplitPath(const std::string& path);

}  // namespace tinyloop::api
