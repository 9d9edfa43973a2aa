#include "store/internal/reader_pool.h"

namespace tinyloop::store::internal {

StatusOr<std::unique_ptr<ReaderPool>> ReaderPool::Open(const std::string& path, int connections,
                                                       int busy_timeout_ms) {
  if (connections < 1) {
    return InvalidArgumentError("read_connections must be at least 1, got " +
                                std::to_string(connections));
  }
  std::unique_ptr<ReaderPool> pool(new ReaderPool());
  for (int i = 0; i < connections; ++i) {
    TL_ASSIGN_OR_RETURN(std::unique_ptr<Db> db,
                        Db::Open(path, /*read_only=*/true, busy_timeout_ms));
    // Belt and braces on top of SQLITE_OPEN_READONLY: no statement here may ever write.
    TL_RETURN_IF_ERROR(db->Exec("PRAGMA query_only = ON"));
    pool->free_.push_back(db.get());
    pool->all_.push_back(std::move(db));
  }
  return pool;
}

ReaderPool::Lease ReaderPool::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return !free_.empty(); });
  Db* db = free_.back();
  free_.pop_back();
  return Lease(this, db);
}

void ReaderPool::Release(Db* db) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(db);
  }
  cv_.notify_one();
}

}  // namespace tinyloop::store::internal
