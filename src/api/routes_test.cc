// Handlers through the route table without a socket, over a real SQLite store in a temp dir.
#include <stdlib.h>

#include <cstring>
#include <filesystem>

#include <gtest/gtest.h>

#include "api/api_server.h"
#include "base/clock.h"
#include "formats/acquisition.h"
#include "store/sqlite_store.h"

namespace tinyloop::api {
namespace {

class RoutesTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = testing::TempDir() + "/tinyloop_routes_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    auto store = store::SqliteStore::Open(dir_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    projects_ = std::make_unique<service::ProjectService>(*store_, clock_);
    ingest_ = std::make_unique<service::IngestService>(*store_, *projects_, clock_);
    samples_ = std::make_unique<service::SampleService>(*store_, *ingest_);
    services_ = std::make_unique<Services>(
        Services{*projects_, *ingest_, *samples_, *store_, metrics_});
    server_ = std::make_unique<ApiServer>(*services_, ApiServerOptions{});
    auto created = projects_->CreateProject("routes", "me");
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    project_ = created->project;
    key_ = created->api_key;
  }
  void TearDown() override {
    server_.reset();
    services_.reset();
    samples_.reset();
    ingest_.reset();
    projects_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  HttpResponse Call(const std::string& method, const std::string& path,
                    std::map<std::string, std::string> headers = {}, std::string body = "") {
    HttpRequest req;
    req.method = method;
    const auto q = path.find('?');
    req.path = path.substr(0, q);
    if (q != std::string::npos) {
      std::string query = path.substr(q + 1);
      size_t pos = 0;
      while (pos <= query.size()) {
        size_t amp = query.find('&', pos);
        if (amp == std::string::npos) amp = query.size();
        const std::string kv = query.substr(pos, amp - pos);
        const auto eq = kv.find('=');
        if (eq != std::string::npos) req.query[kv.substr(0, eq)] = kv.substr(eq + 1);
        pos = amp + 1;
      }
    }
    for (auto& [k, v] : headers) req.headers[k] = v;
    req.body = std::move(body);
    return server_->Handle(req);
  }

  std::string SignedSample(const std::string& device, std::vector<std::vector<float>> rows) {
    Json values = Json::array();
    for (const auto& row : rows) values.push_back(row);
    Json doc = {{"protected", {{"ver", "v1"}, {"alg", "HS256"}, {"iat", 1700000000}}},
                {"signature", std::string(64, '0')},
                {"payload",
                 {{"device_name", device},
                  {"device_type", "TEST_BOARD"},
                  {"interval_ms", 10},
                  {"sensors", {{{"name", "accX"}, {"units", "m/s2"}}, {{"name", "accY"}, {"units", "m/s2"}}}},
                  {"values", values}}}};
    return formats::SignAcquisition(doc, project_.hmac_key, formats::AcquisitionEncoding::kJson);
  }

  int64_t Total() {
    HttpResponse r = Call("GET", "/api/v1/projects/" + std::to_string(project_.id) + "/samples",
                          {{"x-api-key", key_}});
    EXPECT_EQ(r.status, 200) << r.body;
    return Json::parse(r.body)["total"].get<int64_t>();
  }

  std::map<std::string, std::string> IngestHeaders() {
    return {{"x-api-key", key_}, {"content-type", "application/json"}, {"x-label", "idle"}};
  }

  std::string dir_;
  FakeClock clock_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<service::ProjectService> projects_;
  std::unique_ptr<service::IngestService> ingest_;
  std::unique_ptr<service::SampleService> samples_;
  Metrics metrics_;
  std::unique_ptr<Services> services_;
  std::unique_ptr<ApiServer> server_;
  store::Project project_;
  std::string key_;
};

TEST_F(RoutesTest, SignedDataIsStoredAndValuesRoundTripExactly) {
  const float tricky = 0.1f;
  HttpResponse r = Call("POST", "/api/training/data", IngestHeaders(),
                        SignedSample("dev-1", {{tricky, -0.0f}, {1e-38f, 3.4e38f}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Total(), 1);
  HttpResponse list = Call("GET", "/api/v1/projects/" + std::to_string(project_.id) +
                                      "/samples?label=idle",
                           {{"x-api-key", key_}});
  Json sample = Json::parse(list.body)["samples"][0];
  EXPECT_EQ(sample["device_name"], "dev-1");
  EXPECT_EQ(sample["device_type"], "TEST_BOARD");
  EXPECT_EQ(sample["category"], "training");
  EXPECT_EQ(sample["length"], 2);
  HttpResponse values = Call("GET", "/api/v1/projects/" + std::to_string(project_.id) +
                                        "/samples/" + sample["id"].dump() + "/values",
                             {{"x-api-key", key_}});
  ASSERT_EQ(values.status, 200) << values.body;
  Json v = Json::parse(values.body);
  EXPECT_EQ(v["interval_ms"], 10);
  const float got = std::strtof(v["values"][0][0].dump().c_str(), nullptr);
  EXPECT_EQ(std::memcmp(&got, &tricky, sizeof(float)), 0) << v["values"][0][0].dump();
  EXPECT_EQ(v["values"][1][1].dump(), "3.4e+38");
}

TEST_F(RoutesTest, BadInputIsRefusedAndNothingIsStored) {
  struct Case {
    std::string path;
    std::map<std::string, std::string> headers;
    std::string body;
    int status;
    std::string message_part;
  };
  const std::string good = SignedSample("d", {{1, 2}});
  std::string bad_sig = good;
  bad_sig.replace(bad_sig.find("[[1.0,2.0]]"), 11, "[[1.0,3.0]]");  // same signature, other values
  auto h = IngestHeaders();
  auto no_key = h;
  no_key.erase("x-api-key");
  auto wrong_key = h;
  wrong_key["x-api-key"] = "ei_tl_0000000000000000000000000000000000000000";
  auto no_type = h;
  no_type.erase("content-type");
  auto traversal = h;
  traversal["x-file-name"] = "..%2Fx";
  auto bad_label = h;
  bad_label["x-label"] = "%FF%FE";
  auto cbor = h;
  cbor["content-type"] = "application/cbor";
  const std::vector<Case> cases = {
      {"/api/training/data", h, "{\"protected\":", 400, "invalid JSON"},
      {"/api/training/data", h, std::string(10000, '['), 400, "nesting"},
      {"/api/training/data", cbor, std::string("\x9b\x7f\xff\xff\xff\xff\xff\xff\xff", 9), 400,
       "CBOR"},
      {"/api/training/data", h, SignedSample("d", {{1, 2}, {3}}), 400, "values[1]"},
      {"/api/bogus/data", h, good, 400, "unknown category"},
      {"/api/training/data", no_key, good, 401, "x-api-key"},
      {"/api/training/data", wrong_key, good, 401, "API key"},
      {"/api/training/data", no_type, good, 421, "Content-Type"},
      {"/api/training/data", h, bad_sig, 401, "signature"},
      {"/api/training/data", traversal, good, 400, "file name"},
      {"/api/training/data", bad_label, good, 400, "UTF-8"},
  };
  for (const Case& c : cases) {
    HttpResponse r = Call("POST", c.path, c.headers, c.body);
    EXPECT_EQ(r.status, c.status) << c.message_part << ": " << r.body;
    EXPECT_NE(r.body.find(c.message_part), std::string::npos)
        << "expected '" << c.message_part << "' in: " << r.body;
  }
  EXPECT_EQ(Total(), 0);
}

TEST_F(RoutesTest, NativeErrorsHaveOneShape) {
  HttpResponse r = Call("GET", "/api/v1/projects/" + std::to_string(project_.id) + "/samples/999",
                        {{"x-api-key", key_}});
  EXPECT_EQ(r.status, 404);
  Json e = Json::parse(r.body);
  EXPECT_EQ(e["error"]["code"], "not_found");
  EXPECT_TRUE(e["error"]["message"].is_string());
  r = Call("GET", "/api/v1/projects/" + std::to_string(project_.id + 1) + "/samples",
           {{"x-api-key", key_}});
  EXPECT_EQ(r.status, 403);
  r = Call("GET", "/api/v1/projects/" + std::to_string(project_.id) + "/samples?limit=x",
           {{"x-api-key", key_}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("limit"), std::string::npos);
  r = Call("GET", "/api/v1/projects/" + std::to_string(project_.id) + "/samples");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Json::parse(r.body)["error"]["code"], "unauthenticated");
}

TEST_F(RoutesTest, RelabelMoveDeleteAndFilters) {
  for (int i = 0; i < 3; ++i) {
    auto h = IngestHeaders();
    h["x-label"] = i == 0 ? "a" : "b";
    ASSERT_EQ(Call("POST", "/api/training/data", h,
                   SignedSample("dev" + std::to_string(i), {{float(i), 1}}))
                  .status,
              200);
  }
  const std::string base = "/api/v1/projects/" + std::to_string(project_.id);
  Json list = Json::parse(Call("GET", base + "/samples?label=b&limit=1", {{"x-api-key", key_}}).body);
  EXPECT_EQ(list["total"], 2);
  ASSERT_EQ(list["samples"].size(), 1u);
  const std::string id = list["samples"][0]["id"].dump();
  HttpResponse r = Call("PATCH", base + "/samples/" + id, {{"x-api-key", key_}},
                        R"({"label":"c","category":"testing"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json::parse(r.body)["label"], "c");
  EXPECT_EQ(Json::parse(r.body)["category"], "testing");
  r = Call("PATCH", base + "/samples/" + id, {{"x-api-key", key_}}, R"({"category":"nope"})");
  EXPECT_EQ(r.status, 400);
  list = Json::parse(Call("GET", base + "/samples?category=testing", {{"x-api-key", key_}}).body);
  EXPECT_EQ(list["total"], 1);
  list = Json::parse(Call("GET", base + "/samples?device=dev0", {{"x-api-key", key_}}).body);
  EXPECT_EQ(list["total"], 1);
  EXPECT_EQ(Call("DELETE", base + "/samples/" + id, {{"x-api-key", key_}}).status, 200);
  EXPECT_EQ(Total(), 2);
  EXPECT_EQ(Call("DELETE", base + "/samples/" + id, {{"x-api-key", key_}}).status, 404);
}

TEST_F(RoutesTest, FilesEndpointAnswersPerFileAndLimitsParts) {
  HttpRequest req;
  req.method = "POST";
  req.path = "/api/testing/files";
  req.headers = {{"x-api-key", key_}};
  req.is_multipart = true;
  req.parts.push_back({"data", "idle.01.json", "application/json", SignedSample("f", {{1, 2}})});
  req.parts.push_back({"data", "../x.json", "application/json", SignedSample("g", {{3, 4}})});
  HttpResponse r = server_->Handle(req);
  ASSERT_EQ(r.status, 200) << r.body;
  Json body = Json::parse(r.body);
  EXPECT_TRUE(body["success"].get<bool>());
  EXPECT_TRUE(body["files"][0]["success"].get<bool>());
  EXPECT_EQ(body["files"][0]["label"], "idle");
  EXPECT_FALSE(body["files"][1]["success"].get<bool>());
  EXPECT_NE(body["files"][1]["error"].get<std::string>().find("file name"), std::string::npos);
  EXPECT_EQ(Total(), 1);

  req.parts.assign(1001, {"data", "a.json", "application/json", "{}"});
  r = server_->Handle(req);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("1000"), std::string::npos) << r.body;
  EXPECT_EQ(Total(), 1);
}

TEST_F(RoutesTest, StudioSubsetForEdgeImpulseTools) {
  HttpResponse r = Call("GET", "/v1/api/projects", {{"x-api-key", key_}});
  ASSERT_EQ(r.status, 200);
  Json body = Json::parse(r.body);
  EXPECT_TRUE(body["success"].get<bool>());
  EXPECT_EQ(body["projects"][0]["id"], project_.id);
  r = Call("GET", "/v1/api/" + std::to_string(project_.id) + "/devkeys/hmac", {{"x-api-key", key_}});
  EXPECT_EQ(Json::parse(r.body)["hmacKey"], project_.hmac_key);
  r = Call("GET", "/v1/api/" + std::to_string(project_.id), {{"x-api-key", key_}});
  EXPECT_EQ(Json::parse(r.body)["project"]["name"], "routes");
  r = Call("GET", "/v1/api/projects", {{"x-api-key", "nope"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_FALSE(Json::parse(r.body)["success"].get<bool>());
}

TEST_F(RoutesTest, DataReportCountsAndFindings) {
  auto h = IngestHeaders();
  ASSERT_EQ(Call("POST", "/api/training/data", h, SignedSample("d1", {{1, 2}, {3, 4}})).status,
            200);
  // Same values again: stored, with a duplicate finding.
  ASSERT_EQ(Call("POST", "/api/testing/data", h, SignedSample("d2", {{1, 2}, {3, 4}})).status,
            200);
  h["x-disallow-duplicates"] = "1";
  EXPECT_EQ(Call("POST", "/api/testing/data", h, SignedSample("d3", {{1, 2}, {3, 4}})).status,
            409);
  HttpResponse r = Call("GET", "/api/v1/projects/" + std::to_string(project_.id) + "/data-report",
                        {{"x-api-key", key_}});
  ASSERT_EQ(r.status, 200) << r.body;
  Json report = Json::parse(r.body);
  EXPECT_EQ(report["samples"], 2);
  EXPECT_EQ(report["by_label"]["idle"], 2);
  EXPECT_EQ(report["by_category"]["training"], 1);
  EXPECT_EQ(report["by_device"]["d2"], 1);
  EXPECT_EQ(report["findings_by_kind"]["duplicate"], 1);
  bool found = false;
  for (const auto& f : report["findings"]) found |= f["kind"] == "duplicate";
  EXPECT_TRUE(found);
}

TEST_F(RoutesTest, MetricsAreServed) {
  Call("POST", "/api/training/data", IngestHeaders(), SignedSample("d", {{1, 2}}));
  Call("POST", "/api/training/data", {{"content-type", "application/json"}}, "{}");
  HttpResponse r = Call("GET", "/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("tinyloop_ingest_samples_accepted_total{category=\"training\"} 1"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("tinyloop_ingest_samples_rejected_total{reason=\"unauthenticated\"} 1"),
            std::string::npos);
  EXPECT_NE(r.body.find("tinyloop_store_samples 1"), std::string::npos);
}

}  // namespace
}  // namespace tinyloop::api
