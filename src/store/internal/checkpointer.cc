#include "store/internal/checkpointer.h"

#include <sqlite3.h>

#include <system_error>

#include "base/log.h"

namespace tinyloop::store::internal {
namespace {

// WAL size, in thresholds, beyond which the writer checkpoints itself.
constexpr int kCatchUpFactor = 8;

}  // namespace

StatusOr<std::unique_ptr<Checkpointer>> Checkpointer::Start(const std::string& db_path,
                                                            int busy_timeout_ms,
                                                            int threshold_frames) {
  if (threshold_frames < 1) {
    return InvalidArgumentError("checkpoint threshold must be >= 1 frame, got " +
                                std::to_string(threshold_frames));
  }
  TL_ASSIGN_OR_RETURN(std::unique_ptr<Db> db,
                      Db::Open(db_path, /*read_only=*/false, busy_timeout_ms));
  // FULL: the checkpoint syncs the database file before it lets the WAL be reused.
  TL_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous = FULL"));
  std::unique_ptr<Checkpointer> checkpointer(new Checkpointer(std::move(db), threshold_frames));
  try {
    checkpointer->thread_ = std::thread([c = checkpointer.get()] { c->Loop(); });
  } catch (const std::system_error& e) {
    return InternalError(std::string("cannot start the checkpoint thread: ") + e.what());
  }
  return checkpointer;
}

Checkpointer::Checkpointer(std::unique_ptr<Db> db, int threshold_frames)
    : db_(std::move(db)), threshold_frames_(threshold_frames) {}

Checkpointer::~Checkpointer() { Stop(); }

void Checkpointer::Attach(Db& writer) {
  sqlite3_wal_hook(
      writer.handle(),
      [](void* self, sqlite3* db, const char* name, int frames) {
        auto* checkpointer = static_cast<Checkpointer*>(self);
        checkpointer->Notify(frames);
        // Under a steady stream of commits a concurrent checkpoint rarely catches up with the
        // end of the WAL, so the WAL never starts over. Far past the threshold the writer
        // checkpoints itself, as SQLite would: nothing is appended while it runs.
        if (frames >= kCatchUpFactor * checkpointer->threshold_frames_) {
          (void)sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        }
        return SQLITE_OK;
      },
      this);
}

void Checkpointer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  db_.reset();
}

void Checkpointer::Notify(int frames) {
  wal_frames_.store(frames);
  if (frames < threshold_frames_) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || requested_) return;
    requested_ = true;
  }
  cv_.notify_one();
}

void Checkpointer::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || requested_; });
    if (stopping_) return;
    lock.unlock();
    int wal_frames = 0;
    int copied = 0;
    const int rc = sqlite3_wal_checkpoint_v2(db_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                             &wal_frames, &copied);
    // BUSY: another connection is checkpointing; the next commit asks again.
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      TL_LOG(kWarning) << "WAL checkpoint failed: " << sqlite3_errmsg(db_->handle());
    } else if (rc == SQLITE_OK) {
      checkpoints_.fetch_add(1);
    }
    lock.lock();
    requested_ = false;  // commits meanwhile found it set; the next one asks again if needed
  }
}

}  // namespace tinyloop::store::internal
