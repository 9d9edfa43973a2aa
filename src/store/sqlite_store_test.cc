#include "store/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>

#include "base/crypto.h"
#include "store/blob_store.h"
#include "store/internal/migrations.h"
#include "store/internal/test_samples.h"
#include "store/internal/test_temp_dir.h"

namespace tinyloop::store {
namespace {

using internal::MakeTestSample;

class SqliteStoreTest : public testing::Test {
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
    p.owner = "owner";
    p.hmac_key = "0123456789abcdef0123456789abcdef";
    auto created = store_->CreateProject(p);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? created->id : 0;
  }

  InsertedSample InsertOne(NewSample sample) {
    std::vector<NewSample> batch;
    batch.push_back(std::move(sample));
    auto results = store_->InsertSamples(std::move(batch));
    EXPECT_EQ(results.size(), 1u);
    EXPECT_TRUE(results[0].ok()) << results[0].status().ToString();
    return results[0].ok() ? *results[0] : InsertedSample{};
  }

  // Runs a query returning one text value on a separate raw connection.
  std::string RawQuery(const std::string& sql) {
    sqlite3* db = nullptr;
    std::string out;
    if (sqlite3_open_v2((dir_.path() + "/data/tinyloop.db").c_str(), &db, SQLITE_OPEN_READONLY,
                        nullptr) == SQLITE_OK) {
      sqlite3_stmt* stmt = nullptr;
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
          sqlite3_step(stmt) == SQLITE_ROW) {
        out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
      }
      sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return out;
  }

  internal::TestTempDir dir_;
  FakeClock clock_{1700000000000};
  std::unique_ptr<SqliteStore> store_;
};

SampleFilter ForProject(int64_t project_id) {
  SampleFilter filter;
  filter.project_id = project_id;
  return filter;
}

bool SameBits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST_F(SqliteStoreTest, OpenCreatesLayoutAndPepper) {
  EXPECT_TRUE(std::filesystem::is_regular_file(dir_.path() + "/data/tinyloop.db"));
  EXPECT_TRUE(std::filesystem::is_directory(dir_.path() + "/data/blobs"));
  EXPECT_EQ(store_->pepper().size(), 64u);
  EXPECT_TRUE(IsValidSha256Hex(store_->pepper()));
  EXPECT_EQ(RawQuery("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(RawQuery("PRAGMA user_version"), std::to_string(internal::LatestSchemaVersion()));
}

TEST_F(SqliteStoreTest, SecondStoreOnSameDirSharesTheData) {
  // E.g. `tinyloop project create` while the server runs on the same data dir.
  auto second = SqliteStore::Open(dir_.path() + "/data");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  Project p;
  p.name = "from-second";
  auto created = (*second)->CreateProject(p);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  auto seen = store_->GetProject(created->id);
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  EXPECT_EQ(seen->name, "from-second");
  EXPECT_EQ((*second)->pepper(), store_->pepper());
}

TEST_F(SqliteStoreTest, BadOptionsAreInvalidArgument) {
  SqliteStoreOptions options;
  options.max_batch = 0;
  EXPECT_EQ(SqliteStore::Open(dir_.path() + "/other", options).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(SqliteStoreTest, ReopenPreservesDataAndPepperAndMigrationsAreIdempotent) {
  const std::string pepper = store_->pepper();
  const int64_t project = NewProject("fan");
  const InsertedSample inserted = InsertOne(MakeTestSample(project, 1));
  Reopen();
  Reopen();
  EXPECT_EQ(store_->pepper(), pepper);
  EXPECT_EQ(RawQuery("PRAGMA user_version"), std::to_string(internal::LatestSchemaVersion()));
  auto p = store_->GetProject(project);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->name, "fan");
  auto s = store_->GetSample(project, inserted.id);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(*store_->GetSampleBody(project, inserted.id), "{\"seed\":1}");
  // A new project after reopen never reuses an id.
  EXPECT_GT(NewProject("pump"), project);
}

TEST_F(SqliteStoreTest, IntegrityCheckPassesAfterWrites) {
  const int64_t project = NewProject("fan");
  for (int i = 0; i < 20; ++i) InsertOne(MakeTestSample(project, i));
  ASSERT_TRUE(store_->DeleteSample(project, 3).ok());
  store_.reset();
  // A clean shutdown checkpoints the WAL into the database and removes it.
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/data/tinyloop.db-wal"));
  EXPECT_EQ(RawQuery("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(RawQuery("PRAGMA foreign_key_check"), "");
}

TEST_F(SqliteStoreTest, ProjectsCreateGetListUpdate) {
  Project p;
  p.name = "fan";
  p.owner = "ana";
  p.hmac_key = "k";
  p.allow_unsigned = false;
  auto created = store_->CreateProject(p);
  ASSERT_TRUE(created.ok());
  EXPECT_GT(created->id, 0);
  EXPECT_EQ(created->created_ms, 1700000000000);

  auto dup = store_->CreateProject(p);
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(dup.status().message().find("project name 'fan' already exists"), std::string::npos)
      << dup.status().message();
  EXPECT_EQ(store_->CreateProject(Project{}).status().code(), StatusCode::kInvalidArgument);

  const Json schema = {{"frequency_hz", 100}, {"axes", {"accX", "accY"}}};
  ASSERT_TRUE(store_->UpdateProjectSchema(created->id, schema).ok());
  ASSERT_TRUE(store_->UpdateProjectAllowUnsigned(created->id, true).ok());
  auto got = store_->GetProject(created->id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->owner, "ana");
  EXPECT_EQ(got->hmac_key, "k");
  EXPECT_TRUE(got->allow_unsigned);
  EXPECT_EQ(got->sensor_schema, schema);

  EXPECT_EQ(store_->GetProject(999).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->UpdateProjectSchema(999, schema).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->UpdateProjectAllowUnsigned(999, true).code(), StatusCode::kNotFound);

  NewProject("pump");
  auto all = store_->ListProjects();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "fan");
  EXPECT_EQ((*all)[1].name, "pump");
  EXPECT_TRUE((*all)[1].sensor_schema.is_null());
}

TEST_F(SqliteStoreTest, ApiKeysStoredByHash) {
  const int64_t project = NewProject("fan");
  ApiKey key;
  key.project_id = project;
  key.name = "ci";
  key.display_prefix = "tl_1a2b3c4d";
  auto created = store_->CreateApiKey(key, "hash-1");
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_GT(created->id, 0);
  EXPECT_EQ(created->created_ms, 1700000000000);

  auto found = store_->FindApiKeyByHash("hash-1");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->id, created->id);
  EXPECT_EQ(found->project_id, project);
  EXPECT_EQ(found->name, "ci");
  EXPECT_EQ(found->display_prefix, "tl_1a2b3c4d");

  EXPECT_EQ(store_->FindApiKeyByHash("hash-2").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->CreateApiKey(key, "hash-1").status().code(), StatusCode::kAlreadyExists);
  key.project_id = 999;
  EXPECT_EQ(store_->CreateApiKey(key, "hash-3").status().code(), StatusCode::kNotFound);
}

TEST_F(SqliteStoreTest, EverySampleFieldAndValueBitRoundTrips) {
  const int64_t project = NewProject("fan");
  NewSample ns;
  Sample& s = ns.sample;
  s.project_id = project;
  s.file_name = "walk.01.cbor";
  s.label = "walk";
  s.category = "testing";
  s.device_name = "ac:87:a3:0a:2d:1b";
  s.device_type = "DISCO-L475VG";
  s.interval_ms = 16.666666666666668;
  s.axes = {{"accX", "m/s2"}, {"gyrZ", "deg/s"}};
  s.length = 4;
  s.content_type = "application/cbor";
  s.metadata = {{"site", "plant 3"}, {"firmware", {1, 2, 3}}, {"nested", {{"ok", true}}}};
  s.upload_source = "edge-impulse-linux";
  s.signed_hmac = true;
  s.ingest_ms = 1700000001234;
  s.findings = {{"nan", "1 NaN value in accX"}, {"clipping", "gyrZ at 2000 deg/s"}};
  uint32_t nan_bits = 0x7fc01234u, snan_bits = 0xff800001u;
  float nan_payload, signaling_nan;
  std::memcpy(&nan_payload, &nan_bits, 4);
  std::memcpy(&signaling_nan, &snan_bits, 4);
  ns.values = {-0.0f,
               0.0f,
               nan_payload,
               signaling_nan,
               std::numeric_limits<float>::infinity(),
               -std::numeric_limits<float>::infinity(),
               std::numeric_limits<float>::denorm_min(),
               std::numeric_limits<float>::max()};
  const std::vector<float> values = ns.values;
  ns.body = std::string("\xa1\x00\xff binary body", 15);
  s.values_sha256 = Sha256Hex("normalized");

  const InsertedSample inserted = InsertOne(ns);
  EXPECT_GT(inserted.id, 0);
  EXPECT_FALSE(inserted.duplicate_of);

  auto got = store_->GetSample(project, inserted.id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->id, inserted.id);
  EXPECT_EQ(got->project_id, project);
  EXPECT_EQ(got->file_name, s.file_name);
  EXPECT_EQ(got->label, s.label);
  EXPECT_EQ(got->category, s.category);
  EXPECT_EQ(got->device_name, s.device_name);
  EXPECT_EQ(got->device_type, s.device_type);
  EXPECT_EQ(got->interval_ms, s.interval_ms);
  EXPECT_EQ(got->axes, s.axes);
  EXPECT_EQ(got->length, 4);
  EXPECT_EQ(got->sha256, Sha256Hex(ns.body));
  EXPECT_EQ(got->values_sha256, s.values_sha256);
  EXPECT_EQ(got->content_type, s.content_type);
  EXPECT_EQ(got->metadata, s.metadata);
  EXPECT_EQ(got->upload_source, s.upload_source);
  EXPECT_TRUE(got->signed_hmac);
  EXPECT_EQ(got->ingest_ms, s.ingest_ms);
  ASSERT_EQ(got->findings.size(), 2u);
  EXPECT_EQ(got->findings[1].kind, "clipping");
  EXPECT_EQ(got->findings[1].detail, "gyrZ at 2000 deg/s");

  auto got_values = store_->GetSampleValues(project, inserted.id);
  ASSERT_TRUE(got_values.ok());
  EXPECT_TRUE(SameBits(*got_values, values));
  EXPECT_TRUE(std::signbit((*got_values)[0]));

  auto body = store_->GetSampleBody(project, inserted.id);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(*body, ns.body);

  // Scoped by project: the right id under another project is not found.
  const int64_t other = NewProject("other");
  EXPECT_EQ(store_->GetSample(other, inserted.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->GetSampleValues(other, inserted.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->GetSampleBody(other, inserted.id).status().code(), StatusCode::kNotFound);
}

TEST_F(SqliteStoreTest, InvalidSamplesAreRejectedByField) {
  const int64_t project = NewProject("fan");
  std::vector<NewSample> batch;
  batch.push_back(MakeTestSample(project, 1));
  batch.back().values.pop_back();  // 11 values for 4 x 3
  batch.push_back(MakeTestSample(project, 2));
  batch.back().sample.sha256 = Sha256Hex("not the body");
  batch.push_back(MakeTestSample(project, 3));
  batch.back().sample.values_sha256 = "../../x";
  batch.push_back(MakeTestSample(project, 4));
  batch.back().sample.interval_ms = std::nan("");
  batch.push_back(MakeTestSample(project, 5));  // valid
  auto results = store_->InsertSamples(std::move(batch));
  ASSERT_EQ(results.size(), 5u);
  EXPECT_NE(results[0].status().message().find("expected length"), std::string::npos);
  EXPECT_NE(results[1].status().message().find("sample.sha256"), std::string::npos);
  EXPECT_NE(results[2].status().message().find("sample.values_sha256"), std::string::npos);
  EXPECT_NE(results[3].status().message().find("sample.interval_ms"), std::string::npos);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(results[i].status().code(), StatusCode::kInvalidArgument);
  }
  EXPECT_TRUE(results[4].ok());
  EXPECT_EQ(store_->ListSamples(ForProject(project))->total, 1);
}

TEST_F(SqliteStoreTest, OneFailingSampleDoesNotFailTheOthersOfItsCall) {
  const int64_t project = NewProject("fan");
  std::vector<NewSample> batch;
  batch.push_back(MakeTestSample(project, 1));
  batch.push_back(MakeTestSample(project + 100, 2));  // unknown project
  batch.push_back(MakeTestSample(project, 3));
  auto results = store_->InsertSamples(std::move(batch));
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].ok());
  EXPECT_EQ(results[1].status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(results[2].ok());
  auto list = store_->ListSamples(ForProject(project));
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->total, 2);
}

TEST_F(SqliteStoreTest, ListFiltersPaginationAndTotal) {
  const int64_t project = NewProject("fan");
  const int64_t other = NewProject("other");
  std::vector<NewSample> batch;
  for (int i = 0; i < 30; ++i) {
    batch.push_back(MakeTestSample(project, i, i % 2 == 0 ? "idle" : "run"));
    if (i % 5 == 0) batch.back().sample.category = "testing";
  }
  batch.push_back(MakeTestSample(other, 100));
  for (const auto& r : store_->InsertSamples(std::move(batch))) ASSERT_TRUE(r.ok());

  SampleFilter f;
  f.project_id = project;
  auto all = store_->ListSamples(f);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->total, 30);
  ASSERT_EQ(all->samples.size(), 30u);
  for (size_t i = 1; i < all->samples.size(); ++i) {
    EXPECT_LT(all->samples[i - 1].id, all->samples[i].id);
  }

  f.label = "run";
  f.limit = 4;
  f.offset = 12;
  auto page = store_->ListSamples(f);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 15);
  ASSERT_EQ(page->samples.size(), 3u);  // run samples 12..14 of 15
  EXPECT_EQ(page->samples[0].file_name, "sample-25.json");

  SampleFilter g;
  g.project_id = project;
  g.category = "testing";
  EXPECT_EQ(store_->ListSamples(g)->total, 6);
  g.category.reset();
  g.device_name = "dev-0";
  EXPECT_EQ(store_->ListSamples(g)->total, 10);
  g.device_name.reset();
  g.ingested_from_ms = 1010;  // seeds 10..19
  g.ingested_to_ms = 1020;
  auto window = store_->ListSamples(g);
  EXPECT_EQ(window->total, 10);
  EXPECT_EQ(window->samples.front().ingest_ms, 1010);
  EXPECT_EQ(window->samples.back().ingest_ms, 1019);

  SampleFilter h;
  h.project_id = project;
  h.offset = 100;
  auto past_end = store_->ListSamples(h);
  ASSERT_TRUE(past_end.ok());
  EXPECT_EQ(past_end->total, 30);
  EXPECT_TRUE(past_end->samples.empty());
  h.offset = -1;
  EXPECT_EQ(store_->ListSamples(h).status().code(), StatusCode::kInvalidArgument);
  h.offset = 0;
  h.limit = 0;  // clamped to 1
  EXPECT_EQ(store_->ListSamples(h)->samples.size(), 1u);
  h.limit = 1000000;  // clamped to 10000
  EXPECT_EQ(store_->ListSamples(h)->samples.size(), 30u);
  h.project_id = 12345;
  EXPECT_EQ(store_->ListSamples(h)->total, 0);
}

TEST_F(SqliteStoreTest, RelabelMoveAndDelete) {
  const int64_t project = NewProject("fan");
  const int64_t id = InsertOne(MakeTestSample(project, 1)).id;
  ASSERT_TRUE(store_->UpdateSampleLabel(project, id, "fault").ok());
  ASSERT_TRUE(store_->UpdateSampleCategory(project, id, "testing").ok());
  auto s = store_->GetSample(project, id);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->label, "fault");
  EXPECT_EQ(s->category, "testing");

  EXPECT_EQ(store_->UpdateSampleLabel(project, id + 1, "x").code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->UpdateSampleCategory(project + 1, id, "x").code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->DeleteSample(project + 1, id).code(), StatusCode::kNotFound);

  const int64_t blobs_before = store_->Stats()->blob_count;
  ASSERT_TRUE(store_->DeleteSample(project, id).ok());
  EXPECT_EQ(store_->GetSample(project, id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->GetSampleValues(project, id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->DeleteSample(project, id).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Stats()->blob_count, blobs_before);      // bodies may be shared: kept
  EXPECT_EQ(RawQuery("SELECT count(*) FROM samples"), "0");  // values were a column of it
}

TEST_F(SqliteStoreTest, IdsOfDeletedSamplesAreNeverReused) {
  const int64_t project = NewProject("fan");
  const int64_t first = InsertOne(MakeTestSample(project, 1)).id;
  const int64_t last = InsertOne(MakeTestSample(project, 2)).id;
  ASSERT_TRUE(store_->DeleteSample(project, last).ok());
  const int64_t after_delete = InsertOne(MakeTestSample(project, 3)).id;
  EXPECT_GT(after_delete, last);
  ASSERT_TRUE(store_->DeleteSample(project, after_delete).ok());
  ASSERT_TRUE(store_->DeleteSample(project, first).ok());
  Reopen();  // the floor is stored, not kept in memory
  EXPECT_GT(InsertOne(MakeTestSample(project, 4)).id, after_delete);
}

TEST_F(SqliteStoreTest, DuplicatesAreFlaggedOrRejected) {
  const int64_t project = NewProject("fan");
  const int64_t first = InsertOne(MakeTestSample(project, 7)).id;

  NewSample again = MakeTestSample(project, 7);
  again.sample.findings = {{"flatline", "accZ constant"}};
  const InsertedSample second = InsertOne(again);
  ASSERT_TRUE(second.duplicate_of.has_value());
  EXPECT_EQ(*second.duplicate_of, first);
  auto stored = store_->GetSample(project, second.id);
  ASSERT_EQ(stored->findings.size(), 2u);
  EXPECT_EQ(stored->findings[1].kind, "duplicate");
  EXPECT_EQ(stored->findings[1].detail, "same values as sample " + std::to_string(first));

  NewSample rejected = MakeTestSample(project, 7);
  rejected.disallow_duplicates = true;
  std::vector<NewSample> batch;
  batch.push_back(std::move(rejected));
  auto results = store_->InsertSamples(std::move(batch));
  EXPECT_EQ(results[0].status().code(), StatusCode::kAlreadyExists);

  // Another project with the same values is not a duplicate.
  const int64_t other = NewProject("other");
  EXPECT_FALSE(InsertOne(MakeTestSample(other, 7)).duplicate_of.has_value());
  EXPECT_EQ(store_->ListSamples(ForProject(project))->total, 2);
}

TEST_F(SqliteStoreTest, DuplicatesWithinOneCallAreSeen) {
  const int64_t project = NewProject("fan");
  std::vector<NewSample> strict;
  for (int i = 0; i < 3; ++i) {
    strict.push_back(MakeTestSample(project, 42));
    strict.back().disallow_duplicates = true;
  }
  auto results = store_->InsertSamples(std::move(strict));
  ASSERT_TRUE(results[0].ok());
  EXPECT_EQ(results[1].status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(results[2].status().code(), StatusCode::kAlreadyExists);

  std::vector<NewSample> lenient;
  lenient.push_back(MakeTestSample(project, 43));
  lenient.push_back(MakeTestSample(project, 43));
  auto flagged = store_->InsertSamples(std::move(lenient));
  ASSERT_TRUE(flagged[0].ok() && flagged[1].ok());
  EXPECT_FALSE(flagged[0]->duplicate_of);
  EXPECT_EQ(flagged[1]->duplicate_of, flagged[0]->id);
  EXPECT_EQ(store_->ListSamples(ForProject(project))->total, 3);
}

TEST_F(SqliteStoreTest, StatsCountSamplesDatabaseAndBlobs) {
  const int64_t project = NewProject("fan");
  std::vector<NewSample> batch;
  for (int i = 0; i < 10; ++i) batch.push_back(MakeTestSample(project, i));
  batch.push_back(MakeTestSample(project, 0));  // same body: one blob
  for (const auto& r : store_->InsertSamples(std::move(batch))) ASSERT_TRUE(r.ok());
  auto stats = store_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->samples, 11);
  EXPECT_EQ(stats->blob_count, 10);
  EXPECT_EQ(stats->blob_bytes, 10 * 10);  // {"seed":N} is 10 bytes for N < 10
  EXPECT_GT(stats->database_bytes, 0);
}

}  // namespace
}  // namespace tinyloop::store
