#include "http_load_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "http_response.h"

namespace tinyloop::bench {
namespace {

constexpr size_t kReadChunk = 16 * 1024;

Status ErrnoError(const std::string& what) {
  return UnavailableError(what + ": " + std::strerror(errno));
}

}  // namespace

StatusOr<KeepAliveConnection> KeepAliveConnection::Connect(const std::string& host, int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    return InvalidArgumentError("host must be a numeric IPv4 address, got '" + host + "'");
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return ErrnoError("socket");
  KeepAliveConnection conn(fd);
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    return ErrnoError("connect " + host + ":" + std::to_string(port));
  }
  return conn;
}

KeepAliveConnection::KeepAliveConnection(KeepAliveConnection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), buffer_(std::move(other.buffer_)) {}

KeepAliveConnection& KeepAliveConnection::operator=(KeepAliveConnection&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    buffer_ = std::move(other.buffer_);
  }
  return *this;
}

KeepAliveConnection::~KeepAliveConnection() {
  if (fd_ >= 0) ::close(fd_);
}

Status KeepAliveConnection::SendAll(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("send");
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return OkStatus();
}

Status KeepAliveConnection::ReadMore() {
  const size_t old = buffer_.size();
  buffer_.resize(old + kReadChunk);
  for (;;) {
    const ssize_t n = ::recv(fd_, buffer_.data() + old, kReadChunk, 0);
    if (n > 0) {
      buffer_.resize(old + static_cast<size_t>(n));
      return OkStatus();
    }
    buffer_.resize(old);
    if (n == 0) return UnavailableError("server closed the connection");
    if (errno != EINTR) return ErrnoError("recv");
    buffer_.resize(old + kReadChunk);
  }
}

int KeepAliveConnection::Release() {
  buffer_.clear();
  return std::exchange(fd_, -1);
}

StatusOr<RawResponse> KeepAliveConnection::RoundTrip(std::string_view request) {
  if (fd_ < 0) return UnavailableError("connection is closed");
  TL_RETURN_IF_ERROR(SendAll(request));
  for (;;) {
    TL_ASSIGN_OR_RETURN(std::optional<HttpResponseView> parsed, ParseHttpResponse(buffer_));
    if (parsed) {
      RawResponse response;
      response.status = parsed->status;
      response.close = parsed->close;
      response.body = std::string(parsed->body);
      buffer_.erase(0, parsed->size);
      if (response.close) {
        ::close(fd_);
        fd_ = -1;
      }
      return response;
    }
    TL_RETURN_IF_ERROR(ReadMore());
  }
}

}  // namespace tinyloop::bench
