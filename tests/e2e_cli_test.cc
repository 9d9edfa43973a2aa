// End-to-end tests of the `tinyloop` command line: project create, simulate → ingest over
// HTTP → data report, duplicate refusal, demo, help and flag errors, and (when ../shared is
// beside the repository) the real ST HAR recordings.
#include <gtest/gtest.h>

#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <set>

#include "base/json.h"
#include "e2e_support.h"

namespace tinyloop::e2e {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFindingKinds[] = {"schema_mismatch", "rate_mismatch", "nan",
                                         "clipping",        "flatline",      "length_outlier",
                                         "duplicate"};

// The JSON object on the last stdout line of `r`; null (and a recorded failure) otherwise.
Json LastLineJson(const ProcessResult& r, const std::string& what) {
  auto json = ParseJson(LastLine(r.out));
  if (!json.ok() || !json->is_object()) {
    ADD_FAILURE() << what << ": last stdout line is not a JSON object.\nstdout: " << r.out
                  << "\nstderr: " << r.err;
    return nullptr;
  }
  return *json;
}

void ExpectAllFindingKinds(const Json& by_kind, const std::string& what) {
  ASSERT_TRUE(by_kind.is_object()) << what << ": " << by_kind.dump();
  for (const char* kind : kFindingKinds) {
    EXPECT_TRUE(by_kind.contains(kind) && by_kind[kind].is_number_integer() &&
                by_kind[kind].get<int64_t>() >= 0)
        << what << ": findings_by_kind lacks " << kind << ": " << by_kind.dump();
  }
}

TEST(CliTest, ProjectCreateJsonPrintsIdAndKeys) {
  TempDir dir;
  const ProcessResult r =
      RunTinyloop({"project", "create", "shape", "--data-dir", dir.path() + "/data", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(Lines(r.out).size(), 1u) << "one line of JSON: " << r.out;
  const Json j = LastLineJson(r, "project create");
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j.size(), 3u) << j.dump();
  ASSERT_TRUE(j["id"].is_number_integer()) << j.dump();
  EXPECT_GT(j["id"].get<int64_t>(), 0);
  ASSERT_TRUE(j["api_key"].is_string() && j["hmac_key"].is_string()) << j.dump();
  EXPECT_GE(j["api_key"].get<std::string>().size(), 16u);
  EXPECT_GE(j["hmac_key"].get<std::string>().size(), 16u);

  const Project second = CreateProject(dir.path() + "/data", "shape-2");
  EXPECT_NE(second.id, j["id"].get<int64_t>());
  EXPECT_NE(second.api_key, j["api_key"].get<std::string>());
  EXPECT_NE(second.hmac_key, j["hmac_key"].get<std::string>());
}

TEST(CliTest, HelpSucceedsAndBadFlagsFailWithAShortMessage) {
  const ProcessResult help = RunTinyloop({"--help"});
  EXPECT_EQ(help.exit_code, 0) << help.err;
  for (const char* sub : {"project", "server", "ingest", "data", "simulate", "demo"}) {
    EXPECT_NE(help.out.find(sub), std::string::npos) << "--help lists " << sub;
  }

  struct Case {
    std::vector<std::string> args;
    std::string names;  // the message's first line must contain this
  };
  const std::vector<Case> cases = {
      {{"project", "create", "x", "--data-dir", "/nonexistent/x", "--no-such-flag"},
       "--no-such-flag"},
      {{"server", "--data-dir", "/nonexistent/x", "--port", "not-a-port"}, "--port"},
      {{"ingest", "/nonexistent/x", "--bogus"}, "--bogus"},
      {{}, "subcommand"},
      // CLI11 checks the required subcommand before unknown flags, so this one is told
      // "A subcommand is required"; only the shape of the message is checked.
      {{"--no-such-flag"}, ""},
  };
  for (const Case& c : cases) {
    std::string cmd = "tinyloop";
    for (const auto& a : c.args) cmd += " " + a;
    SCOPED_TRACE(cmd);
    const ProcessResult r = RunTinyloop(c.args, 30);
    EXPECT_NE(r.exit_code, 0);
    const auto lines = Lines(r.err);
    ASSERT_FALSE(lines.empty()) << "an error message on stderr";
    EXPECT_NE(lines[0].find(c.names), std::string::npos) << "first line: " << lines[0];
    // One line naming the problem (CLI11 may add its "Run with --help" hint), not a help dump.
    EXPECT_TRUE(lines.size() == 1 ||
                (lines.size() == 2 && lines[1].find("--help") != std::string::npos))
        << "stderr:\n"
        << r.err;
    EXPECT_TRUE(r.out.empty()) << "stdout: " << r.out;
  }

  const ProcessResult missing = RunTinyloop(
      {"ingest", "/nonexistent/recordings", "--server", "http://127.0.0.1:9", "--api-key", "k"},
      30);
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("/nonexistent/recordings"), std::string::npos) << missing.err;
}

// Files per category and label folder of a simulated dataset.
std::map<std::string, std::map<std::string, int>> CountFiles(const std::string& root, int* total) {
  std::map<std::string, std::map<std::string, int>> out;
  *total = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    const fs::path rel = fs::relative(entry.path(), root);
    auto it = rel.begin();
    const std::string category = (it++)->string();
    const std::string label = it == rel.end() ? "" : it->string();
    ++out[category][label];
    ++*total;
  }
  return out;
}

TEST(CliTest, SimulateIngestOverHttpReportAndDuplicates) {
  TempDir dir;
  const std::string sim = dir.path() + "/sim", data = dir.path() + "/data";
  const ProcessResult simulate = RunTinyloop({"simulate", "--out", sim, "--seed", "7"});
  ASSERT_EQ(simulate.exit_code, 0) << simulate.err;
  int files = 0;
  const auto layout = CountFiles(sim, &files);
  ASSERT_GT(files, 0);
  for (const char* label : {"off", "low", "medium", "high"}) {
    EXPECT_GT(layout.at("training").count(label), 0u) << "simulate writes training/" << label;
  }

  const Project project = CreateProject(data, "sim");
  ASSERT_GT(project.id, 0);
  ServerProcess server(data);
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  const std::vector<std::string> ingest = {"ingest",   sim,          "--category", "training",
                                           "--server", server.url(), "--api-key",  project.api_key,
                                           "--json",   "--quiet"};
  const ProcessResult first = RunTinyloop(ingest, 300);
  EXPECT_EQ(first.exit_code, 0) << first.err;
  const Json summary = LastLineJson(first, "ingest --json");
  ASSERT_TRUE(summary.is_object());
  EXPECT_EQ(summary["files"], files);
  EXPECT_EQ(summary["stored"], files) << summary.dump();
  EXPECT_EQ(summary["failed"], 0) << summary.dump();

  std::vector<std::string> dup = ingest;
  dup.push_back("--disallow-duplicates");
  const ProcessResult again = RunTinyloop(dup, 300);
  EXPECT_NE(again.exit_code, 0) << "failed files make ingest exit non-zero";
  const Json dup_summary = LastLineJson(again, "ingest --disallow-duplicates --json");
  ASSERT_TRUE(dup_summary.is_object());
  EXPECT_EQ(dup_summary["stored"], 0) << dup_summary.dump();
  EXPECT_EQ(dup_summary["failed"], files) << dup_summary.dump();
  ASSERT_TRUE(dup_summary["errors"].is_array() && !dup_summary["errors"].empty());
  EXPECT_TRUE(std::regex_search(dup_summary["errors"][0].get<std::string>(),
                                std::regex("duplicate|already|same values", std::regex::icase)))
      << dup_summary["errors"][0];

  const ProcessResult remote =
      RunTinyloop({"data", "report", "--server", server.url(), "--api-key", project.api_key,
                   "--project", std::to_string(project.id), "--json"});
  EXPECT_EQ(remote.exit_code, 0) << remote.err;
  EXPECT_EQ(LastLineJson(remote, "data report --server")["samples"], files);
  EXPECT_EQ(server.Signal(SIGTERM), 0);

  const ProcessResult local = RunTinyloop(
      {"data", "report", "--data-dir", data, "--project", std::to_string(project.id), "--json"});
  ASSERT_EQ(local.exit_code, 0) << local.err;
  const Json report = LastLineJson(local, "data report --data-dir");
  ASSERT_TRUE(report.is_object());
  EXPECT_EQ(report["samples"], files);
  ASSERT_TRUE(report["by_label"].is_object()) << report.dump();
  int64_t labelled = 0;
  for (const auto& [label, n] : report["by_label"].items()) labelled += n.get<int64_t>();
  EXPECT_EQ(labelled, files);
  for (const char* label : {"off", "low", "medium", "high"}) {
    int expected = 0;
    for (const auto& [category, labels] : layout) {
      if (labels.count(label)) expected += labels.at(label);
    }
    EXPECT_EQ(report["by_label"].value(label, int64_t{-1}), expected) << label;
  }
  for (const auto& [category, labels] : layout) {
    int expected = 0;
    for (const auto& [label, n] : labels) expected += n;
    EXPECT_EQ(report["by_category"].value(category, int64_t{-1}), expected) << category;
  }
  EXPECT_TRUE(report["findings"].is_array()) << report.dump().substr(0, 300);
  ExpectAllFindingKinds(report["findings_by_kind"], "data report");
}

// The demo trains an impulse on what it ingested: headline metrics and a model card on disk.
void ExpectTrainingFigures(const Json& j) {
  ASSERT_TRUE(j["accuracy"].is_number()) << j.dump();
  ASSERT_TRUE(j["f1_macro"].is_number()) << j.dump();
  ASSERT_TRUE(j["labels"].is_array()) << j.dump();
  ASSERT_EQ(j["confusion_matrix"].size(), j["labels"].size()) << j.dump();
  ASSERT_TRUE(j["model_card"].is_string()) << j.dump();
  EXPECT_TRUE(fs::exists(j["model_card"].get<std::string>())) << j.dump();
  EXPECT_TRUE(fs::exists(j["model_dir"].get<std::string>() + "/model.tflite")) << j.dump();
  EXPECT_TRUE(fs::exists(j["model_dir"].get<std::string>() + "/model_int8.tflite")) << j.dump();
  ASSERT_TRUE(j["int8_accuracy"].is_number()) << j.dump();
  EXPECT_LE(std::abs(j["int8_accuracy"].get<double>() - j["accuracy"].get<double>()), 0.05)
      << "the int8 model should stay close to the float model: " << j.dump();
}

TEST(CliTest, DemoJsonLastLineHasTheFigures) {
  TempDir dir;
  const ProcessResult r = RunTinyloop({"demo", "--json", "--data-dir", dir.path() + "/data"}, 600);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = LastLineJson(r, "demo --json");
  ASSERT_TRUE(j.is_object());
  ASSERT_TRUE(j["samples_ingested"].is_number_integer()) << j.dump();
  EXPECT_GT(j["samples_ingested"].get<int64_t>(), 0);
  ASSERT_TRUE(j["data_source"].is_string()) << j.dump();
  ExpectAllFindingKinds(j["findings_by_kind"], "demo");
  ExpectTrainingFigures(j);
  if (fs::is_directory(SharedDir() + "/datasets/st_har_iotnode")) {
    EXPECT_EQ(j["data_source"], "st_har_iotnode");
    EXPECT_EQ(j["samples_ingested"], 92);
    EXPECT_EQ(j["labels"], Json({"running", "stationary", "walking"})) << j.dump();
    EXPECT_GE(j["accuracy"].get<double>(), 0.9) << j.dump();
  } else {
    EXPECT_EQ(j["data_source"], "simulator");
  }
}

TEST(CliTest, DemoFallsBackToTheSimulatorWithoutShared) {
  // What a fresh clone without ../shared does: simulate, ingest, report; no temp data left.
  TempDir dir;
  ::setenv("TINYLOOP_SHARED", (dir.path() + "/no-shared-here").c_str(), 1);
  const ProcessResult r = RunTinyloop({"demo", "--json", "--data-dir", dir.path() + "/data"}, 600);
  ::unsetenv("TINYLOOP_SHARED");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = LastLineJson(r, "demo --json");
  EXPECT_EQ(j["data_source"], "simulator");
  // 4 states x (40 training + 10 testing) + 3 imbalance labels x 10 anomaly samples.
  EXPECT_EQ(j["samples_ingested"], 230) << j.dump();
  EXPECT_EQ(j["files_failed"], 0);
  EXPECT_EQ(j["samples_by_label"]["high"], 50);
  ExpectAllFindingKinds(j["findings_by_kind"], "demo");
  ExpectTrainingFigures(j);
  EXPECT_GE(j["accuracy"].get<double>(), 0.9) << j.dump();
}

TEST(SharedDatasetTest, StHarIotnodeSplitIngest) {
  const std::string har = SharedDir() + "/datasets/st_har_iotnode";
  if (!fs::is_directory(har)) {
    std::printf("SKIPPED: ../shared/datasets/st_har_iotnode not found (looked in %s)\n",
                har.c_str());
    GTEST_SKIP() << "SKIPPED: ../shared/datasets/st_har_iotnode not found";
  }
  TempDir dir;
  const Project project = CreateProject(dir.path(), "har");
  ASSERT_GT(project.id, 0);
  ServerProcess server(dir.path());
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  const ProcessResult r =
      RunTinyloop({"ingest", har, "--category", "split", "--server", server.url(), "--api-key",
                   project.api_key, "--json", "--quiet"},
                  300);
  const Json summary = LastLineJson(r, "ingest st_har_iotnode");
  ASSERT_TRUE(summary.is_object());
  EXPECT_EQ(summary["stored"], 92) << summary.dump();
  // The folder also holds DATASET_INFO.md, README.md, LICENSE (skipped) and SOURCE.txt, a
  // one-line provenance note that is not a recording: .txt is an Edge Impulse CSV extension,
  // so it is tried and fails. Nothing else may fail, and the exit code must say so.
  for (const Json& e : summary["errors"]) {
    EXPECT_NE(e.get<std::string>().find("/SOURCE.txt: "), std::string::npos) << e;
  }
  EXPECT_LE(summary["failed"].get<int64_t>(), 1) << summary.dump();
  EXPECT_EQ(r.exit_code, summary["failed"].get<int64_t>() > 0 ? 1 : 0) << r.err;

  const ProcessResult rep =
      RunTinyloop({"data", "report", "--server", server.url(), "--api-key", project.api_key,
                   "--project", std::to_string(project.id), "--json"});
  ASSERT_EQ(rep.exit_code, 0) << rep.err;
  const Json report = LastLineJson(rep, "data report");
  ASSERT_TRUE(report.is_object());
  EXPECT_EQ(report["samples"], 92);
  EXPECT_EQ(report["by_label"], Json({{"running", 17}, {"stationary", 36}, {"walking", 39}}));
  const int64_t training = report["by_category"].value("training", int64_t{0});
  const int64_t testing = report["by_category"].value("testing", int64_t{0});
  EXPECT_EQ(training + testing, 92) << report["by_category"].dump();
  EXPECT_GT(training, testing) << "split is about 80/20";
  EXPECT_GT(testing, 0);
  const Json& interval = report["interval_ms"];
  ASSERT_TRUE(interval["min"].is_number() && interval["max"].is_number()) << interval.dump();
  EXPECT_EQ(interval["count"], 92);
  EXPECT_NEAR(interval["min"].get<double>(), 1000.0 / 26, 0.01) << "26 Hz from the file names";
  EXPECT_NEAR(interval["max"].get<double>(), 1000.0 / 26, 0.01);
  EXPECT_EQ(report["length_rows"]["min"], 1000);
  EXPECT_EQ(report["length_rows"]["max"], 1000);
}

}  // namespace
}  // namespace tinyloop::e2e
