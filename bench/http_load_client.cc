#include "http_load_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace tinyloop::bench {
namespace {

constexpr size_t kReadChunk = 16 * 1024;

Status ErrnoError(const std::string& what) {
  return UnavailableError(what + ": " + std::strerror(errno));
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
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

StatusOr<RawResponse> KeepAliveConnection::RoundTrip(std::string_view request) {
  if (fd_ < 0) return UnavailableError("connection is closed");
  TL_RETURN_IF_ERROR(SendAll(request));

  size_t header_end = std::string::npos;
  size_t searched = 0;
  while ((header_end = buffer_.find("\r\n\r\n", searched)) == std::string::npos) {
    searched = buffer_.size() >= 3 ? buffer_.size() - 3 : 0;
    TL_RETURN_IF_ERROR(ReadMore());
  }
  const std::string_view head(buffer_.data(), header_end);

  RawResponse response;
  // "HTTP/1.1 200 OK"
  const size_t sp = head.find(' ');
  if (head.compare(0, 5, "HTTP/") != 0 || sp == std::string_view::npos || sp + 4 > head.size()) {
    return InvalidArgumentError("malformed status line: " + std::string(head.substr(0, 64)));
  }
  response.status = std::atoi(std::string(head.substr(sp + 1, 3)).c_str());

  size_t content_length = 0;
  bool have_length = false;
  size_t pos = head.find("\r\n");
  while (pos != std::string_view::npos && pos < head.size()) {
    const size_t start = pos + 2;
    size_t end = head.find("\r\n", start);
    if (end == std::string_view::npos) end = head.size();
    const std::string_view line = head.substr(start, end - start);
    const size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      const std::string_view name = Trim(line.substr(0, colon));
      const std::string_view value = Trim(line.substr(colon + 1));
      if (EqualsIgnoreCase(name, "content-length")) {
        content_length = std::strtoull(std::string(value).c_str(), nullptr, 10);
        have_length = true;
      } else if (EqualsIgnoreCase(name, "connection")) {
        response.close = EqualsIgnoreCase(value, "close");
      } else if (EqualsIgnoreCase(name, "transfer-encoding")) {
        return InvalidArgumentError("chunked responses are not supported by the bench client");
      }
    }
    pos = end;
  }
  if (!have_length) return InvalidArgumentError("response without Content-Length");

  const size_t body_start = header_end + 4;
  while (buffer_.size() < body_start + content_length) TL_RETURN_IF_ERROR(ReadMore());
  response.body = buffer_.substr(body_start, content_length);
  buffer_.erase(0, body_start + content_length);
  if (response.close) {
    ::close(fd_);
    fd_ = -1;
  }
  return response;
}

}  // namespace tinyloop::bench
