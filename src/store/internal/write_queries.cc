// Write half of queries.h. Runs only on the writer thread, inside its transaction.
#include "base/crypto.h"
#include "base/json.h"
#include "store/internal/queries.h"
#include "store/internal/rows.h"

namespace tinyloop::store::internal {
namespace {

Status CheckProjectExists(Db& db, int64_t project_id) {
  TL_ASSIGN_OR_RETURN(Statement stmt, db.Prepare("SELECT 1 FROM projects WHERE id = ?1"));
  stmt.Bind(1, project_id);
  TL_ASSIGN_OR_RETURN(const bool found, stmt.Step());
  if (!found) return NotFoundError("project " + std::to_string(project_id) + " not found");
  return OkStatus();
}

// Runs an UPDATE/DELETE and turns "no row matched" into NotFound(`what`).
Status RunExpectingOneRow(Db& db, Statement& stmt, const std::string& what) {
  TL_RETURN_IF_ERROR(stmt.Run());
  if (db.Changes() == 0) return NotFoundError(what + " not found");
  return OkStatus();
}

std::string SampleName(int64_t project_id, int64_t sample_id) {
  return "sample " + std::to_string(sample_id) + " in project " + std::to_string(project_id);
}

}  // namespace

StatusOr<std::string> LoadOrCreatePepper(Db& db) {
  {
    TL_ASSIGN_OR_RETURN(
        Statement insert,
        db.Prepare("INSERT INTO meta (key, value) VALUES ('pepper', ?1) ON CONFLICT DO NOTHING"));
    insert.Bind(1, RandomHex(32));
    TL_RETURN_IF_ERROR(insert.Run());
  }
  TL_ASSIGN_OR_RETURN(Statement select, db.Prepare("SELECT value FROM meta WHERE key = 'pepper'"));
  TL_ASSIGN_OR_RETURN(const bool found, select.Step());
  if (!found) return InternalError("pepper missing from meta table");
  std::string pepper = select.ColumnText(0);
  if (pepper.size() != 64) return DataLossError("stored pepper is malformed");
  return pepper;
}

StatusOr<int64_t> InsertProject(Db& db, const Project& project) {
  TL_ASSIGN_OR_RETURN(
      Statement stmt,
      db.Prepare("INSERT INTO projects (name, owner, hmac_key, allow_unsigned, created_ms, "
                 "sensor_schema) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  stmt.Bind(1, project.name)
      .Bind(2, project.owner)
      .Bind(3, project.hmac_key)
      .Bind(4, int64_t{project.allow_unsigned})
      .Bind(5, project.created_ms)
      .Bind(6, DumpJson(project.sensor_schema));
  Status status = stmt.Run();
  if (status.code() == StatusCode::kAlreadyExists) {
    return AlreadyExistsError("project name '" + project.name + "' already exists");
  }
  TL_RETURN_IF_ERROR(status);
  return db.LastInsertRowid();
}

StatusOr<int64_t> InsertApiKey(Db& db, const ApiKey& key, const std::string& key_hash) {
  TL_RETURN_IF_ERROR(CheckProjectExists(db, key.project_id));
  TL_ASSIGN_OR_RETURN(
      Statement stmt,
      db.Prepare("INSERT INTO api_keys (project_id, name, display_prefix, key_hash, created_ms) "
                 "VALUES (?1, ?2, ?3, ?4, ?5)"));
  stmt.Bind(1, key.project_id)
      .Bind(2, key.name)
      .Bind(3, key.display_prefix)
      .Bind(4, key_hash)
      .Bind(5, key.created_ms);
  Status status = stmt.Run();
  if (status.code() == StatusCode::kAlreadyExists) {
    return AlreadyExistsError("api key hash already exists");
  }
  TL_RETURN_IF_ERROR(status);
  return db.LastInsertRowid();
}

StatusOr<InsertedSample> InsertSample(Db& db, const PreparedSample& prepared,
                                      ValuesIndex& values_index) {
  const Sample& s = *prepared.sample;
  InsertedSample result;
  if (!values_index.KnownProject(s.project_id)) {
    TL_RETURN_IF_ERROR(CheckProjectExists(db, s.project_id));
    values_index.AddKnownProject(s.project_id);
  }
  // The in-memory index names the samples whose values may be equal (it includes earlier
  // inserts of this transaction); the row's full hash decides. The earliest match wins.
  for (const int64_t candidate : values_index.Candidates(s.project_id, prepared.values_key)) {
    TL_ASSIGN_OR_RETURN(
        Statement check,
        db.Prepare("SELECT values_sha256 = ?3 FROM samples WHERE id = ?1 AND project_id = ?2"));
    check.Bind(1, candidate).Bind(2, s.project_id).BindRef(3, s.values_sha256);
    TL_ASSIGN_OR_RETURN(const bool row, check.Step());
    if (row && check.ColumnInt64(0) != 0) {
      result.duplicate_of = candidate;
      break;
    }
  }
  std::string duplicate_findings;  // only when a duplicate adds its finding
  if (result.duplicate_of) {
    const std::string other = std::to_string(*result.duplicate_of);
    if (prepared.disallow_duplicates) {
      return AlreadyExistsError("project " + std::to_string(s.project_id) +
                                " already holds a sample with the same values (sample " + other +
                                ")");
    }
    std::vector<Finding> with_duplicate = s.findings;
    with_duplicate.push_back(Finding{"duplicate", "same values as sample " + other});
    duplicate_findings = FindingsToJson(with_duplicate);
  }

  // The id is above every id present and every id ever deleted (sample_id_floor), so never
  // reused. It is looked up once per transaction and counted up from there: nobody else
  // inserts while this connection holds the write lock. (A job undone by its savepoint leaves
  // a gap, which is harmless.)
  int64_t id = values_index.next_sample_id();
  if (id == 0) {
    TL_ASSIGN_OR_RETURN(const int64_t highest,
                        db.QueryInt64("SELECT max(coalesce((SELECT max(id) FROM samples), 0), "
                                      "(SELECT value FROM sample_id_floor WHERE id = 1))"));
    id = highest + 1;
  }
  // Every text is bound by reference: `prepared` and `s` outlive the statement handle.
  TL_ASSIGN_OR_RETURN(
      Statement insert,
      db.Prepare("INSERT INTO samples (id, project_id, file_name, label, category, device_name, "
                 "device_type, interval_ms, axes, length, sha256, values_sha256, content_type, "
                 "metadata, upload_source, signed_hmac, ingest_ms, findings, duplicate_of, "
                 "sample_values, values_key, body_pack, body_offset, body_length) VALUES "
                 "(?24, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
                 "?17, ?18, ?19, ?20, ?21, ?22, ?23)"));
  insert.Bind(1, s.project_id)
      .BindRef(2, s.file_name)
      .BindRef(3, s.label)
      .BindRef(4, s.category)
      .BindRef(5, s.device_name)
      .BindRef(6, s.device_type)
      .Bind(7, s.interval_ms)
      .BindRef(8, prepared.axes_json)
      .Bind(9, s.length)
      .BindRef(10, s.sha256)
      .BindRef(11, s.values_sha256)
      .BindRef(12, s.content_type)
      .BindRef(13, prepared.metadata_json)
      .BindRef(14, s.upload_source)
      .Bind(15, int64_t{s.signed_hmac})
      .Bind(16, s.ingest_ms)
      .BindRef(17, result.duplicate_of ? duplicate_findings : prepared.findings_json)
      .BindBlobRef(19, prepared.values_le)
      .Bind(20, prepared.values_key)
      .Bind(22, prepared.body.offset)
      .Bind(23, prepared.body.length)
      .Bind(24, id);
  if (result.duplicate_of) {
    insert.Bind(18, *result.duplicate_of);
  } else {
    insert.BindNull(18);
  }
  if (prepared.body.pack.empty()) {
    insert.BindNull(21);  // in its own file
  } else {
    insert.BindRef(21, prepared.body.pack);
  }
  TL_RETURN_IF_ERROR(insert.Run());
  result.id = id;
  values_index.set_next_sample_id(id + 1);
  values_index.Add(s.project_id, prepared.values_key, result.id);
  return result;
}

StatusOr<bool> InsertBlobLocation(Db& db, std::string_view sha, const BlobLocation& location) {
  TL_ASSIGN_OR_RETURN(Statement stmt,
                      db.Prepare("INSERT OR IGNORE INTO blob_locations (sha256, pack, offset, "
                                 "length) VALUES (?1, ?2, ?3, ?4)"));
  stmt.BindRef(1, sha).Bind(3, location.offset).Bind(4, location.length);
  if (location.pack.empty()) {
    stmt.BindNull(2);
  } else {
    stmt.BindRef(2, location.pack);
  }
  TL_RETURN_IF_ERROR(stmt.Run());
  return db.Changes() > 0;
}

Status AddBlobTotals(Db& db, int64_t count, int64_t bytes) {
  if (count == 0 && bytes == 0) return OkStatus();
  TL_ASSIGN_OR_RETURN(
      Statement stmt,
      db.Prepare("UPDATE blob_totals SET count = count + ?1, bytes = bytes + ?2 WHERE id = 1"));
  stmt.Bind(1, count).Bind(2, bytes);
  return RunExpectingOneRow(db, stmt, "blob_totals row");
}

Status UpdateProjectSchema(Db& db, int64_t project_id, const Json& schema) {
  TL_ASSIGN_OR_RETURN(Statement stmt,
                      db.Prepare("UPDATE projects SET sensor_schema = ?2 WHERE id = ?1"));
  stmt.Bind(1, project_id).Bind(2, DumpJson(schema));
  return RunExpectingOneRow(db, stmt, "project " + std::to_string(project_id));
}

Status UpdateProjectAllowUnsigned(Db& db, int64_t project_id, bool allow) {
  TL_ASSIGN_OR_RETURN(Statement stmt,
                      db.Prepare("UPDATE projects SET allow_unsigned = ?2 WHERE id = ?1"));
  stmt.Bind(1, project_id).Bind(2, int64_t{allow});
  return RunExpectingOneRow(db, stmt, "project " + std::to_string(project_id));
}

Status DeleteSample(Db& db, int64_t project_id, int64_t sample_id) {
  {
    // The values go with the row (they are a column of it).
    TL_ASSIGN_OR_RETURN(Statement stmt,
                        db.Prepare("DELETE FROM samples WHERE id = ?2 AND project_id = ?1"));
    stmt.Bind(1, project_id).Bind(2, sample_id);
    TL_RETURN_IF_ERROR(RunExpectingOneRow(db, stmt, SampleName(project_id, sample_id)));
  }
  // New ids stay above it, even when it was the highest (InsertSample).
  TL_ASSIGN_OR_RETURN(Statement floor,
                      db.Prepare("UPDATE sample_id_floor SET value = max(value, ?1) WHERE id = 1"));
  floor.Bind(1, sample_id);
  return RunExpectingOneRow(db, floor, "sample_id_floor row");
}

Status UpdateSampleText(Db& db, int64_t project_id, int64_t sample_id, const char* column,
                        const std::string& value) {
  TL_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(std::string("UPDATE samples SET ") + column +
                                                 " = ?3 WHERE id = ?2 AND project_id = ?1"));
  stmt.Bind(1, project_id).Bind(2, sample_id).Bind(3, value);
  return RunExpectingOneRow(db, stmt, SampleName(project_id, sample_id));
}

}  // namespace tinyloop::store::internal
