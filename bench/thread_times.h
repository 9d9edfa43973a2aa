// Per-thread scheduler times of this process, read from /proc/self/task/<tid>/schedstat
// (Linux): time on a CPU and time runnable but waiting for one. The benchmark uses them to
// split a part's wall time for the store writer and the server threads into on-CPU,
// waiting-for-a-CPU and blocked (I/O, locks, idle). Part of bench/.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

namespace tinyloop::bench {

struct ThreadTimes {
  int64_t on_cpu_ns = 0;
  int64_t runnable_ns = 0;  // ready to run, waiting for a CPU
  std::string name;         // /proc/.../comm
};

// Threads of this process by tid. Empty where /proc is not available.
using ThreadSnapshot = std::map<int, ThreadTimes>;
ThreadSnapshot SnapshotThreads();

// Tids in `after` and not in `before`.
std::set<int> NewThreads(const ThreadSnapshot& before, const ThreadSnapshot& after);

// Sum over `tids` of after - before (a thread missing from `before` counts from zero; one
// missing from `after` is skipped).
ThreadTimes Delta(const ThreadSnapshot& before, const ThreadSnapshot& after,
                  const std::set<int>& tids);

// The calling thread's tid.
int CurrentTid();

// The calling thread's times (name left empty); zeros where /proc is not available. Lets a
// thread report its own figures before it exits, when SnapshotThreads can no longer see it.
ThreadTimes CurrentThreadTimes();

}  // namespace tinyloop::bench
