// The tinyloop .eim runner: a generic program that reads the bundle appended to its own
// executable (eim_bundle.h) and serves the Edge Impulse Linux runner protocol on the Unix socket
// named by argv[1] (one connection, until EOF), or prints the hello JSON with --print-info.
// `tinyloop compile --target eim` copies this program and appends the model bundle.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include "impulse/eim/eim_classifier.h"
#include "impulse/eim/eim_protocol.h"
#include "model/eim/eim_bundle.h"

namespace tinyloop::model {
namespace {

bool WriteAll(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += size_t(n);
  }
  return true;
}

int Serve(EimSession& session, const std::string& socket_path) {
  const int listener = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (listener < 0 || socket_path.size() >= sizeof(addr.sun_path)) {
    std::fprintf(stderr, "eim: cannot create a socket at %s\n", socket_path.c_str());
    return 1;
  }
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  ::unlink(socket_path.c_str());
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listener, 1) != 0) {
    std::fprintf(stderr, "eim: cannot listen on %s: %s\n", socket_path.c_str(),
                 std::strerror(errno));
    return 1;
  }
  const int conn = ::accept(listener, nullptr, nullptr);
  if (conn < 0) {
    std::fprintf(stderr, "eim: accept failed: %s\n", std::strerror(errno));
    return 1;
  }
  std::string buffer;
  char chunk[65536];
  for (;;) {
    const ssize_t n = ::read(conn, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    buffer.append(chunk, size_t(n));
    for (const std::string& text : EimSession::TakeMessages(&buffer)) {
      auto request = ParseJson(text);
      Json response = request.ok() ? session.Handle(*request)
                                   : Json{{"success", false}, {"error", "invalid JSON request"}};
      // Newline plus NUL: the Python SDK reads until a chunk ends in NUL.
      std::string out = DumpJson(response) + "\n";
      out.push_back('\0');
      if (!WriteAll(conn, out)) break;
    }
  }
  ::close(conn);
  ::close(listener);
  ::unlink(socket_path.c_str());
  return 0;
}

int Main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s SOCKET_PATH | --print-info\n", argv[0]);
    return 2;
  }
  std::ifstream self("/proc/self/exe", std::ios::binary);
  const std::vector<uint8_t> file((std::istreambuf_iterator<char>(self)), {});
  auto bundle = DecodeEimBundle(file);
  if (!bundle.ok()) {
    std::fprintf(stderr, "eim: %s\n", bundle.status().ToString().c_str());
    return 1;
  }
  auto classifier = EimClassifier::Create(*bundle);
  if (!classifier.ok()) {
    std::fprintf(stderr, "eim: %s\n", classifier.status().ToString().c_str());
    return 1;
  }
  EimSession session(classifier->get());
  if (std::string(argv[1]) == "--print-info") {
    std::printf("%s\n", session.HelloBody().dump(4).c_str());
    return 0;
  }
  return Serve(session, argv[1]);
}

}  // namespace
}  // namespace tinyloop::model

int main(int argc, char** argv) { return tinyloop::model::Main(argc, argv); }
