// End-to-end tests of `tinyloop server` as a separate process on loopback (port 0): exact
// float32 round trips through every acquisition encoding, refusal of bad input with 4xx and a
// message naming the problem (and nothing stored), the 413 that comes before the body is
// read, the native error shape, and /metrics checked by promtool.
#include <gtest/gtest.h>

#include <cfloat>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <regex>

#include "api/http_client.h"
#include "base/crypto.h"
#include "base/json.h"
#include "e2e_support.h"
#include "formats/acquisition.h"

namespace tinyloop::e2e {
namespace {

using api::HttpClient;
using api::HttpResponse;
using formats::AcquisitionEncoding;
using formats::SignAcquisition;

// A server on a temporary data folder with an ordinary project and one that refuses unsigned
// samples.
class ServerTest : public ::testing::Test {
 protected:
  void StartServer(std::vector<std::string> extra_args = {}) {
    project_ = CreateProject(dir_.path(), "e2e");
    signed_only_ = CreateProject(dir_.path(), "e2e-signed-only", /*require_signed=*/true);
    ASSERT_GT(project_.id, 0);
    ASSERT_GT(signed_only_.id, 0);
    server_ = std::make_unique<ServerProcess>(dir_.path(), std::move(extra_args));
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
    auto client = HttpClient::Create(server_->url(), 30);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = std::move(*client);
  }
  void SetUp() override { StartServer(); }

  // Total samples of `p` as the native API reports it; -1 on failure (recorded).
  int64_t Total(const Project& p) {
    auto r = client_->Get("/api/v1/projects/" + std::to_string(p.id) + "/samples?limit=1",
                          {{"x-api-key", p.api_key}});
    if (!r.ok() || r->status != 200) {
      ADD_FAILURE() << "listing samples failed: " << (r.ok() ? r->body : r.status().ToString());
      return -1;
    }
    auto json = ParseJson(r->body);
    if (!json.ok() || !(*json)["total"].is_number_integer()) {
      ADD_FAILURE() << "bad listing: " << r->body;
      return -1;
    }
    return (*json)["total"].get<int64_t>();
  }

  // The one sample whose device_name is `device`; null (and a recorded failure) otherwise.
  Json SampleByDevice(const Project& p, const std::string& device) {
    auto r = client_->Get("/api/v1/projects/" + std::to_string(p.id) + "/samples?device=" + device,
                          {{"x-api-key", p.api_key}});
    if (!r.ok() || r->status != 200) {
      ADD_FAILURE() << "listing samples of " << device << " failed";
      return nullptr;
    }
    auto json = ParseJson(r->body);
    if (!json.ok() || (*json)["samples"].size() != 1) {
      ADD_FAILURE() << "expected exactly one sample of device " << device << ": " << r->body;
      return nullptr;
    }
    return (*json)["samples"][0];
  }

  StatusOr<HttpResponse> PostData(const Project& p, const std::string& body,
                                  const std::string& content_type, HttpClient::Headers headers = {},
                                  const std::string& category = "training") {
    headers.emplace("x-api-key", p.api_key);
    return client_->Post("/api/" + category + "/data", headers, body, content_type);
  }

  TempDir dir_;
  Project project_, signed_only_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

// Checks a refusal: the status, a message matching `problem` (case-insensitive), and for
// /data the text/plain body Edge Impulse clients expect.
void ExpectRefused(const std::string& what, const StatusOr<HttpResponse>& r, int status,
                   const std::string& problem, bool text_plain = true) {
  ASSERT_TRUE(r.ok()) << what << ": no response: " << r.status().ToString();
  if (status == 0) {
    EXPECT_TRUE(r->status >= 400 && r->status < 500) << what << ": got " << r->status;
  } else {
    EXPECT_EQ(r->status, status) << what << ": body " << r->body.substr(0, 300);
  }
  EXPECT_TRUE(std::regex_search(r->body, std::regex(problem, std::regex::icase)))
      << what << ": message should name the problem (/" << problem
      << "/), got: " << r->body.substr(0, 300);
  if (text_plain) {
    EXPECT_EQ(r->content_type.rfind("text/plain", 0), 0u)
        << what << ": Edge Impulse /data errors are text/plain, got " << r->content_type;
  }
}

// Float32 values that break naive formatting or parsing, then random bit patterns.
std::vector<float> AwkwardFloats() {
  std::vector<float> v = {0.1f,         -0.0f,
                          0.0f,         1e-38f,
                          FLT_MIN,      FLT_TRUE_MIN,
                          1e-40f,       -3e-42f,
                          3.4e38f,      FLT_MAX,
                          -FLT_MAX,     16777216.0f,
                          16777218.0f,  std::nextafter(1.0f, 2.0f),
                          0.3f,         1.0f / 3.0f,
                          -9.81f,       123456.789f,
                          2.71828182f,  std::nextafter(FLT_MIN, 0.0f),
                          8.589973e9f,  1.00000012f,
                          4.2949673e9f, -1.1754942e-38f,
                          33554436.0f,  9.99999944e-11f};
  std::mt19937 rng(20240611);
  while (v.size() < 90) {
    const uint32_t bits = rng();
    float f;
    std::memcpy(&f, &bits, sizeof(f));
    if (std::isfinite(f)) v.push_back(f);
  }
  return v;
}

std::string Bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, sizeof(b));
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.9g (0x%08x)", static_cast<double>(f), b);
  return buf;
}

// JSON written as a C client would, with "%.9g" numbers, signed by hand (the Edge Impulse
// recipe: zeros, HMAC over the bytes, hex in place).
std::string HandWrittenSignedJson(const std::string& device, const std::vector<float>& v,
                                  const std::string& hmac_key) {
  std::string values;
  for (size_t i = 0; i < v.size(); i += 3) {
    values += i == 0 ? "[" : ",[";
    for (size_t c = 0; c < 3; ++c) {
      char buf[48];
      std::snprintf(buf, sizeof(buf), "%.9g", static_cast<double>(v[i + c]));
      std::string num = buf;
      if (num.find_first_of(".en") == std::string::npos) num += ".0";  // keep -0.0 a float
      values += (c == 0 ? "" : ",") + num;
    }
    values += "]";
  }
  const std::string zeros(64, '0');
  std::string body = R"({"protected":{"ver":"v1","alg":"HS256","iat":1700000000},"signature":")" +
                     zeros + R"(","payload":{"device_name":")" + device +
                     R"(","device_type":"TINYLOOP_E2E","interval_ms":10,"sensors":[)"
                     R"({"name":"accX","units":"m/s2"},{"name":"accY","units":"m/s2"},)"
                     R"({"name":"accZ","units":"m/s2"}],"values":[)" +
                     values + "]}}";
  const std::string hex = HexEncode(HmacSha256(hmac_key, body));
  body.replace(body.find(zeros), zeros.size(), hex);
  return body;
}

TEST_F(ServerTest, AwkwardFloat32ValuesRoundTripBitIdenticalInEveryEncoding) {
  const std::vector<float> values = AwkwardFloats();
  ASSERT_EQ(values.size() % 3, 0u);
  std::string binary(values.size() * sizeof(float), '\0');
  std::memcpy(binary.data(), values.data(), binary.size());  // little-endian host
  Json binary_doc = AcquisitionDoc("rt-cbor-f32", {}, 3);
  binary_doc["payload"]["values"] = Json::array({"Ref-BINARY-f32"});

  struct Upload {
    std::string device, body, content_type;
  };
  const std::vector<Upload> uploads = {
      {"rt-json",
       SignAcquisition(AcquisitionDoc("rt-json", values, 3), project_.hmac_key,
                       AcquisitionEncoding::kJson),
       "application/json"},
      {"rt-json-text", HandWrittenSignedJson("rt-json-text", values, project_.hmac_key),
       "application/json"},
      {"rt-cbor",
       SignAcquisition(AcquisitionDoc("rt-cbor", values, 3), project_.hmac_key,
                       AcquisitionEncoding::kCbor),
       "application/cbor"},
      {"rt-cbor-f32",
       SignAcquisition(binary_doc, project_.hmac_key, AcquisitionEncoding::kCborWithBinary, binary),
       "application/octet-stream"},
  };
  for (const Upload& u : uploads) {
    SCOPED_TRACE(u.device + " (" + u.content_type + ")");
    auto r = PostData(project_, u.body, u.content_type, {{"x-file-name", u.device}});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->status, 200) << r->body;
    EXPECT_FALSE(r->body.empty()) << "the 200 body names the stored file";

    const Json sample = SampleByDevice(project_, u.device);
    ASSERT_TRUE(sample.is_object());
    EXPECT_EQ(sample["length"], values.size() / 3);
    EXPECT_EQ(sample["signed"], true);
    EXPECT_EQ(sample["axes"].size(), 3u);
    EXPECT_EQ(sample["file_name"], r->body);

    auto got = client_->Get("/api/v1/projects/" + std::to_string(project_.id) + "/samples/" +
                                std::to_string(sample["id"].get<int64_t>()) + "/values",
                            {{"x-api-key", project_.api_key}});
    ASSERT_TRUE(got.ok() && got->status == 200);
    std::string error;
    const std::vector<float> back = ParseValuesFloat32(got->body, &error);
    ASSERT_TRUE(error.empty()) << error;
    ASSERT_EQ(back.size(), values.size());
    for (size_t i = 0; i < values.size(); ++i) {
      EXPECT_EQ(std::memcmp(&back[i], &values[i], sizeof(float)), 0)
          << "value " << i << ": sent " << Bits(values[i]) << ", got " << Bits(back[i]);
    }
  }
  EXPECT_EQ(Total(project_), static_cast<int64_t>(uploads.size()));
}

TEST_F(ServerTest, BadAcquisitionBodiesAreRefusedAndStoreNothing) {
  const std::string good_json = SignAcquisition(AcquisitionDoc("ok", {1, 2, 3, 4, 5, 6}, 3),
                                                project_.hmac_key, AcquisitionEncoding::kJson);
  Json ragged = AcquisitionDoc("ragged", {1, 2, 3, 4, 5, 6}, 3);
  ragged["payload"]["values"][1] = Json::array({4.0, 5.0});
  const std::string deep_json = std::string(10000, '[') + std::string(10000, ']');
  const std::string deep_cbor = std::string(10000, '\x81') + std::string(1, '\0');
  const std::string huge_array("\x9b\x00\x00\x01\x00\x00\x00\x00\x00", 9);
  const std::string huge_bytes("\x5b\x00\x00\x10\x00\x00\x00\x00\x00", 9);
  Json unsigned_doc = AcquisitionDoc("unsigned", {1, 2, 3}, 3, 10, "none");

  ExpectRefused("malformed JSON",
                PostData(project_, good_json.substr(0, good_json.size() / 2), "application/json"),
                400, "json");
  ExpectRefused("malformed CBOR",
                PostData(project_, std::string("\xa3\x69protec", 8), "application/cbor"), 400,
                "cbor");
  ExpectRefused("CBOR array declaring 2^40 elements",
                PostData(project_, huge_array, "application/cbor"), 400,
                "length|elements|size|limit|large|exceed|remain|truncat|bytes");
  ExpectRefused("CBOR byte string declaring 2^44 bytes",
                PostData(project_, huge_bytes, "application/octet-stream"), 400,
                "length|elements|size|limit|large|exceed|remain|truncat|bytes");
  ExpectRefused("JSON nested 10000 deep", PostData(project_, deep_json, "application/json"), 400,
                "depth|deep|nest");
  ExpectRefused("CBOR nested 10000 deep", PostData(project_, deep_cbor, "application/cbor"), 400,
                "depth|deep|nest");
  ExpectRefused(
      "row width != sensors",
      PostData(project_, SignAcquisition(ragged, project_.hmac_key, AcquisitionEncoding::kJson),
               "application/json"),
      400, "sensors|entries|axes|width");
  ExpectRefused("unknown category", PostData(project_, good_json, "application/json", {}, "bogus"),
                0, "categor");
  ExpectRefused("bad signature",
                PostData(project_,
                         SignAcquisition(AcquisitionDoc("badsig", {1, 2, 3}, 3), "wrong-key",
                                         AcquisitionEncoding::kJson),
                         "application/json"),
                401, "signature");
  ExpectRefused(
      "alg none on a --require-signed project",
      PostData(signed_only_, SignAcquisition(unsigned_doc, "", AcquisitionEncoding::kJson),
               "application/json"),
      401, "unsigned|signed|signature|alg|none");
  ExpectRefused("x-file-name ..%2Fx",
                PostData(project_, good_json, "application/json", {{"x-file-name", "..%2Fx"}}), 400,
                "file.?name|\\.\\.");
  ExpectRefused("x-label %FF%FE (not UTF-8)",
                PostData(project_, good_json, "application/json", {{"x-label", "%FF%FE"}}), 400,
                "label");
  ExpectRefused("x-label with a broken escape",
                PostData(project_, good_json, "application/json", {{"x-label", "a%Zb"}}), 400,
                "x-label|escape|percent|%");
  ExpectRefused("x-metadata not JSON",
                PostData(project_, good_json, "application/json", {{"x-metadata", "{oops"}}), 400,
                "metadata");
  ExpectRefused("missing x-api-key",
                client_->Post("/api/training/data", {}, good_json, "application/json"), 401,
                "api.?key");
  ExpectRefused("wrong x-api-key",
                client_->Post("/api/training/data", {{"x-api-key", "ei_" + std::string(32, 'f')}},
                              good_json, "application/json"),
                401, "key");

  // Without Content-Type (HttpClient always sends one, so a raw request).
  const RawResponse no_type = RawHttp(
      server_->port(),
      "POST /api/training/data HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " + project_.api_key +
          "\r\nContent-Length: " + std::to_string(good_json.size()) +
          "\r\nConnection: close\r\n\r\n" + good_json);
  ASSERT_TRUE(no_type.complete);
  EXPECT_EQ(no_type.status, 421) << no_type.head << "\n" << no_type.body;
  EXPECT_TRUE(std::regex_search(no_type.body, std::regex("content-type", std::regex::icase)))
      << no_type.body;

  EXPECT_EQ(Total(project_), 0) << "refused requests must store nothing";
  EXPECT_EQ(Total(signed_only_), 0);
  // And the good body is accepted, so the refusals above were about the defects.
  auto ok = PostData(project_, good_json, "application/json");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(Total(project_), 1);
}

TEST_F(ServerTest, BadMultipartUploadsAreRefusedAndStoreNothing) {
  const api::MultipartPart csv = {"data", "wave.01.csv", "text/csv", "timestamp,a\n0,1\n10,2\n"};
  const HttpClient::Headers headers = {{"x-api-key", project_.api_key}, {"x-label", "wave"}};

  std::vector<api::MultipartPart> many;
  for (int i = 0; i < 1001; ++i) {
    many.push_back({"data", "f" + std::to_string(i) + ".csv", "text/csv",
                    "timestamp,a\n0," + std::to_string(i) + "\n10,1\n"});
  }
  auto r = client_->PostMultipart("/api/training/files", headers, many);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 400) << r->body.substr(0, 300);
  auto json = ParseJson(r->body);
  ASSERT_TRUE(json.ok()) << r->body.substr(0, 300);
  EXPECT_EQ((*json)["success"], false);
  EXPECT_TRUE(std::regex_search((*json).value("error", std::string()), std::regex("1000")))
      << "the error names the limit: " << r->body.substr(0, 300);
  EXPECT_EQ(Total(project_), 0) << "no part of a refused request is stored";

  // A part named ../x: Edge Impulse reports per-file failures in the files array (or the
  // whole request may be refused); either way the error names it and nothing is stored.
  api::MultipartPart traversal = csv;
  traversal.file_name = "../x";
  r = client_->PostMultipart("/api/training/files", headers, {traversal});
  ASSERT_TRUE(r.ok());
  json = ParseJson(r->body);
  ASSERT_TRUE(json.ok()) << r->body;
  std::string error;
  if (r->status == 200) {
    ASSERT_EQ((*json)["files"].size(), 1u) << r->body;
    EXPECT_EQ((*json)["files"][0]["success"], false) << r->body;
    error = (*json)["files"][0].value("error", std::string());
  } else {
    EXPECT_TRUE(r->status >= 400 && r->status < 500) << r->status;
    error = (*json).value("error", std::string());
  }
  EXPECT_TRUE(std::regex_search(error, std::regex("file.?name|\\.\\.", std::regex::icase)))
      << "error should name the file name problem: " << r->body;

  // Part not named "data", wrong key, unknown category.
  api::MultipartPart wrong_name = csv;
  wrong_name.name = "file";
  r = client_->PostMultipart("/api/training/files", headers, {wrong_name});
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->body.find("data"), std::string::npos) << r->body;
  EXPECT_EQ(r->body.find("\"success\":true,\"sampleId\""), std::string::npos) << r->body;
  r = client_->PostMultipart("/api/training/files", {{"x-api-key", "nope"}}, {csv});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 401) << r->body;
  r = client_->PostMultipart("/api/bogus/files", headers, {csv});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->status >= 400 || r->body.find("\"success\":false") != std::string::npos)
      << r->body;
  EXPECT_EQ(Total(project_), 0);

  r = client_->PostMultipart("/api/training/files", headers, {csv});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Total(project_), 1) << "the same part with a good name is stored";
}

// The request edge-impulse-uploader's make-image.js sends (undici FormData): lower-case
// headers, and no CRLF after the closing boundary, which RFC 2046 makes optional.
TEST_F(ServerTest, UndiciMultipartWithoutFinalCrlfIsAccepted) {
  const std::string boundary = "----formdata-undici-062580074421";
  const std::string body = "--" + boundary +
                           "\r\nContent-Disposition: form-data; name=\"data\"; "
                           "filename=\"idle.01.csv\"\r\nContent-Type: text/csv\r\n\r\n"
                           "timestamp,accX\n0,1.5\n10,2.5\n\r\n--" +
                           boundary + "--";
  const RawResponse r =
      RawHttp(server_->port(),
              "POST /api/training/files HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n"
              "x-api-key: " +
                  project_.api_key +
                  "\r\nx-upload-source: EDGE_IMPULSE_CLI_UPLOADER\r\nx-label: idle%20x\r\n"
                  "x-disallow-duplicates: 1\r\nx-device-type: EDGE_IMPULSE_CLI\r\n"
                  "content-type: multipart/form-data; boundary=" +
                  boundary + "\r\naccept: */*\r\nuser-agent: undici\r\ncontent-length: " +
                  std::to_string(body.size()) + "\r\n\r\n" + body);
  ASSERT_TRUE(r.complete);
  EXPECT_EQ(r.status, 200) << r.head << "\n" << r.body;
  auto json = ParseJson(r.body);
  ASSERT_TRUE(json.ok()) << r.body;
  EXPECT_EQ((*json)["success"], true) << r.body;
  ASSERT_EQ((*json)["files"].size(), 1u) << r.body;
  EXPECT_EQ((*json)["files"][0]["success"], true) << r.body;
  EXPECT_EQ(Total(project_), 1);
}

class SmallBodyLimitTest : public ServerTest {
 protected:
  void SetUp() override { StartServer({"--max-body-mb", "1"}); }
};

TEST_F(SmallBodyLimitTest, OversizedContentLengthIsRefusedBeforeTheBodyIsRead) {
  for (const std::string path : {"/api/training/data", "/api/training/files"}) {
    SCOPED_TRACE(path);
    // 5 GB announced, nothing sent: only a server that answers from the headers replies.
    const RawResponse r =
        RawHttp(server_->port(),
                "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " + project_.api_key +
                    "\r\nContent-Type: application/json\r\nContent-Length: 5000000000\r\n\r\n",
                10000);
    ASSERT_TRUE(r.complete) << "no response within " << r.seconds << " s";
    EXPECT_EQ(r.status, 413) << r.head;
    EXPECT_LT(r.seconds, 5.0);
    EXPECT_TRUE(std::regex_search(r.body, std::regex("limit|large|1048576", std::regex::icase)))
        << r.body;
  }
  // With Expect: 100-continue the client learns before sending anything.
  const RawResponse expect = RawHttp(
      server_->port(),
      "POST /api/training/data HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " + project_.api_key +
          "\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\n"
          "Expect: 100-continue\r\n\r\n",
      10000);
  ASSERT_TRUE(expect.complete);
  EXPECT_EQ(expect.status, 413) << expect.head;

  // The limit is not off by much: a body just under it is read and judged on its content.
  const std::string under(1000 * 1000, ' ');
  auto r = PostData(project_, under, "application/json");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400) << r->body.substr(0, 200);
  EXPECT_EQ(Total(project_), 0);
}

TEST_F(ServerTest, NativeApiErrorsHaveOneJsonShape) {
  const std::string base = "/api/v1/projects/" + std::to_string(project_.id);
  struct Case {
    std::string what, path;
    HttpClient::Headers headers;
    int status;
    std::string code;
  };
  const std::vector<Case> cases = {
      {"no key", base + "/samples", {}, 401, "unauthenticated"},
      {"wrong key", base + "/samples", {{"x-api-key", "tl_wrong"}}, 401, "unauthenticated"},
      {"other project's key", base + "/samples", {{"x-api-key", signed_only_.api_key}}, 0, ""},
      {"unknown sample",
       base + "/samples/987654",
       {{"x-api-key", project_.api_key}},
       404,
       "not_found"},
      {"bad sample id",
       base + "/samples/abc/values",
       {{"x-api-key", project_.api_key}},
       400,
       "invalid_argument"},
      {"bad limit",
       base + "/samples?limit=abc",
       {{"x-api-key", project_.api_key}},
       400,
       "invalid_argument"},
      {"unknown route",
       "/api/v1/nothing-here",
       {{"x-api-key", project_.api_key}},
       404,
       "not_found"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    auto r = client_->Get(c.path, c.headers);
    ASSERT_TRUE(r.ok());
    if (c.status != 0) {
      EXPECT_EQ(r->status, c.status) << r->body;
    } else {
      EXPECT_TRUE(r->status == 401 || r->status == 403 || r->status == 404) << r->status;
    }
    auto json = ParseJson(r->body);
    ASSERT_TRUE(json.ok()) << r->body;
    ASSERT_TRUE(json->is_object() && json->size() == 1 && (*json)["error"].is_object()) << r->body;
    const Json& e = (*json)["error"];
    EXPECT_TRUE(e["code"].is_string()) << r->body;
    EXPECT_TRUE(e["message"].is_string() && !e["message"].get<std::string>().empty()) << r->body;
    if (!c.code.empty()) {
      EXPECT_EQ(e["code"], c.code) << r->body;
    }
    EXPECT_EQ(r->content_type.rfind("application/json", 0), 0u) << r->content_type;
  }
}

// A client that keeps its connection open (every HTTP/1.1 client, Prometheus included) must
// not hold up a graceful stop past a container runtime's grace period (10 s, then SIGKILL).
TEST_F(ServerTest, SigtermStopsPromptlyWithAnIdleKeepAliveConnection) {
  auto r = client_->Get("/metrics");  // leaves client_'s keep-alive connection open
  ASSERT_TRUE(r.ok() && r->status == 200);
  const auto start = std::chrono::steady_clock::now();
  const int code = server_->Signal(SIGTERM);  // SIGKILLs after 10 s
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(code, 0) << "exit code after SIGTERM (137: still running 10 s later, killed)";
  EXPECT_LT(seconds, 8.0);
}

TEST_F(ServerTest, MetricsCountAcceptedAndRejectedAndPassPromtool) {
  ASSERT_EQ(RunProgram("/bin/sh", {"-c", "command -v promtool"}, 10).exit_code, 0)
      << "promtool not found: install Debian's prometheus package (scripts/setup does)";
  for (int i = 0; i < 3; ++i) {
    auto r = PostData(project_,
                      SignAcquisition(AcquisitionDoc("m" + std::to_string(i),
                                                     {1.0f * i, 2, 3, 4, 5, 6.0f + i}, 3),
                                      project_.hmac_key, AcquisitionEncoding::kJson),
                      "application/json");
    ASSERT_TRUE(r.ok() && r->status == 200);
  }
  auto t = PostData(project_,
                    SignAcquisition(AcquisitionDoc("mt", {7, 8, 9}, 3), project_.hmac_key,
                                    AcquisitionEncoding::kJson),
                    "application/json", {}, "testing");
  ASSERT_TRUE(t.ok() && t->status == 200);
  for (int i = 0; i < 2; ++i) {
    auto r =
        client_->Post("/api/training/data", {{"x-api-key", "tl_wrong"}}, "{}", "application/json");
    ASSERT_TRUE(r.ok() && r->status == 401);
  }
  auto bad = PostData(project_, "{not json", "application/json");
  ASSERT_TRUE(bad.ok() && bad->status == 400);

  auto m = client_->Get("/metrics");
  ASSERT_TRUE(m.ok() && m->status == 200);
  EXPECT_EQ(m->content_type.rfind("text/plain", 0), 0u) << m->content_type;
  const std::string file = dir_.path() + "/metrics.txt";
  std::ofstream(file) << m->body;
  const ProcessResult lint = RunProgram("/bin/sh", {"-c", "promtool check metrics < " + file}, 60);
  EXPECT_EQ(lint.exit_code, 0) << "promtool check metrics:\n" << lint.out << lint.err;

  const std::vector<std::pair<std::string, double>> expected = {
      {"tinyloop_ingest_samples_accepted_total{category=\"training\"}", 3},
      {"tinyloop_ingest_samples_accepted_total{category=\"testing\"}", 1},
      {"tinyloop_ingest_samples_rejected_total{reason=\"unauthenticated\"}", 2},
      {"tinyloop_ingest_samples_rejected_total{reason=\"invalid_argument\"}", 1},
      {"tinyloop_store_samples", 4},
  };
  for (const auto& [series, value] : expected) {
    double got = -1;
    EXPECT_EQ(FindMetric(m->body, series, &got), 1) << series << " missing:\n" << m->body;
    EXPECT_EQ(got, value) << series;
  }
}

}  // namespace
}  // namespace tinyloop::e2e
