#include "train_remote.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "api/http_client.h"
#include "progress.h"

namespace tinyloop::app {
namespace {

// The JSON of a 2xx answer, or the server's error message as a Status.
StatusOr<Json> Answer(const StatusOr<api::HttpResponse>& response, const std::string& what) {
  TL_RETURN_IF_ERROR(response.status());
  auto json = ParseJson(response->body);
  if (response->status >= 200 && response->status < 300) {
    if (!json.ok()) return InternalError(what + ": the server's answer is not JSON");
    return *json;
  }
  std::string message = what + " failed with HTTP " + std::to_string(response->status);
  if (json.ok() && json->is_object() && json->contains("error") && (*json)["error"].is_object()) {
    message += ": " + (*json)["error"].value("message", "");
  }
  return response->status == 400 ? InvalidArgumentError(message) : UnavailableError(message);
}

StatusOr<Json> ReadJsonFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  StatusOr<Json> json = ParseJson(text.str());
  if (!json.ok()) return json.status().WithPrefix(path);
  return json;
}

}  // namespace

StatusOr<Json> TrainOnServer(const RemoteTrainOptions& options) {
  if (options.project <= 0) return InvalidArgumentError("--project is required with --server");
  TL_ASSIGN_OR_RETURN(std::unique_ptr<api::HttpClient> client,
                      api::HttpClient::Create(options.server));
  const api::HttpClient::Headers headers = {{"x-api-key", options.api_key}};
  const std::string project = "/api/v1/projects/" + std::to_string(options.project);

  Json impulse_body = {{"name", "cli"}};
  if (!options.impulse_file.empty()) {
    TL_ASSIGN_OR_RETURN(impulse_body["impulse"], ReadJsonFile(options.impulse_file));
  }
  TL_ASSIGN_OR_RETURN(const Json impulse,
                      Answer(client->Post(project + "/impulses", headers, DumpJson(impulse_body),
                                          "application/json"),
                             "creating the impulse"));
  const std::string train_path =
      project + "/impulses/" + std::to_string(impulse["id"].get<int64_t>()) + "/train";
  TL_ASSIGN_OR_RETURN(
      const Json started,
      Answer(client->Post(train_path, headers, DumpJson(Json{{"seed", options.seed}}),
                          "application/json"),
             "starting the job"));
  const int64_t job_id = started["job_id"].get<int64_t>();
  if (options.progress) {
    std::fprintf(stderr, "job %lld queued on dataset version %lld\n",
                 static_cast<long long>(job_id), started["dataset_id"].get<long long>());
  }

  std::unique_ptr<Progress> bar;
  std::string stage;
  Json job;
  for (;;) {
    TL_ASSIGN_OR_RETURN(job,
                        Answer(client->Get(project + "/jobs/" + std::to_string(job_id), headers),
                               "reading the job"));
    const Json& p = job["progress"];
    const std::string now = p.value("stage", "");
    if (options.progress && now != stage && now != "train") {
      std::fprintf(stderr, "%s: %s\n", now.c_str(), p.value("message", "").c_str());
    }
    stage = now;
    const int max_epochs = p.value("max_epochs", 0);
    if (max_epochs > 0 && !bar) {
      bar = std::make_unique<Progress>("epoch", static_cast<size_t>(max_epochs), options.progress);
    }
    if (bar) bar->Update(static_cast<size_t>(p.value("epoch", 0)));
    const std::string status = job.value("status", "");
    if (status == "succeeded" || status == "failed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (bar) bar->Finish(std::to_string(job["progress"].value("epoch", 0)) + " epochs");
  if (job["status"] == "failed") {
    return InternalError("training job " + std::to_string(job_id) +
                         " failed: " + job.value("error", std::string("unknown reason")));
  }
  TL_ASSIGN_OR_RETURN(
      Json model,
      Answer(client->Get(project + "/models/" + std::to_string(job["model_id"].get<int64_t>()),
                         headers),
             "reading the model"));
  model["model_dir"] = options.server + model.value("model_dir", std::string());
  return model;
}

}  // namespace tinyloop::app
