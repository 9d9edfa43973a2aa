#include "thread_times.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace tinyloop::bench {

ThreadSnapshot SnapshotThreads() {
  ThreadSnapshot out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    const std::string tid = entry.path().filename().string();
    std::ifstream sched(entry.path() / "schedstat");
    ThreadTimes t;
    if (!(sched >> t.on_cpu_ns >> t.runnable_ns)) continue;  // the thread just exited
    std::ifstream comm(entry.path() / "comm");
    std::getline(comm, t.name);
    out[std::stoi(tid)] = t;
  }
  return out;
}

std::set<int> NewThreads(const ThreadSnapshot& before, const ThreadSnapshot& after) {
  std::set<int> out;
  for (const auto& [tid, times] : after) {
    if (before.count(tid) == 0) out.insert(tid);
  }
  return out;
}

ThreadTimes Delta(const ThreadSnapshot& before, const ThreadSnapshot& after,
                  const std::set<int>& tids) {
  ThreadTimes sum;
  for (int tid : tids) {
    const auto a = after.find(tid);
    if (a == after.end()) continue;
    sum.on_cpu_ns += a->second.on_cpu_ns;
    sum.runnable_ns += a->second.runnable_ns;
    const auto b = before.find(tid);
    if (b == before.end()) continue;
    sum.on_cpu_ns -= b->second.on_cpu_ns;
    sum.runnable_ns -= b->second.runnable_ns;
  }
  return sum;
}

int CurrentTid() { return static_cast<int>(::syscall(SYS_gettid)); }

ThreadTimes CurrentThreadTimes() {
  ThreadTimes t;
  std::ifstream sched("/proc/thread-self/schedstat");
  if (!(sched >> t.on_cpu_ns >> t.runnable_ns)) return ThreadTimes{};
  return t;
}

}  // namespace tinyloop::bench
