// The native training API under /api/v1/projects/{project}: dataset versions, impulses, train
// jobs with progress, and stored models (headline, evaluation, model card, files). Each handler
// decodes, calls service::TrainingService, encodes; errors in the native shape.
#include <string>

#include "api/routes.h"
#include "base/json.h"
#include "service/training_service.h"

namespace tinyloop::api {
namespace {

// Early return for handlers: evaluates a StatusOr and answers its error.
#define TL_HTTP_ASSIGN_OR_RETURN(lhs, expr)                           \
  auto TL_STATUS_CONCAT(http_, __LINE__) = (expr);                    \
  if (!TL_STATUS_CONCAT(http_, __LINE__).ok())                        \
    return ErrorResponse(TL_STATUS_CONCAT(http_, __LINE__).status()); \
  lhs = std::move(TL_STATUS_CONCAT(http_, __LINE__)).value()

StatusOr<int64_t> PathId(const HttpRequest& req, const std::string& param,
                         const std::string& field) {
  const std::string& text = req.path_params.at(param);
  if (text.empty() || text.size() > 18 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return InvalidArgumentError(field + " must be a positive integer, got '" + text + "'");
  }
  return std::stoll(text);
}

// The training service and the project the request's key may use.
struct Scope {
  service::TrainingService* training = nullptr;
  int64_t project_id = 0;
};

StatusOr<Scope> Authorize(Services& s, const HttpRequest& req) {
  if (s.training == nullptr) return UnavailableError("training is not enabled on this server");
  TL_ASSIGN_OR_RETURN(const int64_t project_id, PathId(req, "project", "project id"));
  TL_RETURN_IF_ERROR(s.projects.AuthorizeProject(req.Header("x-api-key"), project_id).status());
  return Scope{s.training, project_id};
}

// The body as a JSON object; an empty body is {}. InvalidArgument for anything else or for a
// key outside `known`.
StatusOr<Json> BodyObject(const HttpRequest& req, std::initializer_list<const char*> known) {
  if (req.body.find_first_not_of(" \t\r\n") == std::string::npos) return Json::object();
  TL_ASSIGN_OR_RETURN(Json body, ParseJson(req.body));
  if (!body.is_object()) return InvalidArgumentError("body must be a JSON object");
  for (const auto& item : body.items()) {
    bool ok = false;
    std::string names;
    for (const char* k : known) {
      ok |= item.key() == k;
      names += (names.empty() ? "" : ", ") + std::string(k);
    }
    if (!ok)
      return InvalidArgumentError("unknown field '" + item.key() + "' (known: " + names + ")");
  }
  return body;
}

std::string ProjectPath(int64_t project_id) {
  return "/api/v1/projects/" + std::to_string(project_id);
}

Json DatasetJson(const store::DatasetVersion& v) {
  Json out{
      {"id", v.id},           {"project_id", v.project_id},     {"content_hash", v.content_hash},
      {"options", v.options}, {"sample_count", v.sample_count}, {"created_at", v.created_ms}};
  if (v.samples.empty()) return out;
  Json splits = Json::object(), labels = Json::object(), samples = Json::array();
  for (const store::DatasetVersionSample& s : v.samples) {
    splits[s.split] = splits.value(s.split, 0) + 1;
    labels[s.label] = labels.value(s.label, 0) + 1;
    samples.push_back({{"sample_id", s.sample_id},
                       {"label", s.label},
                       {"category", s.category},
                       {"split", s.split},
                       {"group", s.group},
                       {"values_sha256", s.values_blob}});
  }
  out["splits"] = splits;
  out["labels"] = labels;
  out["samples"] = samples;
  return out;
}

Json ImpulseJson(const store::ImpulseRecord& r) {
  return {{"id", r.id},
          {"project_id", r.project_id},
          {"name", r.name},
          {"impulse", r.config.is_null() ? Json("auto") : r.config},
          {"created_at", r.created_ms}};
}

Json OrNull(int64_t v) { return v == 0 ? Json() : Json(v); }

Json JobJson(const store::Job& j) {
  return {{"id", j.id},
          {"project_id", j.project_id},
          {"kind", j.kind},
          {"status", j.status},
          {"impulse_id", j.impulse_id},
          {"dataset_id", j.dataset_version_id},
          {"seed", j.seed},
          {"progress", j.progress},
          {"error", j.error.empty() ? Json() : Json(j.error)},
          {"model_id", OrNull(j.model_id)},
          {"created_at", j.created_ms},
          {"started_at", OrNull(j.started_ms)},
          {"finished_at", OrNull(j.finished_ms)},
          {"params", j.params},
          {"result", j.result.empty() ? Json() : j.result}};
}

Json ModelJson(const store::ModelRecord& m) {
  const std::string url = ProjectPath(m.project_id) + "/models/" + std::to_string(m.id);
  Json out = m.headline;
  out["id"] = m.id;
  out["model_id"] = m.id;
  out["project_id"] = m.project_id;
  out["impulse_id"] = m.impulse_id;
  out["dataset_id"] = m.dataset_version_id;
  out["job_id"] = m.job_id;
  out["seed"] = m.seed;
  out["created_at"] = m.created_ms;
  out["model_dir"] = url;
  Json files = Json::array();
  for (const store::ModelFile& f : m.files) {
    files.push_back({{"name", f.name},
                     {"size", f.size},
                     {"sha256", f.sha256},
                     {"url", url + "/files/" + f.name}});
  }
  out["files"] = files;
  return out;
}

template <typename T, typename ToJson>
Json ArrayOf(const std::vector<T>& items, ToJson to_json) {
  Json out = Json::array();
  for (const T& item : items) out.push_back(to_json(item));
  return out;
}

HttpResponse CreateDataset(Services& s, const HttpRequest& req) {
  TL_HTTP_ASSIGN_OR_RETURN(const Scope scope, Authorize(s, req));
  TL_HTTP_ASSIGN_OR_RETURN(
      const Json body,
      BodyObject(req, {"seed", "group_by", "validation_fraction", "holdout_fraction"}));
  TL_HTTP_ASSIGN_OR_RETURN(const store::DatasetVersion v,
                           scope.training->CreateDatasetVersion(scope.project_id, body));
  Json out = DatasetJson(v);
  out.erase("samples");  // the summary; GET …/datasets/{id} lists them
  return HttpResponse::Json(out, 201);
}

HttpResponse ListDatasets(Services& s, const HttpRequest& req) {
  TL_HTTP_ASSIGN_OR_RETURN(const Scope scope, Authorize(s, req));
  TL_HTTP_ASSIGN_OR_RETURN(const auto list, scope.training->ListDatasetVersions(scope.project_id));
  return HttpResponse::Json({{"datasets", ArrayOf(list, DatasetJson)}});
}

HttpResponse GetDataset(Services& s, const HttpRequest& req) {
  TL_HTTP_ASSIGN_OR_RETURN(const Scope scope, Authorize(s, req));
  TL_HTTP_ASSIGN_OR_RETURN(const int64_t id, PathId(req, "dataset", "dataset id"));
  TL_HTTP_ASSIGN_OR_RETURN(const auto v, scope.training->GetDatasetVersion(scope.project_id, id));
  return HttpResponse::Json(DatasetJson(v));
}

HttpResponse CreateImpulse(Services& s, const HttpRequest& req) {
  TL_HTTP_ASSIGN_OR_RETURN(const Scope scope, Authorize(s, req));
  TL_HTTP_ASSIGN_OR_RETURN(const Json body, BodyObject(req, {"name", "impulse"}));
  if (body.contains("name") && !body["name"].is_string()) {
    return ErrorResponse(InvalidArgumentError("name must be a string"));
  }
  TL_HTTP_ASSIGN_OR_RETURN(const store::ImpulseRecord r,
                           scope.training->CreateImpulse(scope.project_id, body.value("name", ""),
                                                         body.value("impulse", Json())));
  return HttpResponse::Json(ImpulseJson(r), 201);
}

HttpResponse ListImpulses(Services& s, const HttpRequest& req) {
  TL_HTTP_ASSIGN_OR_RETURN(const Scope scope, Authorize(s, req));
  TL_HTTP_ASSIGN_OR_RETURN(const auto list, scope.training->ListImpulses(scope.project_id));
  return HttpResponse::Json({{"impulses", ArrayOf(list, ImpulseJson)}});
}

HttpResponse GetImpulse(Services& s, const HttpRequest& req) {
  TL_HTTP_ASSIGN_OR_RETURN(const Scope scope, Authorize(s, req));
  TL_HTTP_ASSIGN_OR_RETURN(const int64_t id, PathId(req, "impulse", "impulse id"));
  TL_HTTP_ASSIGN_OR_RETURN(const auto r, scope.training->GetImpulse(scope.project_id, id));
  return HttpResponse::Json(ImpulseJson(r));
}

// POST …/impulses/{impulse}/train, body optional: {"dataset_id": N, "seed": N}.
HttpResponse Train(Services& s, const HttpRequest& req) {
  TL_HTTP_ASSIGN_OR_RETURN(const Scope scope, Authorize(s, req));
  TL_HTTP_ASSIGN_OR_RETURN(const int64_t impulse_id, PathId(req, "impulse", "impulse id"));
  TL_HTTP_ASSIGN_OR_RETURN(const Json body, BodyObject(req, {"dataset_id", "seed"}));
  std::optional<int64_t> dataset_id;
  if (body.contains("dataset_id") && !body["dataset_id"].is_null()) {
    if (!body["dataset_id"].is_number_unsigned()) {
      return ErrorResponse(InvalidArgumentError("dataset_id must be a positive integer"));
    }
    dataset_id = body["dataset_id"].get<int64_t>();
  }
  uint64_t seed = 1;
  if (body.contains("seed")) {
    if (!body["seed"].is_number_unsigned()) {
      return ErrorResponse(InvalidArgumentError("seed must be an integer >= 0"));
    }
    seed = body["seed"].get<uint64_t>();
  }
  TL_HTTP_ASSIGN_OR_RETURN(
      const service::TrainStarted started,
      scope.training->StartTraining(scope.project_id, impulse_id, dataset_id, seed));
  return HttpResponse::Json(
      {{"job_id", started.job.id}, {"dataset_id", started.dataset.id}, {"status", "queued"}}, 202);
}

HttpResponse ListJobs(Services& s, const HttpRequest& req) {
  TL_HTTP_ASSIGN_OR_RETURN(const Scope scope, Authorize(s, req));
  TL_HTTP_ASSIGN_OR_RETURN(const auto list, scope.training->ListJobs(scope.project_id));
  return HttpResponse::Json({{"jobs", ArrayOf(list, JobJson)}});
}

HttpResponse GetJob(Services& s, const HttpRequest& req) {
  TL_HTTP_ASSIGN_OR_RETURN(const Scope scope, Authorize(s, req));
  TL_HTTP_ASSIGN_OR_RETURN(const int64_t id, PathId(req, "job", "job id"));
  TL_HTTP_ASSIGN_OR_RETURN(const auto job, scope.training->GetJob(scope.project_id, id));
  return HttpResponse::Json(JobJson(job));
}

HttpResponse ListModels(Services& s, const HttpRequest& req) {
  TL_HTTP_ASSIGN_OR_RETURN(const Scope scope, Authorize(s, req));
  TL_HTTP_ASSIGN_OR_RETURN(const auto list, scope.training->ListModels(scope.project_id));
  return HttpResponse::Json({{"models", ArrayOf(list, ModelJson)}});
}

HttpResponse GetModel(Services& s, const HttpRequest& req) {
  TL_HTTP_ASSIGN_OR_RETURN(const Scope scope, Authorize(s, req));
  TL_HTTP_ASSIGN_OR_RETURN(const int64_t id, PathId(req, "model", "model id"));
  TL_HTTP_ASSIGN_OR_RETURN(const auto model, scope.training->GetModel(scope.project_id, id));
  return HttpResponse::Json(ModelJson(model));
}

std::string ContentTypeOf(const std::string& name) {
  auto ends = [&](const char* ext) {
    const std::string e(ext);
    return name.size() >= e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0;
  };
  if (ends(".json")) return "application/json";
  if (ends(".md")) return "text/markdown; charset=utf-8";
  if (ends(".txt")) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

HttpResponse ModelFile(Services& s, const HttpRequest& req, const std::string& name) {
  TL_HTTP_ASSIGN_OR_RETURN(const Scope scope, Authorize(s, req));
  TL_HTTP_ASSIGN_OR_RETURN(const int64_t id, PathId(req, "model", "model id"));
  TL_HTTP_ASSIGN_OR_RETURN(std::string bytes,
                           scope.training->GetModelFile(scope.project_id, id, name));
  HttpResponse r;
  r.content_type = ContentTypeOf(name);
  r.body = std::move(bytes);
  return r;
}

HttpResponse GetModelFile(Services& s, const HttpRequest& req) {
  return ModelFile(s, req, req.path_params.at("name"));
}
HttpResponse GetEvaluation(Services& s, const HttpRequest& req) {
  return ModelFile(s, req, "evaluation.json");
}
HttpResponse GetModelCard(Services& s, const HttpRequest& req) {
  return ModelFile(s, req, "model_card.md");
}

// POST …/models/{model}/compile, body {"target": "tflite|host|cpp-lib|cortex-m4|eim"}.
HttpResponse Compile(Services& s, const HttpRequest& req) {
  TL_HTTP_ASSIGN_OR_RETURN(const Scope scope, Authorize(s, req));
  TL_HTTP_ASSIGN_OR_RETURN(const int64_t id, PathId(req, "model", "model id"));
  TL_HTTP_ASSIGN_OR_RETURN(const Json body, BodyObject(req, {"target"}));
  if (!body.contains("target") || !body["target"].is_string()) {
    return ErrorResponse(InvalidArgumentError("target is required: a string naming the target"));
  }
  TL_HTTP_ASSIGN_OR_RETURN(
      const store::Job job,
      scope.training->StartCompile(scope.project_id, id, body["target"].get<std::string>()));
  return HttpResponse::Json({{"job_id", job.id}, {"status", "queued"}}, 202);
}

// GET …/models/{model}/artifacts: the model's compile jobs; a succeeded one's "result" holds
// the resource report and the artifact's files.
HttpResponse ListArtifacts(Services& s, const HttpRequest& req) {
  TL_HTTP_ASSIGN_OR_RETURN(const Scope scope, Authorize(s, req));
  TL_HTTP_ASSIGN_OR_RETURN(const int64_t id, PathId(req, "model", "model id"));
  TL_HTTP_ASSIGN_OR_RETURN(const auto jobs, scope.training->ListCompileJobs(scope.project_id, id));
  return HttpResponse::Json({{"artifacts", ArrayOf(jobs, JobJson)}});
}

// GET …/models/{model}/artifacts/{job}/file?name=PATH: one file of a stored artifact (names
// of a generated folder hold '/', hence a query parameter).
HttpResponse GetArtifactFile(Services& s, const HttpRequest& req) {
  TL_HTTP_ASSIGN_OR_RETURN(const Scope scope, Authorize(s, req));
  TL_HTTP_ASSIGN_OR_RETURN(const int64_t id, PathId(req, "model", "model id"));
  TL_HTTP_ASSIGN_OR_RETURN(const int64_t job_id, PathId(req, "job", "job id"));
  const std::string name = req.Query("name");
  if (name.empty()) {
    return ErrorResponse(InvalidArgumentError("query parameter 'name' is required"));
  }
  TL_HTTP_ASSIGN_OR_RETURN(std::string bytes,
                           scope.training->GetArtifactFile(scope.project_id, id, job_id, name));
  HttpResponse r;
  r.content_type = ContentTypeOf(name);
  r.body = std::move(bytes);
  return r;
}

#undef TL_HTTP_ASSIGN_OR_RETURN

}  // namespace

void AddTrainingRoutes(Router& router, Services& s) {
  auto bind = [&s](HttpResponse (*fn)(Services&, const HttpRequest&)) {
    return [&s, fn](const HttpRequest& r) { return fn(s, r); };
  };
  const std::string project = "/api/v1/projects/{project}";
  const std::string model = project + "/models/{model}";
  router.Add("POST", project + "/datasets", "create_dataset", bind(CreateDataset));
  router.Add("GET", project + "/datasets", "list_datasets", bind(ListDatasets));
  router.Add("GET", project + "/datasets/{dataset}", "get_dataset", bind(GetDataset));
  router.Add("POST", project + "/impulses", "create_impulse", bind(CreateImpulse));
  router.Add("GET", project + "/impulses", "list_impulses", bind(ListImpulses));
  router.Add("GET", project + "/impulses/{impulse}", "get_impulse", bind(GetImpulse));
  router.Add("POST", project + "/impulses/{impulse}/train", "train_impulse", bind(Train));
  router.Add("GET", project + "/jobs", "list_jobs", bind(ListJobs));
  router.Add("GET", project + "/jobs/{job}", "get_job", bind(GetJob));
  router.Add("GET", project + "/models", "list_models", bind(ListModels));
  router.Add("GET", model, "get_model", bind(GetModel));
  router.Add("GET", model + "/evaluation", "get_model_evaluation", bind(GetEvaluation));
  router.Add("GET", model + "/model-card", "get_model_card", bind(GetModelCard));
  router.Add("GET", model + "/files/{name}", "get_model_file", bind(GetModelFile));
  router.Add("POST", model + "/compile", "compile_model", bind(Compile));
  router.Add("GET", model + "/artifacts", "list_model_artifacts", bind(ListArtifacts));
  router.Add("GET", model + "/artifacts/{job}/file", "get_model_artifact_file",
             bind(GetArtifactFile));
}

}  // namespace tinyloop::api
