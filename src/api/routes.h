// Route registration: the Edge Impulse-compatible ingestion API and Studio-API subset
// (ei_routes.cc) and the native REST API under /api/v1 plus /metrics (native_routes.cc).
// Handlers decode the request, call a service, encode the answer; nothing else.
#pragma once

#include "api/http.h"
#include "api/metrics.h"
#include "api/router.h"
#include "service/ingest_service.h"
#include "service/projects.h"
#include "service/sample_service.h"
#include "service/training_service.h"
#include "store/metadata_store.h"

namespace tinyloop::api {

// What handlers use. All references outlive the router.
struct Services {
  service::ProjectService& projects;
  service::IngestService& ingest;
  service::SampleService& samples;
  store::MetadataStore& store;
  Metrics& metrics;
  // Dataset versions, impulses, jobs and models (training_routes.cc); null: those routes
  // answer 503.
  service::TrainingService* training = nullptr;
};

void AddEdgeImpulseRoutes(Router& router, Services& services);
void AddNativeRoutes(Router& router, Services& services);
void AddTrainingRoutes(Router& router, Services& services);

// The error answer for `path` in the shape its clients expect: text for /api/<c>/data,
// {"success":false,"error":…} for /api/<c>/files and /v1/api/…, the native shape elsewhere.
HttpResponse ErrorForPath(const std::string& path, const Status& status);

// Builds the whole table.
Router BuildRouter(Services& services);

}  // namespace tinyloop::api
