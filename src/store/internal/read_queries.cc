// Read half of queries.h. Runs on pooled read-only connections.
#include <algorithm>

#include "store/internal/queries.h"
#include "store/internal/rows.h"

namespace tinyloop::store::internal {
namespace {

// Builds "WHERE ..." for a filter; parameters are numbered in the order Bind*Filter binds them.
std::string FilterClause(const SampleFilter& f) {
  std::string sql = " WHERE project_id = ?1";
  if (f.label) sql += " AND label = ?2";
  if (f.category) sql += " AND category = ?3";
  if (f.device_name) sql += " AND device_name = ?4";
  if (f.ingested_from_ms) sql += " AND ingest_ms >= ?5";
  if (f.ingested_to_ms) sql += " AND ingest_ms < ?6";
  return sql;
}

void BindFilter(Statement& stmt, const SampleFilter& f) {
  stmt.Bind(1, f.project_id);
  if (f.label) stmt.Bind(2, *f.label);
  if (f.category) stmt.Bind(3, *f.category);
  if (f.device_name) stmt.Bind(4, *f.device_name);
  if (f.ingested_from_ms) stmt.Bind(5, *f.ingested_from_ms);
  if (f.ingested_to_ms) stmt.Bind(6, *f.ingested_to_ms);
}

// Read queries that span several statements run in one read transaction so they see one
// snapshot (WAL). Ends the transaction on every path.
class ReadTransaction {
 public:
  explicit ReadTransaction(Db& db) : db_(db) {}
  ~ReadTransaction() {
    if (started_) (void)db_.Exec("COMMIT");
  }
  Status Begin() {
    TL_RETURN_IF_ERROR(db_.Exec("BEGIN"));
    started_ = true;
    return OkStatus();
  }

 private:
  Db& db_;
  bool started_ = false;
};

}  // namespace

StatusOr<Project> SelectProject(Db& db, int64_t id) {
  TL_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(std::string("SELECT ") + kProjectColumns +
                                                 " FROM projects WHERE id = ?1"));
  stmt.Bind(1, id);
  TL_ASSIGN_OR_RETURN(const bool found, stmt.Step());
  if (!found) return NotFoundError("project " + std::to_string(id) + " not found");
  return ReadProjectRow(stmt);
}

StatusOr<std::vector<Project>> SelectProjects(Db& db) {
  TL_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(std::string("SELECT ") + kProjectColumns +
                                                 " FROM projects ORDER BY id"));
  std::vector<Project> projects;
  for (;;) {
    TL_ASSIGN_OR_RETURN(const bool row, stmt.Step());
    if (!row) break;
    TL_ASSIGN_OR_RETURN(Project project, ReadProjectRow(stmt));
    projects.push_back(std::move(project));
  }
  return projects;
}

StatusOr<ApiKey> SelectApiKeyByHash(Db& db, const std::string& key_hash) {
  TL_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(std::string("SELECT ") + kApiKeyColumns +
                                                 " FROM api_keys WHERE key_hash = ?1"));
  stmt.Bind(1, key_hash);
  TL_ASSIGN_OR_RETURN(const bool found, stmt.Step());
  if (!found) return NotFoundError("api key not found");
  return ReadApiKeyRow(stmt);
}

StatusOr<SampleList> SelectSamples(Db& db, const SampleFilter& filter) {
  const std::string where = FilterClause(filter);
  SampleList list;
  ReadTransaction txn(db);
  TL_RETURN_IF_ERROR(txn.Begin());
  {
    TL_ASSIGN_OR_RETURN(Statement count, db.Prepare("SELECT count(*) FROM samples" + where));
    BindFilter(count, filter);
    TL_ASSIGN_OR_RETURN(const bool row, count.Step());
    if (!row) return InternalError("count returned no row");
    list.total = count.ColumnInt64(0);
  }
  if (filter.offset >= list.total) return list;
  TL_ASSIGN_OR_RETURN(Statement select,
                      db.Prepare(std::string("SELECT ") + kSampleColumns + " FROM samples" + where +
                                 " ORDER BY id LIMIT ?7 OFFSET ?8"));
  BindFilter(select, filter);
  select.Bind(7, filter.limit).Bind(8, filter.offset);
  list.samples.reserve(static_cast<size_t>(std::min(filter.limit, list.total - filter.offset)));
  for (;;) {
    TL_ASSIGN_OR_RETURN(const bool row, select.Step());
    if (!row) break;
    TL_ASSIGN_OR_RETURN(Sample sample, ReadSampleRow(select));
    list.samples.push_back(std::move(sample));
  }
  return list;
}

StatusOr<Sample> SelectSample(Db& db, int64_t project_id, int64_t sample_id) {
  TL_ASSIGN_OR_RETURN(Statement stmt,
                      db.Prepare(std::string("SELECT ") + kSampleColumns +
                                 " FROM samples WHERE id = ?2 AND project_id = ?1"));
  stmt.Bind(1, project_id).Bind(2, sample_id);
  TL_ASSIGN_OR_RETURN(const bool found, stmt.Step());
  if (!found) {
    return NotFoundError("sample " + std::to_string(sample_id) + " in project " +
                         std::to_string(project_id) + " not found");
  }
  return ReadSampleRow(stmt);
}

StatusOr<std::vector<float>> SelectSampleValues(Db& db, int64_t project_id, int64_t sample_id) {
  TL_ASSIGN_OR_RETURN(Statement stmt,
                      db.Prepare("SELECT sample_values FROM samples WHERE id = ?2 AND "
                                 "project_id = ?1"));
  stmt.Bind(1, project_id).Bind(2, sample_id);
  TL_ASSIGN_OR_RETURN(const bool found, stmt.Step());
  if (!found) {
    return NotFoundError("sample " + std::to_string(sample_id) + " in project " +
                         std::to_string(project_id) + " not found");
  }
  // NULL only for a row that had no values row before schema version 3.
  if (stmt.ColumnIsNull(0)) {
    return DataLossError("values of sample " + std::to_string(sample_id) + " are missing");
  }
  return DecodeFloat32Le(stmt.ColumnBlob(0));
}

StatusOr<int64_t> CountSamples(Db& db) { return db.QueryInt64("SELECT count(*) FROM samples"); }

StatusOr<std::optional<BlobLocation>> SelectBlobLocation(Db& db, std::string_view sha) {
  TL_ASSIGN_OR_RETURN(
      Statement stmt,
      db.Prepare("SELECT pack, offset, length FROM blob_locations WHERE sha256 = ?1"));
  stmt.BindRef(1, sha);
  TL_ASSIGN_OR_RETURN(const bool found, stmt.Step());
  if (!found) return std::optional<BlobLocation>();
  BlobLocation location;
  if (!stmt.ColumnIsNull(0)) location.pack = stmt.ColumnText(0);
  location.offset = stmt.ColumnInt64(1);
  location.length = stmt.ColumnInt64(2);
  return std::optional<BlobLocation>(std::move(location));
}

StatusOr<SampleBodyRef> SelectSampleBodyRef(Db& db, int64_t project_id, int64_t sample_id) {
  // Rows since schema version 5 name their body's place; older ones are found by the body's
  // hash in the blob index (the join runs only for them).
  TL_ASSIGN_OR_RETURN(
      Statement stmt,
      db.Prepare("SELECT s.sha256, s.body_length IS NOT NULL, s.body_pack, s.body_offset, "
                 "s.body_length, b.sha256 IS NOT NULL, b.pack, b.offset, b.length "
                 "FROM samples s LEFT JOIN blob_locations b ON s.body_length IS NULL AND "
                 "b.sha256 = s.sha256 WHERE s.id = ?2 AND s.project_id = ?1"));
  stmt.Bind(1, project_id).Bind(2, sample_id);
  TL_ASSIGN_OR_RETURN(const bool found, stmt.Step());
  if (!found) {
    return NotFoundError("sample " + std::to_string(sample_id) + " in project " +
                         std::to_string(project_id) + " not found");
  }
  SampleBodyRef ref;
  ref.sha256 = stmt.ColumnText(0);
  for (const int first : {1, 5}) {  // the row's own location, else the blob index's
    if (stmt.ColumnInt64(first) == 0) continue;
    BlobLocation location;
    if (!stmt.ColumnIsNull(first + 1)) location.pack = stmt.ColumnText(first + 1);
    location.offset = stmt.ColumnInt64(first + 2);
    location.length = stmt.ColumnInt64(first + 3);
    ref.location = std::move(location);
    break;
  }
  return ref;
}

StatusOr<std::optional<BlobLocation>> FindStoredBody(Db& db, const ValuesIndex& values_index,
                                                     int64_t project_id, int64_t values_key,
                                                     std::string_view body_sha256) {
  for (const int64_t candidate : values_index.Candidates(project_id, values_key)) {
    StatusOr<SampleBodyRef> ref = SelectSampleBodyRef(db, project_id, candidate);
    if (ref.status().code() == StatusCode::kNotFound) continue;  // deleted, or undone
    if (!ref.ok()) return ref.status();
    if (ref->sha256 == body_sha256 && ref->location) return ref->location;
  }
  return std::optional<BlobLocation>();
}

StatusOr<BlobTotals> SelectBlobTotals(Db& db) {
  TL_ASSIGN_OR_RETURN(Statement stmt,
                      db.Prepare("SELECT count, bytes FROM blob_totals WHERE id = 1"));
  TL_ASSIGN_OR_RETURN(const bool found, stmt.Step());
  if (!found) return DataLossError("blob_totals row is missing");
  BlobTotals totals;
  totals.count = stmt.ColumnInt64(0);
  totals.bytes = stmt.ColumnInt64(1);
  return totals;
}

}  // namespace tinyloop::store::internal
