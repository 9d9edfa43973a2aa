#include "http_load_loop.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "base/clock.h"

namespace tinyloop::bench {
namespace {

constexpr size_t kScratchBytes = 64 * 1024;
constexpr int kMaxEvents = 256;
constexpr int kTimeoutCheckMs = 50;

Status ErrnoError(const std::string& what, int error) {
  return UnavailableError(what + ": " + std::strerror(error));
}

bool MakeNonBlocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  return flags >= 0 && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

}  // namespace

HttpLoadLoop::HttpLoadLoop(std::string host, int port, std::vector<int> sockets,
                           int64_t request_timeout_ns)
    : host_(std::move(host)),
      port_(port),
      request_timeout_ns_(request_timeout_ns),
      connections_(sockets.size()) {
  for (size_t i = 0; i < sockets.size(); ++i) connections_[i].fd = sockets[i];
}

HttpLoadLoop::~HttpLoadLoop() {
  for (Connection& c : connections_) CloseSocket(c);
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

void HttpLoadLoop::CloseSocket(Connection& c) {
  if (c.fd >= 0) ::close(c.fd);  // also removes it from the epoll set
  c.fd = -1;
  c.events = 0;
  c.received.clear();
}

bool HttpLoadLoop::Watch(Connection& c, uint32_t events) {
  if (c.events == events) return true;
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = static_cast<uint64_t>(&c - connections_.data());
  const int op = c.events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
  if (::epoll_ctl(epoll_fd_, op, c.fd, &ev) != 0) {
    if (epoll_error_.empty()) epoll_error_ = std::string("epoll_ctl: ") + std::strerror(errno);
    return false;
  }
  c.events = events;
  return true;
}

Status HttpLoadLoop::Run(LoadSource& source) {
  in_addr addr{};
  if (::inet_pton(AF_INET, host_.c_str(), &addr) != 1) {
    return InvalidArgumentError("host must be a numeric IPv4 address, got '" + host_ + "'");
  }
  address_ = addr.s_addr;
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) return InternalError(std::string("epoll_create1: ") + std::strerror(errno));
  scratch_ = std::make_unique<char[]>(kScratchBytes);
  for (size_t i = 0; i < connections_.size(); ++i) {
    Connection& c = connections_[i];
    if (c.fd >= 0 && (!MakeNonBlocking(c.fd) || !Watch(c, EPOLLIN))) {
      return InternalError("cannot watch connection " + std::to_string(i) + ": " + epoll_error_);
    }
    ready_.push_back(i);
  }
  active_ = connections_.size();

  epoll_event events[kMaxEvents];
  for (;;) {
    // Starting a request can fail at once (connect refused) and queue the connection again,
    // so this runs until every connection is busy or stopped, without recursion.
    while (!ready_.empty()) {
      const size_t i = ready_.back();
      ready_.pop_back();
      StartNext(i, source);
    }
    if (!epoll_error_.empty()) return InternalError(epoll_error_);
    if (active_ == 0) return OkStatus();
    const int n =
        ::epoll_wait(epoll_fd_, events, kMaxEvents, request_timeout_ns_ > 0 ? kTimeoutCheckMs : -1);
    if (n < 0 && errno != EINTR) {
      return InternalError(std::string("epoll_wait: ") + std::strerror(errno));
    }
    if (n > 0) ++wakeups_;
    for (int e = 0; e < n; ++e) OnEvent(events[e].data.u64, events[e].events, source);
    if (request_timeout_ns_ > 0) FailOverdue(source);
  }
}

void HttpLoadLoop::FailOverdue(LoadSource& source) {
  const int64_t now = MonotonicNanos();
  if (now < next_timeout_check_ns_) return;
  next_timeout_check_ns_ = now + int64_t{kTimeoutCheckMs} * 1'000'000;
  for (size_t i = 0; i < connections_.size(); ++i) {
    const Connection& c = connections_[i];
    const bool outstanding =
        c.state == State::kConnecting || c.state == State::kSending || c.state == State::kReceiving;
    if (outstanding && now - c.start_ns > request_timeout_ns_) {
      Fail(i,
           UnavailableError("no answer within " + std::to_string(request_timeout_ns_ / 1000000) +
                            " ms"),
           source);
    }
  }
}

void HttpLoadLoop::StartNext(size_t i, LoadSource& source) {
  Connection& c = connections_[i];
  if (!source.Next(c.request)) {
    CloseSocket(c);
    c.state = State::kStopped;
    --active_;
    return;
  }
  c.start_ns = MonotonicNanos();
  c.sent = 0;
  if (c.fd < 0) {
    BeginConnect(i, source);
  } else {
    ContinueSend(i, source);
  }
}

void HttpLoadLoop::BeginConnect(size_t i, LoadSource& source) {
  Connection& c = connections_[i];
  c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c.fd < 0) return Fail(i, ErrnoError("socket", errno), source);
  ++connections_opened_;
  const int one = 1;
  ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  addr.sin_addr.s_addr = address_;
  if (::connect(c.fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0) {
    if (!Watch(c, EPOLLIN)) return;
    return ContinueSend(i, source);
  }
  if (errno != EINPROGRESS) {
    return Fail(i, ErrnoError("connect " + host_ + ":" + std::to_string(port_), errno), source);
  }
  c.state = State::kConnecting;
  Watch(c, EPOLLOUT);
}

void HttpLoadLoop::ContinueSend(size_t i, LoadSource& source) {
  Connection& c = connections_[i];
  c.state = State::kSending;
  while (c.sent < c.request.size()) {
    const ssize_t n = ::send(c.fd, c.request.data() + c.sent, c.request.size() - c.sent,
                             MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0) {
      c.sent += static_cast<size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      // The socket buffer is full: go on when it drains, and keep reading meanwhile (the
      // server may answer, e.g. with an error, before it has read the whole request).
      ++partial_sends_;
      Watch(c, EPOLLIN | EPOLLOUT);
      return;
    }
    return Fail(i, ErrnoError("send", errno), source);
  }
  c.state = State::kReceiving;
  Watch(c, EPOLLIN);
}

void HttpLoadLoop::OnEvent(size_t i, uint32_t events, LoadSource& source) {
  Connection& c = connections_[i];
  switch (c.state) {
    case State::kConnecting: {
      int error = 0;
      socklen_t len = sizeof(error);
      if (::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0) error = errno;
      if (error != 0) {
        return Fail(i, ErrnoError("connect " + host_ + ":" + std::to_string(port_), error), source);
      }
      if (!Watch(c, EPOLLIN)) return;
      return ContinueSend(i, source);
    }
    case State::kSending:
      if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0) {
        Receive(i, source);
        if (c.state != State::kSending) return;
      }
      if ((events & EPOLLOUT) != 0) ContinueSend(i, source);
      return;
    case State::kReceiving:
      return Receive(i, source);
    case State::kIdle:
    case State::kStopped:
      return;  // closed earlier in this batch of events
  }
}

void HttpLoadLoop::Receive(size_t i, LoadSource& source) {
  Connection& c = connections_[i];
  const ssize_t n = ::recv(c.fd, scratch_.get(), kScratchBytes, 0);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
    return Fail(i, ErrnoError("recv", errno), source);
  }
  if (n == 0) {
    return Fail(i,
                UnavailableError(c.state == State::kSending
                                     ? "server closed the connection while the request was sent"
                                     : "server closed the connection before answering"),
                source);
  }
  // Most responses arrive in one read and are parsed in place; a split one is collected.
  std::string_view bytes(scratch_.get(), static_cast<size_t>(n));
  if (!c.received.empty()) {
    c.received.append(bytes);
    bytes = c.received;
  }
  StatusOr<std::optional<HttpResponseView>> parsed = ParseHttpResponse(bytes);
  if (!parsed.ok()) return Fail(i, parsed.status(), source);
  if (!*parsed) {
    if (c.received.empty()) c.received.assign(bytes);
    return;
  }
  const HttpResponseView& response = **parsed;
  // With one request outstanding, bytes after the response or an answer before the request
  // was fully sent leave the stream out of step: start the next request on a new connection.
  const bool reopen = response.close || response.size != bytes.size() || c.state == State::kSending;
  source.OnResponse(response, MonotonicNanos() - c.start_ns);
  if (reopen) CloseSocket(c);
  c.received.clear();
  c.state = State::kIdle;
  ready_.push_back(i);
}

void HttpLoadLoop::Fail(size_t i, const Status& error, LoadSource& source) {
  Connection& c = connections_[i];
  CloseSocket(c);
  c.state = State::kIdle;
  source.OnError(error, MonotonicNanos() - c.start_ns);
  ready_.push_back(i);
}

}  // namespace tinyloop::bench
