#include "api/router.h"

#include <array>
#include <future>
#include <memory>
#include <string_view>

#include "base/status.h"

namespace tinyloop::api {

// A path with more segments than a route may have (kMax, checked by Add) matches none;
// `too_long` marks it.
struct Router::PathSegments {
  static constexpr size_t kMax = 16;
  std::array<std::string_view, kMax> segments;
  size_t count = 0;
  bool too_long = false;

  explicit PathSegments(std::string_view path) {
    size_t start = 0;
    while (start <= path.size()) {
      size_t end = path.find('/', start);
      if (end == std::string_view::npos) end = path.size();
      if (end > start) {
        if (count == kMax) {
          too_long = true;
          return;
        }
        segments[count++] = path.substr(start, end - start);
      }
      start = end + 1;
    }
  }
};

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end > start) segments.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

void Router::Add(const std::string& method, const std::string& pattern, const std::string& name,
                 Handler handler) {
  TL_CHECK(SplitPath(pattern).size() <= PathSegments::kMax);
  routes_.push_back(Route{method, SplitPath(pattern), name, std::move(handler), nullptr});
}

void Router::AddAsync(const std::string& method, const std::string& pattern,
                      const std::string& name, AsyncHandler handler) {
  TL_CHECK(SplitPath(pattern).size() <= PathSegments::kMax);
  routes_.push_back(Route{method, SplitPath(pattern), name, nullptr, std::move(handler)});
}

bool Router::Match(const Route& route, const PathSegments& path,
                   std::map<std::string, std::string>* params) {
  if (path.too_long || route.segments.size() != path.count) return false;
  for (size_t i = 0; i < route.segments.size(); ++i) {
    const std::string& want = route.segments[i];
    if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
      if (params) (*params)[want.substr(1, want.size() - 2)] = std::string(path.segments[i]);
    } else if (want != path.segments[i]) {
      return false;
    }
  }
  return true;
}

const Router::Route* Router::Find(HttpRequest& request, std::string* route_name,
                                  HttpResponse* error) const {
  const PathSegments segments(request.path);
  bool path_known = false;
  for (const Route& route : routes_) {
    if (!Match(route, segments, nullptr)) continue;
    path_known = true;
    if (route.method != request.method) continue;
    request.path_params.clear();
    Match(route, segments, &request.path_params);
    if (route_name) *route_name = route.name;
    return &route;
  }
  if (route_name) *route_name = path_known ? "method_not_allowed" : "not_found";
  if (path_known) {
    *error = ErrorResponse(405, "method_not_allowed",
                           request.method + " is not allowed on " + request.path);
  } else {
    *error = ErrorResponse(404, "not_found", "no route for " + request.method + " " + request.path);
  }
  return nullptr;
}

bool Router::IsAsync(const HttpRequest& request) const {
  const PathSegments segments(request.path);
  for (const Route& route : routes_) {
    if (route.method == request.method && Match(route, segments, nullptr)) {
      return route.async_handler != nullptr;
    }
  }
  return false;
}

void Router::DispatchAsync(HttpRequest& request, Respond respond, std::string* route_name) const {
  HttpResponse error;
  const Route* route = Find(request, route_name, &error);
  if (route == nullptr) {
    respond(std::move(error));
  } else if (route->async_handler) {
    route->async_handler(request, std::move(respond));
  } else {
    respond(route->handler(request));
  }
}

HttpResponse Router::Dispatch(HttpRequest& request, std::string* route_name) const {
  HttpResponse error;
  const Route* route = Find(request, route_name, &error);
  if (route == nullptr) return error;
  if (route->handler) return route->handler(request);
  auto answer = std::make_shared<std::promise<HttpResponse>>();
  std::future<HttpResponse> response = answer->get_future();
  route->async_handler(request, [answer](HttpResponse r) { answer->set_value(std::move(r)); });
  return response.get();
}

}  // namespace tinyloop::api
