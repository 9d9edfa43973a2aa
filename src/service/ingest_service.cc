#include "service/ingest_service.h"

#include "base/crypto.h"
#include "base/ids.h"
#include "formats/acquisition.h"
#include "formats/file_names.h"
#include "service/data_checks.h"

namespace tinyloop::service {
namespace {

bool IsKnownCategory(const std::string& category) {
  for (const char* c : kIngestCategories) {
    if (category == c) return true;
  }
  return false;
}

StatusOr<formats::AcquisitionEncoding> EncodingFromContentType(const std::string& content_type) {
  const std::string type = content_type.substr(0, content_type.find(';'));
  if (type == "application/json") return formats::AcquisitionEncoding::kJson;
  if (type == "application/cbor") return formats::AcquisitionEncoding::kCbor;
  if (type == "application/octet-stream") return formats::AcquisitionEncoding::kCborWithBinary;
  return InvalidArgumentError("unsupported Content-Type '" + type +
                              "' (expected application/json, application/cbor or "
                              "application/octet-stream)");
}

std::vector<store::Axis> ToAxes(const std::vector<formats::SensorAxis>& sensors) {
  std::vector<store::Axis> axes;
  axes.reserve(sensors.size());
  for (const auto& s : sensors) axes.push_back({s.name, s.units});
  return axes;
}

}  // namespace

std::string ResolveSplitCategory(const std::string& values_sha256_hex) {
  // The first byte of the hash is uniform: below 0x33 (20 %) goes to testing.
  const int first = std::stoi(values_sha256_hex.substr(0, 2), nullptr, 16);
  return first < 0x33 ? "testing" : "training";
}

std::string ContentHash(double interval_ms, const std::vector<store::Axis>& axes,
                        const std::vector<float>& values) {
  std::string canonical;
  canonical.reserve(64 + values.size() * sizeof(float));
  canonical.append(reinterpret_cast<const char*>(&interval_ms), sizeof(interval_ms));
  for (const auto& axis : axes) {
    canonical.append(axis.name).push_back('\0');
    canonical.append(axis.units).push_back('\0');
  }
  canonical.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
  return Sha256Hex(canonical);
}

IngestService::IngestService(store::MetadataStore& store, ProjectService& projects,
                             const Clock& clock, IngestLimits limits)
    : store_(store), projects_(projects), clock_(clock), limits_(limits) {}

StatusOr<IngestService::Prepared> IngestService::Prepare(const store::Project& project,
                                                         IngestRequest request) {
  if (!IsKnownCategory(request.category)) {
    return InvalidArgumentError("unknown category '" + request.category +
                                "' (expected training, testing, anomaly or split)");
  }
  if (request.body.size() > limits_.max_body_bytes) {
    return ResourceExhaustedError("body is " + std::to_string(request.body.size()) +
                                  " bytes, more than the limit of " +
                                  std::to_string(limits_.max_body_bytes));
  }
  if (!request.file_name.empty()) {
    TL_RETURN_IF_ERROR(formats::ValidateFileName(request.file_name).WithPrefix("file name"));
  } else if (request.kind == BodyKind::kFile) {
    return InvalidArgumentError("file name is required for file uploads");
  }
  if (!request.metadata.is_object()) {
    return InvalidArgumentError("x-metadata must be a JSON object");
  }

  std::string label;
  if (request.label.has_value() && !request.label->empty()) {
    label = *request.label;
  } else if (!request.no_label && !request.file_name.empty()) {
    label = formats::LabelFromFileName(request.file_name);
  }
  if (!label.empty()) TL_RETURN_IF_ERROR(formats::ValidateLabel(label).WithPrefix("label"));

  formats::DecodeOptions options;
  options.acquisition.hmac_key = project.hmac_key;
  options.acquisition.allow_unsigned = project.allow_unsigned;
  options.acquisition.max_values = limits_.max_values;
  formats::DecodedSample decoded;
  if (request.kind == BodyKind::kAcquisition) {
    TL_ASSIGN_OR_RETURN(auto encoding, EncodingFromContentType(request.content_type));
    TL_ASSIGN_OR_RETURN(decoded,
                        formats::DecodeAcquisition(request.body, encoding, options.acquisition));
  } else {
    options.csv.default_interval_ms = request.interval_ms_override > 0
                                          ? request.interval_ms_override
                                          : formats::IntervalFromFileName(request.file_name);
    TL_ASSIGN_OR_RETURN(decoded, formats::DecodeFile(request.file_name, request.content_type,
                                                     request.body, options));
  }
  if (decoded.values.empty()) return InvalidArgumentError("sample has no values");
  const bool is_image = decoded.extra_metadata.contains("image_width");
  if (decoded.interval_ms <= 0 && !is_image) {
    return InvalidArgumentError(
        "cannot tell the sampling interval of '" + request.file_name +
        "': add a timestamp column, a rate such as _26Hz to the file name, or an interval");
  }

  Prepared prepared;
  store::Sample& s = prepared.sample.sample;
  s.project_id = project.id;
  s.label = label;
  s.device_name = std::move(decoded.device_name);
  s.device_type =
      std::move(!decoded.device_type.empty() ? decoded.device_type : request.device_type);
  s.interval_ms = decoded.interval_ms;
  s.axes = ToAxes(decoded.axes);
  s.length = static_cast<int64_t>(decoded.length);
  // s.sha256 stays empty: the store hashes the body once when it stores it.
  s.values_sha256 = ContentHash(s.interval_ms, s.axes, decoded.values);
  s.content_type = std::move(request.content_type);
  s.metadata = std::move(request.metadata);
  for (auto& [key, value] : decoded.extra_metadata.items()) s.metadata[key] = value;
  s.upload_source = std::move(request.upload_source);
  s.signed_hmac = decoded.hmac_signed;
  s.ingest_ms = clock_.NowMillis();
  s.category =
      request.category == "split" ? ResolveSplitCategory(s.values_sha256) : request.category;

  std::string file_name = request.file_name;
  if (file_name.empty()) file_name = (label.empty() ? "sample" : label) + ".json";
  if (request.add_date_id || request.file_name.empty()) {
    const auto dot = file_name.rfind('.');
    const std::string id = NewOpaqueId().substr(0, 12);
    file_name = dot == std::string::npos || dot == 0
                    ? file_name + "." + id
                    : file_name.substr(0, dot) + "." + id + file_name.substr(dot);
  }
  s.file_name = std::move(file_name);

  TL_ASSIGN_OR_RETURN(s.findings, CheckAndLearn(project, s, decoded.values));
  prepared.sample.values = std::move(decoded.values);
  prepared.sample.body = std::move(request.body);
  prepared.sample.disallow_duplicates = request.disallow_duplicates;

  prepared.result.project_id = project.id;
  prepared.result.file_name = s.file_name;
  prepared.result.label = s.label;
  prepared.result.category = s.category;
  return prepared;
}

StatusOr<IngestResult> IngestService::Ingest(IngestRequest request) {
  std::vector<IngestRequest> one;
  one.push_back(std::move(request));
  return std::move(IngestMany(std::move(one))[0]);
}

std::vector<StatusOr<IngestResult>> IngestService::IngestMany(std::vector<IngestRequest> requests) {
  return PrepareAndStore(nullptr, std::move(requests));
}

std::vector<StatusOr<IngestResult>> IngestService::IngestTrusted(
    int64_t project_id, std::vector<IngestRequest> requests) {
  auto project = store_.GetProject(project_id);
  if (!project.ok()) {
    return std::vector<StatusOr<IngestResult>>(requests.size(), project.status());
  }
  return PrepareAndStore(&*project, std::move(requests));
}

IngestService::PreparedBatch IngestService::PrepareAll(const store::Project* trusted_project,
                                                       std::vector<IngestRequest> requests) {
  PreparedBatch batch;
  batch.results.assign(requests.size(), Status(StatusCode::kInternal, "not ingested"));
  for (size_t i = 0; i < requests.size(); ++i) {
    // The cached project itself, not a copy: its sensor schema is a JSON tree.
    std::shared_ptr<const store::Project> authenticated;
    const store::Project* project = trusted_project;
    if (project == nullptr) {
      auto found = projects_.AuthenticateShared(requests[i].api_key);
      if (!found.ok()) {
        batch.results[i] = found.status();
        continue;
      }
      authenticated = std::move(*found);
      project = authenticated.get();
    }
    auto prepared = Prepare(*project, std::move(requests[i]));
    if (!prepared.ok()) {
      batch.results[i] = prepared.status();
      continue;
    }
    prepared->result.findings = prepared->sample.sample.findings;
    batch.samples.push_back(std::move(prepared->sample));
    batch.result_index.push_back(i);
    batch.pending.push_back(std::move(prepared->result));
  }
  return batch;
}

std::vector<StatusOr<IngestResult>> IngestService::Finish(
    PreparedBatch& batch, std::vector<StatusOr<store::InsertedSample>> inserted) {
  TL_CHECK(inserted.size() == batch.result_index.size());
  for (size_t k = 0; k < inserted.size(); ++k) {
    if (!inserted[k].ok()) {
      batch.results[batch.result_index[k]] = inserted[k].status();
      continue;
    }
    IngestResult& result = batch.pending[k];
    result.sample_id = inserted[k]->id;
    if (inserted[k]->duplicate_of) {
      result.findings.push_back(
          {"duplicate", "same values as sample " + std::to_string(*inserted[k]->duplicate_of)});
    }
    batch.results[batch.result_index[k]] = std::move(result);
  }
  return std::move(batch.results);
}

std::vector<StatusOr<IngestResult>> IngestService::PrepareAndStore(
    const store::Project* trusted_project, std::vector<IngestRequest> requests) {
  PreparedBatch batch = PrepareAll(trusted_project, std::move(requests));
  auto inserted = store_.InsertSamples(std::move(batch.samples));
  return Finish(batch, std::move(inserted));
}

void IngestService::IngestManyAsync(std::vector<IngestRequest> requests, IngestManyDone done) {
  auto batch = std::make_shared<PreparedBatch>(PrepareAll(nullptr, std::move(requests)));
  if (batch->samples.empty()) {
    done(std::move(batch->results));
    return;
  }
  std::vector<store::NewSample> samples = std::move(batch->samples);
  store_.InsertSamplesAsync(
      std::move(samples),
      [batch, done = std::move(done)](std::vector<StatusOr<store::InsertedSample>> inserted) {
        done(Finish(*batch, std::move(inserted)));
      });
}

void IngestService::IngestAsync(IngestRequest request,
                                std::function<void(StatusOr<IngestResult>)> done) {
  std::vector<IngestRequest> one;
  one.push_back(std::move(request));
  IngestManyAsync(std::move(one),
                  [done = std::move(done)](std::vector<StatusOr<IngestResult>> results) {
                    done(std::move(results[0]));
                  });
}

}  // namespace tinyloop::service

namespace tinyloop::service {

IngestService::ProjectSchemaState& IngestService::SchemaState(int64_t project_id) {
  std::lock_guard<std::mutex> lock(states_mu_);
  auto& slot = states_[project_id];
  if (!slot) slot = std::make_unique<ProjectSchemaState>();
  return *slot;
}

StatusOr<std::vector<store::Finding>> IngestService::CheckAndLearn(
    const store::Project& project, const store::Sample& sample, const std::vector<float>& values) {
  ProjectSchemaState& state = SchemaState(project.id);
  std::lock_guard<std::mutex> lock(state.mu);
  if (!state.loaded) {
    TL_ASSIGN_OR_RETURN(state.learner, SchemaLearner::FromJson(project.sensor_schema));
    state.loaded = true;
  }
  if (state.learner.Observe(sample, values)) {
    // Persist while learning so a restart resumes where it stopped; a few writes per project.
    TL_RETURN_IF_ERROR(store_.UpdateProjectSchema(project.id, state.learner.ToJson()));
  }
  return CheckSample(state.learner.schema(), sample, values);
}

StatusOr<std::optional<SensorSchema>> IngestService::GetSchema(int64_t project_id) {
  TL_ASSIGN_OR_RETURN(store::Project project, store_.GetProject(project_id));
  ProjectSchemaState& state = SchemaState(project_id);
  std::lock_guard<std::mutex> lock(state.mu);
  if (!state.loaded) {
    TL_ASSIGN_OR_RETURN(state.learner, SchemaLearner::FromJson(project.sensor_schema));
    state.loaded = true;
  }
  const SensorSchema* schema = state.learner.schema();
  if (schema == nullptr) return std::optional<SensorSchema>();
  return std::optional<SensorSchema>(*schema);
}

Status IngestService::SetSchema(int64_t project_id, const SensorSchema& schema) {
  SensorSchema explicit_schema = schema;
  explicit_schema.source = std::string(kSchemaSourceExplicit);
  SchemaLearner learner = SchemaLearner::FromExplicit(explicit_schema);
  ProjectSchemaState& state = SchemaState(project_id);
  std::lock_guard<std::mutex> lock(state.mu);
  TL_RETURN_IF_ERROR(store_.UpdateProjectSchema(project_id, learner.ToJson()));
  state.learner = std::move(learner);
  state.loaded = true;
  return OkStatus();
}

}  // namespace tinyloop::service
