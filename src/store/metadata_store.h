// The metadata store interface: projects, API keys and samples. SQLite is the embedded
// implementation (sqlite_store.h); PostgreSQL comes later behind the same interface.
// All methods are thread-safe. Writes are durable when they return ok (group commit).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "store/records.h"
#include "store/training_records.h"

namespace tinyloop::store {

// A sample to insert, with what is stored beside the metadata.
struct NewSample {
  Sample sample;              // id is ignored; assigned on insert
  std::vector<float> values;  // row-major, sample.length rows x sample.axes.size() columns
  std::string body;           // original body, stored once by SHA-256 in the blob store
  // Reject (AlreadyExists) when the project already holds a sample with equal values_sha256.
  bool disallow_duplicates = false;
};

// Result of one insert. When another sample with equal values_sha256 existed, its id is in
// duplicate_of and a "duplicate" finding was stored with the new sample.
struct InsertedSample {
  int64_t id = 0;
  std::optional<int64_t> duplicate_of;
};

struct SampleFilter {
  int64_t project_id = 0;
  std::optional<std::string> label;
  std::optional<std::string> category;
  std::optional<std::string> device_name;
  std::optional<int64_t> ingested_from_ms;  // inclusive
  std::optional<int64_t> ingested_to_ms;    // exclusive
  int64_t limit = 100;                      // at most 10000
  int64_t offset = 0;
};

struct SampleList {
  int64_t total = 0;            // matching samples, ignoring limit/offset
  std::vector<Sample> samples;  // ordered by id ascending
};

struct StoreStats {
  int64_t samples = 0;
  int64_t database_bytes = 0;
  int64_t blob_bytes = 0;
  int64_t blob_count = 0;
};

class MetadataStore {
 public:
  virtual ~MetadataStore() = default;

  // A per-install secret used to hash API keys; created on first open, stable afterwards.
  virtual const std::string& pepper() const = 0;

  // Projects. CreateProject: AlreadyExists if the name is taken; fills id and created_ms.
  virtual StatusOr<Project> CreateProject(Project project) = 0;
  virtual StatusOr<Project> GetProject(int64_t id) = 0;  // NotFound
  virtual StatusOr<std::vector<Project>> ListProjects() = 0;
  virtual Status UpdateProjectSchema(int64_t project_id, const Json& schema) = 0;  // NotFound
  virtual Status UpdateProjectAllowUnsigned(int64_t project_id, bool allow) = 0;   // NotFound

  // API keys are stored only as key_hash (base/ids.h HashApiKey).
  virtual StatusOr<ApiKey> CreateApiKey(ApiKey key, const std::string& key_hash) = 0;
  virtual StatusOr<ApiKey> FindApiKeyByHash(const std::string& key_hash) = 0;  // NotFound

  // Inserts samples durably: returns after the transaction holding them committed (batched with
  // concurrent callers). Each element gets its own result: AlreadyExists for a rejected
  // duplicate, NotFound for an unknown project; the others are still stored.
  virtual std::vector<StatusOr<InsertedSample>> InsertSamples(std::vector<NewSample> samples) = 0;

  // Like InsertSamples, without waiting for the commit: `done` gets the same results once the
  // transaction holding the samples committed (or failed). Implementations with a writer
  // thread call `done` on it, so `done` must be quick and must not call back into the store's
  // write methods; this default runs InsertSamples and calls `done` on the calling thread.
  virtual void InsertSamplesAsync(std::vector<NewSample> samples,
                                  std::function<void(std::vector<StatusOr<InsertedSample>>)> done) {
    done(InsertSamples(std::move(samples)));
  }

  virtual StatusOr<SampleList> ListSamples(const SampleFilter& filter) = 0;
  virtual StatusOr<Sample> GetSample(int64_t project_id, int64_t sample_id) = 0;  // NotFound
  virtual StatusOr<std::vector<float>> GetSampleValues(int64_t project_id, int64_t sample_id) = 0;
  // The original body as received (looked up by Sample::sha256 in the blob store).
  virtual StatusOr<std::string> GetSampleBody(int64_t project_id, int64_t sample_id) = 0;
  // Deletes metadata and values; the body blob stays (it may be shared). NotFound.
  virtual Status DeleteSample(int64_t project_id, int64_t sample_id) = 0;
  virtual Status UpdateSampleLabel(int64_t project_id, int64_t sample_id,
                                   const std::string& label) = 0;
  virtual Status UpdateSampleCategory(int64_t project_id, int64_t sample_id,
                                      const std::string& category) = 0;

  virtual StatusOr<StoreStats> Stats() = 0;

  // --- Training (store/training_records.h).

  // Stores each byte string once as a content-addressed blob, durably; returns their SHA-256
  // hex names in order. Blobs are immutable and never deleted.
  virtual StatusOr<std::vector<std::string>> PutBlobs(const std::vector<std::string>& blobs) = 0;
  // NotFound for an unknown name; DataLoss when the bytes are missing or corrupt.
  virtual StatusOr<std::string> GetBlob(const std::string& sha256) = 0;

  // Inserts a version with its samples in one transaction (their values_blob must already be
  // stored). Fills id and created_ms. NotFound for an unknown project.
  virtual StatusOr<DatasetVersion> CreateDatasetVersion(DatasetVersion version) = 0;
  // Newest first, without samples. GetDatasetVersion includes them. NotFound.
  virtual StatusOr<std::vector<DatasetVersion>> ListDatasetVersions(int64_t project_id) = 0;
  virtual StatusOr<DatasetVersion> GetDatasetVersion(int64_t project_id, int64_t id) = 0;

  virtual StatusOr<ImpulseRecord> CreateImpulse(ImpulseRecord impulse) = 0;  // NotFound project
  virtual StatusOr<std::vector<ImpulseRecord>> ListImpulses(int64_t project_id) = 0;
  virtual StatusOr<ImpulseRecord> GetImpulse(int64_t project_id, int64_t id) = 0;  // NotFound

  // Queues a job (status "queued"; fills id and created_ms). NotFound for an unknown project,
  // impulse or dataset version of that project.
  virtual StatusOr<Job> CreateJob(Job job) = 0;
  virtual StatusOr<std::vector<Job>> ListJobs(int64_t project_id) = 0;  // newest first
  virtual StatusOr<Job> GetJob(int64_t project_id, int64_t id) = 0;     // NotFound
  // Moves the oldest queued job to "running" (sets started_ms) and returns it; nullopt when
  // none is queued.
  virtual StatusOr<std::optional<Job>> ClaimNextJob() = 0;
  // Replaces a running job's progress. FailedPrecondition when it is not running.
  virtual Status UpdateJobProgress(int64_t job_id, const Json& progress) = 0;
  // Marks a running job failed with `error`. FailedPrecondition when it is not running.
  virtual Status FailJob(int64_t job_id, const std::string& error) = 0;
  // Marks a running job that stores no model (compile) succeeded with `result` (its blobs must
  // already be stored). FailedPrecondition when it is not running.
  virtual Status FinishJob(int64_t job_id, const Json& result, const Json& progress) = 0;
  // Marks every running job failed with `error` (a restarted server owns no running job);
  // returns how many.
  virtual StatusOr<int64_t> FailRunningJobs(const std::string& error) = 0;
  // In one transaction: inserts the model (its files' blobs must already be stored) and marks
  // its running job succeeded with model_id. Fills id and created_ms. FailedPrecondition when
  // the job is not running.
  virtual StatusOr<ModelRecord> FinishJobWithModel(ModelRecord model, const Json& progress) = 0;

  virtual StatusOr<std::vector<ModelRecord>> ListModels(int64_t project_id) = 0;  // newest first
  virtual StatusOr<ModelRecord> GetModel(int64_t project_id, int64_t id) = 0;     // NotFound
};

}  // namespace tinyloop::store
