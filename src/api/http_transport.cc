// The one file that includes cpp-httplib: the server (HttpServer) and the client (HttpClient).
#include <httplib.h>

#include "api/http_client.h"
#include "api/http_server.h"
#include "api/multipart.h"

#include <sys/socket.h>

#include <algorithm>
#include <cctype>

#include "base/log.h"

namespace tinyloop::api {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Multipart bodies are parsed by api/multipart.cc, not by cpp-httplib (whose parser refuses
// bodies without a CRLF after the closing boundary, as undici sends them). The pre-routing
// handler renames the Content-Type so httplib reads the body raw; the original is kept here.
constexpr char kMultipartTypeHeader[] = "X-Tinyloop-Multipart-Content-Type";

HttpRequest Convert(const httplib::Request& in) {
  HttpRequest out;
  out.method = in.method;
  out.path = in.path;
  for (const auto& [name, value] : in.headers) out.headers.emplace(Lower(name), value);
  for (const auto& [name, value] : in.params) out.query.emplace(name, value);
  if (in.has_header(kMultipartTypeHeader)) {
    out.headers["content-type"] = in.get_header_value(kMultipartTypeHeader);
    out.headers.erase(Lower(kMultipartTypeHeader));
  }
  return out;
}

StatusOr<HttpRequest> ConvertWithBody(const httplib::Request& in, size_t max_parts) {
  HttpRequest out = Convert(in);
  if (in.has_header(kMultipartTypeHeader)) {
    out.is_multipart = true;
    TL_ASSIGN_OR_RETURN(out.parts,
                        ParseMultipart(in.get_header_value(kMultipartTypeHeader), in.body, max_parts));
  } else {
    out.body = in.body;
  }
  return out;
}

void Fill(const HttpResponse& in, httplib::Response& out) {
  out.status = in.status;
  for (const auto& [name, value] : in.headers) out.set_header(name, value);
  out.set_content(in.body, in.content_type);
}

}  // namespace

// cpp-httplib 0.11 (Debian's build) listens with a backlog of 5, so many clients connecting
// at once stall for seconds; listen() on the bound socket again widens it.
class BacklogServer : public httplib::Server {
 public:
  void WidenBacklog(int backlog) { ::listen(svr_sock_, backlog); }
};

struct HttpServer::Impl {
  HttpServerOptions options;
  RequestHandler handler;
  ErrorResponder on_error;
  BacklogServer server;
  std::thread thread;
  bool started = false;
};

HttpServer::HttpServer(HttpServerOptions options, RequestHandler handler, ErrorResponder on_error)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
  impl_->on_error = std::move(on_error);
}

HttpServer::~HttpServer() { Stop(); }

StatusOr<int> HttpServer::Start() {
  Impl& impl = *impl_;
  BacklogServer& server = impl.server;
  const int threads = std::max(1, impl.options.worker_threads);
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_payload_max_length(impl.options.max_body_bytes);
  server.set_read_timeout(impl.options.read_timeout_seconds, 0);
  server.set_keep_alive_max_count(100000);
  // Idle keep-alive connections are closed after 5 s; Stop() waits at most that long for them.
  server.set_keep_alive_timeout(5);
  server.set_tcp_nodelay(true);

  // Runs after the headers are parsed and before the body is read: refuse big bodies here.
  const size_t limit = impl.options.max_body_bytes;
  server.set_pre_routing_handler([this, limit](const httplib::Request& req,
                                               httplib::Response& res) {
    if (req.is_multipart_form_data()) {
      // The request object is not const in httplib, only this view of it.
      auto& mutable_req = const_cast<httplib::Request&>(req);
      const std::string type = req.get_header_value("Content-Type");
      mutable_req.headers.erase("Content-Type");
      mutable_req.headers.emplace("Content-Type", "application/x-tinyloop-multipart");
      mutable_req.headers.emplace(kMultipartTypeHeader, type);
    }
    if (!req.has_header("Content-Length")) return httplib::Server::HandlerResponse::Unhandled;
    const auto length = req.get_header_value<uint64_t>("Content-Length");
    if (length <= limit) return httplib::Server::HandlerResponse::Unhandled;
    const Status status = ResourceExhaustedError(
        "request body is " + std::to_string(length) + " bytes, more than the limit of " +
        std::to_string(limit) + " bytes");
    Fill(impl_->on_error(Convert(req), status), res);
    res.set_header("Connection", "close");
    return httplib::Server::HandlerResponse::Handled;
  });
  server.set_expect_100_continue_handler(
      [this, limit](const httplib::Request& req, httplib::Response& res) {
        const auto length = req.get_header_value<uint64_t>("Content-Length");
        if (length <= limit) return 100;
        Fill(impl_->on_error(Convert(req), ResourceExhaustedError(
                                               "request body is " + std::to_string(length) +
                                               " bytes, more than the limit of " +
                                               std::to_string(limit) + " bytes")),
             res);
        res.status = 413;
        return 413;
      });

  const size_t max_parts = impl.options.max_multipart_parts;
  auto dispatch = [this, max_parts](const httplib::Request& req, httplib::Response& res) {
    StatusOr<HttpRequest> request = ConvertWithBody(req, max_parts);
    if (!request.ok()) {
      Fill(impl_->on_error(Convert(req), request.status()), res);
      return;
    }
    Fill(impl_->handler(*request), res);
  };
  const std::string all = ".*";
  server.Get(all, dispatch);
  server.Post(all, dispatch);
  server.Put(all, dispatch);
  server.Patch(all, dispatch);
  server.Delete(all, dispatch);

  server.set_exception_handler([this](const httplib::Request& req, httplib::Response& res,
                                      std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    TL_LOG(kError) << "unhandled exception in " << req.method << " " << req.path << ": " << what;
    Fill(impl_->on_error(Convert(req), InternalError("internal error")), res);
  });
  // Errors httplib produces itself (malformed request line, body over the limit while
  // reading a chunked body) get our error shape too.
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    Status status = res.status == 413 ? ResourceExhaustedError("request body too large")
                                      : InvalidArgumentError("malformed HTTP request (" +
                                                             std::to_string(res.status) + ")");
    const int code = res.status;
    Fill(impl_->on_error(Convert(req), status), res);
    res.status = code;
    return httplib::Server::HandlerResponse::Handled;
  }));

  int port = impl.options.port;
  if (port == 0) {
    port = server.bind_to_any_port(impl.options.host);
    if (port < 0) return UnavailableError("cannot bind " + impl.options.host + " to any port");
  } else if (!server.bind_to_port(impl.options.host, port)) {
    return UnavailableError("cannot bind " + impl.options.host + ":" + std::to_string(port) +
                            " (in use, or not permitted)");
  }
  server.WidenBacklog(1024);
  impl.thread = std::thread([&server] { server.listen_after_bind(); });
  impl.started = true;
  return port;
}

void HttpServer::Stop() {
  if (!impl_ || !impl_->started) return;
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->started = false;
}

}  // namespace tinyloop::api

// ---------------------------------------------------------------------------------------------
// Client


namespace tinyloop::api {
namespace {

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
  if (!impl->client.is_valid()) return InvalidArgumentError("invalid server URL '" + base_url + "'");
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
