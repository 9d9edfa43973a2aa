// An in-memory index from (project, first 64 bits of a sample's values SHA-256) to sample ids,
// for duplicate detection at ingest. A B-tree index on a hash dirties one random page per
// insert, which made it (with the blob index) the costliest part of storing a small sample;
// this one costs nothing on disk: it is loaded from samples_by_project (which carries
// values_key) on the writer's first transaction and kept current by the writer. Entries are
// candidates only: a sample deleted, a job undone within its batch, or a 64-bit collision
// leave entries that do not match, so callers confirm each against the row (full hash).
// It also keeps the two other facts the writer would otherwise look up per sample: projects
// seen to exist and the next sample id of the open transaction. Used only on the writer
// thread (it observes the writer's transactions). Internal to src/store.
#pragma once

#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "base/status.h"
#include "store/internal/group_commit_writer.h"
#include "store/internal/sqlite_db.h"

namespace tinyloop::store::internal {

// The values key of a values_sha256 (64 lower-case hex characters): its first 16 hex digits
// as a 64-bit integer (bit-cast to signed, as SQLite stores it).
// Precondition: IsValidSha256Hex(values_sha256).
int64_t ValuesKey(std::string_view values_sha256);

class ValuesIndex : public TransactionObserver {
 public:
  // Ids that may hold a sample of `project_id` with values key `key`, ascending, no repeats.
  std::vector<int64_t> Candidates(int64_t project_id, int64_t key) const;
  // Records a sample inserted in the open transaction; kept when it commits.
  void Add(int64_t project_id, int64_t key, int64_t id);

  // Loads the index on the first transaction; later, when another connection (another
  // process) committed since, loads the samples it added (ids above the highest known).
  Status OnBegin(Db& db) override;
  void OnCommit() override;
  // Forgets the transaction's additions (and the known projects).
  void OnRollback() override;

  size_t size() const { return ids_.size(); }

  // Projects are never deleted, so one that was seen once stays: the writer checks a project
  // in SQL only the first time a sample names it.
  bool KnownProject(int64_t project_id) const { return known_projects_.count(project_id) > 0; }
  void AddKnownProject(int64_t project_id) { known_projects_.insert(project_id); }

  // The id the next sample of the open transaction gets, once the first insert of the
  // transaction looked it up (the write lock keeps others out until it ends); 0 when not yet.
  int64_t next_sample_id() const { return next_sample_id_; }
  void set_next_sample_id(int64_t id) { next_sample_id_ = id; }

 private:
  static uint64_t Slot(int64_t project_id, int64_t key);
  Status LoadAbove(Db& db, int64_t id);

  std::unordered_multimap<uint64_t, int64_t> ids_;     // Slot -> sample id
  std::vector<std::pair<uint64_t, int64_t>> pending_;  // added in the open transaction
  std::unordered_set<int64_t> known_projects_;
  int64_t next_sample_id_ = 0;  // 0: look it up
  bool loaded_ = false;
  int64_t data_version_ = 0;  // PRAGMA data_version at the last OnBegin
  int64_t highest_id_ = 0;    // highest committed id the index holds
};

}  // namespace tinyloop::store::internal
