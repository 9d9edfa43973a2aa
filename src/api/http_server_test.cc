// The event-loop HTTP server over real loopback sockets: keep-alive, pipelining, the 413 that
// comes before the body, answers from other threads (and after the client left), many
// connections at once over several loop threads, decoding of the request, the response's
// framing, Stop with answers still owed.
#include "api/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace tinyloop::api {
namespace {

int Connect(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void SendAll(int fd, const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<size_t>(n);
  }
}

struct Response {
  int status = 0;  // 0: no complete response
  std::string head;
  std::string body;
};

// Reads bytes until `buffer` holds one whole response (Content-Length framing) or the peer
// closes or `timeout_ms` pass; consumes it from `buffer`.
Response ReadResponse(int fd, std::string& buffer, int timeout_ms = 10000) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    const size_t head_end = buffer.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      Response r;
      r.head = buffer.substr(0, head_end);
      size_t length = 0;
      std::string lower = r.head;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const size_t cl = lower.find("content-length:");
      if (cl != std::string::npos) length = std::stoul(lower.substr(cl + 15));
      if (buffer.size() >= head_end + 4 + length) {
        r.status = std::stoi(r.head.substr(9, 3));
        r.body = buffer.substr(head_end + 4, length);
        buffer.erase(0, head_end + 4 + length);
        return r;
      }
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) return {};
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) return {};
    char chunk[65536];
    const ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
    if (n <= 0) return {};
    buffer.append(chunk, static_cast<size_t>(n));
  }
}

// True when the peer closed the connection within `timeout_ms`.
bool PeerClosed(int fd, int timeout_ms = 5000) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return false;
  char c;
  return ::recv(fd, &c, 1, 0) <= 0;
}

std::string Post(const std::string& path, const std::string& body,
                 const std::string& extra_headers = "") {
  return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n" + extra_headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Answers on a thread of its own, after `delay`, like the store's writer thread does.
class LateAnswerer {
 public:
  ~LateAnswerer() {
    for (std::thread& t : threads_) t.join();
  }
  void Answer(HttpServer::Responder respond, HttpResponse response,
              std::chrono::milliseconds delay) {
    std::lock_guard<std::mutex> lock(mu_);
    threads_.emplace_back([respond = std::move(respond), response, delay]() mutable {
      std::this_thread::sleep_for(delay);
      respond(std::move(response));
    });
  }

 private:
  std::mutex mu_;
  std::vector<std::thread> threads_;
};

HttpResponse ErrorAnswer(const HttpRequest& request, const Status& status) {
  HttpResponse r = ErrorResponse(status);
  r.headers["X-Refused-Path"] = request.path;
  return r;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(HttpServer::RequestHandler handler, HttpServerOptions options = {}) {
    server_ = std::make_unique<HttpServer>(options, std::move(handler), ErrorAnswer);
    StatusOr<int> port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    port_ = *port;
  }

  // Echoes method, path and the body, answering from another thread after `delay_ms` given
  // by the x-delay-ms header.
  void StartEchoServer(HttpServerOptions options = {}) {
    StartServer(
        [this](HttpRequest r, HttpServer::Responder respond) {
          ++handled_;
          const int delay = r.HasHeader("x-delay-ms") ? std::stoi(r.Header("x-delay-ms")) : 0;
          answerer_.Answer(std::move(respond),
                           HttpResponse::Text(r.method + " " + r.path + " " + r.body),
                           std::chrono::milliseconds(delay));
        },
        options);
  }

  LateAnswerer answerer_;  // outlives the server: its threads may still hold responders
  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
  std::atomic<int> handled_{0};
};

TEST_F(HttpServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  StartEchoServer();
  const int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  std::string buffer;
  for (int i = 0; i < 5; ++i) {
    SendAll(fd, Post("/p" + std::to_string(i), "body" + std::to_string(i)));
    const Response r = ReadResponse(fd, buffer);
    ASSERT_EQ(r.status, 200) << r.head;
    EXPECT_EQ(r.body, "POST /p" + std::to_string(i) + " body" + std::to_string(i));
  }
  ::close(fd);
  EXPECT_EQ(handled_.load(), 5);
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartEchoServer();
  const int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  // The first request is answered last by its handler thread; the answers still come in order.
  std::string all = Post("/a", "1", "x-delay-ms: 300\r\n") + Post("/b", "2") + Post("/c", "3");
  SendAll(fd, all);
  std::string buffer;
  for (const char* want : {"POST /a 1", "POST /b 2", "POST /c 3"}) {
    const Response r = ReadResponse(fd, buffer);
    ASSERT_EQ(r.status, 200) << r.head;
    EXPECT_EQ(r.body, want);
  }
  ::close(fd);
}

TEST_F(HttpServerTest, OversizedBodyGets413BeforeItIsRead) {
  HttpServerOptions options;
  options.max_body_bytes = 1000;
  StartEchoServer(options);
  const int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  // 5 GB announced and nothing sent: only a server answering from the head replies.
  SendAll(fd, "POST /api/training/data HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000000\r\n\r\n");
  std::string buffer;
  const auto start = std::chrono::steady_clock::now();
  const Response r = ReadResponse(fd, buffer, 5000);
  EXPECT_EQ(r.status, 413) << r.head;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_NE(r.body.find("5000000000 bytes, more than the limit of 1000"), std::string::npos)
      << r.body;
  EXPECT_NE(r.head.find("X-Refused-Path: /api/training/data"), std::string::npos) << r.head;
  EXPECT_TRUE(PeerClosed(fd));
  ::close(fd);
  EXPECT_EQ(handled_.load(), 0);

  // A body of exactly the limit is read and handled.
  const int ok_fd = Connect(port_);
  SendAll(ok_fd, Post("/x", std::string(1000, 'a')));
  std::string ok_buffer;
  EXPECT_EQ(ReadResponse(ok_fd, ok_buffer).status, 200);
  ::close(ok_fd);
}

TEST_F(HttpServerTest, ExpectContinueIsAnsweredFromTheHead) {
  HttpServerOptions options;
  options.max_body_bytes = 1000;
  StartEchoServer(options);
  {
    const int fd = Connect(port_);
    SendAll(
        fd,
        "POST /big HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2000\r\n\r\n");
    std::string buffer;
    EXPECT_EQ(ReadResponse(fd, buffer).status, 413);
    ::close(fd);
  }
  const int fd = Connect(port_);
  SendAll(fd,
          "POST /small HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  std::string buffer;
  const Response go_on = ReadResponse(fd, buffer);
  EXPECT_EQ(go_on.status, 100) << go_on.head;
  SendAll(fd, "hello");
  const Response r = ReadResponse(fd, buffer);
  EXPECT_EQ(r.status, 200) << r.head;
  EXPECT_EQ(r.body, "POST /small hello");
  ::close(fd);
}

TEST_F(HttpServerTest, ChunkedBodyOverTheLimitGets413) {
  HttpServerOptions options;
  options.max_body_bytes = 1000;
  StartEchoServer(options);
  const int fd = Connect(port_);
  SendAll(fd, "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n7d0\r\n" +
                  std::string(2000, 'a') + "\r\n0\r\n\r\n");
  std::string buffer;
  const Response r = ReadResponse(fd, buffer);
  EXPECT_EQ(r.status, 413) << r.head;
  EXPECT_NE(r.body.find("limit 1000"), std::string::npos) << r.body;
  ::close(fd);
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(HttpServerTest, MalformedRequestGets400InTheErrorShape) {
  StartEchoServer();
  const int fd = Connect(port_);
  SendAll(fd, "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: twelve\r\n\r\n");
  std::string buffer;
  const Response r = ReadResponse(fd, buffer);
  EXPECT_EQ(r.status, 400) << r.head;
  EXPECT_NE(r.body.find("\"invalid_argument\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("malformed HTTP request"), std::string::npos) << r.body;
  ::close(fd);
}

TEST_F(HttpServerTest, ClientLeavingBeforeTheAnswerDoesNotHurtTheServer) {
  StartEchoServer();
  for (int i = 0; i < 20; ++i) {
    const int fd = Connect(port_);
    SendAll(fd, Post("/gone", "x", "x-delay-ms: 100\r\n"));
    ::close(fd);  // before the answer exists
  }
  // Every answer is delivered (or dropped) and the server keeps serving.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((handled_.load() < 20 || server_->in_flight() > 0) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(handled_.load(), 20);
  EXPECT_EQ(server_->in_flight(), 0);
  const int fd = Connect(port_);
  SendAll(fd, Post("/still", "here"));
  std::string buffer;
  EXPECT_EQ(ReadResponse(fd, buffer).body, "POST /still here");
  ::close(fd);
}

TEST_F(HttpServerTest, ManyConnectionsAtOnce) {
  StartEchoServer();
  constexpr int kConnections = 300;
  std::vector<int> fds;
  for (int i = 0; i < kConnections; ++i) {
    fds.push_back(Connect(port_));
    ASSERT_GE(fds.back(), 0) << "connection " << i;
  }
  for (int i = 0; i < kConnections; ++i) {
    SendAll(fds[i], Post("/n" + std::to_string(i), "b", "x-delay-ms: 20\r\n"));
  }
  int answered = 0;
  for (int i = 0; i < kConnections; ++i) {
    std::string buffer;
    const Response r = ReadResponse(fds[i], buffer);
    if (r.status == 200 && r.body == "POST /n" + std::to_string(i) + " b") ++answered;
    ::close(fds[i]);
  }
  EXPECT_EQ(answered, kConnections);
}

TEST_F(HttpServerTest, PathQueryAndHeaderValuesArePercentDecoded) {
  HttpRequest seen;
  std::mutex mu;
  StartServer([&](HttpRequest r, HttpServer::Responder respond) {
    {
      std::lock_guard<std::mutex> lock(mu);
      seen = r;
    }
    respond(HttpResponse::Text("ok"));
  });
  const int fd = Connect(port_);
  SendAll(fd,
          "GET /a%20b?x=1+2&y=%41&x=ignored&flag HTTP/1.1\r\nHost: h\r\nX-Label: idle%20x\r\n"
          "X-Label: second\r\nX-Api-Key: k%2Bey+\r\n\r\n");
  std::string buffer;
  ASSERT_EQ(ReadResponse(fd, buffer).status, 200);
  ::close(fd);
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(seen.method, "GET");
  EXPECT_EQ(seen.path, "/a b");
  EXPECT_EQ(seen.Query("x"), "1 2");
  EXPECT_EQ(seen.Query("y"), "A");
  EXPECT_EQ(seen.Query("flag", "unset"), "");
  EXPECT_EQ(seen.Header("x-label"), "idle x");   // the first of repeated headers wins
  EXPECT_EQ(seen.Header("x-api-key"), "k+ey+");  // '+' stays in headers
  EXPECT_FALSE(seen.is_multipart);
}

TEST_F(HttpServerTest, MultipartBodiesArriveAsParts) {
  std::vector<MultipartPart> parts;
  std::mutex mu;
  StartServer([&](HttpRequest r, HttpServer::Responder respond) {
    {
      std::lock_guard<std::mutex> lock(mu);
      parts = r.parts;
    }
    respond(HttpResponse::Text(r.is_multipart ? "multipart" : "plain"));
  });
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"data\"; filename=\"a.csv\"\r\n"
      "Content-Type: text/csv\r\n\r\n1,2\n\r\n--XyZ--";
  const int fd = Connect(port_);
  SendAll(fd,
          "POST /f HTTP/1.1\r\nHost: h\r\nContent-Type: multipart/form-data; boundary=XyZ\r\n"
          "Content-Length: " +
              std::to_string(body.size()) + "\r\n\r\n" + body);
  std::string buffer;
  const Response r = ReadResponse(fd, buffer);
  EXPECT_EQ(r.body, "multipart");
  ::close(fd);
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].name, "data");
  EXPECT_EQ(parts[0].file_name, "a.csv");
  EXPECT_EQ(parts[0].content, "1,2\n");
}

TEST_F(HttpServerTest, ConnectionCloseIsHonoured) {
  StartEchoServer();
  const int fd = Connect(port_);
  SendAll(fd, Post("/bye", "x", "Connection: close\r\n"));
  std::string buffer;
  const Response r = ReadResponse(fd, buffer);
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(PeerClosed(fd));
  ::close(fd);
}

TEST_F(HttpServerTest, StopDeliversAnswersStillOwed) {
  StartEchoServer();
  const int fd = Connect(port_);
  SendAll(fd, Post("/slow", "x", "x-delay-ms: 300\r\n"));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (handled_.load() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  server_->Stop();  // while the answer is owed
  std::string buffer;
  const Response r = ReadResponse(fd, buffer, 2000);
  EXPECT_EQ(r.status, 200) << r.head;
  EXPECT_EQ(r.body, "POST /slow x");
  ::close(fd);
  EXPECT_LT(Connect(port_), 0) << "still accepting after Stop";
}

TEST_F(HttpServerTest, BusyPortIsUnavailable) {
  StartEchoServer();
  HttpServerOptions options;
  options.port = port_;
  HttpServer second(
      options, [](HttpRequest, HttpServer::Responder) {}, ErrorAnswer);
  StatusOr<int> port = second.Start();
  ASSERT_FALSE(port.ok());
  EXPECT_EQ(port.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(port.status().message().find(std::to_string(port_)), std::string::npos);
}

TEST_F(HttpServerTest, ConnectionsAreSpreadOverTheLoopThreads) {
  std::mutex mu;
  std::set<std::thread::id> loop_threads;
  HttpServerOptions options;
  options.loop_threads = 3;
  StartServer(
      [&](HttpRequest r, HttpServer::Responder respond) {
        {
          std::lock_guard<std::mutex> lock(mu);
          loop_threads.insert(std::this_thread::get_id());
        }
        answerer_.Answer(std::move(respond), HttpResponse::Text(r.path),
                         std::chrono::milliseconds(1));
      },
      options);
  constexpr int kConnections = 12;
  std::vector<int> fds;
  for (int i = 0; i < kConnections; ++i) {
    fds.push_back(Connect(port_));
    ASSERT_GE(fds.back(), 0) << "connection " << i;
  }
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < kConnections; ++i) {
      SendAll(fds[i], Post("/c" + std::to_string(i) + "/" + std::to_string(round), ""));
    }
    for (int i = 0; i < kConnections; ++i) {
      std::string buffer;
      const Response r = ReadResponse(fds[i], buffer);
      EXPECT_EQ(r.body, "/c" + std::to_string(i) + "/" + std::to_string(round)) << r.head;
    }
  }
  for (int fd : fds) ::close(fd);
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(loop_threads.size(), 3u) << "the handler ran on fewer loop threads than configured";
}

TEST_F(HttpServerTest, PipelinedAnswersKeepTheirOrderOnEveryLoop) {
  HttpServerOptions options;
  options.loop_threads = 2;
  StartEchoServer(options);
  // On each connection the first answers are the slowest; each connection's answers still
  // come in its requests' order, whichever loop serves it.
  constexpr int kConnections = 6;
  constexpr int kRequests = 5;
  std::vector<int> fds;
  for (int c = 0; c < kConnections; ++c) {
    fds.push_back(Connect(port_));
    ASSERT_GE(fds.back(), 0);
    std::string all;
    for (int k = 0; k < kRequests; ++k) {
      const int delay = (kRequests - k) * 15;
      all += Post("/c" + std::to_string(c), std::to_string(k),
                  "x-delay-ms: " + std::to_string(delay) + "\r\n");
    }
    SendAll(fds.back(), all);
  }
  for (int c = 0; c < kConnections; ++c) {
    std::string buffer;
    for (int k = 0; k < kRequests; ++k) {
      const Response r = ReadResponse(fds[c], buffer);
      ASSERT_EQ(r.status, 200) << r.head;
      EXPECT_EQ(r.body, "POST /c" + std::to_string(c) + " " + std::to_string(k));
    }
    ::close(fds[c]);
  }
}

TEST_F(HttpServerTest, StopDeliversAnswersOwedOnEveryLoop) {
  HttpServerOptions options;
  options.loop_threads = 2;
  StartEchoServer(options);
  // Connections go to the loops in turn, so these four are on both loops.
  std::vector<int> fds;
  for (int i = 0; i < 4; ++i) {
    fds.push_back(Connect(port_));
    ASSERT_GE(fds.back(), 0);
    SendAll(fds.back(), Post("/slow" + std::to_string(i), "x", "x-delay-ms: 300\r\n"));
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (handled_.load() < 4 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(server_->in_flight(), 4);
  server_->Stop();  // while four answers are owed
  EXPECT_EQ(server_->in_flight(), 0);
  for (int i = 0; i < 4; ++i) {
    std::string buffer;
    const Response r = ReadResponse(fds[i], buffer, 2000);
    EXPECT_EQ(r.status, 200) << "connection " << i << ": " << r.head;
    EXPECT_EQ(r.body, "POST /slow" + std::to_string(i) + " x");
    EXPECT_NE(r.head.find("Connection: close"), std::string::npos) << r.head;
    ::close(fds[i]);
  }
  EXPECT_LT(Connect(port_), 0) << "still accepting after Stop";
}

TEST_F(HttpServerTest, LoopThreadsOutOfRangeIsInvalidArgument) {
  for (int bad : {-1, 65}) {
    HttpServerOptions options;
    options.loop_threads = bad;
    HttpServer server(
        options, [](HttpRequest, HttpServer::Responder) {}, ErrorAnswer);
    StatusOr<int> port = server.Start();
    ASSERT_FALSE(port.ok()) << bad;
    EXPECT_EQ(port.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(port.status().message().find("loop_threads"), std::string::npos);
  }
}

TEST_F(HttpServerTest, IdleConnectionsCloseAfterTheKeepAliveTimeout) {
  HttpServerOptions options;
  options.keep_alive_seconds = 1;
  options.read_timeout_seconds = 1;
  StartEchoServer(options);
  // A connection that keeps asking stays open past the timeout: its deadline moves on.
  const int busy = Connect(port_);
  std::string buffer;
  for (int i = 0; i < 6; ++i) {
    SendAll(busy, Post("/busy", std::to_string(i)));
    ASSERT_EQ(ReadResponse(busy, buffer).body, "POST /busy " + std::to_string(i));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  // An answer that takes longer than the timeouts still arrives: nothing waits on the socket.
  SendAll(busy, Post("/slow", "x", "x-delay-ms: 1500\r\n"));
  EXPECT_EQ(ReadResponse(busy, buffer).body, "POST /slow x");
  // Then, idle, it is closed; and so is one that sent half a head.
  const int half = Connect(port_);
  SendAll(half, "POST /half HTTP/1.1\r\nHost: x\r\n");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(PeerClosed(busy, 4000));
  EXPECT_TRUE(PeerClosed(half, 4000));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(3000));
  ::close(busy);
  ::close(half);
}

}  // namespace
}  // namespace tinyloop::api
