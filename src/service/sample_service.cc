#include "service/sample_service.h"

#include "formats/file_names.h"

namespace tinyloop::service {
namespace {

Status ValidateCategory(const std::string& category) {
  for (const char* c : kSampleCategories) {
    if (category == c) return OkStatus();
  }
  return InvalidArgumentError("unknown category '" + category +
                              "' (expected training, testing or anomaly)");
}

constexpr int64_t kMaxPageSize = 10000;

}  // namespace

StatusOr<store::SampleList> SampleService::List(const store::SampleFilter& filter) {
  if (filter.limit < 1 || filter.limit > kMaxPageSize) {
    return InvalidArgumentError("limit must be between 1 and " + std::to_string(kMaxPageSize) +
                                ", got " + std::to_string(filter.limit));
  }
  if (filter.offset < 0) return InvalidArgumentError("offset must not be negative");
  if (filter.category) TL_RETURN_IF_ERROR(ValidateCategory(*filter.category));
  return store_.ListSamples(filter);
}

StatusOr<store::Sample> SampleService::Get(int64_t project_id, int64_t sample_id) {
  return store_.GetSample(project_id, sample_id);
}

StatusOr<SampleValues> SampleService::GetValues(int64_t project_id, int64_t sample_id) {
  SampleValues out;
  TL_ASSIGN_OR_RETURN(out.sample, store_.GetSample(project_id, sample_id));
  TL_ASSIGN_OR_RETURN(out.values, store_.GetSampleValues(project_id, sample_id));
  return out;
}

StatusOr<std::pair<std::string, std::string>> SampleService::GetBody(int64_t project_id,
                                                                      int64_t sample_id) {
  TL_ASSIGN_OR_RETURN(store::Sample sample, store_.GetSample(project_id, sample_id));
  TL_ASSIGN_OR_RETURN(std::string body, store_.GetSampleBody(project_id, sample_id));
  return std::make_pair(std::move(body), sample.content_type);
}

Status SampleService::Delete(int64_t project_id, int64_t sample_id) {
  return store_.DeleteSample(project_id, sample_id);
}

Status SampleService::Relabel(int64_t project_id, int64_t sample_id, const std::string& label) {
  if (!label.empty()) TL_RETURN_IF_ERROR(formats::ValidateLabel(label).WithPrefix("label"));
  return store_.UpdateSampleLabel(project_id, sample_id, label);
}

Status SampleService::Move(int64_t project_id, int64_t sample_id, const std::string& category) {
  TL_RETURN_IF_ERROR(ValidateCategory(category));
  return store_.UpdateSampleCategory(project_id, sample_id, category);
}

StatusOr<DataReport> SampleService::Report(int64_t project_id) {
  TL_RETURN_IF_ERROR(store_.GetProject(project_id));
  std::vector<store::Sample> all;
  store::SampleFilter filter;
  filter.project_id = project_id;
  filter.limit = kMaxPageSize;
  for (;;) {
    TL_ASSIGN_OR_RETURN(store::SampleList page, store_.ListSamples(filter));
    const size_t got = page.samples.size();
    for (auto& s : page.samples) all.push_back(std::move(s));
    if (got < static_cast<size_t>(filter.limit)) break;
    filter.offset += filter.limit;
  }
  TL_ASSIGN_OR_RETURN(std::optional<SensorSchema> schema, ingest_.GetSchema(project_id));
  return BuildDataReport(all, schema ? &*schema : nullptr);
}

}  // namespace tinyloop::service
