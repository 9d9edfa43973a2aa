// The HTTP client (HttpClient) on cpp-httplib: the one file that includes it. The server side
// is api/http_server.cc.
#include "api/http_client.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>

namespace tinyloop::api {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

StatusOr<HttpResponse> FromResult(const httplib::Result& result, const std::string& url) {
  if (!result) {
    return UnavailableError("no response from " + url + ": " + httplib::to_string(result.error()));
  }
  HttpResponse out;
  out.status = result->status;
  out.body = result->body;
  out.content_type = result->get_header_value("Content-Type");
  for (const auto& [name, value] : result->headers) out.headers[Lower(name)] = value;
  return out;
}

httplib::Headers ToHeaders(const HttpClient::Headers& headers) {
  httplib::Headers out;
  for (const auto& [name, value] : headers) out.emplace(name, value);
  return out;
}

}  // namespace

struct HttpClient::Impl {
  std::string base_url;
  httplib::Client client;
  explicit Impl(const std::string& url) : base_url(url), client(url) {}
};

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::~HttpClient() = default;

StatusOr<std::unique_ptr<HttpClient>> HttpClient::Create(const std::string& base_url,
                                                         int timeout_seconds) {
  if (base_url.rfind("http://", 0) != 0) {
    return InvalidArgumentError("server URL must start with http://, got '" + base_url + "'");
  }
  auto impl = std::make_unique<Impl>(base_url);
  if (!impl->client.is_valid())
    return InvalidArgumentError("invalid server URL '" + base_url + "'");
  impl->client.set_keep_alive(true);
  impl->client.set_read_timeout(timeout_seconds, 0);
  impl->client.set_write_timeout(timeout_seconds, 0);
  impl->client.set_connection_timeout(5, 0);
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(impl)));
}

StatusOr<HttpResponse> HttpClient::Get(const std::string& path, const Headers& headers) {
  return FromResult(impl_->client.Get(path, ToHeaders(headers)), impl_->base_url + path);
}

StatusOr<HttpResponse> HttpClient::Post(const std::string& path, const Headers& headers,
                                        const std::string& body, const std::string& content_type) {
  return FromResult(impl_->client.Post(path, ToHeaders(headers), body, content_type),
                    impl_->base_url + path);
}

StatusOr<HttpResponse> HttpClient::PostMultipart(const std::string& path, const Headers& headers,
                                                 const std::vector<MultipartPart>& parts) {
  httplib::MultipartFormDataItems items;
  for (const auto& p : parts) items.push_back({p.name, p.content, p.file_name, p.content_type});
  return FromResult(impl_->client.Post(path, ToHeaders(headers), items), impl_->base_url + path);
}

StatusOr<HttpResponse> HttpClient::Send(const std::string& method, const std::string& path,
                                        const Headers& headers, const std::string& body,
                                        const std::string& content_type) {
  httplib::Request req;
  req.method = method;
  req.path = path;
  req.headers = ToHeaders(headers);
  req.body = body;
  if (!content_type.empty()) req.set_header("Content-Type", content_type);
  return FromResult(impl_->client.send(req), impl_->base_url + path);
}

}  // namespace tinyloop::api
