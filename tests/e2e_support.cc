#include "e2e_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <regex>
#include <thread>

#ifndef TINYLOOP_BIN
#error "TINYLOOP_BIN must be defined (path of the tinyloop binary)"
#endif
#ifndef TINYLOOP_SHARED_DIR
#error "TINYLOOP_SHARED_DIR must be defined (../shared beside the source tree)"
#endif

namespace tinyloop::e2e {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int MillisLeft(Clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

// fork + exec with the given fds as stdin/stdout/stderr (-1: /dev/null). Only async-signal-safe
// calls run in the child, because tests call this while other threads are running.
pid_t Spawn(const std::vector<std::string>& argv_strings, int out_fd, int err_fd) {
  std::vector<char*> argv;
  for (const auto& a : argv_strings) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const int dev_null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  long max_fd = ::sysconf(_SC_OPEN_MAX);
  if (max_fd < 0 || max_fd > 65536) max_fd = 65536;
  const pid_t pid = ::fork();
  if (pid != 0) {
    if (dev_null >= 0) ::close(dev_null);
    return pid;
  }
  ::dup2(dev_null, 0);
  ::dup2(out_fd >= 0 ? out_fd : dev_null, 1);
  ::dup2(err_fd >= 0 ? err_fd : 2, 2);
  // Sockets of client threads and pipes of other children must not leak into the server.
  for (int fd = 3; fd < max_fd; ++fd) ::close(fd);
  ::execv(argv[0], argv.data());
  static const char kMsg[] = "e2e: execv failed\n";
  (void)!::write(2, kMsg, sizeof(kMsg) - 1);
  ::_exit(127);
}

int ExitCodeOf(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

// Waits for `pid` up to timeout_ms; SIGKILL and reap after that. Returns the exit code.
int ReapWithin(pid_t pid, int timeout_ms, bool* timed_out = nullptr) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  int status = 0;
  while (true) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return ExitCodeOf(status);
    if (r < 0 && errno != EINTR) return -1;
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (timed_out != nullptr) *timed_out = true;
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return ExitCodeOf(status);
}

}  // namespace

const char* TinyloopBin() { return TINYLOOP_BIN; }
std::string SharedDir() { return TINYLOOP_SHARED_DIR; }

TempDir::TempDir(const std::string& prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/" + prefix + "XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp " << pattern << ": " << std::strerror(errno);
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

ProcessResult RunProgram(const std::string& program, const std::vector<std::string>& args,
                         int timeout_s) {
  ProcessResult result;
  std::vector<std::string> argv = {program.empty() ? TinyloopBin() : program};
  argv.insert(argv.end(), args.begin(), args.end());
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe2: " << std::strerror(errno);
    return result;
  }
  const pid_t pid = Spawn(argv, out_pipe[1], err_pipe[1]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  const auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  while (open_fds > 0 && !result.timed_out) {
    const int n = ::poll(fds, 2, std::min(MillisLeft(deadline), 1000));
    if (n < 0 && errno != EINTR) break;
    if (MillisLeft(deadline) == 0) result.timed_out = true;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      char buf[65536];
      const ssize_t got = ::read(fds[i].fd, buf, sizeof(buf));
      if (got > 0) {
        sinks[i]->append(buf, static_cast<size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) ::close(f.fd);
  }
  if (pid < 0) return result;
  result.exit_code =
      ReapWithin(pid, result.timed_out ? 0 : MillisLeft(deadline) + 1000, &result.timed_out);
  return result;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) out.push_back(line);
    start = end + 1;
  }
  return out;
}

std::string LastLine(const std::string& text) {
  const auto lines = Lines(text);
  return lines.empty() ? "" : lines.back();
}

Project CreateProject(const std::string& data_dir, const std::string& name, bool require_signed) {
  std::vector<std::string> args = {"project", "create", name, "--data-dir", data_dir, "--json"};
  if (require_signed) args.push_back("--require-signed");
  const ProcessResult r = RunTinyloop(args, 60);
  Project p;
  if (r.exit_code != 0) {
    ADD_FAILURE() << "project create exited " << r.exit_code << ": " << r.err;
    return p;
  }
  auto json = ParseJson(LastLine(r.out));
  if (!json.ok() || !json->is_object() || !(*json)["id"].is_number_integer() ||
      !(*json)["api_key"].is_string() || !(*json)["hmac_key"].is_string()) {
    ADD_FAILURE() << "project create --json printed: " << r.out;
    return p;
  }
  p.id = (*json)["id"].get<int64_t>();
  p.api_key = (*json)["api_key"].get<std::string>();
  p.hmac_key = (*json)["hmac_key"].get<std::string>();
  return p;
}

ServerProcess::ServerProcess(std::string data_dir, std::vector<std::string> extra_args)
    : data_dir_(std::move(data_dir)), extra_args_(std::move(extra_args)) {}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Signal(SIGTERM);
}

bool ServerProcess::Start(std::string* error) {
  if (pid_ > 0) Signal(SIGKILL);
  std::vector<std::string> argv = {TinyloopBin(), "server", "--data-dir",       data_dir_,
                                   "--port",      "0",      "--ingestion-port", "-1"};
  argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
  int out_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    *error = std::string("pipe2: ") + std::strerror(errno);
    return false;
  }
  pid_ = Spawn(argv, out_pipe[1], -1);
  ::close(out_pipe[1]);
  stdout_fd_ = out_pipe[0];
  line_.clear();
  port_ = 0;
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  std::string out;
  while (true) {
    const size_t nl = out.find('\n');
    if (nl != std::string::npos) {
      line_ = out.substr(0, nl);
      static const std::regex kListening(R"(^listening on http://[0-9.]+:([0-9]+)[ ,].*)");
      std::smatch m;
      if (!std::regex_match(line_, m, kListening)) {
        *error = "unexpected first stdout line: '" + line_ + "'";
        Signal(SIGKILL);
        return false;
      }
      port_ = std::stoi(m[1].str());
      return port_ > 0;
    }
    pollfd pfd = {stdout_fd_, POLLIN, 0};
    const int left = MillisLeft(deadline);
    if (left == 0) {
      *error = "no 'listening on' line within 60 s (stdout so far: '" + out + "')";
      Signal(SIGKILL);
      return false;
    }
    if (::poll(&pfd, 1, left) <= 0) continue;
    char buf[4096];
    const ssize_t got = ::read(stdout_fd_, buf, sizeof(buf));
    if (got > 0) {
      out.append(buf, static_cast<size_t>(got));
    } else if (got == 0) {
      const int code = Signal(SIGKILL);
      *error =
          "server exited (" + std::to_string(code) + ") before listening; stdout: '" + out + "'";
      return false;
    }
  }
}

int ServerProcess::Signal(int sig) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, sig);
  const int code = ReapWithin(pid_, 10000);
  pid_ = -1;
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  stdout_fd_ = -1;
  return code;
}

RawResponse RawHttp(int port, const std::string& request, int timeout_ms) {
  RawResponse r;
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::milliseconds(timeout_ms);
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return r;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return r;
  }
  size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may answer and close before reading everything
    sent += static_cast<size_t>(n);
  }
  std::string in;
  size_t header_end = std::string::npos;
  long long content_length = -1;
  while (MillisLeft(deadline) > 0) {
    pollfd pfd = {fd, POLLIN, 0};
    if (::poll(&pfd, 1, MillisLeft(deadline)) <= 0) continue;
    char buf[65536];
    const ssize_t got = ::recv(fd, buf, sizeof(buf), 0);
    if (got <= 0) break;
    in.append(buf, static_cast<size_t>(got));
    if (header_end == std::string::npos) {
      header_end = in.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        static const std::regex kLength(R"(\r\n[Cc]ontent-[Ll]ength:\s*([0-9]+))");
        std::smatch m;
        const std::string head = in.substr(0, header_end);
        if (std::regex_search(head, m, kLength)) content_length = std::stoll(m[1].str());
      }
    }
    if (header_end != std::string::npos && content_length >= 0 &&
        in.size() >= header_end + 4 + static_cast<size_t>(content_length)) {
      break;
    }
  }
  r.seconds = SecondsSince(start);
  ::close(fd);
  if (header_end == std::string::npos) return r;
  r.complete = true;
  r.head = in.substr(0, header_end);
  r.body = in.substr(header_end + 4);
  if (r.head.rfind("HTTP/1.", 0) == 0 && r.head.size() > 12) r.status = std::atoi(&r.head[9]);
  return r;
}

Json AcquisitionDoc(const std::string& device_name, const std::vector<float>& values, int axes,
                    double interval_ms, const std::string& alg) {
  Json sensors = Json::array();
  for (int a = 0; a < axes; ++a) {
    sensors.push_back(
        {{"name", std::string("acc") + static_cast<char>('X' + a)}, {"units", "m/s2"}});
  }
  Json rows = Json::array();
  for (size_t i = 0; i + static_cast<size_t>(axes) <= values.size(); i += axes) {
    Json row = Json::array();
    for (int a = 0; a < axes; ++a) row.push_back(static_cast<double>(values[i + a]));
    rows.push_back(row);
  }
  return {{"protected", {{"ver", "v1"}, {"alg", alg}, {"iat", 1700000000}}},
          {"signature", std::string(64, '0')},
          {"payload",
           {{"device_name", device_name},
            {"device_type", "TINYLOOP_E2E"},
            {"interval_ms", interval_ms},
            {"sensors", sensors},
            {"values", rows}}}};
}

std::vector<float> ParseValuesFloat32(const std::string& body, std::string* error) {
  std::vector<float> out;
  const size_t key = body.find("\"values\":");
  if (key == std::string::npos) {
    *error = "no \"values\" in " + body.substr(0, 200);
    return out;
  }
  size_t i = key + 9;
  while (i < body.size() && body[i] == ' ') ++i;
  if (i >= body.size() || body[i] != '[') {
    *error = "\"values\" is not an array";
    return out;
  }
  int depth = 0;
  for (; i < body.size(); ++i) {
    const char c = body[i];
    if (c == '[') {
      ++depth;
    } else if (c == ']') {
      if (--depth == 0) return out;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      size_t end = i;
      while (end < body.size() && std::strchr("+-.0123456789eE", body[end]) != nullptr) ++end;
      const std::string token = body.substr(i, end - i);
      errno = 0;
      char* parsed_end = nullptr;
      const float v = std::strtof(token.c_str(), &parsed_end);
      if (parsed_end != token.c_str() + token.size()) {
        *error = "bad number '" + token + "'";
        return {};
      }
      out.push_back(v);
      i = end - 1;
    } else if (body.compare(i, 4, "null") == 0) {
      out.push_back(std::nanf(""));
      i += 3;
    }
  }
  *error = "unterminated \"values\" array";
  return {};
}

int FindMetric(const std::string& text, const std::string& series, double* value) {
  int found = 0;
  for (const std::string& line : Lines(text)) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      if (found++ == 0 && value != nullptr)
        *value = std::strtod(line.c_str() + series.size(), nullptr);
    }
  }
  return found;
}

}  // namespace tinyloop::e2e
