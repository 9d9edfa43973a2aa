// The embedded MetadataStore: SQLite (WAL, synchronous=FULL) in `<data_dir>/tinyloop.db` plus
// a content-addressed blob folder `<data_dir>/blobs/` for original sample bodies (small ones
// packed into append-only files, see blob_store.h). One writer thread commits queued writes in
// batches (group commit); reads use a pool of read-only connections. Other modules see only
// this header and metadata_store.h, never SQLite.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "store/metadata_store.h"

namespace tinyloop::store {

class BlobStore;
namespace internal {
class Checkpointer;
class GroupCommitWriter;
class ReaderPool;
class ValuesIndex;
}  // namespace internal

struct SqliteStoreOptions {
  // Most write jobs committed in one transaction; each sample of InsertSamples, and each other
  // write call, is one job. Larger batches amortize the fsyncs. Default 256; must be >= 1.
  int max_batch = 256;
  // Read-only connections, i.e. how many reads run in parallel. Default 4; must be >= 1.
  int read_connections = 4;
  // How long a connection waits for an SQLite lock before failing with Unavailable.
  // Default 5000 ms.
  int busy_timeout_ms = 5000;
  // Supplies created_ms of projects and API keys. Default (null): SystemClock::Get().
  // Not owned; must outlive the store.
  const Clock* clock = nullptr;
  // Bodies of at most this many bytes are appended to this store's pack file (one write and
  // one fdatasync per batch); larger ones get a file each. Default 1 MiB; must be >= 0.
  int64_t blob_pack_threshold_bytes = int64_t{1} << 20;
  // A pack file is closed once it holds this many bytes and a new one started. Default
  // 256 MiB; must be >= 1.
  int64_t blob_pack_max_bytes = int64_t{256} << 20;
};

// Thread-safe: every method may be called concurrently from any thread. Writes return only
// after the transaction holding them committed (synchronous=FULL), so ok means durable.
// Owns the database connections, the writer thread and the blob store. Several stores (in
// several processes) may open one data dir: SQLite serializes their write transactions, and
// duplicate checks run inside them. Each holds a shared lock on `<data_dir>/tinyloop.lock`.
// The destructor completes every queued write, then joins the writer; no call may be in
// progress or start while it runs.
//
// Sample inserts (InsertSamples) beyond the interface contract:
//  - Sample::sha256 may be empty (then filled from the body) or must equal the body's SHA-256;
//  - Sample::values_sha256 may be empty (then the SHA-256 of the values as float32
//    little-endian bytes is used) or must be 64 lower-case hex characters;
//  - values.size() must be length x axes.size(), interval_ms finite and >= 0, length >= 0;
//  violations are InvalidArgument naming the field. A batch's new bodies are appended to this
//  store's pack file and synced inside its transaction, before the rows that name them
//  commit; a failed transaction (or a crash) leaves only unreferenced bytes, never a row that
//  points at a missing body. Each store appends to pack files of its own, so stores in several
//  processes never write the same file; each reads all of them.
//
// ListSamples of an unknown project returns an empty list. Errors from SQLite are mapped:
// disk full -> ResourceExhausted, corruption -> DataLoss, lock timeout -> Unavailable, other
// failures -> Internal with SQLite's message. No exception escapes a method.
class SqliteStore final : public MetadataStore {
 public:
  // Creates `data_dir`, the database and `blobs/` as needed, applies pending schema
  // migrations and creates the pepper on first open. Opening does not scan the blob folder,
  // except once when migrating a database of schema version 1 (it indexes the bodies stored
  // one file each). FailedPrecondition when the database schema is newer than this binary;
  // InvalidArgument for bad options; DataLoss for a corrupt database; Internal for other I/O
  // errors.
  static StatusOr<std::unique_ptr<SqliteStore>> Open(const std::string& data_dir,
                                                     const SqliteStoreOptions& options = {});
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  const std::string& pepper() const override { return pepper_; }

  StatusOr<Project> CreateProject(Project project) override;
  StatusOr<Project> GetProject(int64_t id) override;
  StatusOr<std::vector<Project>> ListProjects() override;
  Status UpdateProjectSchema(int64_t project_id, const Json& schema) override;
  Status UpdateProjectAllowUnsigned(int64_t project_id, bool allow) override;

  // Fills id and created_ms. NotFound for an unknown project, AlreadyExists for a reused hash.
  StatusOr<ApiKey> CreateApiKey(ApiKey key, const std::string& key_hash) override;
  StatusOr<ApiKey> FindApiKeyByHash(const std::string& key_hash) override;

  std::vector<StatusOr<InsertedSample>> InsertSamples(std::vector<NewSample> samples) override;
  // `done` runs on the writer thread right after the commit (or, for samples refused before
  // any was queued, on the calling thread).
  void InsertSamplesAsync(std::vector<NewSample> samples,
                          std::function<void(std::vector<StatusOr<InsertedSample>>)> done) override;

  // limit is clamped to [1, 10000]; InvalidArgument for a negative offset.
  StatusOr<SampleList> ListSamples(const SampleFilter& filter) override;
  StatusOr<Sample> GetSample(int64_t project_id, int64_t sample_id) override;
  StatusOr<std::vector<float>> GetSampleValues(int64_t project_id, int64_t sample_id) override;
  // Reads the body from its pack (or own file) and checks its SHA-256. DataLoss when the
  // sample exists but its body is missing or corrupt.
  StatusOr<std::string> GetSampleBody(int64_t project_id, int64_t sample_id) override;
  Status DeleteSample(int64_t project_id, int64_t sample_id) override;
  Status UpdateSampleLabel(int64_t project_id, int64_t sample_id,
                           const std::string& label) override;
  Status UpdateSampleCategory(int64_t project_id, int64_t sample_id,
                              const std::string& category) override;

  // database_bytes counts the database file and its WAL; blob_count and blob_bytes are the
  // distinct bodies indexed (kept as totals, no scan), without pack record headers.
  StatusOr<StoreStats> Stats() override;

  // Training (sqlite_store_training.cc). PutBlobs writes each new blob through the writer
  // like a sample body (packed or own file, indexed in the same transaction); model rows and
  // dataset versions only name blobs already stored, so a failure leaves at most unreferenced
  // blobs. GetBlob: InvalidArgument for a malformed name.
  StatusOr<std::vector<std::string>> PutBlobs(const std::vector<std::string>& blobs) override;
  StatusOr<std::string> GetBlob(const std::string& sha256) override;
  StatusOr<DatasetVersion> CreateDatasetVersion(DatasetVersion version) override;
  StatusOr<std::vector<DatasetVersion>> ListDatasetVersions(int64_t project_id) override;
  StatusOr<DatasetVersion> GetDatasetVersion(int64_t project_id, int64_t id) override;
  StatusOr<ImpulseRecord> CreateImpulse(ImpulseRecord impulse) override;
  StatusOr<std::vector<ImpulseRecord>> ListImpulses(int64_t project_id) override;
  StatusOr<ImpulseRecord> GetImpulse(int64_t project_id, int64_t id) override;
  StatusOr<Job> CreateJob(Job job) override;
  StatusOr<std::vector<Job>> ListJobs(int64_t project_id) override;
  StatusOr<Job> GetJob(int64_t project_id, int64_t id) override;
  StatusOr<std::optional<Job>> ClaimNextJob() override;
  Status UpdateJobProgress(int64_t job_id, const Json& progress) override;
  Status FailJob(int64_t job_id, const std::string& error) override;
  Status FinishJob(int64_t job_id, const Json& result, const Json& progress) override;
  StatusOr<int64_t> FailRunningJobs(const std::string& error) override;
  StatusOr<ModelRecord> FinishJobWithModel(ModelRecord model, const Json& progress) override;
  StatusOr<std::vector<ModelRecord>> ListModels(int64_t project_id) override;
  StatusOr<ModelRecord> GetModel(int64_t project_id, int64_t id) override;

 private:
  class DataDirLock;
  class FinishedCalls;
  SqliteStore();

  // Destroyed in reverse order: readers close first, so that the writer, which drains its
  // queue next, is the last connection and checkpoints the WAL away; the lock goes last.
  std::unique_ptr<DataDirLock> lock_;
  std::string db_path_;
  const Clock* clock_ = nullptr;
  std::string pepper_;
  std::unique_ptr<BlobStore> blobs_;
  std::unique_ptr<internal::ValuesIndex> values_index_;  // used by the writer thread only
  // Stopped first (in the destructor's body), destroyed after the writer whose commits it
  // hears about: the writer is then the last connection and checkpoints the WAL away.
  std::unique_ptr<internal::Checkpointer> checkpointer_;
  // Async insert calls the writer finished, freed by the next caller. Destroyed after the
  // writer, whose last callbacks still hand calls over.
  std::unique_ptr<FinishedCalls> finished_;
  std::unique_ptr<internal::GroupCommitWriter> writer_;
  std::unique_ptr<internal::ReaderPool> readers_;
};

}  // namespace tinyloop::store
