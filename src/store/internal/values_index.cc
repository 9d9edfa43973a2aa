#include "store/internal/values_index.h"

#include <algorithm>

namespace tinyloop::store::internal {

int64_t ValuesKey(std::string_view values_sha256) {
  uint64_t key = 0;
  for (size_t i = 0; i < 16; ++i) {
    const char c = values_sha256[i];
    key = (key << 4) | static_cast<uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
  }
  return static_cast<int64_t>(key);
}

uint64_t ValuesIndex::Slot(int64_t project_id, int64_t key) {
  // Projects share the table; the multiplier spreads their ids over the high bits. A clash
  // across projects is only a candidate that fails its project check.
  return static_cast<uint64_t>(key) ^ (static_cast<uint64_t>(project_id) * 0x9E3779B97F4A7C15u);
}

std::vector<int64_t> ValuesIndex::Candidates(int64_t project_id, int64_t key) const {
  std::vector<int64_t> ids;
  const auto [first, last] = ids_.equal_range(Slot(project_id, key));
  for (auto it = first; it != last; ++it) ids.push_back(it->second);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

void ValuesIndex::Add(int64_t project_id, int64_t key, int64_t id) {
  const uint64_t slot = Slot(project_id, key);
  ids_.emplace(slot, id);
  pending_.emplace_back(slot, id);
}

Status ValuesIndex::LoadAbove(Db& db, int64_t id) {
  // The whole index at start-up: a scan of the covering index (about 60 bytes a sample), not
  // of the table. Later only the few rows another process added: a rowid range.
  TL_ASSIGN_OR_RETURN(
      Statement stmt,
      db.Prepare(id == 0 ? "SELECT project_id, id, values_key FROM samples INDEXED BY "
                           "samples_by_project WHERE values_key IS NOT NULL"
                         : "SELECT project_id, id, values_key FROM samples WHERE id > ?1 AND "
                           "values_key IS NOT NULL"));
  if (id != 0) stmt.Bind(1, id);
  for (;;) {
    TL_ASSIGN_OR_RETURN(const bool row, stmt.Step());
    if (!row) break;
    const int64_t sample_id = stmt.ColumnInt64(1);
    ids_.emplace(Slot(stmt.ColumnInt64(0), stmt.ColumnInt64(2)), sample_id);
    highest_id_ = std::max(highest_id_, sample_id);
  }
  return OkStatus();
}

Status ValuesIndex::OnBegin(Db& db) {
  pending_.clear();
  next_sample_id_ = 0;
  // Changes when another connection committed since this one last looked (not for its own).
  TL_ASSIGN_OR_RETURN(const int64_t version, db.QueryInt64("PRAGMA data_version"));
  if (!loaded_) {
    ids_.clear();  // a failed load may have left part of the rows
    highest_id_ = 0;
    TL_RETURN_IF_ERROR(LoadAbove(db, 0));
    loaded_ = true;
  } else if (version != data_version_) {
    // Ids only grow under the write lock, so what others added lies above what we know.
    TL_RETURN_IF_ERROR(LoadAbove(db, highest_id_));
  }
  data_version_ = version;
  return OkStatus();
}

void ValuesIndex::OnCommit() {
  next_sample_id_ = 0;
  for (const auto& [slot, id] : pending_) highest_id_ = std::max(highest_id_, id);
  pending_.clear();
}

void ValuesIndex::OnRollback() {
  known_projects_.clear();  // one may have been created in the transaction undone
  next_sample_id_ = 0;
  for (const auto& [slot, id] : pending_) {
    const auto [first, last] = ids_.equal_range(slot);
    for (auto it = first; it != last; ++it) {
      if (it->second == id) {
        ids_.erase(it);
        break;
      }
    }
  }
  pending_.clear();
}

}  // namespace tinyloop::store::internal
