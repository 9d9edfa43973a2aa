#include "api/worker_pool.h"

#include <pthread.h>

#include <algorithm>

namespace tinyloop::api {

WorkerPool::WorkerPool(int threads, const std::string& name) {
  const std::string short_name = name.substr(0, 15);
  for (int i = 0; i < std::max(1, threads); ++i) {
    threads_.emplace_back([this, short_name] {
      pthread_setname_np(pthread_self(), short_name.c_str());
      Loop();
    });
  }
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void WorkerPool::Post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    tasks_.push_back(std::move(task));
  }
  cv_.notify_one();
}

void WorkerPool::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
    if (tasks_.empty()) return;  // stopping, and every queued task ran
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
}

}  // namespace tinyloop::api
