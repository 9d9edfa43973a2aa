#include "progress.h"

#include <unistd.h>

#include <cstdio>

#include "base/clock.h"

namespace tinyloop::app {

Progress::Progress(std::string what, size_t total, bool enabled)
    : what_(std::move(what)),
      total_(total),
      enabled_(enabled),
      tty_(isatty(STDERR_FILENO) != 0),
      start_ns_(MonotonicNanos()) {}

void Progress::Update(size_t done) {
  if (!enabled_ || total_ == 0) return;
  const int percent = static_cast<int>(done * 100 / total_);
  if (tty_) {
    constexpr int kWidth = 30;
    const int filled = percent * kWidth / 100;
    std::fprintf(stderr, "\r%s [%.*s%*s] %3d%% %zu/%zu", what_.c_str(), filled,
                 "==============================", kWidth - filled, "", percent, done, total_);
    std::fflush(stderr);
  } else if (percent / 10 != last_decile_) {
    last_decile_ = percent / 10;
    std::fprintf(stderr, "%s: %zu/%zu (%d%%)\n", what_.c_str(), done, total_, percent);
  }
}

void Progress::Finish(const std::string& summary) {
  if (!enabled_) return;
  const double seconds = static_cast<double>(MonotonicNanos() - start_ns_) / 1e9;
  std::fprintf(stderr, "%s%s: %s in %.1f s\n", tty_ ? "\r\033[K" : "", what_.c_str(),
               summary.c_str(), seconds);
}

}  // namespace tinyloop::app
