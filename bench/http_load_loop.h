// Event-driven HTTP/1.1 load generator for benchmarks: one thread runs a non-blocking epoll
// loop over many keep-alive connections, each with exactly one request outstanding (send a
// request, read its whole response, send the next: no pipelining), so C concurrent clients
// cost one thread instead of C. ingest_bench part (ii) runs one loop per --client-threads.
// Part of bench/; responses are parsed by http_response.h.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "http_response.h"

namespace tinyloop::bench {

// What a loop sends and where its results go. The loop calls it from its own thread only, so
// an implementation shared by several loops must be thread-safe.
class LoadSource {
 public:
  virtual ~LoadSource() = default;
  // Sets `request` to the next complete request (with Content-Length) to send and returns
  // true, or returns false to stop: the connection asking is then closed. The bytes must stay
  // valid until their response or error has been reported.
  virtual bool Next(std::string_view& request) = 0;
  // The whole response to a request; `latency_ns` runs from Next to its last byte (a connect
  // included when the connection had to be opened). response.body is valid during the call.
  virtual void OnResponse(const HttpResponseView& response, int64_t latency_ns) = 0;
  // The request failed (connect, send, receive, peer closed, malformed response). The
  // connection was closed; the next request opens a new one.
  virtual void OnError(const Status& error, int64_t latency_ns) = 0;
};

// Many keep-alive connections to one IPv4 address driven by one thread. Not thread-safe:
// construct it, call Run once, destroy it, all on one thread. Owns its sockets.
class HttpLoadLoop {
 public:
  // `host` is a numeric IPv4 address. `sockets` holds one entry per connection: a connected
  // TCP socket (the loop takes it over and makes it non-blocking) or -1 for a connection the
  // loop opens itself before its first request. A request without its whole answer after
  // `request_timeout_ns` (checked every 50 ms; 0: wait forever) fails as Unavailable.
  HttpLoadLoop(std::string host, int port, std::vector<int> sockets,
               int64_t request_timeout_ns = 0);
  HttpLoadLoop(const HttpLoadLoop&) = delete;
  HttpLoadLoop& operator=(const HttpLoadLoop&) = delete;
  ~HttpLoadLoop();  // closes the sockets still open

  // Sends source's requests over every connection until source.Next has returned false for
  // each of them and no request is outstanding; every request taken ends in exactly one
  // OnResponse or OnError. A connection the server closes ("Connection: close", or an error)
  // is reopened for its next request. InvalidArgument for a bad host; Internal when epoll
  // itself fails (requests outstanding then are reported to nobody).
  Status Run(LoadSource& source);

  // Connections the loop opened itself (after a close or an error, or for -1 entries).
  int64_t connections_opened() const { return connections_opened_; }
  // Times a request could not be sent at once because the socket buffer was full.
  int64_t partial_sends() const { return partial_sends_; }
  // epoll_wait calls that returned events; requests / wakeups is the batching the loop got.
  int64_t wakeups() const { return wakeups_; }

 private:
  enum class State { kIdle, kConnecting, kSending, kReceiving, kStopped };
  struct Connection {
    int fd = -1;
    State state = State::kIdle;
    uint32_t events = 0;  // registered with epoll
    std::string_view request;
    size_t sent = 0;
    int64_t start_ns = 0;
    std::string received;  // an incomplete response, when it came in several reads
  };

  void StartNext(size_t i, LoadSource& source);
  void BeginConnect(size_t i, LoadSource& source);
  void ContinueSend(size_t i, LoadSource& source);
  void OnEvent(size_t i, uint32_t events, LoadSource& source);
  void Receive(size_t i, LoadSource& source);
  // Fails the requests outstanding for longer than request_timeout_ns_.
  void FailOverdue(LoadSource& source);
  // Reports `error` for the outstanding request, closes the socket, queues the next request.
  void Fail(size_t i, const Status& error, LoadSource& source);
  // Registers (or re-registers) the socket for `events`; false when epoll refuses.
  bool Watch(Connection& c, uint32_t events);
  void CloseSocket(Connection& c);

  std::string host_;
  int port_ = 0;
  uint32_t address_ = 0;  // host_ in network byte order, set by Run
  int64_t request_timeout_ns_ = 0;
  int64_t next_timeout_check_ns_ = 0;
  std::vector<Connection> connections_;
  std::vector<size_t> ready_;  // idle connections waiting for their next request
  size_t active_ = 0;          // connections not stopped
  int epoll_fd_ = -1;
  std::string epoll_error_;  // first failure of epoll_ctl, returned by Run
  std::unique_ptr<char[]> scratch_;
  int64_t connections_opened_ = 0;
  int64_t partial_sends_ = 0;
  int64_t wakeups_ = 0;
};

}  // namespace tinyloop::bench
