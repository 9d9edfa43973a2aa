// Ingestion: the one code path every sample takes, whether it arrives over the Edge
// Impulse-compatible HTTP API, the native API or `tinyloop ingest`. It authenticates, decodes
// (acquisition JSON/CBOR, CSV, WAV, images), verifies HMAC signatures, normalizes to float32,
// runs the data checks against the project's sensor schema, and stores durably.
// Thread-safe; many request threads call Ingest concurrently and share group commits.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "base/status.h"
#include "service/projects.h"
#include "service/sensor_schema.h"
#include "store/metadata_store.h"

namespace tinyloop::service {

// How the body is to be read.
enum class BodyKind {
  kAcquisition,  // /api/<category>/data: acquisition format; encoding from content_type
  kFile,         // /api/<category>/files part or a file on disk: by file name and content type
};

struct IngestRequest {
  std::string api_key;
  std::string category;  // "training", "testing", "anomaly" or "split"
  // Explicit label (already percent-decoded). Unset: inferred from the file name unless
  // no_label is set.
  std::optional<std::string> label;
  bool no_label = false;
  std::string file_name;  // may be empty for kAcquisition
  std::string content_type;
  std::string body;
  BodyKind kind = BodyKind::kAcquisition;
  bool disallow_duplicates = false;
  bool add_date_id = false;
  Json metadata = Json::object();   // x-metadata; must be an object
  std::string device_type;          // x-device-type, used when the body names none
  std::string upload_source;        // x-upload-source
  double interval_ms_override = 0;  // > 0: use for bodies without timing (CSV without time)
};

struct IngestResult {
  int64_t sample_id = 0;
  int64_t project_id = 0;
  std::string file_name;
  std::string label;
  std::string category;  // resolved ("split" becomes training or testing)
  std::vector<store::Finding> findings;
};

struct IngestLimits {
  size_t max_body_bytes = 100u << 20;  // 100 MB per file, as Edge Impulse documents
  size_t max_values = 16u << 20;       // float32 values per sample
};

// Categories accepted on ingestion, in the order error messages list them.
inline constexpr const char* kIngestCategories[] = {"training", "testing", "anomaly", "split"};

class IngestService {
 public:
  // All references must outlive the service.
  IngestService(store::MetadataStore& store, ProjectService& projects, const Clock& clock,
                IngestLimits limits = {});

  // Ingests one sample. Errors: Unauthenticated (API key, signature), InvalidArgument (body,
  // headers, category, file name, label: the message names the field and the limit),
  // AlreadyExists (disallow_duplicates and equal values are stored), ResourceExhausted (body
  // over the limit). Nothing is stored on error.
  StatusOr<IngestResult> Ingest(IngestRequest request);

  // Ingests many samples with one authentication and as few commits as possible; one result
  // per request, in order. Used by the CLI and the in-process benchmark.
  std::vector<StatusOr<IngestResult>> IngestMany(std::vector<IngestRequest> requests);

  // Asynchronous acknowledgement (the event-loop HTTP server): authenticates, decodes,
  // verifies and checks on the calling thread, then returns without waiting for the commit.
  // `done` gets the results (the same as IngestMany's) once the samples committed, on the
  // store's writer thread, or on the calling thread when nothing was left to store. `done`
  // must be quick and must not call the store's write methods.
  using IngestManyDone = std::function<void(std::vector<StatusOr<IngestResult>>)>;
  void IngestManyAsync(std::vector<IngestRequest> requests, IngestManyDone done);
  void IngestAsync(IngestRequest request, std::function<void(StatusOr<IngestResult>)> done);

  // Like IngestMany, for callers that already hold the data folder (the local CLI): the
  // requests' api_key is ignored and every sample goes to `project_id` (NotFound if unknown).
  std::vector<StatusOr<IngestResult>> IngestTrusted(int64_t project_id,
                                                    std::vector<IngestRequest> requests);

  // The project's current sensor schema (explicit, learned, or learning); nullopt if none yet.
  StatusOr<std::optional<SensorSchema>> GetSchema(int64_t project_id);
  // Sets an explicit schema; later samples are checked against it. NotFound, InvalidArgument.
  Status SetSchema(int64_t project_id, const SensorSchema& schema);

 private:
  struct Prepared {
    store::NewSample sample;
    IngestResult result;
  };
  struct ProjectSchemaState {
    std::mutex mu;
    bool loaded = false;
    SchemaLearner learner;
  };

  // The requests of one call once prepared: the results so far (errors of the refused ones),
  // the samples to store and, for each, its index in the results and its result to be.
  struct PreparedBatch {
    std::vector<StatusOr<IngestResult>> results;
    std::vector<store::NewSample> samples;
    std::vector<size_t> result_index;
    std::vector<IngestResult> pending;
  };

  // Prepares each request for its project (nullptr: authenticate by api_key) and stores the
  // prepared ones in one InsertSamples call.
  std::vector<StatusOr<IngestResult>> PrepareAndStore(const store::Project* project,
                                                      std::vector<IngestRequest> requests);
  PreparedBatch PrepareAll(const store::Project* trusted_project,
                           std::vector<IngestRequest> requests);
  // Fills the results of the stored samples from InsertSamples' answers.
  static std::vector<StatusOr<IngestResult>> Finish(
      PreparedBatch& batch, std::vector<StatusOr<store::InsertedSample>> inserted);
  StatusOr<Prepared> Prepare(const store::Project& project, IngestRequest request);
  ProjectSchemaState& SchemaState(int64_t project_id);
  // Updates the learner with the sample, checks it, persists the learner while it learns.
  StatusOr<std::vector<store::Finding>> CheckAndLearn(const store::Project& project,
                                                      const store::Sample& sample,
                                                      const std::vector<float>& values);

  store::MetadataStore& store_;
  ProjectService& projects_;
  const Clock& clock_;
  IngestLimits limits_;
  std::mutex states_mu_;
  std::map<int64_t, std::unique_ptr<ProjectSchemaState>> states_;  // guarded by states_mu_
};

// Resolves "split" deterministically from the content hash (about 80 % training).
std::string ResolveSplitCategory(const std::string& values_sha256_hex);

// SHA-256 over interval, axes and float32 values: equal for equal recordings whatever their
// encoding (JSON, CBOR, CSV), signature or timestamp.
std::string ContentHash(double interval_ms, const std::vector<store::Axis>& axes,
                        const std::vector<float>& values);

}  // namespace tinyloop::service
