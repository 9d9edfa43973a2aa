// Crash durability of `tinyloop server`: clients stream signed samples while the server is
// SIGKILLed at random moments and restarted on the same data folder. Every sample that got a
// 200 must survive exactly once, with its values, and the SQLite file must be intact.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "api/http_client.h"
#include "base/json.h"
#include "e2e_support.h"
#include "formats/acquisition.h"

namespace tinyloop::e2e {
namespace {

using Clock = std::chrono::steady_clock;
using formats::AcquisitionEncoding;

constexpr int kClientThreads = 4;
constexpr int kKills = 5;
constexpr int kRowsPerSample = 12;  // 36 floats: about 1 KB of JSON
constexpr int kMaxSamplesPerThread = 20000;
constexpr auto kRunTime = std::chrono::seconds(10);

struct ClientLog {
  std::vector<std::string> acked;                  // markers answered with 200
  std::map<std::string, std::vector<float>> sent;  // values of acked markers
  int no_response = 0;                             // connection died or was refused
  std::vector<std::string> unexpected;             // responses other than 200
};

std::vector<float> ValuesFor(int thread, int seq) {
  std::vector<float> v;
  std::mt19937 rng(static_cast<uint32_t>(thread * 1000003 + seq));
  std::uniform_real_distribution<float> dist(-4.0f, 4.0f);
  for (int i = 0; i < kRowsPerSample * 3; ++i) v.push_back(dist(rng));
  v[0] = static_cast<float>(thread * 100000 + seq);  // unique values, so never a duplicate
  return v;
}

void RunClient(int thread, const Project& project, const std::atomic<int>& port,
               const std::atomic<bool>& stop, ClientLog& log) {
  std::unique_ptr<api::HttpClient> client;
  int client_port = -1;
  for (int seq = 0; seq < kMaxSamplesPerThread && !stop.load(); ++seq) {
    const int p = port.load();
    if (p != client_port || client == nullptr) {
      auto created = api::HttpClient::Create("http://127.0.0.1:" + std::to_string(p), 5);
      if (!created.ok()) return;
      client = std::move(*created);
      client_port = p;
    }
    const std::string marker = "t" + std::to_string(thread) + "-" + std::to_string(seq);
    const std::vector<float> values = ValuesFor(thread, seq);
    const std::string body = formats::SignAcquisition(AcquisitionDoc(marker, values, 3),
                                                      project.hmac_key, AcquisitionEncoding::kJson);
    auto r = client->Post("/api/training/data",
                          {{"x-api-key", project.api_key}, {"x-file-name", marker}}, body,
                          "application/json");
    if (!r.ok()) {
      // The server died under this request, or is restarting: not retried (it may or may not
      // have been stored; only acknowledged samples are promised).
      ++log.no_response;
      client.reset();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    if (r->status == 200) {
      log.acked.push_back(marker);
      log.sent[marker] = values;
    } else if (log.unexpected.size() < 20) {
      log.unexpected.push_back(marker + ": " + std::to_string(r->status) + " " +
                               r->body.substr(0, 200));
    }
  }
}

void CheckStoredSamples(const ServerProcess& server, const Project& project,
                        const std::vector<ClientLog>& logs, size_t acked, std::mt19937& rng);

TEST(DurabilityTest, AcknowledgedSamplesSurviveSigkillExactlyOnce) {
  ASSERT_EQ(RunProgram("/bin/sh", {"-c", "command -v sqlite3"}, 10).exit_code, 0)
      << "the sqlite3 CLI is required (scripts/setup installs it)";
  TempDir dir;
  const Project project = CreateProject(dir.path(), "durability");
  ASSERT_GT(project.id, 0);
  auto server = std::make_unique<ServerProcess>(dir.path());
  std::string error;
  ASSERT_TRUE(server->Start(&error)) << error;

  std::atomic<int> port{server->port()};
  std::atomic<bool> stop{false};
  std::vector<ClientLog> logs(kClientThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kClientThreads; ++t) {
    threads.emplace_back(RunClient, t, std::cref(project), std::cref(port), std::cref(stop),
                         std::ref(logs[t]));
  }

  const uint32_t seed = std::random_device{}();
  std::printf("durability: kill timing seed %u\n", seed);
  std::mt19937 rng(seed);
  const auto start = Clock::now();
  const auto slice = kRunTime / (kKills + 1);
  int restarts_ok = 0;
  for (int k = 0; k < kKills; ++k) {
    // A random moment within this slice of the run.
    std::uniform_int_distribution<int> ms(
        100,
        static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(slice).count()));
    std::this_thread::sleep_for(std::chrono::milliseconds(ms(rng)));
    const int code = server->Signal(SIGKILL);
    EXPECT_EQ(code, 128 + SIGKILL);
    if (!server->Start(&error)) {
      ADD_FAILURE() << "restart " << k + 1 << " after SIGKILL failed: " << error;
      break;
    }
    ++restarts_ok;
    port.store(server->port());
  }
  const auto left = kRunTime - (Clock::now() - start);
  if (left > std::chrono::seconds(0) && restarts_ok == kKills) std::this_thread::sleep_for(left);
  stop.store(true);
  for (auto& t : threads) t.join();

  // One more crash with no traffic, then the final restart that we check.
  server->Signal(SIGKILL);
  ASSERT_EQ(restarts_ok, kKills);
  ASSERT_TRUE(server->Start(&error)) << "final restart: " << error;

  size_t acked = 0, no_response = 0;
  for (const ClientLog& log : logs) {
    acked += log.acked.size();
    no_response += log.no_response;
    for (const auto& u : log.unexpected) ADD_FAILURE() << "unexpected response: " << u;
  }
  std::printf("durability: %zu acknowledged, %zu without response, %d kills\n", acked, no_response,
              kKills);
  EXPECT_GE(acked, 40u) << "too little traffic to prove anything";

  CheckStoredSamples(*server, project, logs, acked, rng);
  const ProcessResult check = RunProgram(
      "/bin/sh", {"-c", "sqlite3 '" + dir.path() + "/tinyloop.db' 'PRAGMA integrity_check'"}, 120);
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_EQ(check.out, "ok\n") << check.err;
  EXPECT_EQ(server->Signal(SIGTERM), 0) << "server exits 0 on SIGTERM";
}

// After the final restart: every acknowledged marker exactly once, no marker twice, and the
// values of a random subset bit for bit.
void CheckStoredSamples(const ServerProcess& server, const Project& project,
                        const std::vector<ClientLog>& logs, size_t acked, std::mt19937& rng) {
  auto created = api::HttpClient::Create(server.url(), 30);
  ASSERT_TRUE(created.ok());
  api::HttpClient& client = **created;
  const std::string base = "/api/v1/projects/" + std::to_string(project.id) + "/samples";
  std::map<std::string, int> seen;
  std::map<std::string, int64_t> id_of;
  int64_t total = -1;
  size_t listed = 0;
  for (int page = 0; page < 10000; ++page) {
    auto r = client.Get(base + "?limit=100&offset=" + std::to_string(listed),
                        {{"x-api-key", project.api_key}});
    ASSERT_TRUE(r.ok() && r->status == 200) << (r.ok() ? r->body : r.status().ToString());
    auto json = ParseJson(r->body);
    ASSERT_TRUE(json.ok());
    total = (*json)["total"].get<int64_t>();
    const Json& samples = (*json)["samples"];
    for (const Json& s : samples) {
      const std::string marker = s["device_name"].get<std::string>();
      ++seen[marker];
      id_of[marker] = s["id"].get<int64_t>();
    }
    listed += samples.size();
    if (samples.empty() || listed >= static_cast<size_t>(total)) break;
  }
  EXPECT_EQ(listed, static_cast<size_t>(total)) << "pagination must reach every sample";

  for (const auto& [marker, n] : seen) EXPECT_EQ(n, 1) << marker << " stored " << n << " times";
  size_t missing = 0;
  std::vector<std::string> to_check;
  for (const ClientLog& log : logs) {
    for (const std::string& marker : log.acked) {
      if (seen.count(marker) == 0) {
        if (++missing <= 20) ADD_FAILURE() << "acknowledged sample " << marker << " was lost";
      } else {
        to_check.push_back(marker);
      }
    }
  }
  EXPECT_EQ(missing, 0u) << "of " << acked << " acknowledged samples";
  EXPECT_GE(static_cast<size_t>(total), acked);

  // The values of up to 150 acknowledged samples, bit for bit.
  std::shuffle(to_check.begin(), to_check.end(), rng);
  if (to_check.size() > 150) to_check.resize(150);
  for (const std::string& marker : to_check) {
    const int thread = marker[1] - '0';
    const std::vector<float>& sent = logs[thread].sent.at(marker);
    auto r = client.Get(base + "/" + std::to_string(id_of[marker]) + "/values",
                        {{"x-api-key", project.api_key}});
    ASSERT_TRUE(r.ok() && r->status == 200) << marker;
    std::string parse_error;
    const std::vector<float> got = ParseValuesFloat32(r->body, &parse_error);
    ASSERT_EQ(got.size(), sent.size()) << marker << " " << parse_error;
    EXPECT_EQ(std::memcmp(got.data(), sent.data(), sent.size() * sizeof(float)), 0)
        << marker << ": values changed";
  }
}

}  // namespace
}  // namespace tinyloop::e2e
