// A progress line on stderr for long work: a bar redrawn in place on a terminal, or a line
// every 10 % otherwise (logs, CI). Not thread-safe.
#pragma once

#include <cstddef>
#include <string>

namespace tinyloop::app {

class Progress {
 public:
  Progress(std::string what, size_t total, bool enabled = true);
  void Update(size_t done);
  // Final line with a summary, e.g. "96 files, 0 failed".
  void Finish(const std::string& summary);

 private:
  std::string what_;
  size_t total_;
  bool enabled_;
  bool tty_;
  int last_decile_ = -1;
  long long start_ns_;
};

}  // namespace tinyloop::app
