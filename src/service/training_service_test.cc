// Tests of dataset versions, impulses and train jobs over a real SqliteStore: snapshots that
// later sample edits do not change, impulse validation, and JobWorker running a job to a
// stored model or to a failure with its reason.
#include "service/training_service.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "base/clock.h"
#include "impulse/impulse_picker.h"
#include "impulse/recordings.h"
#include "service/job_worker.h"
#include "sim/dataset_writer.h"
#include "store/sqlite_store.h"

namespace tinyloop::service {
namespace {
namespace fs = std::filesystem;

class TrainingServiceTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("training_service_test_" + std::to_string(::getpid()) +
                                        "_" + std::to_string(counter_++));
    fs::remove_all(dir_);
    auto store = store::SqliteStore::Open((dir_ / "data").string());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    training_ = std::make_unique<TrainingService>(*store_);
    store::Project p;
    p.name = "fans";
    project_ = store_->CreateProject(p)->id;
  }
  void TearDown() override {
    training_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  // Stores a small simulated fan dataset (4 labels; testing/ samples) plus one unlabeled
  // sample; returns the ids of the stored samples.
  std::vector<int64_t> IngestFans(int per_label = 5, int testing = 2) {
    sim::DemoDatasetOptions o;
    o.include_imbalance = false;
    o.training_samples_per_label = per_label;
    o.testing_samples_per_label = testing;
    const std::string folder = (dir_ / "sim").string();
    EXPECT_TRUE(sim::WriteDemoDataset(folder, o).ok());
    auto data = impulse::LoadDataset(folder);
    EXPECT_TRUE(data.ok()) << data.status().ToString();
    std::vector<store::NewSample> batch;
    for (const impulse::Recording& r : data->recordings) {
      store::NewSample ns;
      ns.sample.project_id = project_;
      ns.sample.file_name = r.file_name;
      ns.sample.label = r.label;
      ns.sample.category = impulse::CategoryName(r.category);
      ns.sample.device_name = r.sample.device_name;
      ns.sample.interval_ms = r.sample.interval_ms;
      for (const auto& a : r.sample.axes) ns.sample.axes.push_back({a.name, a.units});
      ns.sample.length = static_cast<int64_t>(r.sample.length);
      ns.values = r.sample.values;
      ns.body = r.id;
      batch.push_back(std::move(ns));
    }
    store::NewSample unlabeled = batch.front();
    unlabeled.sample.label = "";
    unlabeled.body = "unlabeled";
    batch.push_back(unlabeled);
    std::vector<int64_t> ids;
    for (auto& result : store_->InsertSamples(std::move(batch))) {
      EXPECT_TRUE(result.ok()) << result.status().ToString();
      if (result.ok()) ids.push_back(result->id);
    }
    return ids;
  }

  static inline int counter_ = 0;
  fs::path dir_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<TrainingService> training_;
  int64_t project_ = 0;
};

TEST_F(TrainingServiceTest, DatasetVersionIsASnapshot) {
  const std::vector<int64_t> ids = IngestFans();
  auto v1 = training_->CreateDatasetVersion(project_, Json());
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  EXPECT_EQ(v1->sample_count, static_cast<int64_t>(ids.size()) - 1);  // unlabeled left out
  int tests = 0;
  for (const auto& s : v1->samples) {
    EXPECT_EQ(s.split == "test", s.category == "testing") << s.sample_id;
    tests += s.split == "test";
  }
  EXPECT_EQ(tests, 8);
  EXPECT_EQ(v1->content_hash.size(), 64u);
  // Same data and options: same content hash; another seed moves validation groups.
  auto v2 = training_->CreateDatasetVersion(project_, Json::object());
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(v2->content_hash, v1->content_hash);
  EXPECT_NE(v2->id, v1->id);

  const auto before = *training_->GetDatasetVersion(project_, v1->id);
  auto loaded_before = LoadDatasetVersion(*store_, before);
  ASSERT_TRUE(loaded_before.ok()) << loaded_before.status().ToString();
  ASSERT_TRUE(store_->UpdateSampleLabel(project_, ids[0], "renamed").ok());
  ASSERT_TRUE(store_->DeleteSample(project_, ids[1]).ok());
  const auto after = *training_->GetDatasetVersion(project_, v1->id);
  EXPECT_EQ(after.content_hash, before.content_hash);
  ASSERT_EQ(after.samples.size(), before.samples.size());
  EXPECT_EQ(after.samples[0].label, before.samples[0].label);
  auto loaded_after = LoadDatasetVersion(*store_, after);
  ASSERT_TRUE(loaded_after.ok()) << loaded_after.status().ToString();
  EXPECT_EQ(loaded_after->recordings[1].sample.values, loaded_before->recordings[1].sample.values);
  EXPECT_EQ(loaded_after->recordings[0].label, loaded_before->recordings[0].label);
  // The new state makes a version with another hash.
  auto v3 = training_->CreateDatasetVersion(project_, Json());
  ASSERT_TRUE(v3.ok());
  EXPECT_NE(v3->content_hash, v1->content_hash);
  EXPECT_EQ(v3->sample_count, v1->sample_count - 1);
}

TEST_F(TrainingServiceTest, DatasetOptionsAndEmptyProject) {
  auto empty = training_->CreateDatasetVersion(project_, Json());
  EXPECT_EQ(empty.status().code(), StatusCode::kFailedPrecondition);
  IngestFans(3, 0);
  auto bad = training_->CreateDatasetVersion(project_, {{"group_by", "speaker"}});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("group_by"), std::string::npos);
  auto fraction = training_->CreateDatasetVersion(project_, {{"holdout_fraction", 2}});
  EXPECT_NE(fraction.status().message().find("holdout_fraction must be a number in [0, 0.9]"),
            std::string::npos);
  // By device: every device's samples share one split.
  auto by_device = training_->CreateDatasetVersion(project_, {{"group_by", "device"}});
  ASSERT_TRUE(by_device.ok()) << by_device.status().ToString();
  std::map<std::string, std::set<std::string>> splits_of_device;
  for (const auto& s : by_device->samples) splits_of_device[s.device_name].insert(s.split);
  EXPECT_EQ(splits_of_device.size(), 3u);
  for (const auto& [device, splits] : splits_of_device) EXPECT_EQ(splits.size(), 1u) << device;
}

TEST_F(TrainingServiceTest, ImpulsesAreValidated) {
  auto automatic = training_->CreateImpulse(project_, "", "auto");
  ASSERT_TRUE(automatic.ok());
  EXPECT_TRUE(automatic->config.is_null());
  EXPECT_EQ(automatic->name, "impulse");
  auto bad = training_->CreateImpulse(project_, "x",
                                      {{"input", {{"type", "time-series"}}},
                                       {"dsp", {{"type", "spectral"}, {"fft_length", 100}}},
                                       {"learning", {{"nn", Json::object()}}}});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("fft_length"), std::string::npos)
      << bad.status().ToString();
  EXPECT_EQ(training_->CreateImpulse(project_, "x", 42).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(training_->ListImpulses(project_)->size(), 1u);
  EXPECT_EQ(training_->StartTraining(project_, 999, std::nullopt, 1).status().code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(training_->ListDatasetVersions(project_)->empty());  // nothing left behind
}

TEST_F(TrainingServiceTest, WorkerTrainsAndStoresTheModel) {
  IngestFans();
  const auto impulse = *training_->CreateImpulse(project_, "auto", Json());
  auto started = training_->StartTraining(project_, impulse.id, std::nullopt, 3);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  EXPECT_EQ(started->job.status, "queued");
  JobWorkerOptions options;
  options.progress_interval_ms = 0;  // every epoch, so the stored progress can be checked
  JobWorker worker(*store_, options);
  auto claimed = store_->ClaimNextJob();
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  worker.RunJob(**claimed);
  const store::Job job = *training_->GetJob(project_, started->job.id);
  ASSERT_EQ(job.status, "succeeded") << job.error;
  EXPECT_GT(job.progress["epoch"].get<int>(), 0);
  EXPECT_GT(job.progress["max_epochs"].get<int>(), 0);
  EXPECT_TRUE(job.progress["loss"].is_number());
  const store::ModelRecord model = *training_->GetModel(project_, job.model_id);
  EXPECT_EQ(model.dataset_version_id, started->dataset.id);
  EXPECT_EQ(model.headline["labels"], Json({"high", "low", "medium", "off"}));
  EXPECT_TRUE(model.headline["accuracy"].is_number());
  auto tflite = training_->GetModelFile(project_, model.id, "model.tflite");
  ASSERT_TRUE(tflite.ok());
  EXPECT_GT(tflite->size(), 100u);
  auto evaluation = training_->GetModelFile(project_, model.id, "evaluation.json");
  ASSERT_TRUE(evaluation.ok());
  EXPECT_TRUE(ParseJson(*evaluation).ok());
  EXPECT_EQ(training_->GetModelFile(project_, model.id, "nope").status().code(),
            StatusCode::kNotFound);
}

TEST_F(TrainingServiceTest, FailedJobSaysWhyAndStoresNothing) {
  IngestFans(3, 1);
  // The impulse the picker would choose, with a window longer than every recording (1 s).
  auto data = impulse::LoadDataset((dir_ / "sim").string());
  ASSERT_TRUE(data.ok());
  auto picked = impulse::PickImpulse(impulse::DescribeData(*data), data->labels);
  ASSERT_TRUE(picked.ok()) << picked.status().ToString();
  picked->input.time_series.window_size_ms = 5000;
  const Json impulse = impulse::ImpulseConfigToJson(*picked);
  auto created = training_->CreateImpulse(project_, "long window", impulse);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  auto started = training_->StartTraining(project_, created->id, std::nullopt, 1);
  ASSERT_TRUE(started.ok());
  JobWorker worker(*store_);
  ASSERT_TRUE(worker.Start().ok());
  worker.Notify();
  store::Job job;
  for (int i = 0; i < 600; ++i) {
    job = *training_->GetJob(project_, started->job.id);
    if (job.status == "failed" || job.status == "succeeded") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  worker.Stop();
  EXPECT_EQ(job.status, "failed");
  EXPECT_NE(job.error.find("window_size_ms"), std::string::npos) << job.error;
  EXPECT_EQ(job.model_id, 0);
  EXPECT_TRUE(training_->ListModels(project_)->empty());
}

TEST_F(TrainingServiceTest, WorkerStartFailsJobsAKilledServerLeftRunning) {
  IngestFans(2, 1);
  const auto impulse = *training_->CreateImpulse(project_, "auto", Json());
  auto started = training_->StartTraining(project_, impulse.id, std::nullopt, 1);
  ASSERT_TRUE(started.ok());
  ASSERT_TRUE(store_->ClaimNextJob().ok());  // the earlier server took it, then died
  JobWorker worker(*store_);
  ASSERT_TRUE(worker.Start().ok());
  worker.Stop();
  const store::Job job = *training_->GetJob(project_, started->job.id);
  EXPECT_EQ(job.status, "failed");
  EXPECT_EQ(job.error, "interrupted: server restarted");
}

TEST_F(TrainingServiceTest, StoppingTheWorkerInterruptsTheRunningJob) {
  IngestFans();
  const auto impulse = *training_->CreateImpulse(project_, "auto", Json());
  auto started = training_->StartTraining(project_, impulse.id, std::nullopt, 1);
  ASSERT_TRUE(started.ok());
  JobWorkerOptions options;
  options.progress_interval_ms = 0;
  JobWorker worker(*store_, options);
  ASSERT_TRUE(worker.Start().ok());
  store::Job job;
  for (int i = 0; i < 1200; ++i) {
    job = *training_->GetJob(project_, started->job.id);
    if (job.status != "queued" && job.status != "running") break;
    if (job.progress.value("epoch", 0) >= 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ASSERT_EQ(job.status, "running") << job.error;
  worker.Stop();
  job = *training_->GetJob(project_, started->job.id);
  EXPECT_EQ(job.status, "failed");
  EXPECT_EQ(job.error.rfind("interrupted: server stopped (training cancelled at epoch", 0), 0u)
      << job.error;
  EXPECT_TRUE(training_->ListModels(project_)->empty());
}

}  // namespace
}  // namespace tinyloop::service
