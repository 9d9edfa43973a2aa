// Tests of SqliteStore's training tables: blobs, dataset versions, impulses, jobs (claim,
// progress, fail, finish with a model) and the migration from schema version 2.
#include <gtest/gtest.h>

#include <filesystem>

#include "base/clock.h"
#include "base/crypto.h"
#include "store/internal/migrations.h"
#include "store/internal/queries.h"
#include "store/internal/test_samples.h"
#include "store/internal/test_temp_dir.h"
#include "store/sqlite_store.h"

namespace tinyloop::store {
namespace {

class TrainingStoreTest : public testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    store_.reset();
    SqliteStoreOptions options;
    options.clock = &clock_;
    auto opened = SqliteStore::Open(dir_.path() + "/data", options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }
  int64_t NewProject(const std::string& name) {
    Project p;
    p.name = name;
    auto created = store_->CreateProject(p);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? created->id : 0;
  }
  DatasetVersion Version(int64_t project, const std::string& values,
                         MetadataStore* store = nullptr) {
    auto names = (store != nullptr ? store : store_.get())->PutBlobs({values});
    EXPECT_TRUE(names.ok()) << names.status().ToString();
    DatasetVersion v;
    v.project_id = project;
    v.options = {{"seed", 1}};
    v.content_hash = Sha256Hex("version");
    DatasetVersionSample s;
    s.sample_id = 7;
    s.file_name = "a.json";
    s.label = "idle";
    s.category = "training";
    s.split = "train";
    s.group = "a.json";
    s.interval_ms = 10;
    s.axes = {{"accX", "g"}};
    s.length = 2;
    s.values_blob = names.ok() ? (*names)[0] : "";
    v.samples.push_back(s);
    return v;
  }
  // A project with an impulse and a dataset version; returns a queued job.
  Job QueueJob(int64_t project) {
    auto version = store_->CreateDatasetVersion(Version(project, "values"));
    EXPECT_TRUE(version.ok()) << version.status().ToString();
    ImpulseRecord impulse;
    impulse.project_id = project;
    impulse.name = "auto";
    auto created = store_->CreateImpulse(impulse);
    EXPECT_TRUE(created.ok());
    Job job;
    job.project_id = project;
    job.impulse_id = created.ok() ? created->id : 0;
    job.dataset_version_id = version.ok() ? version->id : 0;
    job.seed = 5;
    auto queued = store_->CreateJob(job);
    EXPECT_TRUE(queued.ok()) << queued.status().ToString();
    return queued.ok() ? *queued : Job{};
  }

  FakeClock clock_{1000};
  internal::TestTempDir dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(TrainingStoreTest, BlobsRoundTripAndAreNamedByContent) {
  auto names = store_->PutBlobs({"model bytes", "card", "model bytes"});
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  ASSERT_EQ(names->size(), 3u);
  EXPECT_EQ((*names)[0], Sha256Hex("model bytes"));
  EXPECT_EQ((*names)[0], (*names)[2]);
  EXPECT_EQ(*store_->GetBlob((*names)[1]), "card");
  EXPECT_EQ(store_->GetBlob(Sha256Hex("never stored")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->GetBlob("../etc").status().code(), StatusCode::kInvalidArgument);
  Reopen();
  EXPECT_EQ(*store_->GetBlob((*names)[0]), "model bytes");
}

TEST_F(TrainingStoreTest, DatasetVersionKeepsItsSamples) {
  const int64_t project = NewProject("p");
  auto created = store_->CreateDatasetVersion(Version(project, "v1"));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_GT(created->id, 0);
  EXPECT_EQ(created->created_ms, 1000);
  auto got = store_->GetDatasetVersion(project, created->id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->samples.size(), 1u);
  EXPECT_EQ(got->sample_count, 1);
  EXPECT_EQ(got->samples[0].label, "idle");
  EXPECT_EQ(got->samples[0].split, "train");
  EXPECT_EQ(got->samples[0].axes, (std::vector<Axis>{{"accX", "g"}}));
  EXPECT_EQ(*store_->GetBlob(got->samples[0].values_blob), "v1");
  EXPECT_EQ(got->options["seed"], 1);
  auto list = store_->ListDatasetVersions(project);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_TRUE((*list)[0].samples.empty());
  EXPECT_EQ((*list)[0].sample_count, 1);
  // Not visible from another project; unknown project rejected.
  const int64_t other = NewProject("q");
  EXPECT_EQ(store_->GetDatasetVersion(other, created->id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->CreateDatasetVersion(Version(999, "x")).status().code(), StatusCode::kNotFound);
}

TEST_F(TrainingStoreTest, JobLifecycleClaimProgressAndModel) {
  const int64_t project = NewProject("p");
  Job job = QueueJob(project);
  EXPECT_EQ(job.status, "queued");
  // Progress of a job that is not running is refused.
  EXPECT_EQ(store_->UpdateJobProgress(job.id, {{"stage", "x"}}).code(),
            StatusCode::kFailedPrecondition);
  clock_.Advance(5);
  auto claimed = store_->ClaimNextJob();
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  EXPECT_EQ((*claimed)->id, job.id);
  EXPECT_EQ((*claimed)->status, "running");
  EXPECT_EQ((*claimed)->started_ms, 1005);
  EXPECT_EQ((*claimed)->seed, 5u);
  EXPECT_FALSE(store_->ClaimNextJob()->has_value());
  ASSERT_TRUE(store_->UpdateJobProgress(job.id, {{"stage", "train"}, {"epoch", 3}}).ok());
  EXPECT_EQ(store_->GetJob(project, job.id)->progress["epoch"], 3);

  auto files = store_->PutBlobs({"tflite"});
  ASSERT_TRUE(files.ok());
  ModelRecord model;
  model.project_id = project;
  model.impulse_id = job.impulse_id;
  model.dataset_version_id = job.dataset_version_id;
  model.job_id = job.id;
  model.seed = 5;
  model.headline = {{"accuracy", 0.5}};
  model.files = {{"model.tflite", (*files)[0], 6}};
  auto stored = store_->FinishJobWithModel(model, {{"stage", "done"}});
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  const Job done = *store_->GetJob(project, job.id);
  EXPECT_EQ(done.status, "succeeded");
  EXPECT_EQ(done.model_id, stored->id);
  EXPECT_EQ(done.progress["stage"], "done");
  auto got = store_->GetModel(project, stored->id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->files.size(), 1u);
  EXPECT_EQ(got->files[0].name, "model.tflite");
  EXPECT_EQ(*store_->GetBlob(got->files[0].sha256), "tflite");
  EXPECT_EQ(got->headline["accuracy"], 0.5);
  EXPECT_EQ(store_->ListModels(project)->size(), 1u);
  // A finished job cannot finish or fail again.
  EXPECT_EQ(store_->FinishJobWithModel(model, {}).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->FailJob(job.id, "late").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->ListModels(project)->size(), 1u);
}

TEST_F(TrainingStoreTest, FailedAndInterruptedJobsKeepTheirReason) {
  const int64_t project = NewProject("p");
  const Job a = QueueJob(project);
  const Job b = QueueJob(project);
  ASSERT_TRUE(store_->ClaimNextJob().ok());
  ASSERT_TRUE(store_->FailJob(a.id, "input.window_size_ms 5000 is longer").ok());
  EXPECT_EQ(store_->GetJob(project, a.id)->status, "failed");
  EXPECT_EQ(store_->GetJob(project, a.id)->error, "input.window_size_ms 5000 is longer");
  auto second = store_->ClaimNextJob();
  ASSERT_TRUE(second.ok() && second->has_value());
  EXPECT_EQ((*second)->id, b.id);
  Reopen();  // a server restart
  EXPECT_EQ(*store_->FailRunningJobs("interrupted: server restarted"), 1);
  const Job after = *store_->GetJob(project, b.id);
  EXPECT_EQ(after.status, "failed");
  EXPECT_EQ(after.error, "interrupted: server restarted");
  EXPECT_EQ(store_->ListJobs(project)->size(), 2u);
  EXPECT_EQ(store_->ListJobs(project)->front().id, b.id);  // newest first
}

TEST_F(TrainingStoreTest, JobNeedsImpulseAndVersionOfItsProject) {
  const int64_t project = NewProject("p");
  const int64_t other = NewProject("q");
  const Job job = QueueJob(project);
  Job bad = job;
  bad.project_id = other;
  EXPECT_EQ(store_->CreateJob(bad).status().code(), StatusCode::kNotFound);
  bad = job;
  bad.dataset_version_id = 12345;
  auto refused = store_->CreateJob(bad);
  EXPECT_EQ(refused.status().code(), StatusCode::kNotFound);
  EXPECT_NE(refused.status().message().find("dataset version 12345"), std::string::npos);
  EXPECT_EQ(store_->ListJobs(project)->size(), 1u);
}

// A data dir of schema version 2 (before the training tables) keeps its samples.
TEST_F(TrainingStoreTest, MigratesFromVersionTwoKeepingData) {
  internal::TestTempDir dir;
  const std::string data = dir.path() + "/data";
  std::filesystem::create_directories(data + "/blobs");
  int64_t project = 0;
  {
    auto db = internal::Db::Open(data + "/tinyloop.db", /*read_only=*/false, 1000);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("PRAGMA journal_mode = WAL").ok());
    ASSERT_TRUE(
        internal::MigrateTo(**db, internal::MigrationContext{data + "/blobs", true}, 2).ok());
    ASSERT_TRUE(internal::LoadOrCreatePepper(**db).ok());
    Project p;
    p.name = "old";
    auto pid = internal::InsertProject(**db, p);
    ASSERT_TRUE(pid.ok());
    project = *pid;
  }
  SqliteStoreOptions options;
  options.clock = &clock_;
  auto store = SqliteStore::Open(data, options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->GetProject(project)->name, "old");
  std::vector<NewSample> batch;
  batch.push_back(internal::MakeTestSample(project, 1));
  ASSERT_TRUE((*store)->InsertSamples(std::move(batch))[0].ok());
  auto version = (*store)->CreateDatasetVersion(Version(project, "x", store->get()));
  EXPECT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_TRUE((*store)->ListJobs(project)->empty());
}

}  // namespace
}  // namespace tinyloop::store
