// Reading and curating stored samples: list with filters, fetch metadata, values and the
// original body, relabel, move between categories, delete, and the project's data report
// ("are we getting the right data?"). Authorization is the caller's job (ProjectService).
// Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "service/data_report.h"
#include "service/ingest_service.h"
#include "store/metadata_store.h"

namespace tinyloop::service {

struct SampleValues {
  store::Sample sample;
  std::vector<float> values;  // row-major
};

// Categories a stored sample can be in.
inline constexpr const char* kSampleCategories[] = {"training", "testing", "anomaly"};

class SampleService {
 public:
  // References must outlive the service.
  SampleService(store::MetadataStore& store, IngestService& ingest)
      : store_(store), ingest_(ingest) {}

  // InvalidArgument: limit outside [1, 10000], negative offset, unknown category.
  StatusOr<store::SampleList> List(const store::SampleFilter& filter);
  StatusOr<store::Sample> Get(int64_t project_id, int64_t sample_id);
  StatusOr<SampleValues> GetValues(int64_t project_id, int64_t sample_id);
  // The original body and its content type.
  StatusOr<std::pair<std::string, std::string>> GetBody(int64_t project_id, int64_t sample_id);
  Status Delete(int64_t project_id, int64_t sample_id);
  // InvalidArgument for an invalid label (empty allowed = unlabeled) or unknown category.
  Status Relabel(int64_t project_id, int64_t sample_id, const std::string& label);
  Status Move(int64_t project_id, int64_t sample_id, const std::string& category);

  // Summarizes every sample of the project (see data_report.h).
  StatusOr<DataReport> Report(int64_t project_id);

 private:
  store::MetadataStore& store_;
  IngestService& ingest_;
};

}  // namespace tinyloop::service
