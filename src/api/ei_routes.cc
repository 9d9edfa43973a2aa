// Edge Impulse-compatible endpoints (../shared/compat/edge-impulse.md): ingestion
// POST /api/{category}/{data|files} and the Studio-API calls the EI tools make first.
#include <cstdlib>
#include <optional>
#include <string>

#include "api/routes.h"
#include "formats/file_names.h"

namespace tinyloop::api {
namespace {

using service::IngestRequest;

HttpResponse EiTextError(const Status& status) {
  return HttpResponse::Text(status.message(), HttpStatusFor(status));
}

HttpResponse EiJsonError(const Status& status) {
  return HttpResponse::Json({{"success", false}, {"error", status.message()}},
                            HttpStatusFor(status));
}

bool TruthyHeader(const HttpRequest& req, const std::string& name) {
  if (!req.HasHeader(name)) return false;
  const std::string v = req.Header(name);
  return v != "0" && v != "false";
}

// Fills the header-derived fields shared by /data and /files. Errors name the header.
Status ReadIngestHeaders(const HttpRequest& req, IngestRequest& out) {
  out.api_key = req.Header("x-api-key");
  if (out.api_key.empty()) return UnauthenticatedError("missing x-api-key header");
  out.category = req.path_params.at("category");
  if (req.HasHeader("x-label") && !req.Header("x-label").empty()) {
    auto label = formats::PercentDecode(req.Header("x-label"));
    if (!label.ok()) return label.status().WithPrefix("x-label");
    out.label = *label;
  }
  out.no_label = TruthyHeader(req, "x-no-label");
  out.disallow_duplicates = TruthyHeader(req, "x-disallow-duplicates");
  out.add_date_id = TruthyHeader(req, "x-add-date-id");
  out.device_type = req.Header("x-device-type");
  out.upload_source = req.Header("x-upload-source");
  if (req.HasHeader("x-interval-ms")) {  // tinyloop extension: timing for bare CSV files
    char* end = nullptr;
    const std::string text = req.Header("x-interval-ms");
    out.interval_ms_override = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0' || !(out.interval_ms_override > 0)) {
      return InvalidArgumentError("x-interval-ms must be a positive number, got '" + text + "'");
    }
  }
  if (req.HasHeader("x-metadata") && !req.Header("x-metadata").empty()) {
    auto metadata = ParseJson(req.Header("x-metadata"));
    if (!metadata.ok()) return metadata.status().WithPrefix("x-metadata");
    if (!metadata->is_object()) return InvalidArgumentError("x-metadata must be a JSON object");
    out.metadata = std::move(*metadata);
  }
  return OkStatus();
}

Json FindingKinds(const std::vector<store::Finding>& findings) {
  Json kinds = Json::array();
  for (const auto& f : findings) kinds.push_back(f.kind);
  return kinds;
}

void CountResult(Services& s, const StatusOr<service::IngestResult>& r) {
  if (r.ok()) {
    s.metrics.CountAccepted(r->category);
  } else {
    s.metrics.CountRejected(std::string(StatusCodeName(r.status().code())));
  }
}

// Decodes /data's headers into `r` and moves the body there; an answer when the request is
// refused before ingestion.
std::optional<HttpResponse> ReadDataRequest(Services& s, HttpRequest& req, IngestRequest& r) {
  Status headers = ReadIngestHeaders(req, r);
  if (headers.ok() && req.Header("content-type").empty()) {
    // Edge Impulse answers a missing required header with 421.
    s.metrics.CountRejected("missing_header");
    return HttpResponse::Text(
        "missing Content-Type header (application/json, "
        "application/cbor or application/octet-stream)",
        421);
  }
  if (!headers.ok()) {
    s.metrics.CountRejected(std::string(StatusCodeName(headers.code())));
    return EiTextError(headers);
  }
  if (req.HasHeader("x-file-name")) {
    auto name = formats::PercentDecode(req.Header("x-file-name"));
    if (!name.ok()) return EiTextError(name.status().WithPrefix("x-file-name"));
    r.file_name = *name;
  }
  r.kind = service::BodyKind::kAcquisition;
  r.content_type = req.Header("content-type");
  r.body = std::move(req.body);
  return std::nullopt;
}

// Answers once the sample committed (on the store's writer thread).
void IngestData(Services& s, HttpRequest& req, Respond respond) {
  IngestRequest r;
  if (auto refused = ReadDataRequest(s, req, r)) return respond(std::move(*refused));
  s.ingest.IngestAsync(std::move(r),
                       [&s, respond = std::move(respond)](StatusOr<service::IngestResult> result) {
                         CountResult(s, result);
                         if (!result.ok()) return respond(EiTextError(result.status()));
                         respond(HttpResponse::Text(result->file_name));
                       });
}

// Per Edge Impulse's documented limit.
constexpr size_t kMaxFilesPerRequest = 1000;

// The /files answer: one entry per part, in order.
HttpResponse FilesAnswer(Services& s, const std::vector<std::string>& file_names,
                         const std::vector<StatusOr<service::IngestResult>>& results) {
  Json files = Json::array();
  for (size_t i = 0; i < file_names.size(); ++i) {
    const StatusOr<service::IngestResult>& result = results[i];
    CountResult(s, result);
    if (!result.ok()) {
      files.push_back(
          {{"success", false}, {"fileName", file_names[i]}, {"error", result.status().message()}});
      continue;
    }
    files.push_back({{"success", true},
                     {"sampleId", result->sample_id},
                     {"projectId", result->project_id},
                     {"fileName", result->file_name},
                     {"label", result->label},
                     {"category", result->category},
                     {"findings", FindingKinds(result->findings)}});
  }
  return HttpResponse::Json({{"success", true}, {"files", files}});
}

// Every part is ingested in one call (one commit); answers once it committed.
void IngestFiles(Services& s, HttpRequest& req, Respond respond) {
  IngestRequest common;
  if (Status st = ReadIngestHeaders(req, common); !st.ok()) {
    s.metrics.CountRejected(std::string(StatusCodeName(st.code())));
    return respond(EiJsonError(st));
  }
  // Authenticate once for the whole request: a wrong key is a 401, not N failed files.
  if (auto project = s.projects.AuthenticateShared(common.api_key); !project.ok()) {
    s.metrics.CountRejected(std::string(StatusCodeName(project.status().code())));
    return respond(EiJsonError(project.status()));
  }
  if (!req.is_multipart) {
    return respond(EiJsonError(
        InvalidArgumentError("body must be multipart/form-data with parts named 'data'")));
  }
  if (req.parts.empty())
    return respond(EiJsonError(InvalidArgumentError("no files in the request")));
  if (req.parts.size() > kMaxFilesPerRequest) {
    return respond(EiJsonError(InvalidArgumentError(
        "request has " + std::to_string(req.parts.size()) + " multipart parts, more than the " +
        "limit of " + std::to_string(kMaxFilesPerRequest))));
  }
  // Parts not named "data" keep their error; the others get their ingestion result.
  std::vector<StatusOr<service::IngestResult>> results;
  std::vector<std::string> file_names;
  std::vector<IngestRequest> requests;
  std::vector<size_t> part_of_request;
  for (size_t i = 0; i < req.parts.size(); ++i) {
    MultipartPart& part = req.parts[i];
    file_names.push_back(part.file_name);
    results.emplace_back(
        InvalidArgumentError("multipart part '" + part.name + "' is not named 'data'"));
    if (part.name != "data") continue;
    IngestRequest r = common;
    r.kind = service::BodyKind::kFile;
    r.file_name = part.file_name;
    r.content_type = part.content_type;
    r.body = std::move(part.content);
    requests.push_back(std::move(r));
    part_of_request.push_back(i);
  }
  s.ingest.IngestManyAsync(
      std::move(requests),
      [&s, results = std::move(results), file_names = std::move(file_names),
       part_of_request = std::move(part_of_request), respond = std::move(respond)](
          std::vector<StatusOr<service::IngestResult>> ingested) mutable {
        for (size_t k = 0; k < ingested.size(); ++k) {
          results[part_of_request[k]] = std::move(ingested[k]);
        }
        respond(FilesAnswer(s, file_names, results));
      });
}

Json StudioProject(const store::Project& p) {
  return {{"id", p.id}, {"name", p.name}, {"owner", p.owner}, {"whitelabelId", nullptr}};
}

HttpResponse StudioProjects(Services& s, const HttpRequest& req) {
  auto project = s.projects.Authenticate(req.Header("x-api-key"));
  if (!project.ok()) return EiJsonError(project.status());
  return HttpResponse::Json(
      {{"success", true}, {"projects", Json::array({StudioProject(*project)})}});
}

StatusOr<store::Project> StudioAuthorize(Services& s, const HttpRequest& req) {
  const std::string& id = req.path_params.at("project");
  if (id.empty() || id.size() > 18 || id.find_first_not_of("0123456789") != std::string::npos) {
    return NotFoundError("project '" + id + "' not found");
  }
  return s.projects.AuthorizeProject(req.Header("x-api-key"), std::stoll(id));
}

HttpResponse StudioProject(Services& s, const HttpRequest& req) {
  auto project = StudioAuthorize(s, req);
  if (!project.ok()) return EiJsonError(project.status());
  return HttpResponse::Json({{"success", true}, {"project", StudioProject(*project)}});
}

HttpResponse StudioHmacKey(Services& s, const HttpRequest& req) {
  auto project = StudioAuthorize(s, req);
  if (!project.ok()) return EiJsonError(project.status());
  return HttpResponse::Json({{"success", true}, {"hmacKey", project->hmac_key}});
}

}  // namespace

void AddEdgeImpulseRoutes(Router& router, Services& s) {
  router.AddAsync("POST", "/api/{category}/data", "ingest_data",
                  [&s](HttpRequest& r, Respond respond) { IngestData(s, r, std::move(respond)); });
  router.AddAsync("POST", "/api/{category}/files", "ingest_files",
                  [&s](HttpRequest& r, Respond respond) { IngestFiles(s, r, std::move(respond)); });
  router.Add("GET", "/v1/api/projects", "studio_projects",
             [&s](const HttpRequest& r) { return StudioProjects(s, r); });
  router.Add("GET", "/v1/api/{project}", "studio_project",
             [&s](const HttpRequest& r) { return StudioProject(s, r); });
  router.Add("GET", "/v1/api/{project}/devkeys/hmac", "studio_hmac_key",
             [&s](const HttpRequest& r) { return StudioHmacKey(s, r); });
}

HttpResponse ErrorForPath(const std::string& path, const Status& status) {
  const std::vector<std::string> seg = SplitPath(path);
  if (seg.size() == 3 && seg[0] == "api" && seg[1] != "v1") {
    if (seg[2] == "data") return EiTextError(status);
    if (seg[2] == "files") return EiJsonError(status);
  }
  if (seg.size() >= 2 && seg[0] == "v1" && seg[1] == "api") return EiJsonError(status);
  return ErrorResponse(status);
}

}  // namespace tinyloop::api
