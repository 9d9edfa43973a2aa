// The event-loop HTTP server: Boost.Beast parses and serializes HTTP/1.1 and Boost.Asio runs
// the sockets on a few loop threads, each connection on one of them. A request is handed to
// the handler with a Responder; answers that come from other threads (a group commit) are
// posted back to the connection's loop. The one file that includes Boost.
#include "api/http_server.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "api/multipart.h"
#include "api/url_decoding.h"
#include "base/log.h"

namespace tinyloop::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

// Request line plus headers; larger heads get 400 (cpp-httplib allowed 8 KiB per line).
constexpr uint32_t kMaxHeaderBytes = 64 * 1024;
// How long Stop waits for answers still owed.
constexpr auto kStopWait = std::chrono::seconds(30);

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string TooLargeMessage(uint64_t length, size_t limit) {
  return "request body is " + std::to_string(length) + " bytes, more than the limit of " +
         std::to_string(limit) + " bytes";
}

// Where Responders post answers. Stop clears `ioc` before the loop is destroyed, so a
// Responder called (or destroyed) after that touches nothing of the server.
struct Gate {
  std::mutex mu;
  asio::io_context* ioc = nullptr;  // guarded by mu
};

// One event loop: an io_context run by one thread, and what its connections share. Touched
// only on its thread, except the atomics (read by Stop and in_flight()) and `gate`.
struct Loop {
  asio::io_context ioc{1};
  std::atomic<int> in_flight{0};  // requests handed to the handler and not answered yet
  std::atomic<int> writing{0};    // answers being written
  bool stopping = false;
  std::shared_ptr<Gate> gate = std::make_shared<Gate>();
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::thread thread;
};

// What every connection shares; immutable while serving.
struct Core {
  HttpServerOptions options;
  HttpServer::RequestHandler handler;
  HttpServer::ErrorResponder on_error;
};

int DefaultLoopThreads() {
  const unsigned cores = std::thread::hardware_concurrency();
  return static_cast<int>(std::clamp(cores, 1u, 4u));
}

// Method, path, query and headers of a parsed request head, decoded as routes expect.
HttpRequest ConvertHead(const bhttp::request<bhttp::string_body>& in) {
  HttpRequest out;
  out.method = std::string(in.method_string());
  const std::string_view target(in.target().data(), in.target().size());
  const size_t question = target.find('?');
  out.path = DecodeUrl(target.substr(0, question), false);
  if (question != std::string_view::npos) out.query = ParseQueryString(target.substr(question + 1));
  for (const auto& field : in) {
    std::string name =
        Lower(std::string_view(field.name_string().data(), field.name_string().size()));
    const std::string_view value(field.value().data(), field.value().size());
    out.headers.emplace(std::move(name),
                        name == "location" ? std::string(value) : DecodeUrl(value, false));
  }
  return out;
}

// One client connection: reads a request, hands it on, writes the answer, reads the next one
// (pipelined requests wait in the buffer meanwhile). Lives as long as an operation or a
// Responder holds it; touched only on its loop's thread.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, const Core& core, Loop& loop)
      : core_(core), loop_(loop), stream_(std::move(socket)) {}

  void ReadHead() {
    parser_.emplace();
    parser_->header_limit(kMaxHeaderBytes);
    // The limit is checked from Content-Length once the head is in; here it would turn the
    // head read itself into an error without a request to answer. (Not boost::none: Beast
    // 1.74 compares Content-Length > none as true.)
    parser_->body_limit(std::numeric_limits<uint64_t>::max());
    stream_.expires_after(std::chrono::seconds(buffer_.size() > 0
                                                   ? core_.options.read_timeout_seconds
                                                   : core_.options.keep_alive_seconds));
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHead(ec); });
  }

 private:
  void OnHead(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    const size_t limit = core_.options.max_body_bytes;
    if (const auto length = parser_->content_length(); length && *length > limit) {
      // Answer from the head and close: the body is never read.
      return Refuse(ResourceExhaustedError(TooLargeMessage(*length, limit)), 413);
    }
    if (parser_->is_done()) return OnBody({});  // no body
    parser_->body_limit(limit);                 // for chunked bodies, checked while they arrive
    const auto expect = parser_->get()[bhttp::field::expect];
    if (beast::iequals(expect, "100-continue")) {
      static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
      stream_.expires_after(std::chrono::seconds(core_.options.read_timeout_seconds));
      asio::async_write(stream_, asio::buffer(kContinue, sizeof(kContinue) - 1),
                        [self = shared_from_this()](beast::error_code ec, size_t) {
                          if (ec) return self->Close();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    stream_.expires_after(std::chrono::seconds(core_.options.read_timeout_seconds));
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      return Refuse(
          ResourceExhaustedError("request body too large (limit " +
                                 std::to_string(core_.options.max_body_bytes) + " bytes)"),
          413);
    }
    const bool parse_error =
        ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
        ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
    if (parse_error) {
      return Refuse(InvalidArgumentError("malformed HTTP request (" + ec.message() + ")"), 400);
    }
    Close();  // closed by the client, reset, or timed out
  }

  void OnBody(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    if (loop_.stopping) return Close();
    bhttp::request<bhttp::string_body> message = parser_->release();
    keep_alive_ = message.keep_alive();
    version_ = message.version();
    is_head_ = message.method() == bhttp::verb::head;
    HttpRequest request = ConvertHead(message);
    const std::string type = request.Header("content-type");
    if (type.rfind("multipart/form-data", 0) == 0) {
      request.is_multipart = true;
      StatusOr<std::vector<MultipartPart>> parts =
          ParseMultipart(type, message.body(), core_.options.max_multipart_parts);
      if (!parts.ok()) return Answer(core_.on_error(request, parts.status()));
      request.parts = std::move(*parts);
    } else {
      request.body = std::move(message.body());
    }
    awaiting_answer_ = true;
    waiting_self_ = shared_from_this();  // no read is pending to keep this alive meanwhile
    ++loop_.in_flight;
    try {
      core_.handler(std::move(request), MakeResponder());
    } catch (const std::exception& e) {
      // The responder was not called (handlers answer errors themselves); answer here.
      TL_LOG(kError) << "unhandled exception in an HTTP handler: " << e.what();
      Reply(core_.on_error(HttpRequest{}, InternalError("internal error")));
    }
  }

  // Holds the connection weakly: a Responder may be destroyed on any thread, after the
  // server is gone, and must not destroy a socket there.
  HttpServer::Responder MakeResponder() {
    return [gate = loop_.gate, weak = weak_from_this()](HttpResponse response) {
      std::lock_guard<std::mutex> lock(gate->mu);
      if (gate->ioc == nullptr) return;  // the server stopped
      asio::post(*gate->ioc, [weak, response = std::move(response)]() mutable {
        if (auto self = weak.lock()) self->Reply(std::move(response));
      });
    };
  }

  // Runs on the loop thread: the answer to the request being handled.
  void Reply(HttpResponse response) {
    if (!awaiting_answer_) return;  // answered twice: the first answer stands
    awaiting_answer_ = false;
    const std::shared_ptr<Connection> keep = std::move(waiting_self_);
    --loop_.in_flight;
    Answer(std::move(response));
  }

  void Answer(HttpResponse in, bool close = false) {
    auto it = in.headers.find("Connection");
    if (it != in.headers.end() && beast::iequals(it->second, "close")) close = true;
    close = close || !keep_alive_ || loop_.stopping;
    response_ = {};
    response_.version(version_);
    response_.result(static_cast<unsigned>(in.status));
    for (const auto& [name, value] : in.headers) response_.set(name, value);
    if (!in.content_type.empty()) response_.set(bhttp::field::content_type, in.content_type);
    response_.body() = std::move(in.body);
    response_.keep_alive(!close);
    response_.prepare_payload();
    if (is_head_) response_.body().clear();  // Content-Length still says what GET would send
    stream_.expires_after(std::chrono::seconds(core_.options.read_timeout_seconds));
    ++loop_.writing;
    bhttp::async_write(stream_, response_,
                       [self = shared_from_this(), close](beast::error_code ec, size_t) {
                         --self->loop_.writing;
                         if (ec || close) return self->Close();
                         self->ReadHead();
                       });
  }

  // Answers a request refused from its head (or a broken one) and closes the connection.
  void Refuse(const Status& status, int http_status) {
    HttpRequest head;
    if (parser_ && parser_->is_header_done()) {
      head = ConvertHead(parser_->get());
      keep_alive_ = false;
      version_ = parser_->get().version();
      is_head_ = false;
    }
    HttpResponse response = core_.on_error(head, status);
    response.status = http_status;
    Answer(std::move(response), /*close=*/true);
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
  }

  const Core& core_;
  Loop& loop_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> response_;  // alive while it is written
  bool keep_alive_ = true;
  unsigned version_ = 11;
  bool is_head_ = false;
  bool awaiting_answer_ = false;
  std::shared_ptr<Connection> waiting_self_;  // set while the handler owes an answer
};

}  // namespace

struct HttpServer::Impl {
  Core core;                                 // before the loops: connections point at it
  std::vector<std::unique_ptr<Loop>> loops;  // the acceptor runs on loops[0]
  std::optional<tcp::acceptor> acceptor;
  size_t next_loop = 0;  // where the next accepted connection goes (loops[0]'s thread only)
  bool started = false;

  void Accept() {
    Loop& loop = *loops[next_loop];
    next_loop = (next_loop + 1) % loops.size();
    acceptor->async_accept(loop.ioc, [this, &loop](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
      if (!ec) {
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        // The socket already belongs to `loop`; the connection starts on its thread.
        asio::post(loop.ioc, [connection = std::make_shared<Connection>(
                                  std::move(socket), core, loop)] { connection->ReadHead(); });
      }
      Accept();
    });
  }
};

HttpServer::HttpServer(HttpServerOptions options, RequestHandler handler, ErrorResponder on_error)
    : impl_(std::make_unique<Impl>()) {
  impl_->core.options = std::move(options);
  impl_->core.handler = std::move(handler);
  impl_->core.on_error = std::move(on_error);
}

HttpServer::~HttpServer() { Stop(); }

int HttpServer::in_flight() const {
  if (!impl_) return 0;
  int total = 0;
  for (const auto& loop : impl_->loops) total += loop->in_flight.load();
  return total;
}

StatusOr<int> HttpServer::Start() {
  Impl& impl = *impl_;
  if (impl.started) return FailedPreconditionError("the HTTP server is already started");
  const HttpServerOptions& o = impl.core.options;
  constexpr int kMaxLoopThreads = 64;
  if (o.loop_threads < 0 || o.loop_threads > kMaxLoopThreads) {
    return InvalidArgumentError("loop_threads is " + std::to_string(o.loop_threads) +
                                ", expected 0 (one per core) to " +
                                std::to_string(kMaxLoopThreads));
  }
  const int loop_count = o.loop_threads > 0 ? o.loop_threads : DefaultLoopThreads();
  impl.loops.clear();
  for (int i = 0; i < loop_count; ++i) impl.loops.push_back(std::make_unique<Loop>());
  asio::io_context& accept_ioc = impl.loops[0]->ioc;

  const std::string where = o.host + ":" + std::to_string(o.port);
  beast::error_code ec;
  asio::ip::address address = asio::ip::make_address(o.host, ec);
  if (ec) {
    tcp::resolver resolver(accept_ioc);
    auto found = resolver.resolve(o.host, std::to_string(o.port), ec);
    if (ec || found.empty()) return UnavailableError("cannot resolve host " + o.host);
    address = found.begin()->endpoint().address();
  }
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(o.port));
  impl.acceptor.emplace(accept_ioc);
  impl.acceptor->open(endpoint.protocol(), ec);
  if (!ec) impl.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl.acceptor->bind(endpoint, ec);
  if (!ec) impl.acceptor->listen(o.listen_backlog, ec);
  if (ec) {
    impl.acceptor.reset();
    return UnavailableError("cannot bind " + where +
                            " (in use, or not permitted): " + ec.message());
  }
  const int port = impl.acceptor->local_endpoint().port();
  impl.next_loop = 0;
  impl.Accept();
  for (auto& loop_ptr : impl.loops) {
    Loop& loop = *loop_ptr;
    loop.work.emplace(asio::make_work_guard(loop.ioc));
    {
      std::lock_guard<std::mutex> lock(loop.gate->mu);
      loop.gate->ioc = &loop.ioc;
    }
    loop.thread = std::thread([&loop] {
      pthread_setname_np(pthread_self(), "http-loop");
      loop.ioc.run();
    });
  }
  impl.started = true;
  return port;
}

void HttpServer::Stop() {
  if (!impl_ || !impl_->started) return;
  Impl& impl = *impl_;
  impl.started = false;
  // Every loop marks itself stopping (no new request reaches the handler after that) and the
  // first closes the acceptor.
  std::atomic<size_t> stopped_loops{0};
  for (size_t i = 0; i < impl.loops.size(); ++i) {
    Loop& loop = *impl.loops[i];
    asio::post(loop.ioc, [&impl, &loop, &stopped_loops, i] {
      loop.stopping = true;
      if (i == 0) {
        beast::error_code ignored;
        impl.acceptor->close(ignored);
      }
      ++stopped_loops;
    });
  }
  // Answers still owed go out before the loops stop. in_flight only grows on a loop thread
  // while not stopping, so once every loop is stopping and it reads zero it stays zero.
  const auto deadline = std::chrono::steady_clock::now() + kStopWait;
  auto owed = [&impl] {
    int total = 0;
    for (const auto& loop : impl.loops) total += loop->in_flight.load() + loop->writing.load();
    return total;
  };
  while ((stopped_loops.load() < impl.loops.size() || owed() > 0) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const int unanswered = in_flight();
  for (auto& loop : impl.loops) {
    {
      std::lock_guard<std::mutex> lock(loop->gate->mu);
      loop->gate->ioc = nullptr;
    }
    loop->work.reset();
    loop->ioc.stop();
  }
  for (auto& loop : impl.loops) loop->thread.join();
  if (unanswered > 0) {
    // Their connections stay open (and allocated) until the process exits.
    TL_LOG(kError) << "HTTP server stopped with " << unanswered << " requests unanswered after "
                   << kStopWait.count() << " s";
  }
}

}  // namespace tinyloop::api
