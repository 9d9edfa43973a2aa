// The event-loop HTTP server: Boost.Beast parses HTTP/1.1 (http_wire.cc writes the answers)
// and Boost.Asio runs the sockets on a few loop threads, each connection on one of them. A
// request is handed to the handler with a Responder; answers that come from other threads (a
// group commit) are posted back to the connection's loop. The one file that includes Boost.
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

#include "api/http_wire.h"
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
        AsciiLower(std::string_view(field.name_string().data(), field.name_string().size()));
    const std::string_view value(field.value().data(), field.value().size());
    out.headers.emplace(std::move(name),
                        name == "location" ? std::string(value) : DecodeUrl(value, false));
  }
  return out;
}

using Clock = std::chrono::steady_clock;

// One client connection: reads a request, hands it on, writes the answer, reads the next one
// (pipelined requests wait in the buffer meanwhile). Lives as long as an operation or a
// Responder holds it; touched only on its loop's thread.
//
// Reads wait for readability, then read what arrived without blocking (one system call to
// wait, as Beast's speculative read that finds nothing right after an answer cost, and no
// per-read timer or type-erased executor); answers are written directly and only wait when
// the socket's buffer is full. One timer per connection enforces
// the timeouts: it is re-armed only when a deadline moves earlier, and when it fires while the
// deadline has moved later it sleeps again until then.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, const Core& core, Loop& loop)
      : core_(core), loop_(loop), socket_(std::move(socket)), timer_(loop.ioc) {}

  void Start() {
    beast::error_code ignored;
    socket_.set_option(tcp::no_delay(true), ignored);
    socket_.non_blocking(true, ignored);
    StartRequest();
  }

 private:
  // Begins the next request: parses what is already buffered, or waits for bytes.
  void StartRequest() {
    parser_.emplace();
    parser_->header_limit(kMaxHeaderBytes);
    // The limit is checked from Content-Length once the head is in; here it would turn the
    // head read itself into an error without a request to answer. (Not boost::none: Beast
    // 1.74 compares Content-Length > none as true.)
    parser_->body_limit(std::numeric_limits<uint64_t>::max());
    head_checked_ = false;
    if (buffer_.size() > 0) return Parse();
    WaitForBytes();
  }

  // Feeds buffered bytes to the parser until the request is complete or more are needed.
  void Parse() {
    for (;;) {
      if (parser_->is_header_done() && !head_checked_) {
        head_checked_ = true;
        if (!OnHead()) return;  // answered, or waiting for "100 Continue" to be written
        continue;
      }
      if (parser_->is_done()) return OnRequest();
      if (buffer_.size() == 0) return WaitForBytes();
      beast::error_code ec;
      const size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == bhttp::error::need_more) return WaitForBytes();
      if (ec) return OnReadError(ec);
      if (used == 0) return WaitForBytes();
    }
  }

  void WaitForBytes() {
    const bool idle = buffer_.size() == 0 && !parser_->got_some();
    SetDeadline(idle ? core_.options.keep_alive_seconds : core_.options.read_timeout_seconds);
    socket_.async_wait(tcp::socket::wait_read,
                       [self = shared_from_this()](beast::error_code ec) { self->OnReadable(ec); });
  }

  void OnReadable(beast::error_code ec) {
    if (ec) return Close();  // closed by a timeout or by Stop
    constexpr size_t kReadChunk = 16 * 1024;
    const size_t got = socket_.read_some(buffer_.prepare(kReadChunk), ec);
    buffer_.commit(got);
    if (ec == asio::error::would_block || ec == asio::error::try_again) return WaitForBytes();
    if (ec == asio::error::eof) {
      // The client closed: a request cut short is not answered.
      return Close();
    }
    if (ec) return Close();  // reset
    Parse();
  }

  // Checks a complete head. False when the request was answered from it (413) or the body
  // waits for "100 Continue" to be written.
  bool OnHead() {
    const size_t limit = core_.options.max_body_bytes;
    if (const auto length = parser_->content_length(); length && *length > limit) {
      // Answer from the head and close: the body is never read.
      Refuse(ResourceExhaustedError(TooLargeMessage(*length, limit)), 413);
      return false;
    }
    if (parser_->is_done()) return true;  // no body
    parser_->body_limit(limit);           // for chunked bodies, checked while they arrive
    const auto expect = parser_->get()[bhttp::field::expect];
    if (!beast::iequals(expect, "100-continue")) return true;
    static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
    SetDeadline(core_.options.read_timeout_seconds);
    asio::async_write(socket_, asio::buffer(kContinue, sizeof(kContinue) - 1),
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) return self->Close();
                        self->Parse();
                      });
    return false;
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
    Close();
  }

  void OnRequest() {
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
    waiting_self_ = shared_from_this();  // no operation is pending to keep this alive meanwhile
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

  void Answer(const HttpResponse& response, bool close = false) {
    auto it = response.headers.find("Connection");
    if (it != response.headers.end() && beast::iequals(it->second, "close")) close = true;
    close_after_write_ = close || !keep_alive_ || loop_.stopping;
    out_ = SerializeResponse(response, {version_, !close_after_write_, is_head_});
    written_ = 0;
    ++loop_.writing;
    Write();
  }

  // Writes what the socket takes now; waits for room only when its buffer is full.
  void Write() {
    beast::error_code ec;
    written_ +=
        socket_.write_some(asio::buffer(out_.data() + written_, out_.size() - written_), ec);
    if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
      return Written(ec);
    }
    if (written_ == out_.size()) return Written({});
    SetDeadline(core_.options.read_timeout_seconds);
    socket_.async_wait(tcp::socket::wait_write, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->Written(ec);
      self->Write();
    });
  }

  void Written(beast::error_code ec) {
    --loop_.writing;
    if (ec || close_after_write_) return Close();
    if (buffer_.size() == 0) return StartRequest();
    // A pipelined request is waiting: go on from the loop, not deeper in this call stack.
    asio::post(loop_.ioc, [self = shared_from_this()] { self->StartRequest(); });
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
    Answer(response, /*close=*/true);
  }

  // The pending read or write fails once `seconds` pass without its completion.
  void SetDeadline(int seconds) {
    deadline_ = Clock::now() + std::chrono::seconds(seconds);
    if (timer_armed_ && timer_expiry_ <= deadline_) return;  // it fires first and re-arms
    ArmTimer(deadline_);
  }

  void ArmTimer(Clock::time_point when) {
    timer_armed_ = true;
    timer_expiry_ = when;
    const uint64_t generation = ++timer_generation_;
    timer_.expires_at(when);
    timer_.async_wait([weak = weak_from_this(), generation](beast::error_code ec) {
      if (ec) return;
      if (auto self = weak.lock()) self->OnTimer(generation);
    });
  }

  void OnTimer(uint64_t generation) {
    if (generation != timer_generation_) return;  // re-armed since
    timer_armed_ = false;
    // While the handler owes an answer nothing waits on the socket; the next wait re-arms.
    if (awaiting_answer_ || closed_) return;
    if (Clock::now() < deadline_) return ArmTimer(deadline_);
    Close();  // the pending wait completes with an error and releases the connection
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ignored;
    timer_.cancel();
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    socket_.close(ignored);
  }

  const Core& core_;
  Loop& loop_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  Clock::time_point deadline_{};      // of the pending read or write
  Clock::time_point timer_expiry_{};  // when timer_ fires, while timer_armed_
  bool timer_armed_ = false;
  uint64_t timer_generation_ = 0;  // the wait that counts; earlier ones were replaced
  beast::flat_buffer buffer_;      // bytes read and not parsed yet
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bool head_checked_ = false;  // OnHead ran for the request being parsed
  std::string out_;            // the answer being written
  size_t written_ = 0;
  bool close_after_write_ = false;
  bool keep_alive_ = true;
  unsigned version_ = 11;
  bool is_head_ = false;
  bool awaiting_answer_ = false;
  bool closed_ = false;
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
        // The socket already belongs to `loop`; the connection starts on its thread.
        asio::post(loop.ioc, [connection = std::make_shared<Connection>(
                                  std::move(socket), core, loop)] { connection->Start(); });
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
