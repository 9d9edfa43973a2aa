// A fixed set of threads running queued tasks in order of arrival. The HTTP side runs its
// synchronous routes here, so a slow handler (a data report, a large list) never holds up the
// event loop that serves every connection. Thread-safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tinyloop::api {

class WorkerPool {
 public:
  // Starts `threads` (at least 1) threads named `name` (at most 15 characters are kept).
  WorkerPool(int threads, const std::string& name);
  // Runs every task queued so far, then joins.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task`; one of the threads runs it. Tasks catch their own exceptions.
  void Post(std::function<void()> task);

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace tinyloop::api
