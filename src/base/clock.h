// Time sources. Code that needs "now" takes a Clock& so tests can use FakeClock.
// SystemClock is stateless and thread-safe; FakeClock is thread-safe (atomic).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace tinyloop {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch (UTC).
  virtual int64_t NowMillis() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowMillis() const override;
  // A process-wide instance.
  static const SystemClock& Get();
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t start_millis = 1700000000000) : now_(start_millis) {}
  int64_t NowMillis() const override { return now_.load(); }
  void Advance(int64_t millis) { now_ += millis; }
  void Set(int64_t millis) { now_ = millis; }

 private:
  std::atomic<int64_t> now_;
};

// Monotonic nanoseconds, for measuring durations only.
int64_t MonotonicNanos();

// "2026-11-25T14:52:39.123Z"
std::string FormatIso8601(int64_t unix_millis);

}  // namespace tinyloop
