// Checkpoints the SQLite WAL on a thread and connection of its own, so that copying pages
// back into the database file, and that file's fsync, never stall the group-commit writer.
// (SQLite's automatic checkpoint runs inside the commit that crosses its threshold: every
// sample queued behind it waited, which set the ingest p99.) The writer connection reports
// the WAL's size after each commit (a WAL hook installed by Attach); once it holds
// `threshold_frames` frames, the thread runs a PASSIVE checkpoint, which never blocks the
// writer or readers. The writer's next commit after a complete checkpoint starts the WAL
// over; should the WAL still reach 8 thresholds (commits kept landing during checkpoints),
// the writer checkpoints once itself. Internal to src/store.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "base/status.h"
#include "store/internal/sqlite_db.h"

namespace tinyloop::store::internal {

class Checkpointer {
 public:
  // Opens its connection to `db_path` (already created and migrated) and starts the thread.
  // `threshold_frames` >= 1.
  static StatusOr<std::unique_ptr<Checkpointer>> Start(const std::string& db_path,
                                                       int busy_timeout_ms, int threshold_frames);
  // Stop() if not done yet. Must outlive every connection Attach was called on.
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Replaces `writer`'s automatic checkpoints with this thread's. Call before the writer
  // connection is used by another thread.
  void Attach(Db& writer);
  // Joins the thread and closes its connection; later commits of attached connections are
  // ignored. Idempotent.
  void Stop();

  int64_t checkpoints() const { return checkpoints_.load(); }
  // Frames in the WAL after the last commit of an attached connection (0 before any).
  int wal_frames() const { return wal_frames_.load(); }

 private:
  Checkpointer(std::unique_ptr<Db> db, int threshold_frames);
  void Notify(int frames);
  void Loop();

  std::unique_ptr<Db> db_;  // used by the thread only
  const int threshold_frames_;
  std::atomic<int64_t> checkpoints_{0};
  std::atomic<int> wal_frames_{0};

  std::mutex mu_;
  std::condition_variable cv_;
  bool requested_ = false;  // guarded by mu_
  bool stopping_ = false;   // guarded by mu_
  std::thread thread_;
};

}  // namespace tinyloop::store::internal
