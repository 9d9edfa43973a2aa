// Minimal leveled logging to stderr: one line per call, with a UTC timestamp and level.
// Thread-safe (each line is written with a single fwrite). Level set once at start-up.
#pragma once

#include <sstream>
#include <string>

namespace tinyloop {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Messages below `level` are dropped. Default: kInfo. Call before starting threads.
void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
void LogLine(LogLevel level, const std::string& message);

namespace internal {
class LogMessage {
 public:
  explicit LogMessage(LogLevel level) : level_(level) {}
  ~LogMessage() { LogLine(level_, stream_.str()); }
  std::ostringstream& stream() { return stream_; }

 private:
  LogLevel level_;
  std::ostringstream stream_;
};
}  // namespace internal

}  // namespace tinyloop

// TL_LOG(kInfo) << "listening on " << port;
#define TL_LOG(level)                                         \
  if (::tinyloop::LogLevel::level < ::tinyloop::GetLogLevel()) \
    ;                                                         \
  else                                                        \
    ::tinyloop::internal::LogMessage(::tinyloop::LogLevel::level).stream()
