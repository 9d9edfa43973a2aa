// Support for the end-to-end tests in tests/: temporary folders, running the real `tinyloop`
// binary (one-shot commands and a `tinyloop server` child process), raw HTTP over a socket,
// and the acquisition documents the tests upload. Test-only code; not thread-safe unless a
// function says so.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/json.h"

namespace tinyloop::e2e {

// The binary under test (compile definition TINYLOOP_BIN) and ../shared beside the source tree.
const char* TinyloopBin();
std::string SharedDir();

// A fresh folder under $TMPDIR (or /tmp), removed with its contents on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "tinyloop-e2e-");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed by a signal
  bool timed_out = false;
  std::string out, err;
};

// Runs `TinyloopBin() args...` (or `program args...` when program is non-empty) to completion
// with stdin from /dev/null, capturing stdout and stderr; killed after timeout_s.
ProcessResult RunProgram(const std::string& program, const std::vector<std::string>& args,
                         int timeout_s = 180);
inline ProcessResult RunTinyloop(const std::vector<std::string>& args, int timeout_s = 180) {
  return RunProgram("", args, timeout_s);
}

// The last non-empty line of `text` (without its newline).
std::string LastLine(const std::string& text);
// Non-empty lines of `text`.
std::vector<std::string> Lines(const std::string& text);

struct Project {
  int64_t id = 0;
  std::string api_key;
  std::string hmac_key;
};

// `tinyloop project create NAME --data-dir D --json [--require-signed]`. Records a gtest
// failure and returns id 0 when the command fails or prints something else.
Project CreateProject(const std::string& data_dir, const std::string& name,
                      bool require_signed = false);

// `tinyloop server --data-dir D --port 0 --ingestion-port -1 EXTRA...` as a child process.
// The destructor stops it (SIGTERM, then SIGKILL after 10 s).
class ServerProcess {
 public:
  ServerProcess(std::string data_dir, std::vector<std::string> extra_args = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts the binary and waits (up to 60 s) for its "listening on http://H:P ..." line.
  // False with *error set when it exits first, prints something else, or times out.
  bool Start(std::string* error);
  // Sends `sig` and reaps the process; returns its exit code (128 + signal if killed).
  // Waits up to 10 s, then SIGKILLs.
  int Signal(int sig);
  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& listening_line() const { return line_; }

 private:
  std::string data_dir_;
  std::vector<std::string> extra_args_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int port_ = 0;
  std::string line_;
};

struct RawResponse {
  bool complete = false;  // the status line and headers arrived
  int status = 0;
  std::string head;  // status line and headers
  std::string body;
  double seconds = 0;  // from connect to the end of the response (or timeout)
};

// Writes `request` verbatim on a new TCP connection to 127.0.0.1:port and reads until the
// server closes the connection, `Content-Length` bytes of body arrived, or timeout_ms passed.
// Thread-safe.
RawResponse RawHttp(int port, const std::string& request, int timeout_ms = 10000);

// An acquisition document (compat/edge-impulse.md 1b) with `axes` sensors accX, accY, ... in
// m/s2 and `values` row-major; signature empty (formats::SignAcquisition fills it).
Json AcquisitionDoc(const std::string& device_name, const std::vector<float>& values, int axes,
                    double interval_ms = 10, const std::string& alg = "HS256");

// Floats of a "values":[[...],...] array in a /values response, parsed with strtof from the
// text exactly as the server printed it. Non-numbers (null) become NaN. Empty and *error set
// when the body has no "values" array.
std::vector<float> ParseValuesFloat32(const std::string& body, std::string* error);

// The number of lines in `text` that start with `series` followed by a space, and the value
// after the space of the first such line in *value.
int FindMetric(const std::string& text, const std::string& series, double* value);

}  // namespace tinyloop::e2e
