#include "store/sqlite_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <exception>
#include <filesystem>
#include <mutex>
#include <optional>
#include <utility>

#include "base/crypto.h"
#include "base/json.h"
#include "store/blob_store.h"
#include "store/internal/checkpointer.h"
#include "store/internal/group_commit_writer.h"
#include "store/internal/migrations.h"
#include "store/internal/queries.h"
#include "store/internal/reader_pool.h"
#include "store/internal/rows.h"
#include "store/internal/values_index.h"

namespace tinyloop::store {

using internal::Db;
using internal::WriteJob;

namespace {

constexpr int64_t kMaxListLimit = 10000;

// Runs `fn(db)` on a pooled read connection; exceptions become Internal.
template <typename Fn>
auto WithReader(internal::ReaderPool& pool, Fn&& fn) -> decltype(fn(std::declval<Db&>())) {
  try {
    internal::ReaderPool::Lease lease = pool.Acquire();
    return fn(lease.db());
  } catch (const std::exception& e) {
    return InternalError(std::string("store read failed: ") + e.what());
  }
}

// Runs `fn()` (which queues writes) and turns exceptions into Internal.
template <typename Fn>
auto NoThrow(Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return InternalError(std::string("store write failed: ") + e.what());
  }
}

int64_t FileSize(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
}

StatusOr<std::string> QueryText(Db& db, const std::string& sql) {
  TL_ASSIGN_OR_RETURN(internal::Statement stmt, db.Prepare(sql));
  TL_ASSIGN_OR_RETURN(const bool row, stmt.Step());
  if (!row) return InternalError("query returned no row: " + sql);
  return stmt.ColumnText(0);
}

// Per-connection settings of the writer. WAL and synchronous=FULL: a commit is durable when
// it returns, readers never block the writer. The rest is for throughput:
//  - cache_size: 64 MiB keeps the hot pages of the indexes (and of blob_locations, keyed by
//    hash) in memory; allocated only as the database grows;
//  - temp_store: statement journals of savepoints stay in memory;
//  - no automatic checkpoints: they run on their own thread (internal/checkpointer.h) once the
//    WAL holds kCheckpointFrames pages; rarer checkpoints copy a page rewritten by many
//    batches once instead of many times.
constexpr int kCheckpointFrames = 10000;

Status ConfigureWriter(Db& db) {
  TL_ASSIGN_OR_RETURN(const std::string mode, QueryText(db, "PRAGMA journal_mode = WAL"));
  if (mode != "wal") return InternalError("cannot enable WAL mode (journal_mode is " + mode + ")");
  return db.Exec(
      "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY; "
      "PRAGMA cache_size = -65536");
}

// Validates a sample and does the CPU work (hashing, encoding, JSON) on the caller's thread so
// the writer thread only binds and steps.
Status PrepareSample(NewSample& in, internal::PreparedSample* out) {
  Sample& s = in.sample;
  if (!std::isfinite(s.interval_ms) || s.interval_ms < 0) {
    return InvalidArgumentError("sample.interval_ms must be a finite number >= 0");
  }
  if (s.length < 0) return InvalidArgumentError("sample.length must be >= 0");
  const size_t columns = s.axes.size();
  const bool shape_ok = columns == 0
                            ? in.values.empty() && s.length == 0
                            : in.values.size() % columns == 0 &&
                                  in.values.size() / columns == static_cast<uint64_t>(s.length);
  if (!shape_ok) {
    return InvalidArgumentError("sample has " + std::to_string(in.values.size()) +
                                " values; expected length (" + std::to_string(s.length) +
                                ") x axes (" + std::to_string(columns) + ")");
  }
  const std::string body_sha = Sha256Hex(in.body);
  if (s.sha256.empty()) {
    s.sha256 = body_sha;
  } else if (s.sha256 != body_sha) {
    return InvalidArgumentError("sample.sha256 does not match the SHA-256 of the body");
  }
  out->values_le = internal::EncodeFloat32Le(in.values);
  out->axes_json = internal::AxesToJson(s.axes);
  out->metadata_json =
      s.metadata.is_object() && s.metadata.empty() ? std::string("{}") : DumpJson(s.metadata);
  out->findings_json = internal::FindingsToJson(s.findings);
  in.values = std::vector<float>();  // encoded copy suffices; halves peak memory
  if (s.values_sha256.empty()) {
    s.values_sha256 = Sha256Hex(out->values_le);
  } else if (!IsValidSha256Hex(s.values_sha256)) {
    return InvalidArgumentError("sample.values_sha256 must be 64 lower-case hex characters");
  }
  out->values_key = internal::ValuesKey(s.values_sha256);
  out->sample = &s;
  out->disallow_duplicates = in.disallow_duplicates;
  return OkStatus();
}

}  // namespace

// A flock on <data_dir>/tinyloop.lock. Every store holds it shared, so several processes can
// use one data dir (the server, and `tinyloop project create` beside it: SQLite serializes
// their transactions). The first opener gets it exclusively for a moment, which tells it no
// other process is writing, so crash leftovers (temp blobs) can be removed, and it keeps the
// lock exclusive until its schema migrations are done.
class SqliteStore::DataDirLock {
 public:
  static StatusOr<std::unique_ptr<DataDirLock>> Acquire(const std::string& data_dir) {
    const std::string path = data_dir + "/tinyloop.lock";
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return InternalError("cannot open " + path + ": " + std::strerror(errno));
    bool exclusive = true;
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      exclusive = false;
      if (errno != EWOULDBLOCK || ::flock(fd, LOCK_SH) != 0) {
        const int err = errno;
        ::close(fd);
        return InternalError("cannot lock " + path + ": " + std::strerror(err));
      }
    }
    return std::unique_ptr<DataDirLock>(new DataDirLock(fd, exclusive));
  }
  ~DataDirLock() { ::close(fd_); }

  // True while this is the only process with the data dir open.
  bool exclusive() const { return exclusive_; }
  // Lets other processes in once start-up clean-up is done.
  void Share() {
    if (exclusive_ && ::flock(fd_, LOCK_SH) == 0) exclusive_ = false;
  }

 private:
  DataDirLock(int fd, bool exclusive) : fd_(fd), exclusive_(exclusive) {}
  int fd_;
  bool exclusive_;
};

SqliteStore::SqliteStore() = default;

SqliteStore::~SqliteStore() {
  if (checkpointer_) checkpointer_->Stop();
}

StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& data_dir,
                                                         const SqliteStoreOptions& options) {
  if (options.max_batch < 1) return InvalidArgumentError("max_batch must be >= 1");
  if (options.read_connections < 1) return InvalidArgumentError("read_connections must be >= 1");
  if (options.busy_timeout_ms < 0) return InvalidArgumentError("busy_timeout_ms must be >= 0");
  BlobStoreOptions blob_options;
  blob_options.pack_threshold_bytes = options.blob_pack_threshold_bytes;
  blob_options.pack_max_bytes = options.blob_pack_max_bytes;
  try {
    std::error_code ec;
    std::filesystem::create_directories(data_dir, ec);
    if (ec) return InternalError("cannot create data dir " + data_dir + ": " + ec.message());

    std::unique_ptr<SqliteStore> store(new SqliteStore());
    TL_ASSIGN_OR_RETURN(store->lock_, DataDirLock::Acquire(data_dir));
    store->clock_ = options.clock != nullptr ? options.clock : &SystemClock::Get();
    store->db_path_ = data_dir + "/tinyloop.db";
    const std::string blob_dir = data_dir + "/blobs";
    TL_ASSIGN_OR_RETURN(store->blobs_,
                        BlobStore::Open(blob_dir, blob_options, store->lock_->exclusive()));

    TL_ASSIGN_OR_RETURN(std::unique_ptr<Db> db,
                        Db::Open(store->db_path_, /*read_only=*/false, options.busy_timeout_ms));
    TL_RETURN_IF_ERROR(ConfigureWriter(*db));
    internal::MigrationContext migration;
    migration.blob_dir = blob_dir;
    migration.remove_temp_files = store->lock_->exclusive();
    TL_RETURN_IF_ERROR(internal::Migrate(*db, migration));
    TL_ASSIGN_OR_RETURN(store->pepper_, internal::LoadOrCreatePepper(*db));
    store->lock_->Share();

    TL_ASSIGN_OR_RETURN(store->readers_,
                        internal::ReaderPool::Open(store->db_path_, options.read_connections,
                                                   options.busy_timeout_ms));
    TL_ASSIGN_OR_RETURN(
        store->checkpointer_,
        internal::Checkpointer::Start(store->db_path_, options.busy_timeout_ms, kCheckpointFrames));
    store->checkpointer_->Attach(*db);
    store->values_index_ = std::make_unique<internal::ValuesIndex>();
    store->finished_ = std::make_unique<FinishedCalls>();
    TL_ASSIGN_OR_RETURN(store->writer_, internal::GroupCommitWriter::Start(
                                            std::move(db), store->blobs_.get(), options.max_batch,
                                            store->values_index_.get()));
    return store;
  } catch (const std::exception& e) {
    return InternalError(std::string("cannot open store: ") + e.what());
  }
}

StatusOr<Project> SqliteStore::CreateProject(Project project) {
  if (project.name.empty()) return InvalidArgumentError("project name must not be empty");
  return NoThrow([&]() -> StatusOr<Project> {
    project.created_ms = clock_->NowMillis();
    TL_RETURN_IF_ERROR(writer_->Execute(
        WriteJob{std::nullopt, [&project](Db& db) -> Status {
                   TL_ASSIGN_OR_RETURN(project.id, internal::InsertProject(db, project));
                   return OkStatus();
                 }}));
    return project;
  });
}

StatusOr<Project> SqliteStore::GetProject(int64_t id) {
  return WithReader(*readers_, [&](Db& db) { return internal::SelectProject(db, id); });
}

StatusOr<std::vector<Project>> SqliteStore::ListProjects() {
  return WithReader(*readers_, [&](Db& db) { return internal::SelectProjects(db); });
}

Status SqliteStore::UpdateProjectSchema(int64_t project_id, const Json& schema) {
  return NoThrow([&] {
    return writer_->Execute(WriteJob{std::nullopt, [&](Db& db) {
                                       return internal::UpdateProjectSchema(db, project_id, schema);
                                     }});
  });
}

Status SqliteStore::UpdateProjectAllowUnsigned(int64_t project_id, bool allow) {
  return NoThrow([&] {
    return writer_->Execute(WriteJob{std::nullopt, [&](Db& db) {
                                       return internal::UpdateProjectAllowUnsigned(db, project_id,
                                                                                   allow);
                                     }});
  });
}

StatusOr<ApiKey> SqliteStore::CreateApiKey(ApiKey key, const std::string& key_hash) {
  if (key_hash.empty()) return InvalidArgumentError("api key hash must not be empty");
  return NoThrow([&]() -> StatusOr<ApiKey> {
    key.created_ms = clock_->NowMillis();
    TL_RETURN_IF_ERROR(writer_->Execute(
        WriteJob{std::nullopt, [&](Db& db) -> Status {
                   TL_ASSIGN_OR_RETURN(key.id, internal::InsertApiKey(db, key, key_hash));
                   return OkStatus();
                 }}));
    return key;
  });
}

StatusOr<ApiKey> SqliteStore::FindApiKeyByHash(const std::string& key_hash) {
  return WithReader(*readers_, [&](Db& db) { return internal::SelectApiKeyByHash(db, key_hash); });
}

namespace {

// One InsertSamples call. The write jobs point into it (bodies, prepared rows, outputs), so it
// stays in one place until the batch holding them committed.
struct InsertCall {
  std::vector<NewSample> samples;
  std::vector<Status> statuses;
  std::vector<internal::PreparedSample> prepared;
  std::vector<InsertedSample> inserted;
  std::vector<size_t> sample_of_job;
};

// Prepares every sample on the calling thread and returns the write jobs of the valid ones.
std::vector<WriteJob> MakeInsertJobs(InsertCall& call, internal::ValuesIndex& values_index) {
  const size_t n = call.samples.size();
  call.statuses.resize(n);
  call.prepared.resize(n);
  call.inserted.resize(n);
  std::vector<WriteJob> jobs;
  jobs.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    call.statuses[i] = PrepareSample(call.samples[i], &call.prepared[i]);
    if (!call.statuses[i].ok()) continue;
    WriteJob job;
    job.blob = BlobStore::PendingBlob{call.samples[i].sample.sha256, call.samples[i].body};
    // The row names its body's place (no blob_locations row: see WriteJob::index_blob).
    job.index_blob = false;
    job.blob_location = &call.prepared[i].body;
    job.find_blob = [&call, &values_index, i](Db& db) {
      const internal::PreparedSample& p = call.prepared[i];
      return internal::FindStoredBody(db, values_index, p.sample->project_id, p.values_key,
                                      p.sample->sha256);
    };
    job.apply = [&call, &values_index, i](Db& db) -> Status {
      TL_ASSIGN_OR_RETURN(call.inserted[i],
                          internal::InsertSample(db, call.prepared[i], values_index));
      return OkStatus();
    };
    jobs.push_back(std::move(job));
    call.sample_of_job.push_back(i);
  }
  return jobs;
}

// Fails every sample still ok with the exception's message (nothing was queued).
void FailInsertCall(InsertCall& call, const std::exception& e) {
  call.statuses.resize(call.samples.size());
  for (Status& s : call.statuses) {
    if (s.ok()) s = InternalError(std::string("store write failed: ") + e.what());
  }
}

std::vector<StatusOr<InsertedSample>> FinishInsert(InsertCall& call,
                                                   std::vector<Status> job_results) {
  for (size_t j = 0; j < job_results.size(); ++j) {
    call.statuses[call.sample_of_job[j]] = std::move(job_results[j]);
  }
  std::vector<StatusOr<InsertedSample>> out;
  out.reserve(call.statuses.size());
  for (size_t i = 0; i < call.statuses.size(); ++i) {
    if (call.statuses[i].ok()) {
      out.emplace_back(call.inserted[i]);
    } else {
      out.emplace_back(std::move(call.statuses[i]));
    }
  }
  return out;
}

}  // namespace

std::vector<StatusOr<InsertedSample>> SqliteStore::InsertSamples(std::vector<NewSample> samples) {
  InsertCall call;
  call.samples = std::move(samples);
  std::vector<Status> results;
  try {
    results = writer_->Execute(MakeInsertJobs(call, *values_index_));
  } catch (const std::exception& e) {
    FailInsertCall(call, e);
    results.clear();
    call.sample_of_job.clear();
  }
  return FinishInsert(call, std::move(results));
}

// Async insert calls the writer thread has answered. It only hands them over (one pointer
// under a lock); the next InsertSamplesAsync frees them on its own thread, where their memory
// was allocated, so the writer, the one serial stage of ingestion, spends no time in free().
// At most the calls answered since the last InsertSamplesAsync wait here.
class SqliteStore::FinishedCalls {
 public:
  void Add(std::shared_ptr<void> call) {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back(std::move(call));
  }
  // Frees the calls handed over so far (outside the lock).
  void Free() {
    std::vector<std::shared_ptr<void>> calls;
    {
      std::lock_guard<std::mutex> lock(mu_);
      calls.swap(calls_);
    }
  }

 private:
  std::mutex mu_;
  std::vector<std::shared_ptr<void>> calls_;  // guarded by mu_
};

void SqliteStore::InsertSamplesAsync(
    std::vector<NewSample> samples,
    std::function<void(std::vector<StatusOr<InsertedSample>>)> done) {
  finished_->Free();
  auto call = std::make_shared<InsertCall>();
  call->samples = std::move(samples);
  std::vector<WriteJob> jobs;
  try {
    jobs = MakeInsertJobs(*call, *values_index_);
  } catch (const std::exception& e) {
    FailInsertCall(*call, e);
    call->sample_of_job.clear();
    done(FinishInsert(*call, {}));
    return;
  }
  // The callback owns the call, so the jobs' pointers into it stay valid until they ran.
  writer_->ExecuteAsync(std::move(jobs), [this, call = std::move(call), done = std::move(done)](
                                             std::vector<Status> results) mutable {
    done(FinishInsert(*call, std::move(results)));
    finished_->Add(std::move(call));
  });
}

StatusOr<SampleList> SqliteStore::ListSamples(const SampleFilter& filter) {
  if (filter.offset < 0) {
    return InvalidArgumentError("offset must be >= 0, got " + std::to_string(filter.offset));
  }
  SampleFilter clamped = filter;
  clamped.limit = std::min(std::max<int64_t>(filter.limit, 1), kMaxListLimit);
  return WithReader(*readers_, [&](Db& db) { return internal::SelectSamples(db, clamped); });
}

StatusOr<Sample> SqliteStore::GetSample(int64_t project_id, int64_t sample_id) {
  return WithReader(*readers_,
                    [&](Db& db) { return internal::SelectSample(db, project_id, sample_id); });
}

StatusOr<std::vector<float>> SqliteStore::GetSampleValues(int64_t project_id, int64_t sample_id) {
  return WithReader(
      *readers_, [&](Db& db) { return internal::SelectSampleValues(db, project_id, sample_id); });
}

StatusOr<std::string> SqliteStore::GetSampleBody(int64_t project_id, int64_t sample_id) {
  TL_ASSIGN_OR_RETURN(const internal::SampleBodyRef ref, WithReader(*readers_, [&](Db& db) {
                        return internal::SelectSampleBodyRef(db, project_id, sample_id);
                      }));
  // Not indexed: a body stored before the index existed, in its own file.
  StatusOr<std::string> body = blobs_->Read(ref.sha256, ref.location ? &*ref.location : nullptr);
  const StatusCode code = body.status().code();
  if (code == StatusCode::kNotFound || code == StatusCode::kInvalidArgument) {
    return DataLossError("body of sample " + std::to_string(sample_id) +
                         " is unavailable: " + body.status().message());
  }
  return body;
}

Status SqliteStore::DeleteSample(int64_t project_id, int64_t sample_id) {
  return NoThrow([&] {
    return writer_->Execute(WriteJob{
        std::nullopt, [&](Db& db) { return internal::DeleteSample(db, project_id, sample_id); }});
  });
}

Status SqliteStore::UpdateSampleLabel(int64_t project_id, int64_t sample_id,
                                      const std::string& label) {
  return NoThrow([&] {
    return writer_->Execute(WriteJob{std::nullopt, [&](Db& db) {
                                       return internal::UpdateSampleText(db, project_id, sample_id,
                                                                         "label", label);
                                     }});
  });
}

Status SqliteStore::UpdateSampleCategory(int64_t project_id, int64_t sample_id,
                                         const std::string& category) {
  return NoThrow([&] {
    return writer_->Execute(WriteJob{std::nullopt, [&](Db& db) {
                                       return internal::UpdateSampleText(db, project_id, sample_id,
                                                                         "category", category);
                                     }});
  });
}

StatusOr<StoreStats> SqliteStore::Stats() {
  TL_ASSIGN_OR_RETURN(StoreStats stats, WithReader(*readers_, [](Db& db) -> StatusOr<StoreStats> {
                        StoreStats out;
                        TL_ASSIGN_OR_RETURN(out.samples, internal::CountSamples(db));
                        TL_ASSIGN_OR_RETURN(const internal::BlobTotals blobs,
                                            internal::SelectBlobTotals(db));
                        out.blob_count = blobs.count;
                        out.blob_bytes = blobs.bytes;
                        return out;
                      }));
  stats.database_bytes = FileSize(db_path_) + FileSize(db_path_ + "-wal");
  return stats;
}

}  // namespace tinyloop::store
