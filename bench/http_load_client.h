// A minimal blocking HTTP/1.1 keep-alive connection for benchmarks: it sends request bytes
// built ahead of time and reads one response (http_response.h). ingest_bench opens and proves
// its connections with it before the clock starts, then hands their sockets to the event loops
// that drive the load (http_load_loop.h). Not a general client: no chunked responses, no TLS,
// no redirects. Part of bench/; production code uses api::HttpClient.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace tinyloop::bench {

struct RawResponse {
  int status = 0;
  std::string body;
  bool close = false;  // the server answered "Connection: close"
};

// One TCP connection. Not thread-safe: one thread per connection. Move-only; the destructor
// closes the socket.
class KeepAliveConnection {
 public:
  // Connects to host:port (a numeric IPv4 address such as "127.0.0.1") with TCP_NODELAY.
  // Unavailable when the connection fails.
  static StatusOr<KeepAliveConnection> Connect(const std::string& host, int port);

  KeepAliveConnection(KeepAliveConnection&& other) noexcept;
  KeepAliveConnection& operator=(KeepAliveConnection&& other) noexcept;
  KeepAliveConnection(const KeepAliveConnection&) = delete;
  KeepAliveConnection& operator=(const KeepAliveConnection&) = delete;
  ~KeepAliveConnection();

  // Writes `request` (a complete HTTP/1.1 request with Content-Length) and reads one response.
  // Unavailable when the socket fails or the peer closes; InvalidArgument when the response
  // is malformed or chunked. After an error the connection must not be reused.
  StatusOr<RawResponse> RoundTrip(std::string_view request);

  // Gives up the socket (still connected, blocking) to the caller, who must close it; -1 when
  // the connection is closed. Bytes received after the last response are dropped.
  int Release();

 private:
  explicit KeepAliveConnection(int fd) : fd_(fd) {}
  Status SendAll(std::string_view bytes);
  // Appends at least one more byte from the socket to buffer_.
  Status ReadMore();

  int fd_ = -1;
  std::string buffer_;  // bytes received and not yet consumed
};

}  // namespace tinyloop::bench
