// The training routes through the route table without a socket (no worker: jobs stay queued),
// over a real SQLite store in a temp dir: status codes, JSON shapes and the error shape.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "api/api_server.h"
#include "base/clock.h"
#include "store/sqlite_store.h"

namespace tinyloop::api {
namespace {

class TrainingRoutesTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = testing::TempDir() + "/tinyloop_training_routes_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    auto store = store::SqliteStore::Open(dir_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    projects_ = std::make_unique<service::ProjectService>(*store_, clock_);
    ingest_ = std::make_unique<service::IngestService>(*store_, *projects_, clock_);
    samples_ = std::make_unique<service::SampleService>(*store_, *ingest_);
    training_ = std::make_unique<service::TrainingService>(*store_);
    training_->SetJobQueuedCallback([this] { ++queued_; });
    services_ = std::make_unique<Services>(
        Services{*projects_, *ingest_, *samples_, *store_, metrics_, training_.get()});
    server_ = std::make_unique<ApiServer>(*services_, ApiServerOptions{});
    auto created = projects_->CreateProject("training", "me");
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    base_ = "/api/v1/projects/" + std::to_string(created->project.id);
    key_ = created->api_key;
  }
  void TearDown() override {
    server_.reset();
    services_.reset();
    training_.reset();
    samples_.reset();
    ingest_.reset();
    projects_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  HttpResponse Call(const std::string& method, const std::string& path, std::string body = "") {
    HttpRequest req;
    req.method = method;
    req.path = base_ + path;
    req.headers["x-api-key"] = key_;
    req.body = std::move(body);
    return server_->Handle(req);
  }

  // Inserts one labelled 2-axis sample.
  void AddSample(const std::string& label, int seed) {
    store::NewSample ns;
    ns.sample.project_id = std::stoll(base_.substr(base_.rfind('/') + 1));
    ns.sample.file_name = label + std::to_string(seed) + ".json";
    ns.sample.label = label;
    ns.sample.category = "training";
    ns.sample.interval_ms = 10;
    ns.sample.axes = {{"accX", "g"}, {"accY", "g"}};
    ns.sample.length = 2;
    ns.values = {float(seed), 1, 2, 3};
    ns.body = ns.sample.file_name;
    std::vector<store::NewSample> batch;
    batch.push_back(std::move(ns));
    ASSERT_TRUE(store_->InsertSamples(std::move(batch))[0].ok());
  }

  static void ExpectError(const HttpResponse& r, int status, const std::string& needle) {
    EXPECT_EQ(r.status, status) << r.body;
    const Json j = Json::parse(r.body);
    ASSERT_TRUE(j["error"].is_object()) << r.body;
    EXPECT_TRUE(j["error"]["code"].is_string());
    EXPECT_NE(j["error"]["message"].get<std::string>().find(needle), std::string::npos) << r.body;
  }

  std::string dir_, base_, key_;
  FakeClock clock_;
  int queued_ = 0;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<service::ProjectService> projects_;
  std::unique_ptr<service::IngestService> ingest_;
  std::unique_ptr<service::SampleService> samples_;
  std::unique_ptr<service::TrainingService> training_;
  Metrics metrics_;
  std::unique_ptr<Services> services_;
  std::unique_ptr<ApiServer> server_;
};

TEST_F(TrainingRoutesTest, DatasetsImpulsesAndQueuedJobs) {
  ExpectError(Call("POST", "/datasets"), 412, "no labelled samples");
  for (int i = 0; i < 3; ++i) AddSample("a", i);
  for (int i = 0; i < 3; ++i) AddSample("b", 10 + i);
  HttpResponse r = Call("POST", "/datasets", R"({"seed":3})");
  ASSERT_EQ(r.status, 201) << r.body;
  const Json dataset = Json::parse(r.body);
  EXPECT_EQ(dataset["sample_count"], 6);
  EXPECT_EQ(dataset["labels"], Json({{"a", 3}, {"b", 3}}));
  EXPECT_EQ(dataset["options"]["seed"], 3);
  EXPECT_FALSE(dataset.contains("samples"));
  const Json one = Json::parse(Call("GET", "/datasets/" + dataset["id"].dump()).body);
  EXPECT_EQ(one["samples"].size(), 6u);
  EXPECT_EQ(Json::parse(Call("GET", "/datasets").body)["datasets"].size(), 1u);

  r = Call("POST", "/impulses", R"({"name":"first"})");
  ASSERT_EQ(r.status, 201) << r.body;
  const Json impulse = Json::parse(r.body);
  EXPECT_EQ(impulse["impulse"], "auto");
  EXPECT_EQ(Json::parse(Call("GET", "/impulses/" + impulse["id"].dump()).body)["name"], "first");
  const std::string train = "/impulses/" + impulse["id"].dump() + "/train";
  r = Call("POST", train, R"({"dataset_id":)" + dataset["id"].dump() + "}");
  ASSERT_EQ(r.status, 202) << r.body;
  const Json started = Json::parse(r.body);
  EXPECT_EQ(started["dataset_id"], dataset["id"]);
  EXPECT_EQ(queued_, 1);
  const Json job = Json::parse(Call("GET", "/jobs/" + started["job_id"].dump()).body);
  EXPECT_EQ(job["status"], "queued");
  EXPECT_EQ(job["kind"], "train");
  EXPECT_TRUE(job["error"].is_null());
  EXPECT_TRUE(job["model_id"].is_null());
  EXPECT_EQ(job["progress"]["stage"], "queued");
  // Without dataset_id a new version is made.
  r = Call("POST", train, "");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_NE(Json::parse(r.body)["dataset_id"], dataset["id"]);
  EXPECT_EQ(Json::parse(Call("GET", "/jobs").body)["jobs"].size(), 2u);
  EXPECT_TRUE(Json::parse(Call("GET", "/models").body)["models"].empty());
}

TEST_F(TrainingRoutesTest, BadInputGetsTheNativeErrorShape) {
  ExpectError(Call("POST", "/impulses", "not json"), 400, "");
  ExpectError(Call("POST", "/impulses", R"({"name":"x","extra":1})"), 400, "unknown field 'extra'");
  ExpectError(Call("POST", "/impulses", R"({"impulse":{"input":{}}})"), 400, "impulse");
  ExpectError(Call("POST", "/impulses", R"({"name":7})"), 400, "name must be a string");
  ExpectError(Call("GET", "/impulses/42"), 404, "impulse 42");
  ExpectError(Call("GET", "/impulses/x"), 400, "impulse id");
  ExpectError(Call("POST", "/impulses/42/train"), 404, "impulse 42");
  ExpectError(Call("GET", "/jobs/5"), 404, "job 5");
  ExpectError(Call("GET", "/models/5"), 404, "model 5");
  ExpectError(Call("GET", "/models/5/model-card"), 404, "model 5");
  ExpectError(Call("GET", "/datasets/9"), 404, "dataset version 9");
  ExpectError(Call("POST", "/datasets", R"({"validation_fraction":"half"})"), 400,
              "validation_fraction");
  HttpRequest req;
  req.method = "GET";
  req.path = base_ + "/jobs";
  req.headers["x-api-key"] = "wrong";
  EXPECT_EQ(server_->Handle(req).status, 401);
}

}  // namespace
}  // namespace tinyloop::api
