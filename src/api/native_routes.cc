// The native REST API under /api/v1 (JSON in, JSON out, one error shape) and /metrics.
#include <cerrno>
#include <cstdlib>
#include <string>

#include "api/routes.h"
#include "base/json.h"

namespace tinyloop::api {
namespace {

StatusOr<int64_t> ParseId(const std::string& field, const std::string& text) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) {
    return InvalidArgumentError(field + " must be a positive integer, got '" + text + "'");
  }
  return std::stoll(text);
}

StatusOr<int64_t> QueryInt(const HttpRequest& req, const std::string& name, int64_t fallback) {
  const std::string text = req.Query(name);
  if (text.empty()) return fallback;
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || end == text.c_str() || *end != '\0') {
    return InvalidArgumentError("query parameter " + name + " must be an integer, got '" + text +
                                "'");
  }
  return static_cast<int64_t>(v);
}

// Authenticates the request's key for the {project} in the path.
StatusOr<int64_t> AuthorizedProject(Services& s, const HttpRequest& req) {
  TL_ASSIGN_OR_RETURN(int64_t project_id, ParseId("project id", req.path_params.at("project")));
  TL_RETURN_IF_ERROR(s.projects.AuthorizeProject(req.Header("x-api-key"), project_id));
  return project_id;
}

Json AxesJson(const std::vector<store::Axis>& axes) {
  Json out = Json::array();
  for (const auto& a : axes) out.push_back({{"name", a.name}, {"units", a.units}});
  return out;
}

Json SampleJson(const store::Sample& s) {
  Json findings = Json::array();
  for (const auto& f : s.findings) findings.push_back({{"kind", f.kind}, {"detail", f.detail}});
  return {{"id", s.id},
          {"project_id", s.project_id},
          {"label", s.label},
          {"category", s.category},
          {"device_name", s.device_name},
          {"device_type", s.device_type},
          {"file_name", s.file_name},
          {"sha256", s.sha256},
          {"values_sha256", s.values_sha256},
          {"interval_ms", s.interval_ms},
          {"length", s.length},
          {"axes", AxesJson(s.axes)},
          {"content_type", s.content_type},
          {"metadata", s.metadata},
          {"upload_source", s.upload_source},
          {"signed", s.signed_hmac},
          {"ingested_at", s.ingest_ms},
          {"findings", findings}};
}

// Macro-free early return for handlers: evaluates a StatusOr and answers its error.
#define TL_HTTP_ASSIGN_OR_RETURN(lhs, expr)               \
  auto TL_STATUS_CONCAT(http_, __LINE__) = (expr);          \
  if (!TL_STATUS_CONCAT(http_, __LINE__).ok())              \
    return ErrorResponse(TL_STATUS_CONCAT(http_, __LINE__).status()); \
  lhs = std::move(TL_STATUS_CONCAT(http_, __LINE__)).value()

HttpResponse ListProjects(Services& s, const HttpRequest& req) {
  TL_HTTP_ASSIGN_OR_RETURN(store::Project p, s.projects.Authenticate(req.Header("x-api-key")));
  return HttpResponse::Json(
      {{"projects", Json::array({{{"id", p.id}, {"name", p.name}, {"owner", p.owner}}})}});
}

HttpResponse GetProject(Services& s, const HttpRequest& req) {
  TL_HTTP_ASSIGN_OR_RETURN(int64_t project_id, AuthorizedProject(s, req));
  TL_HTTP_ASSIGN_OR_RETURN(store::Project p, s.projects.GetProject(project_id));
  return HttpResponse::Json({{"id", p.id}, {"name", p.name}, {"owner", p.owner},
                             {"allow_unsigned", p.allow_unsigned}, {"created_at", p.created_ms}});
}

HttpResponse ListSamples(Services& s, const HttpRequest& req) {
  TL_HTTP_ASSIGN_OR_RETURN(int64_t project_id, AuthorizedProject(s, req));
  store::SampleFilter filter;
  filter.project_id = project_id;
  if (req.query.count("label")) filter.label = req.Query("label");
  if (req.query.count("category")) filter.category = req.Query("category");
  if (req.query.count("device")) filter.device_name = req.Query("device");
  TL_HTTP_ASSIGN_OR_RETURN(filter.limit, QueryInt(req, "limit", 100));
  TL_HTTP_ASSIGN_OR_RETURN(filter.offset, QueryInt(req, "offset", 0));
  if (req.query.count("from")) {
    TL_HTTP_ASSIGN_OR_RETURN(filter.ingested_from_ms, QueryInt(req, "from", 0));
  }
  if (req.query.count("to")) {
    TL_HTTP_ASSIGN_OR_RETURN(filter.ingested_to_ms, QueryInt(req, "to", 0));
  }
  TL_HTTP_ASSIGN_OR_RETURN(store::SampleList list, s.samples.List(filter));
  Json samples = Json::array();
  for (const auto& sample : list.samples) samples.push_back(SampleJson(sample));
  return HttpResponse::Json({{"total", list.total}, {"samples", samples}});
}

HttpResponse GetSample(Services& s, const HttpRequest& req) {
  TL_HTTP_ASSIGN_OR_RETURN(int64_t project_id, AuthorizedProject(s, req));
  TL_HTTP_ASSIGN_OR_RETURN(int64_t id, ParseId("sample id", req.path_params.at("sample")));
  TL_HTTP_ASSIGN_OR_RETURN(store::Sample sample, s.samples.Get(project_id, id));
  return HttpResponse::Json(SampleJson(sample));
}

HttpResponse GetSampleValues(Services& s, const HttpRequest& req) {
  TL_HTTP_ASSIGN_OR_RETURN(int64_t project_id, AuthorizedProject(s, req));
  TL_HTTP_ASSIGN_OR_RETURN(int64_t id, ParseId("sample id", req.path_params.at("sample")));
  TL_HTTP_ASSIGN_OR_RETURN(service::SampleValues sv, s.samples.GetValues(project_id, id));
  // Written by hand so each float32 is printed in its shortest exact form.
  const size_t width = sv.sample.axes.size();
  std::string values = "[";
  for (size_t row = 0; width > 0 && row * width < sv.values.size(); ++row) {
    if (row > 0) values += ',';
    values += '[';
    for (size_t c = 0; c < width; ++c) {
      if (c > 0) values += ',';
      values += FormatFloat32(sv.values[row * width + c]);
    }
    values += ']';
  }
  values += ']';
  HttpResponse r;
  r.body = "{\"interval_ms\":" + DumpJson(Json(sv.sample.interval_ms)) +
           ",\"axes\":" + DumpJson(AxesJson(sv.sample.axes)) + ",\"values\":" + values + "}";
  return r;
}

HttpResponse GetSampleRaw(Services& s, const HttpRequest& req) {
  TL_HTTP_ASSIGN_OR_RETURN(int64_t project_id, AuthorizedProject(s, req));
  TL_HTTP_ASSIGN_OR_RETURN(int64_t id, ParseId("sample id", req.path_params.at("sample")));
  TL_HTTP_ASSIGN_OR_RETURN(auto body, s.samples.GetBody(project_id, id));
  HttpResponse r;
  r.content_type = body.second.empty() ? "application/octet-stream" : body.second;
  r.body = std::move(body.first);
  return r;
}

HttpResponse DeleteSample(Services& s, const HttpRequest& req) {
  TL_HTTP_ASSIGN_OR_RETURN(int64_t project_id, AuthorizedProject(s, req));
  TL_HTTP_ASSIGN_OR_RETURN(int64_t id, ParseId("sample id", req.path_params.at("sample")));
  if (Status st = s.samples.Delete(project_id, id); !st.ok()) return ErrorResponse(st);
  return HttpResponse::Json({{"deleted", id}});
}

// PATCH {"label": "...", "category": "..."}: relabel and/or move.
HttpResponse PatchSample(Services& s, const HttpRequest& req) {
  TL_HTTP_ASSIGN_OR_RETURN(int64_t project_id, AuthorizedProject(s, req));
  TL_HTTP_ASSIGN_OR_RETURN(int64_t id, ParseId("sample id", req.path_params.at("sample")));
  TL_HTTP_ASSIGN_OR_RETURN(Json body, ParseJson(req.body));
  if (!body.is_object() || (!body.contains("label") && !body.contains("category"))) {
    return ErrorResponse(InvalidArgumentError("body must be an object with label and/or category"));
  }
  TL_HTTP_ASSIGN_OR_RETURN(store::Sample before, s.samples.Get(project_id, id));
  if (body.contains("label")) {
    if (!body["label"].is_string()) return ErrorResponse(InvalidArgumentError("label must be a string"));
    if (Status st = s.samples.Relabel(project_id, id, body["label"]); !st.ok()) return ErrorResponse(st);
  }
  if (body.contains("category")) {
    if (!body["category"].is_string()) return ErrorResponse(InvalidArgumentError("category must be a string"));
    if (Status st = s.samples.Move(project_id, id, body["category"]); !st.ok()) return ErrorResponse(st);
  }
  TL_HTTP_ASSIGN_OR_RETURN(store::Sample after, s.samples.Get(project_id, id));
  return HttpResponse::Json(SampleJson(after));
}

HttpResponse DataReport(Services& s, const HttpRequest& req) {
  TL_HTTP_ASSIGN_OR_RETURN(int64_t project_id, AuthorizedProject(s, req));
  TL_HTTP_ASSIGN_OR_RETURN(service::DataReport report, s.samples.Report(project_id));
  return HttpResponse::Json(service::DataReportToJson(report));
}

HttpResponse GetSchema(Services& s, const HttpRequest& req) {
  TL_HTTP_ASSIGN_OR_RETURN(int64_t project_id, AuthorizedProject(s, req));
  TL_HTTP_ASSIGN_OR_RETURN(auto schema, s.ingest.GetSchema(project_id));
  return HttpResponse::Json({{"schema", schema ? schema->ToJson() : Json()}});
}

HttpResponse PutSchema(Services& s, const HttpRequest& req) {
  TL_HTTP_ASSIGN_OR_RETURN(int64_t project_id, AuthorizedProject(s, req));
  TL_HTTP_ASSIGN_OR_RETURN(Json body, ParseJson(req.body));
  TL_HTTP_ASSIGN_OR_RETURN(service::SensorSchema schema, service::SensorSchema::FromJson(body));
  if (Status st = s.ingest.SetSchema(project_id, schema); !st.ok()) return ErrorResponse(st);
  return GetSchema(s, req);
}

HttpResponse MetricsText(Services& s, const HttpRequest&) {
  TL_HTTP_ASSIGN_OR_RETURN(store::StoreStats stats, s.store.Stats());
  HttpResponse r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = s.metrics.Render(stats);
  return r;
}

#undef TL_HTTP_ASSIGN_OR_RETURN

}  // namespace

void AddNativeRoutes(Router& router, Services& s) {
  auto bind = [&s](HttpResponse (*fn)(Services&, const HttpRequest&)) {
    return [&s, fn](const HttpRequest& r) { return fn(s, r); };
  };
  const std::string project = "/api/v1/projects/{project}";
  const std::string sample = project + "/samples/{sample}";
  router.Add("GET", "/api/v1/projects", "list_projects", bind(ListProjects));
  router.Add("GET", project, "get_project", bind(GetProject));
  router.Add("GET", project + "/samples", "list_samples", bind(ListSamples));
  router.Add("GET", sample, "get_sample", bind(GetSample));
  router.Add("PATCH", sample, "patch_sample", bind(PatchSample));
  router.Add("DELETE", sample, "delete_sample", bind(DeleteSample));
  router.Add("GET", sample + "/values", "get_sample_values", bind(GetSampleValues));
  router.Add("GET", sample + "/raw", "get_sample_raw", bind(GetSampleRaw));
  router.Add("GET", project + "/data-report", "data_report", bind(DataReport));
  router.Add("GET", project + "/sensor-schema", "get_sensor_schema", bind(GetSchema));
  router.Add("PUT", project + "/sensor-schema", "put_sensor_schema", bind(PutSchema));
  router.Add("GET", "/metrics", "metrics", bind(MetricsText));
}

Router BuildRouter(Services& services) {
  Router router;
  AddNativeRoutes(router, services);
  AddTrainingRoutes(router, services);
  AddEdgeImpulseRoutes(router, services);
  return router;
}

}  // namespace tinyloop::api
