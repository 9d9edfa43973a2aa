// Tests of the benchmarks' HTTP load generator: ParseHttpResponse on whole and partial
// responses, and HttpLoadLoop against a tiny scripted server on 127.0.0.1 (partial sends, a
// response split across reads, Connection: close, non-2xx answers, a peer that closes, a port
// nobody listens on).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "gtest/gtest.h"
#include "http_load_client.h"
#include "http_load_loop.h"
#include "http_response.h"

namespace tinyloop::bench {
namespace {

// ---------------------------------------------------------------------------------------------
// ParseHttpResponse

constexpr std::string_view kOk =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}";

TEST(ParseHttpResponseTest, ParsesACompleteResponse) {
  auto parsed = ParseHttpResponse(kOk);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_TRUE(parsed->has_value());
  EXPECT_EQ((*parsed)->status, 200);
  EXPECT_FALSE((*parsed)->close);
  EXPECT_EQ((*parsed)->body, "{\"ok\":true}");
  EXPECT_EQ((*parsed)->size, kOk.size());
}

TEST(ParseHttpResponseTest, EveryShorterPrefixIsIncomplete) {
  for (size_t n = 0; n < kOk.size(); ++n) {
    auto parsed = ParseHttpResponse(kOk.substr(0, n));
    ASSERT_TRUE(parsed.ok()) << n << ": " << parsed.status().ToString();
    EXPECT_FALSE(parsed->has_value()) << "complete after " << n << " bytes";
  }
}

TEST(ParseHttpResponseTest, LeavesTheBytesOfTheNextResponse) {
  const std::string two = std::string(kOk) + "HTTP/1.1 404 Not Found\r\n";
  auto parsed = ParseHttpResponse(two);
  ASSERT_TRUE(parsed.ok());
  ASSERT_TRUE(parsed->has_value());
  EXPECT_EQ((*parsed)->size, kOk.size());
}

TEST(ParseHttpResponseTest, ReadsConnectionCloseAndStatusCaseInsensitively) {
  auto parsed = ParseHttpResponse(
      "HTTP/1.1 503 Service Unavailable\r\nconnection:  Close \r\ncontent-length: 0\r\n\r\n");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_TRUE(parsed->has_value());
  EXPECT_EQ((*parsed)->status, 503);
  EXPECT_TRUE((*parsed)->close);
  EXPECT_EQ((*parsed)->body, "");
}

TEST(ParseHttpResponseTest, RefusesWhatTheBenchCannotRead) {
  const std::pair<const char*, const char*> cases[] = {
      {"HTTP/1.1 200 OK\r\n\r\n", "without Content-Length"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "chunked"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", "Content-Length"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 12345678901234567\r\n\r\n", "Content-Length"},
      {"SMTP 220 hello\r\nContent-Length: 0\r\n\r\n", "status line"},
      {"HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n", "status line"},
  };
  for (const auto& [bytes, what] : cases) {
    auto parsed = ParseHttpResponse(bytes);
    ASSERT_FALSE(parsed.ok()) << bytes;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find(what), std::string::npos) << parsed.status().message();
  }
}

TEST(ParseHttpResponseTest, RefusesAnEndlessHead) {
  const std::string head = "HTTP/1.1 200 OK\r\nX: " + std::string(kMaxResponseHeadBytes, 'a');
  auto parsed = ParseHttpResponse(head);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("response head over"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// A scripted HTTP server on 127.0.0.1: one thread per connection reads whole requests
// (Content-Length bodies) and answers each as `reply` says.

struct Reply {
  std::vector<std::string> chunks;  // written one after another, `pause` apart
  std::chrono::milliseconds pause{0};
  bool close_after = false;  // close the connection after the chunks
};

class ScriptedServer {
 public:
  // reply(n, body): the answer to the n-th request the server read (0-based, all connections).
  // receive_buffer > 0 shrinks the accepted sockets' SO_RCVBUF; read_delay pauses before each
  // request is read, so a large request fills the client's socket buffer.
  explicit ScriptedServer(std::function<Reply(int, const std::string&)> reply,
                          int receive_buffer = 0,
                          std::chrono::milliseconds read_delay = std::chrono::milliseconds(0))
      : reply_(std::move(reply)), read_delay_(read_delay) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (receive_buffer > 0) {
      ::setsockopt(listen_fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(listen_fd_, 64) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ADD_FAILURE() << "cannot listen on 127.0.0.1: " << std::strerror(errno);
      return;
    }
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { Accept(); });
  }

  ~ScriptedServer() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
    if (acceptor_.joinable()) acceptor_.join();
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : handlers_) t.join();
    ::close(listen_fd_);
  }

  int port() const { return port_; }
  int connections() const { return connections_.load(); }
  std::vector<std::string> bodies() {
    std::lock_guard<std::mutex> lock(mu_);
    return bodies_;
  }

 private:
  void Accept() {
    for (;;) {
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        if (stopping_) return;
        continue;
      }
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      connections_.fetch_add(1);
      std::lock_guard<std::mutex> lock(mu_);
      open_fds_.push_back(fd);
      handlers_.emplace_back([this, fd] { Serve(fd); });
    }
  }

  // Reads one request into `body`; false when the peer closed or the socket failed.
  bool ReadRequest(int fd, std::string& buffer, std::string& body) {
    size_t head_end;
    while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
      if (!ReadMore(fd, buffer)) return false;
    }
    size_t length = 0;
    const size_t at = buffer.find("Content-Length: ");
    if (at != std::string::npos && at < head_end) length = std::stoul(buffer.substr(at + 16));
    while (buffer.size() < head_end + 4 + length) {
      if (!ReadMore(fd, buffer)) return false;
    }
    body = buffer.substr(head_end + 4, length);
    buffer.erase(0, head_end + 4 + length);
    return true;
  }

  static bool ReadMore(int fd, std::string& buffer) {
    char chunk[4096];
    const ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<size_t>(n));
    return true;
  }

  void Serve(int fd) {
    std::string buffer;
    for (;;) {
      std::this_thread::sleep_for(read_delay_);
      std::string body;
      if (!ReadRequest(fd, buffer, body)) break;
      int n = 0;
      {
        std::lock_guard<std::mutex> lock(mu_);
        n = static_cast<int>(bodies_.size());
        bodies_.push_back(body);
      }
      const Reply reply = reply_(n, body);
      for (size_t i = 0; i < reply.chunks.size(); ++i) {
        if (i > 0) std::this_thread::sleep_for(reply.pause);
        const std::string& c = reply.chunks[i];
        if (::send(fd, c.data(), c.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(c.size())) break;
      }
      if (reply.close_after) break;
    }
    ::shutdown(fd, SHUT_RDWR);
    std::lock_guard<std::mutex> lock(mu_);
    // The fd is closed by the destructor's sweep only if still listed; close it here instead.
    for (auto& open : open_fds_) {
      if (open == fd) open = -1;
    }
    ::close(fd);
  }

  std::function<Reply(int, const std::string&)> reply_;
  std::chrono::milliseconds read_delay_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<int> open_fds_;
  std::vector<std::thread> handlers_;
  std::vector<std::string> bodies_;
};

std::string Response(int status, const std::string& body, bool close = false) {
  return "HTTP/1.1 " + std::to_string(status) +
         " X\r\nContent-Length: " + std::to_string(body.size()) +
         (close ? "\r\nConnection: close" : "") + "\r\n\r\n" + body;
}

Reply Answer(int status, const std::string& body, bool close = false) {
  Reply r;
  r.chunks = {Response(status, body, close)};
  r.close_after = close;
  return r;
}

std::string Request(const std::string& body) {
  return "POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Sends `requests` in order and records what came back.
class RecordingSource : public LoadSource {
 public:
  explicit RecordingSource(std::vector<std::string> requests) : requests_(std::move(requests)) {}

  bool Next(std::string_view& request) override {
    if (next_ == requests_.size()) return false;
    request = requests_[next_++];
    return true;
  }
  void OnResponse(const HttpResponseView& response, int64_t latency_ns) override {
    statuses.push_back(response.status);
    bodies.emplace_back(response.body);
    latencies_ns.push_back(latency_ns);
  }
  void OnError(const Status& error, int64_t latency_ns) override {
    errors.push_back(error);
    latencies_ns.push_back(latency_ns);
  }

  std::vector<int> statuses;
  std::vector<std::string> bodies;
  std::vector<Status> errors;
  std::vector<int64_t> latencies_ns;

 private:
  std::vector<std::string> requests_;
  size_t next_ = 0;
};

std::vector<std::string> Numbered(int count, const std::string& prefix = "sample-") {
  std::vector<std::string> bodies;
  for (int i = 0; i < count; ++i) bodies.push_back(prefix + std::to_string(i));
  return bodies;
}

std::vector<std::string> Requests(const std::vector<std::string>& bodies) {
  std::vector<std::string> requests;
  for (const auto& b : bodies) requests.push_back(Request(b));
  return requests;
}

// A bug that loses a request fails its test instead of hanging it.
constexpr int64_t kTimeoutNs = 10'000'000'000;

std::multiset<std::string> AsSet(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

TEST(HttpLoadLoopTest, KeepAliveConnectionsAnswerEveryRequestOnce) {
  ScriptedServer server([](int, const std::string& body) { return Answer(200, "echo " + body); });
  const std::vector<std::string> sent = Numbered(200);
  RecordingSource source(Requests(sent));
  HttpLoadLoop loop("127.0.0.1", server.port(), {-1, -1, -1, -1}, kTimeoutNs);
  ASSERT_TRUE(loop.Run(source).ok());

  EXPECT_TRUE(source.errors.empty()) << source.errors.front().ToString();
  ASSERT_EQ(source.statuses.size(), sent.size());
  std::vector<std::string> expected;
  for (const auto& b : sent) expected.push_back("echo " + b);
  EXPECT_EQ(AsSet(source.bodies), AsSet(expected));
  EXPECT_EQ(AsSet(server.bodies()), AsSet(sent));
  EXPECT_EQ(loop.connections_opened(), 4);
  EXPECT_EQ(server.connections(), 4);
}

TEST(HttpLoadLoopTest, TakesOverConnectedSocketsOfTheBlockingClient) {
  ScriptedServer server([](int, const std::string& body) { return Answer(200, body); });
  std::vector<int> sockets;
  for (int i = 0; i < 3; ++i) {
    auto conn = KeepAliveConnection::Connect("127.0.0.1", server.port());
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    auto probe = conn->RoundTrip(Request("probe"));
    ASSERT_TRUE(probe.ok()) << probe.status().ToString();
    EXPECT_EQ(probe->status, 200);
    EXPECT_EQ(probe->body, "probe");
    sockets.push_back(conn->Release());
  }
  RecordingSource source(Requests(Numbered(30)));
  HttpLoadLoop loop("127.0.0.1", server.port(), sockets, kTimeoutNs);
  ASSERT_TRUE(loop.Run(source).ok());
  EXPECT_EQ(source.statuses.size(), 30u);
  EXPECT_TRUE(source.errors.empty());
  EXPECT_EQ(loop.connections_opened(), 0);
  EXPECT_EQ(server.connections(), 3);
}

TEST(HttpLoadLoopTest, FinishesRequestsLargerThanTheSocketBuffers) {
  // A small receive buffer and a server that waits before reading: the client's send finds
  // the buffer full and must go on from where it stopped when the socket drains.
  ScriptedServer server(
      [](int, const std::string& body) { return Answer(200, std::to_string(body.size())); },
      /*receive_buffer=*/4096, std::chrono::milliseconds(30));
  std::vector<std::string> sent;
  for (int i = 0; i < 3; ++i) {
    std::string body(4 << 20, 'a');
    for (size_t j = 0; j < body.size(); j += 4096) body[j] = static_cast<char>('b' + (i + j) % 20);
    sent.push_back(body);
  }
  RecordingSource source(Requests(sent));
  HttpLoadLoop loop("127.0.0.1", server.port(), {-1, -1}, kTimeoutNs);
  ASSERT_TRUE(loop.Run(source).ok());
  EXPECT_TRUE(source.errors.empty()) << source.errors.front().ToString();
  EXPECT_EQ(source.bodies, std::vector<std::string>(3, std::to_string(4 << 20)));
  EXPECT_GT(loop.partial_sends(), 0);
  EXPECT_EQ(AsSet(server.bodies()), AsSet(sent));  // every byte arrived, in order
}

TEST(HttpLoadLoopTest, CollectsAResponseSplitAcrossReads) {
  ScriptedServer server([](int, const std::string&) {
    Reply r;
    r.chunks = {"HTTP/1.1 20", "1 Created\r\nContent-Len", "gth: 11\r\n\r\nhello", " world"};
    r.pause = std::chrono::milliseconds(20);
    return r;
  });
  RecordingSource source(Requests(Numbered(3)));
  HttpLoadLoop loop("127.0.0.1", server.port(), {-1}, kTimeoutNs);
  ASSERT_TRUE(loop.Run(source).ok());
  EXPECT_TRUE(source.errors.empty()) << source.errors.front().ToString();
  EXPECT_EQ(source.statuses, std::vector<int>(3, 201));
  EXPECT_EQ(source.bodies, std::vector<std::string>(3, "hello world"));
  for (int64_t ns : source.latencies_ns) EXPECT_GE(ns, 60'000'000);  // three pauses
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpLoadLoopTest, ReopensTheConnectionAfterConnectionClose) {
  ScriptedServer server(
      [](int n, const std::string&) { return Answer(200, std::to_string(n), /*close=*/true); });
  RecordingSource source(Requests(Numbered(5)));
  HttpLoadLoop loop("127.0.0.1", server.port(), {-1}, kTimeoutNs);
  ASSERT_TRUE(loop.Run(source).ok());
  EXPECT_TRUE(source.errors.empty()) << source.errors.front().ToString();
  EXPECT_EQ(source.bodies, (std::vector<std::string>{"0", "1", "2", "3", "4"}));
  EXPECT_EQ(loop.connections_opened(), 5);
  EXPECT_EQ(server.connections(), 5);
}

TEST(HttpLoadLoopTest, ReportsNon2xxAnswersAsResponsesAndKeepsTheConnection) {
  const std::string error = R"({"error":{"code":"not_found","message":"no such route"}})";
  ScriptedServer server([&](int n, const std::string&) {
    return n % 2 == 0 ? Answer(404, error) : Answer(200, "ok");
  });
  RecordingSource source(Requests(Numbered(4)));
  HttpLoadLoop loop("127.0.0.1", server.port(), {-1}, kTimeoutNs);
  ASSERT_TRUE(loop.Run(source).ok());
  EXPECT_TRUE(source.errors.empty());
  EXPECT_EQ(source.statuses, (std::vector<int>{404, 200, 404, 200}));
  EXPECT_EQ(source.bodies[0], error);
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpLoadLoopTest, AServerThatClosesWithoutAnsweringIsAnErrorAndTheNextRequestReconnects) {
  ScriptedServer server([](int n, const std::string&) {
    Reply r;
    if (n == 1) {
      r.chunks = {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf"};  // 6 bytes short
      r.close_after = true;
      return r;
    }
    return Answer(200, "ok");
  });
  RecordingSource source(Requests(Numbered(4)));
  HttpLoadLoop loop("127.0.0.1", server.port(), {-1}, kTimeoutNs);
  ASSERT_TRUE(loop.Run(source).ok());
  ASSERT_EQ(source.errors.size(), 1u);
  EXPECT_EQ(source.errors[0].code(), StatusCode::kUnavailable);
  EXPECT_NE(source.errors[0].message().find("closed the connection"), std::string::npos);
  EXPECT_EQ(source.statuses, (std::vector<int>{200, 200, 200}));
  EXPECT_EQ(loop.connections_opened(), 2);
}

TEST(HttpLoadLoopTest, AMalformedResponseIsAnError) {
  ScriptedServer server([](int, const std::string&) {
    Reply r;
    r.chunks = {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"};
    return r;
  });
  RecordingSource source(Requests(Numbered(2)));
  HttpLoadLoop loop("127.0.0.1", server.port(), {-1}, kTimeoutNs);
  ASSERT_TRUE(loop.Run(source).ok());
  ASSERT_EQ(source.errors.size(), 2u);
  EXPECT_EQ(source.errors[0].code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(source.statuses.empty());
}

TEST(HttpLoadLoopTest, EveryRequestToAPortNobodyListensOnFails) {
  // A port that was free a moment ago: bind, read it back, close.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);
  RecordingSource source(Requests(Numbered(3)));
  HttpLoadLoop loop("127.0.0.1", ntohs(addr.sin_port), {-1, -1}, kTimeoutNs);
  ASSERT_TRUE(loop.Run(source).ok());
  ASSERT_EQ(source.errors.size(), 3u);
  for (const Status& e : source.errors) {
    EXPECT_NE(e.message().find("connect 127.0.0.1:"), std::string::npos) << e.ToString();
  }
}

TEST(HttpLoadLoopTest, ARequestWithoutAnswerTimesOut) {
  ScriptedServer server([](int n, const std::string&) {
    return n == 0 ? Reply{} : Answer(200, "ok");  // the first request is never answered
  });
  RecordingSource source(Requests(Numbered(2)));
  HttpLoadLoop loop("127.0.0.1", server.port(), {-1}, /*request_timeout_ns=*/200'000'000);
  const int64_t start = MonotonicNanos();
  ASSERT_TRUE(loop.Run(source).ok());
  EXPECT_GE(MonotonicNanos() - start, 200'000'000);
  ASSERT_EQ(source.errors.size(), 1u);
  EXPECT_EQ(source.errors[0].message(), "no answer within 200 ms");
  EXPECT_GE(source.latencies_ns[0], 200'000'000);
  EXPECT_EQ(source.statuses, std::vector<int>{200});
  EXPECT_EQ(loop.connections_opened(), 2);
}

TEST(HttpLoadLoopTest, RefusesAHostThatIsNotANumericAddress) {
  RecordingSource source(Requests(Numbered(1)));
  HttpLoadLoop loop("localhost", 80, {-1}, kTimeoutNs);
  const Status st = loop.Run(source);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("numeric IPv4"), std::string::npos);
}

}  // namespace
}  // namespace tinyloop::bench
