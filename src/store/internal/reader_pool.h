// A fixed pool of read-only SQLite connections (WAL lets them read while the writer commits).
// Internal to src/store.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "store/internal/sqlite_db.h"

namespace tinyloop::store::internal {

// Thread-safe. Owns its connections; each is lent to one thread at a time, so the prepared
// statements cached on it are never shared. Must outlive every Lease.
class ReaderPool {
 public:
  // A borrowed connection, returned to the pool on destruction.
  class Lease {
   public:
    Lease(ReaderPool* pool, Db* db) : pool_(pool), db_(db) {}
    ~Lease() { pool_->Release(db_); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Db& db() const { return *db_; }

   private:
    ReaderPool* pool_;
    Db* db_;
  };

  // Opens `connections` (>= 1) read-only connections to `path`, which must exist in WAL mode.
  static StatusOr<std::unique_ptr<ReaderPool>> Open(const std::string& path, int connections,
                                                    int busy_timeout_ms);

  // Blocks until a connection is free.
  Lease Acquire();

 private:
  ReaderPool() = default;
  void Release(Db* db);

  std::vector<std::unique_ptr<Db>> all_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Db*> free_;  // guarded by mu_
};

}  // namespace tinyloop::store::internal
