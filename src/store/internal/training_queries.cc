// SQL of the training tables (training_queries.h).
#include "store/internal/training_queries.h"

#include "base/json.h"
#include "store/internal/rows.h"

namespace tinyloop::store::internal {
namespace {

StatusOr<std::vector<Axis>> ParseAxes(const std::string& text) {
  TL_ASSIGN_OR_RETURN(const Json json, ParseStoredJson(text, "axes"));
  std::vector<Axis> axes;
  if (!json.is_array()) return DataLossError("stored column axes is not an array");
  for (const Json& a : json) {
    if (!a.is_object() || !a.value("name", Json()).is_string() ||
        !a.value("units", Json()).is_string()) {
      return DataLossError("stored column axes has a malformed element");
    }
    axes.push_back(Axis{a["name"].get<std::string>(), a["units"].get<std::string>()});
  }
  return axes;
}

std::string FilesToJson(const std::vector<ModelFile>& files) {
  Json out = Json::array();
  for (const ModelFile& f : files) {
    out.push_back({{"name", f.name}, {"sha256", f.sha256}, {"size", f.size}});
  }
  return DumpJson(out);
}

StatusOr<std::vector<ModelFile>> ParseFiles(const std::string& text) {
  TL_ASSIGN_OR_RETURN(const Json json, ParseStoredJson(text, "files"));
  if (!json.is_array()) return DataLossError("stored column files is not an array");
  std::vector<ModelFile> files;
  for (const Json& f : json) {
    if (!f.is_object() || !f.value("name", Json()).is_string() ||
        !f.value("sha256", Json()).is_string() || !f.value("size", Json()).is_number_integer()) {
      return DataLossError("stored column files has a malformed element");
    }
    files.push_back(ModelFile{f["name"].get<std::string>(), f["sha256"].get<std::string>(),
                              f["size"].get<int64_t>()});
  }
  return files;
}

std::string NotFoundText(const char* what, int64_t project_id, int64_t id) {
  return std::string(what) + " " + std::to_string(id) + " not found in project " +
         std::to_string(project_id);
}

// NotFound unless row `id` of `table` (never user input) belongs to the project.
Status CheckExists(Db& db, const char* table, int64_t project_id, int64_t id, const char* what) {
  TL_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(std::string("SELECT 1 FROM ") + table +
                                                 " WHERE id = ?2 AND project_id = ?1"));
  stmt.Bind(1, project_id).Bind(2, id);
  TL_ASSIGN_OR_RETURN(const bool found, stmt.Step());
  if (!found) return NotFoundError(NotFoundText(what, project_id, id));
  return OkStatus();
}

Status CheckProject(Db& db, int64_t project_id) {
  TL_ASSIGN_OR_RETURN(Statement stmt, db.Prepare("SELECT 1 FROM projects WHERE id = ?1"));
  stmt.Bind(1, project_id);
  TL_ASSIGN_OR_RETURN(const bool found, stmt.Step());
  if (!found) return NotFoundError("project " + std::to_string(project_id) + " not found");
  return OkStatus();
}

constexpr const char* kVersionColumns =
    "v.id, v.project_id, v.options, v.content_hash, v.created_ms, "
    "(SELECT COUNT(*) FROM dataset_version_samples s WHERE s.version_id = v.id)";
constexpr const char* kImpulseColumns = "id, project_id, name, config, created_ms";
constexpr const char* kJobColumns =
    "id, project_id, kind, status, impulse_id, dataset_version_id, seed, progress, error, "
    "created_ms, started_ms, finished_ms, model_id, params, result";
constexpr const char* kModelColumns =
    "id, project_id, impulse_id, dataset_version_id, job_id, seed, headline, files, created_ms";

StatusOr<DatasetVersion> ReadVersionRow(const Statement& stmt) {
  DatasetVersion v;
  v.id = stmt.ColumnInt64(0);
  v.project_id = stmt.ColumnInt64(1);
  TL_ASSIGN_OR_RETURN(v.options, ParseStoredJson(stmt.ColumnText(2), "options"));
  v.content_hash = stmt.ColumnText(3);
  v.created_ms = stmt.ColumnInt64(4);
  v.sample_count = stmt.ColumnInt64(5);
  return v;
}

StatusOr<ImpulseRecord> ReadImpulseRow(const Statement& stmt) {
  ImpulseRecord r;
  r.id = stmt.ColumnInt64(0);
  r.project_id = stmt.ColumnInt64(1);
  r.name = stmt.ColumnText(2);
  TL_ASSIGN_OR_RETURN(r.config, ParseStoredJson(stmt.ColumnText(3), "config"));
  r.created_ms = stmt.ColumnInt64(4);
  return r;
}

StatusOr<Job> ReadJobRow(const Statement& stmt) {
  Job j;
  j.id = stmt.ColumnInt64(0);
  j.project_id = stmt.ColumnInt64(1);
  j.kind = stmt.ColumnText(2);
  j.status = stmt.ColumnText(3);
  j.impulse_id = stmt.ColumnInt64(4);
  j.dataset_version_id = stmt.ColumnInt64(5);
  j.seed = static_cast<uint64_t>(stmt.ColumnInt64(6));
  TL_ASSIGN_OR_RETURN(j.progress, ParseStoredJson(stmt.ColumnText(7), "progress"));
  j.error = stmt.ColumnText(8);
  j.created_ms = stmt.ColumnInt64(9);
  j.started_ms = stmt.ColumnInt64(10);
  j.finished_ms = stmt.ColumnInt64(11);
  j.model_id = stmt.ColumnInt64(12);
  TL_ASSIGN_OR_RETURN(j.params, ParseStoredJson(stmt.ColumnText(13), "params"));
  TL_ASSIGN_OR_RETURN(j.result, ParseStoredJson(stmt.ColumnText(14), "result"));
  return j;
}

StatusOr<ModelRecord> ReadModelRow(const Statement& stmt) {
  ModelRecord m;
  m.id = stmt.ColumnInt64(0);
  m.project_id = stmt.ColumnInt64(1);
  m.impulse_id = stmt.ColumnInt64(2);
  m.dataset_version_id = stmt.ColumnInt64(3);
  m.job_id = stmt.ColumnInt64(4);
  m.seed = static_cast<uint64_t>(stmt.ColumnInt64(5));
  TL_ASSIGN_OR_RETURN(m.headline, ParseStoredJson(stmt.ColumnText(6), "headline"));
  TL_ASSIGN_OR_RETURN(m.files, ParseFiles(stmt.ColumnText(7)));
  m.created_ms = stmt.ColumnInt64(8);
  return m;
}

// Runs a SELECT of many rows through `read`.
template <typename T, typename ReadFn>
StatusOr<std::vector<T>> SelectAll(Db& db, const std::string& sql, int64_t project_id,
                                   ReadFn read) {
  TL_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(sql));
  stmt.Bind(1, project_id);
  std::vector<T> out;
  for (;;) {
    TL_ASSIGN_OR_RETURN(const bool row, stmt.Step());
    if (!row) break;
    TL_ASSIGN_OR_RETURN(T item, read(stmt));
    out.push_back(std::move(item));
  }
  return out;
}

// Runs a SELECT of one row by (project, id) through `read`.
template <typename T, typename ReadFn>
StatusOr<T> SelectOne(Db& db, const std::string& sql, int64_t project_id, int64_t id,
                      const char* what, ReadFn read) {
  TL_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(sql));
  stmt.Bind(1, project_id).Bind(2, id);
  TL_ASSIGN_OR_RETURN(const bool found, stmt.Step());
  if (!found) return NotFoundError(NotFoundText(what, project_id, id));
  return read(stmt);
}

// FailedPrecondition unless job `job_id` exists and is running.
Status CheckRunning(Db& db, int64_t job_id) {
  TL_ASSIGN_OR_RETURN(Statement stmt, db.Prepare("SELECT status FROM jobs WHERE id = ?1"));
  stmt.Bind(1, job_id);
  TL_ASSIGN_OR_RETURN(const bool found, stmt.Step());
  if (!found) return NotFoundError("job " + std::to_string(job_id) + " not found");
  const std::string status = stmt.ColumnText(0);
  if (status != "running") {
    return FailedPreconditionError("job " + std::to_string(job_id) + " is " + status +
                                   ", not running");
  }
  return OkStatus();
}

}  // namespace

StatusOr<int64_t> InsertDatasetVersion(Db& db, const DatasetVersion& version) {
  TL_RETURN_IF_ERROR(CheckProject(db, version.project_id));
  {
    TL_ASSIGN_OR_RETURN(Statement stmt,
                        db.Prepare("INSERT INTO dataset_versions (project_id, options, "
                                   "content_hash, created_ms) VALUES (?1, ?2, ?3, ?4)"));
    stmt.Bind(1, version.project_id)
        .Bind(2, DumpJson(version.options))
        .Bind(3, version.content_hash)
        .Bind(4, version.created_ms);
    TL_RETURN_IF_ERROR(stmt.Run());
  }
  const int64_t id = db.LastInsertRowid();
  for (const DatasetVersionSample& s : version.samples) {
    // A fresh handle per row: destroying it resets the cached statement for the next bind.
    TL_ASSIGN_OR_RETURN(
        Statement insert,
        db.Prepare("INSERT INTO dataset_version_samples (version_id, sample_id, file_name, "
                   "label, category, split, grp, device_name, interval_ms, axes, length, "
                   "metadata, values_blob) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                   "?12, ?13)"));
    insert.Bind(1, id)
        .Bind(2, s.sample_id)
        .Bind(3, s.file_name)
        .Bind(4, s.label)
        .Bind(5, s.category)
        .Bind(6, s.split)
        .Bind(7, s.group)
        .Bind(8, s.device_name)
        .Bind(9, s.interval_ms)
        .Bind(10, AxesToJson(s.axes))
        .Bind(11, s.length)
        .Bind(12, DumpJson(s.metadata))
        .Bind(13, s.values_blob);
    TL_RETURN_IF_ERROR(insert.Run());
  }
  return id;
}

StatusOr<int64_t> InsertImpulse(Db& db, const ImpulseRecord& impulse) {
  TL_RETURN_IF_ERROR(CheckProject(db, impulse.project_id));
  TL_ASSIGN_OR_RETURN(Statement stmt,
                      db.Prepare("INSERT INTO impulses (project_id, name, config, created_ms) "
                                 "VALUES (?1, ?2, ?3, ?4)"));
  stmt.Bind(1, impulse.project_id)
      .Bind(2, impulse.name)
      .Bind(3, DumpJson(impulse.config))
      .Bind(4, impulse.created_ms);
  TL_RETURN_IF_ERROR(stmt.Run());
  return db.LastInsertRowid();
}

StatusOr<int64_t> InsertJob(Db& db, const Job& job) {
  TL_RETURN_IF_ERROR(CheckProject(db, job.project_id));
  TL_RETURN_IF_ERROR(CheckExists(db, "impulses", job.project_id, job.impulse_id, "impulse"));
  TL_RETURN_IF_ERROR(CheckExists(db, "dataset_versions", job.project_id, job.dataset_version_id,
                                 "dataset version"));
  if (job.model_id != 0) {
    TL_RETURN_IF_ERROR(CheckExists(db, "models", job.project_id, job.model_id, "model"));
  }
  TL_ASSIGN_OR_RETURN(
      Statement stmt,
      db.Prepare("INSERT INTO jobs (project_id, kind, status, impulse_id, dataset_version_id, "
                 "seed, progress, error, created_ms, started_ms, finished_ms, model_id, params, "
                 "result) VALUES (?1, ?2, 'queued', ?3, ?4, ?5, ?6, '', ?7, 0, 0, ?8, ?9, '{}')"));
  stmt.Bind(1, job.project_id)
      .Bind(2, job.kind)
      .Bind(3, job.impulse_id)
      .Bind(4, job.dataset_version_id)
      .Bind(5, static_cast<int64_t>(job.seed))
      .Bind(6, DumpJson(job.progress))
      .Bind(7, job.created_ms)
      .Bind(8, job.model_id)
      .Bind(9, DumpJson(job.params));
  TL_RETURN_IF_ERROR(stmt.Run());
  return db.LastInsertRowid();
}

StatusOr<std::optional<Job>> ClaimNextJob(Db& db, int64_t now_ms) {
  int64_t id = 0;
  {
    TL_ASSIGN_OR_RETURN(Statement stmt,
                        db.Prepare("SELECT id FROM jobs WHERE status = 'queued' ORDER BY id "
                                   "LIMIT 1"));
    TL_ASSIGN_OR_RETURN(const bool found, stmt.Step());
    if (!found) return std::optional<Job>();
    id = stmt.ColumnInt64(0);
  }
  {
    TL_ASSIGN_OR_RETURN(
        Statement stmt,
        db.Prepare("UPDATE jobs SET status = 'running', started_ms = ?2 WHERE id = ?1"));
    stmt.Bind(1, id).Bind(2, now_ms);
    TL_RETURN_IF_ERROR(stmt.Run());
  }
  TL_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(std::string("SELECT ") + kJobColumns +
                                                 " FROM jobs WHERE id = ?1"));
  stmt.Bind(1, id);
  TL_ASSIGN_OR_RETURN(const bool found, stmt.Step());
  if (!found) return InternalError("claimed job vanished");
  TL_ASSIGN_OR_RETURN(Job job, ReadJobRow(stmt));
  return std::optional<Job>(std::move(job));
}

Status UpdateRunningJob(Db& db, int64_t job_id, const Json& progress) {
  TL_RETURN_IF_ERROR(CheckRunning(db, job_id));
  TL_ASSIGN_OR_RETURN(Statement stmt, db.Prepare("UPDATE jobs SET progress = ?2 WHERE id = ?1"));
  stmt.Bind(1, job_id).Bind(2, DumpJson(progress));
  return stmt.Run();
}

Status FailRunningJob(Db& db, int64_t job_id, const std::string& error, int64_t now_ms) {
  TL_RETURN_IF_ERROR(CheckRunning(db, job_id));
  TL_ASSIGN_OR_RETURN(Statement stmt,
                      db.Prepare("UPDATE jobs SET status = 'failed', error = ?2, finished_ms = ?3 "
                                 "WHERE id = ?1"));
  stmt.Bind(1, job_id).Bind(2, error).Bind(3, now_ms);
  return stmt.Run();
}

Status SucceedRunningJob(Db& db, int64_t job_id, const Json& result, const Json& progress,
                         int64_t now_ms) {
  TL_RETURN_IF_ERROR(CheckRunning(db, job_id));
  TL_ASSIGN_OR_RETURN(Statement stmt,
                      db.Prepare("UPDATE jobs SET status = 'succeeded', result = ?2, "
                                 "progress = ?3, finished_ms = ?4 WHERE id = ?1"));
  stmt.Bind(1, job_id).Bind(2, DumpJson(result)).Bind(3, DumpJson(progress)).Bind(4, now_ms);
  return stmt.Run();
}

StatusOr<int64_t> FailAllRunningJobs(Db& db, const std::string& error, int64_t now_ms) {
  TL_ASSIGN_OR_RETURN(Statement stmt,
                      db.Prepare("UPDATE jobs SET status = 'failed', error = ?1, finished_ms = ?2 "
                                 "WHERE status = 'running'"));
  stmt.Bind(1, error).Bind(2, now_ms);
  TL_RETURN_IF_ERROR(stmt.Run());
  return int64_t{db.Changes()};
}

StatusOr<int64_t> InsertModelForJob(Db& db, const ModelRecord& model, const Json& progress) {
  TL_RETURN_IF_ERROR(CheckRunning(db, model.job_id));
  {
    TL_ASSIGN_OR_RETURN(
        Statement stmt,
        db.Prepare("INSERT INTO models (project_id, impulse_id, dataset_version_id, job_id, seed, "
                   "headline, files, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
    stmt.Bind(1, model.project_id)
        .Bind(2, model.impulse_id)
        .Bind(3, model.dataset_version_id)
        .Bind(4, model.job_id)
        .Bind(5, static_cast<int64_t>(model.seed))
        .Bind(6, DumpJson(model.headline))
        .Bind(7, FilesToJson(model.files))
        .Bind(8, model.created_ms);
    TL_RETURN_IF_ERROR(stmt.Run());
  }
  const int64_t id = db.LastInsertRowid();
  TL_ASSIGN_OR_RETURN(Statement stmt,
                      db.Prepare("UPDATE jobs SET status = 'succeeded', model_id = ?2, "
                                 "finished_ms = ?3, progress = ?4 WHERE id = ?1"));
  stmt.Bind(1, model.job_id).Bind(2, id).Bind(3, model.created_ms).Bind(4, DumpJson(progress));
  TL_RETURN_IF_ERROR(stmt.Run());
  return id;
}

StatusOr<std::vector<DatasetVersion>> SelectDatasetVersions(Db& db, int64_t project_id) {
  return SelectAll<DatasetVersion>(
      db,
      std::string("SELECT ") + kVersionColumns +
          " FROM dataset_versions v WHERE v.project_id = ?1 ORDER BY v.id DESC",
      project_id, ReadVersionRow);
}

StatusOr<DatasetVersion> SelectDatasetVersion(Db& db, int64_t project_id, int64_t id) {
  TL_ASSIGN_OR_RETURN(
      DatasetVersion version,
      SelectOne<DatasetVersion>(db,
                                std::string("SELECT ") + kVersionColumns +
                                    " FROM dataset_versions v WHERE v.project_id = ?1 AND "
                                    "v.id = ?2",
                                project_id, id, "dataset version", ReadVersionRow));
  TL_ASSIGN_OR_RETURN(
      Statement stmt,
      db.Prepare(
          "SELECT sample_id, file_name, label, category, split, grp, device_name, "
          "interval_ms, axes, length, metadata, values_blob FROM dataset_version_samples WHERE "
          "version_id = ?1 ORDER BY sample_id"));
  stmt.Bind(1, id);
  for (;;) {
    TL_ASSIGN_OR_RETURN(const bool row, stmt.Step());
    if (!row) break;
    DatasetVersionSample s;
    s.sample_id = stmt.ColumnInt64(0);
    s.file_name = stmt.ColumnText(1);
    s.label = stmt.ColumnText(2);
    s.category = stmt.ColumnText(3);
    s.split = stmt.ColumnText(4);
    s.group = stmt.ColumnText(5);
    s.device_name = stmt.ColumnText(6);
    s.interval_ms = stmt.ColumnDouble(7);
    TL_ASSIGN_OR_RETURN(s.axes, ParseAxes(stmt.ColumnText(8)));
    s.length = stmt.ColumnInt64(9);
    TL_ASSIGN_OR_RETURN(s.metadata, ParseStoredJson(stmt.ColumnText(10), "metadata"));
    s.values_blob = stmt.ColumnText(11);
    version.samples.push_back(std::move(s));
  }
  return version;
}

StatusOr<std::vector<ImpulseRecord>> SelectImpulses(Db& db, int64_t project_id) {
  return SelectAll<ImpulseRecord>(db,
                                  std::string("SELECT ") + kImpulseColumns +
                                      " FROM impulses WHERE project_id = ?1 ORDER BY id DESC",
                                  project_id, ReadImpulseRow);
}

StatusOr<ImpulseRecord> SelectImpulse(Db& db, int64_t project_id, int64_t id) {
  return SelectOne<ImpulseRecord>(
      db,
      std::string("SELECT ") + kImpulseColumns + " FROM impulses WHERE project_id = ?1 AND id = ?2",
      project_id, id, "impulse", ReadImpulseRow);
}

StatusOr<std::vector<Job>> SelectJobs(Db& db, int64_t project_id) {
  return SelectAll<Job>(
      db,
      std::string("SELECT ") + kJobColumns + " FROM jobs WHERE project_id = ?1 ORDER BY id DESC",
      project_id, ReadJobRow);
}

StatusOr<Job> SelectJob(Db& db, int64_t project_id, int64_t id) {
  return SelectOne<Job>(
      db, std::string("SELECT ") + kJobColumns + " FROM jobs WHERE project_id = ?1 AND id = ?2",
      project_id, id, "job", ReadJobRow);
}

StatusOr<std::vector<ModelRecord>> SelectModels(Db& db, int64_t project_id) {
  return SelectAll<ModelRecord>(db,
                                std::string("SELECT ") + kModelColumns +
                                    " FROM models WHERE project_id = ?1 ORDER BY id DESC",
                                project_id, ReadModelRow);
}

StatusOr<ModelRecord> SelectModel(Db& db, int64_t project_id, int64_t id) {
  return SelectOne<ModelRecord>(
      db, std::string("SELECT ") + kModelColumns + " FROM models WHERE project_id = ?1 AND id = ?2",
      project_id, id, "model", ReadModelRow);
}

}  // namespace tinyloop::store::internal
