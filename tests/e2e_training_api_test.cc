// End-to-end test of the training API: a real `tinyloop server` on loopback, simulated fan
// recordings ingested over HTTP, a dataset version, an impulse, train jobs followed to the end
// with their progress, the stored model's evaluation, model card and files; a job that fails
// says why and the project keeps ingesting and training; same seed and dataset version give
// the same model.tflite bytes; compile jobs store artifacts (tflite, cpp-lib, eim) with their
// resource report; `tinyloop train --server` prints the offline JSON shape.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <thread>

#include "api/http_client.h"
#include "base/json.h"
#include "e2e_support.h"
#include "sim/dataset_writer.h"

namespace tinyloop::e2e {
namespace {

class TrainingApi {
 public:
  TrainingApi(const std::string& url, const Project& project) : project_(project) {
    auto client = api::HttpClient::Create(url, 120);
    EXPECT_TRUE(client.ok());
    client_ = std::move(client).value();
    base_ = "/api/v1/projects/" + std::to_string(project.id);
  }

  api::HttpResponse Call(const std::string& method, const std::string& path,
                         const std::string& body = "") {
    auto r = client_->Send(method, base_ + path, {{"x-api-key", project_.api_key}}, body,
                           "application/json");
    EXPECT_TRUE(r.ok()) << method << " " << path << ": " << r.status().ToString();
    return r.ok() ? *r : api::HttpResponse{};
  }

  // The JSON answer, expecting `status`.
  Json CallJson(const std::string& method, const std::string& path, const std::string& body,
                int status) {
    api::HttpResponse r = Call(method, path, body);
    EXPECT_EQ(r.status, status) << method << " " << path << ": " << r.body;
    auto json = ParseJson(r.body);
    EXPECT_TRUE(json.ok()) << r.body;
    return json.ok() ? *json : Json();
  }

  // Polls the job until it ends; `max_epoch_seen` gets the largest epoch seen while running.
  Json WaitForJob(int64_t job_id, int* max_epoch_seen = nullptr) {
    Json job;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(600);
    while (std::chrono::steady_clock::now() < deadline) {
      job = CallJson("GET", "/jobs/" + std::to_string(job_id), "", 200);
      if (max_epoch_seen != nullptr && job["status"] == "running") {
        *max_epoch_seen = std::max(*max_epoch_seen, job["progress"].value("epoch", 0));
      }
      if (job["status"] == "succeeded" || job["status"] == "failed") return job;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "job " << job_id << " did not end: " << job.dump();
    return job;
  }

 private:
  Project project_;
  std::unique_ptr<api::HttpClient> client_;
  std::string base_;
};

void ExpectError(const api::HttpResponse& r, int status, const std::string& needle) {
  EXPECT_EQ(r.status, status) << r.body;
  auto json = ParseJson(r.body);
  ASSERT_TRUE(json.ok()) << r.body;
  ASSERT_TRUE((*json)["error"].is_object()) << r.body;
  EXPECT_TRUE((*json)["error"]["code"].is_string()) << r.body;
  EXPECT_NE((*json)["error"]["message"].get<std::string>().find(needle), std::string::npos)
      << r.body;
}

TEST(TrainingApiTest, TrainsThroughTheApiAndFailsCleanly) {
  TempDir dir;
  const std::string sim_dir = dir.path() + "/sim", data = dir.path() + "/data";
  sim::DemoDatasetOptions small;
  small.training_samples_per_label = 6;
  small.testing_samples_per_label = 2;
  small.anomaly_samples_per_label = 2;
  ASSERT_TRUE(sim::WriteDemoDataset(sim_dir, small).ok());
  const Project project = CreateProject(data, "fans");
  ASSERT_GT(project.id, 0);
  ServerProcess server(data);
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  const ProcessResult ingest = RunTinyloop(
      {"ingest", sim_dir, "--server", server.url(), "--api-key", project.api_key, "--quiet"});
  ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  const int files = 4 * (6 + 2) + 3 * 2;

  TrainingApi api(server.url(), project);
  const Json dataset = api.CallJson("POST", "/datasets", "", 201);
  EXPECT_EQ(dataset["sample_count"], files) << dataset.dump();
  EXPECT_EQ(dataset["splits"]["test"], 8) << dataset.dump();
  EXPECT_EQ(dataset["splits"]["anomaly"], 6) << dataset.dump();
  const int64_t dataset_id = dataset["id"].get<int64_t>();
  EXPECT_EQ(
      api.CallJson("GET", "/datasets/" + std::to_string(dataset_id), "", 200)["samples"].size(),
      static_cast<size_t>(files));

  const Json impulse = api.CallJson("POST", "/impulses", R"({"name":"auto"})", 201);
  EXPECT_EQ(impulse["impulse"], "auto");
  const std::string train = "/impulses/" + std::to_string(impulse["id"].get<int64_t>()) + "/train";
  const std::string same = R"({"dataset_id":)" + std::to_string(dataset_id) + R"(,"seed":5})";
  const Json started = api.CallJson("POST", train, same, 202);
  int max_epoch = 0;
  const Json job = api.WaitForJob(started["job_id"].get<int64_t>(), &max_epoch);
  ASSERT_EQ(job["status"], "succeeded") << job.dump();
  EXPECT_TRUE(job["error"].is_null());
  EXPECT_GT(job["progress"]["epoch"].get<int>(), 0) << job.dump();
  EXPECT_GT(job["progress"]["max_epochs"].get<int>(), 0) << job.dump();
  EXPECT_TRUE(job["progress"]["loss"].is_number()) << job.dump();
  EXPECT_GT(max_epoch, 0) << "no epoch progress observed while running";

  const std::string model = "/models/" + std::to_string(job["model_id"].get<int64_t>());
  const Json headline = api.CallJson("GET", model, "", 200);
  EXPECT_EQ(headline["labels"], Json({"high", "low", "medium", "off"}));
  EXPECT_GE(headline["accuracy"].get<double>(), 0.5) << headline.dump();
  EXPECT_TRUE(headline["f1_macro"].is_number());
  EXPECT_EQ(headline["dataset_id"], dataset_id);
  const Json evaluation = api.CallJson("GET", model + "/evaluation", "", 200);
  EXPECT_TRUE(evaluation.is_object() && !evaluation.empty());
  const api::HttpResponse card = api.Call("GET", model + "/model-card");
  EXPECT_EQ(card.status, 200);
  EXPECT_NE(card.content_type.find("markdown"), std::string::npos);
  EXPECT_NE(card.body.find("#"), std::string::npos);
  const api::HttpResponse tflite = api.Call("GET", model + "/files/model.tflite");
  ASSERT_EQ(tflite.status, 200);
  EXPECT_EQ(tflite.body.substr(4, 4), "TFL3");

  // Compile jobs store their artifact as blobs with the resource report.
  const auto compile = [&](const std::string& target) {
    const Json queued =
        api.CallJson("POST", model + "/compile", R"({"target":")" + target + R"("})", 202);
    const Json done = api.WaitForJob(queued["job_id"].get<int64_t>());
    EXPECT_EQ(done["status"], "succeeded") << done.dump();
    EXPECT_EQ(done["kind"], "compile");
    return done;
  };
  const auto artifact_file = [&](const Json& job, const std::string& name) {
    return api.Call("GET", model + "/artifacts/" + std::to_string(job["id"].get<int64_t>()) +
                               "/file?name=" + name);
  };
  const Json as_tflite = compile("tflite");
  EXPECT_EQ(as_tflite["result"]["model_file"], "model.tflite") << as_tflite.dump();
  EXPECT_GT(as_tflite["result"]["report"]["weights_bytes"].get<int64_t>(), 0);
  EXPECT_EQ(artifact_file(as_tflite, "model.tflite").body, tflite.body)
      << "re-exported float model differs from the stored one";
  const Json as_lib = compile("cpp-lib");
  EXPECT_EQ(as_lib["result"]["model_file"], "model_int8.tflite") << as_lib.dump();
  EXPECT_GT(as_lib["result"]["report"]["arena_bytes"].get<int64_t>(), 0);
  EXPECT_GT(as_lib["result"]["report"]["ops"].size(), 0u);
  bool has_cmake = false;
  for (const Json& f : as_lib["result"]["files"]) {
    has_cmake = has_cmake || f["name"] == "CMakeLists.txt";
    const std::string name = f["name"].get<std::string>();
    EXPECT_TRUE(name.find("CMakeFiles") == std::string::npos &&
                name.compare(name.size() - 2, 2, ".o") != 0)
        << "build output stored: " << name;
  }
  EXPECT_TRUE(has_cmake) << as_lib["result"]["files"].dump();
  EXPECT_EQ(artifact_file(as_lib, "CMakeLists.txt").status, 200);
  const Json as_eim = compile("eim");
  EXPECT_EQ(artifact_file(as_eim, "model.eim").body.substr(0, 4),
            "\x7f"
            "ELF");
  const Json artifacts = api.CallJson("GET", model + "/artifacts", "", 200);
  EXPECT_EQ(artifacts["artifacts"].size(), 3u) << artifacts.dump();
  ExpectError(api.Call("POST", model + "/compile", R"({"target":"z80"})"), 400, "z80");
  ExpectError(api.Call("POST", model + "/compile", "{}"), 400, "target");
  ExpectError(api.Call("POST", "/models/999/compile", R"({"target":"tflite"})"), 404, "model 999");
  ExpectError(artifact_file(as_lib, "missing.cc"), 404, "missing.cc");

  // A window longer than every recording: the job fails and says why; nothing is stored.
  Json long_window = *ParseJson(api.Call("GET", model + "/files/impulse.json").body);
  long_window["input"]["window_size_ms"] = 5000;
  const Json bad = api.CallJson("POST", "/impulses",
                                DumpJson(Json{{"name", "long"}, {"impulse", long_window}}), 201);
  const Json failing = api.CallJson(
      "POST", "/impulses/" + std::to_string(bad["id"].get<int64_t>()) + "/train", "", 202);
  const Json failed = api.WaitForJob(failing["job_id"].get<int64_t>());
  EXPECT_EQ(failed["status"], "failed");
  EXPECT_NE(failed["error"].get<std::string>().find("window_size_ms 5000"), std::string::npos)
      << failed.dump();
  EXPECT_TRUE(failed["model_id"].is_null());
  EXPECT_EQ(api.CallJson("GET", "/models", "", 200)["models"].size(), 1u);

  // The project still ingests, and trains: same seed + same dataset version = same bytes,
  // although the project has a new sample since.
  sim::DemoDatasetOptions more = small;
  more.seed = 43;
  more.training_samples_per_label = 1;
  more.testing_samples_per_label = 0;
  more.include_imbalance = false;
  ASSERT_TRUE(sim::WriteDemoDataset(dir.path() + "/more", more).ok());
  const ProcessResult again = RunTinyloop({"ingest", dir.path() + "/more", "--server", server.url(),
                                           "--api-key", project.api_key, "--quiet"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(api.CallJson("POST", "/datasets", "", 201)["sample_count"], files + 4);
  const Json second =
      api.WaitForJob(api.CallJson("POST", train, same, 202)["job_id"].get<int64_t>());
  ASSERT_EQ(second["status"], "succeeded") << second.dump();
  const api::HttpResponse tflite2 =
      api.Call("GET", "/models/" + std::to_string(second["model_id"].get<int64_t>()) +
                          "/files/model.tflite");
  EXPECT_EQ(tflite2.body, tflite.body) << "same seed and dataset version, different bytes";

  // Bad input gets the native error shape.
  ExpectError(api.Call("GET", "/jobs/999"), 404, "job 999");
  ExpectError(api.Call("GET", "/models/999/evaluation"), 404, "model 999");
  ExpectError(api.Call("GET", model + "/files/secret.bin"), 404, "secret.bin");
  ExpectError(api.Call("POST", "/impulses", "[1]"), 400, "object");
  ExpectError(api.Call("POST", train, R"({"seed":-1})"), 400, "seed");
  ExpectError(api.Call("POST", train, R"({"dataset_id":777})"), 404, "dataset version 777");
  ExpectError(api.Call("POST", "/datasets", R"({"group_by":"moon"})"), 400, "group_by");
  ExpectError(api.Call("POST", "/impulses", R"({"impulse":{"dsp":{}}})"), 400, "impulse");

  // The CLI follows a job on the server and prints the offline JSON shape last.
  const ProcessResult cli =
      RunTinyloop({"train", "--server", server.url(), "--api-key", project.api_key, "--project",
                   std::to_string(project.id), "--seed", "2", "--json"},
                  600);
  ASSERT_EQ(cli.exit_code, 0) << cli.out << cli.err;
  EXPECT_NE(cli.err.find("epoch"), std::string::npos) << cli.err;
  auto line = ParseJson(LastLine(cli.out));
  ASSERT_TRUE(line.ok()) << cli.out;
  for (const char* key : {"accuracy", "f1_macro", "labels", "confusion_matrix", "model_dir"}) {
    EXPECT_TRUE(line->contains(key)) << key << " in " << line->dump();
  }
  EXPECT_EQ((*line)["model_dir"].get<std::string>().rfind(server.url() + "/api/v1/projects/", 0),
            0u);
  EXPECT_EQ(server.Signal(SIGTERM), 0);
}

}  // namespace
}  // namespace tinyloop::e2e
