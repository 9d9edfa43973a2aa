// Schema migrations keep every stored row: a database built at an earlier version with the SQL
// of that version reads back identically through SqliteStore after migrating to the latest.
#include "store/internal/migrations.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>

#include "base/crypto.h"
#include "base/json.h"
#include "store/internal/queries.h"
#include "store/internal/rows.h"
#include "store/internal/test_samples.h"
#include "store/internal/test_temp_dir.h"
#include "store/internal/values_index.h"
#include "store/sqlite_store.h"

namespace tinyloop::store::internal {
namespace {

bool SameBits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

void ExpectSameSample(const Sample& got, const Sample& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.project_id, want.project_id);
  EXPECT_EQ(got.file_name, want.file_name);
  EXPECT_EQ(got.label, want.label);
  EXPECT_EQ(got.category, want.category);
  EXPECT_EQ(got.device_name, want.device_name);
  EXPECT_EQ(got.device_type, want.device_type);
  EXPECT_EQ(got.interval_ms, want.interval_ms);
  EXPECT_EQ(got.axes, want.axes);
  EXPECT_EQ(got.length, want.length);
  EXPECT_EQ(got.sha256, want.sha256);
  EXPECT_EQ(got.values_sha256, want.values_sha256);
  EXPECT_EQ(got.content_type, want.content_type);
  EXPECT_EQ(got.metadata, want.metadata);
  EXPECT_EQ(got.upload_source, want.upload_source);
  EXPECT_EQ(got.signed_hmac, want.signed_hmac);
  EXPECT_EQ(got.ingest_ms, want.ingest_ms);
  ASSERT_EQ(got.findings.size(), want.findings.size());
  for (size_t i = 0; i < got.findings.size(); ++i) {
    EXPECT_EQ(got.findings[i].kind, want.findings[i].kind);
    EXPECT_EQ(got.findings[i].detail, want.findings[i].detail);
  }
}

// Inserts a sample the way a version 2 binary did (samples + sample_values, AUTOINCREMENT).
int64_t InsertVersionTwoSample(Db& db, NewSample& ns, std::optional<int64_t> duplicate_of) {
  Sample& s = ns.sample;
  if (s.sha256.empty()) s.sha256 = Sha256Hex(ns.body);
  const std::string values = EncodeFloat32Le(ns.values);
  if (s.values_sha256.empty()) s.values_sha256 = Sha256Hex(values);
  auto insert = db.Prepare(
      "INSERT INTO samples (project_id, file_name, label, category, device_name, device_type, "
      "interval_ms, axes, length, sha256, values_sha256, content_type, metadata, upload_source, "
      "signed_hmac, ingest_ms, findings, duplicate_of) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
      "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)");
  EXPECT_TRUE(insert.ok());
  insert->Bind(1, s.project_id)
      .Bind(2, s.file_name)
      .Bind(3, s.label)
      .Bind(4, s.category)
      .Bind(5, s.device_name)
      .Bind(6, s.device_type)
      .Bind(7, s.interval_ms)
      .Bind(8, AxesToJson(s.axes))
      .Bind(9, s.length)
      .Bind(10, s.sha256)
      .Bind(11, s.values_sha256)
      .Bind(12, s.content_type)
      .Bind(13, DumpJson(s.metadata))
      .Bind(14, s.upload_source)
      .Bind(15, int64_t{s.signed_hmac})
      .Bind(16, s.ingest_ms)
      .Bind(17, FindingsToJson(s.findings));
  if (duplicate_of) {
    insert->Bind(18, *duplicate_of);
  } else {
    insert->BindNull(18);
  }
  EXPECT_TRUE(insert->Run().ok());
  s.id = db.LastInsertRowid();
  auto data = db.Prepare("INSERT INTO sample_values (sample_id, data) VALUES (?1, ?2)");
  EXPECT_TRUE(data.ok());
  data->Bind(1, s.id).BindBlob(2, values);
  EXPECT_TRUE(data->Run().ok());
  return s.id;
}

TEST(MigrationsTest, VersionThreeKeepsEveryRowOfVersionTwo) {
  TestTempDir dir;
  const std::string data = dir.path() + "/data";
  const std::string blobs = data + "/blobs";
  std::filesystem::create_directories(blobs);
  int64_t project = 0, other = 0, deleted = 0;
  std::map<int64_t, NewSample> stored;
  {
    auto db = Db::Open(data + "/tinyloop.db", /*read_only=*/false, 1000);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON").ok());
    ASSERT_TRUE(MigrateTo(**db, MigrationContext{blobs, true}, 2).ok());
    ASSERT_TRUE(LoadOrCreatePepper(**db).ok());
    Project p;
    p.name = "fan";
    project = *InsertProject(**db, p);
    p.name = "pump";
    other = *InsertProject(**db, p);
    ASSERT_TRUE((*db)->Exec("BEGIN").ok());
    for (int i = 0; i < 40; ++i) {
      NewSample ns = MakeTestSample(i % 4 == 3 ? other : project, i, i % 2 ? "idle" : "fan_on");
      ns.sample.metadata = {{"site", "plant " + std::to_string(i)}, {"n", i}};
      ns.sample.signed_hmac = i % 3 == 0;
      if (i % 5 == 0) ns.sample.findings = {{"flatline", "accZ constant"}};
      std::optional<int64_t> duplicate_of;
      if (i == 10) {
        // Bit patterns that only survive a bit-exact copy.
        uint32_t nan_bits = 0x7fc01234u;
        std::memcpy(&ns.values[0], &nan_bits, 4);
        ns.values[1] = -0.0f;
        ns.values[2] = std::numeric_limits<float>::denorm_min();
      }
      if (i == 20) {
        ns.sample.values_sha256 = stored.begin()->second.sample.values_sha256;
        duplicate_of = stored.begin()->first;
        ns.sample.findings.push_back({"duplicate", "same values as sample 1"});
      }
      const int64_t id = InsertVersionTwoSample(**db, ns, duplicate_of);
      stored.emplace(id, std::move(ns));
    }
    // The highest id is deleted: version 3 must still never hand it out again.
    deleted = stored.rbegin()->first;
    ASSERT_TRUE((*db)->Exec("DELETE FROM samples WHERE id = " + std::to_string(deleted)).ok());
    stored.erase(deleted);
    ASSERT_TRUE((*db)->Exec("COMMIT").ok());
    EXPECT_EQ(*(*db)->QueryInt64("SELECT count(*) FROM sample_values"), 39);  // cascade
  }

  auto opened = SqliteStore::Open(data);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  SqliteStore& store = **opened;
  for (auto& [id, ns] : stored) {
    ns.sample.id = id;
    auto got = store.GetSample(ns.sample.project_id, id);
    ASSERT_TRUE(got.ok()) << id << ": " << got.status().ToString();
    ExpectSameSample(*got, ns.sample);
    auto values = store.GetSampleValues(ns.sample.project_id, id);
    ASSERT_TRUE(values.ok()) << values.status().ToString();
    EXPECT_TRUE(SameBits(*values, ns.values)) << "sample " << id;
  }
  SampleFilter all;
  all.project_id = project;
  all.limit = 1000;
  auto list = store.ListSamples(all);
  ASSERT_TRUE(list.ok());
  std::vector<int64_t> want_ids;
  for (const auto& [id, ns] : stored) {
    if (ns.sample.project_id == project) want_ids.push_back(id);
  }
  ASSERT_EQ(list->samples.size(), want_ids.size());
  for (size_t i = 0; i < want_ids.size(); ++i) {
    EXPECT_EQ(list->samples[i].id, want_ids[i]);
    ExpectSameSample(list->samples[i], stored[want_ids[i]].sample);
  }
  all.label = "idle";
  EXPECT_EQ(store.ListSamples(all)->total, 10);  // seeds 1, 5, 9, ...: odd and in the project

  // Duplicates of migrated rows are still found; new ids stay above the deleted one.
  NewSample again = MakeTestSample(project, 0);
  again.sample.values_sha256 = stored.begin()->second.sample.values_sha256;
  std::vector<NewSample> batch;
  batch.push_back(std::move(again));
  auto inserted = store.InsertSamples(std::move(batch));
  ASSERT_TRUE(inserted[0].ok()) << inserted[0].status().ToString();
  EXPECT_GT(inserted[0]->id, deleted);
  EXPECT_EQ(inserted[0]->duplicate_of, stored.begin()->first);
  EXPECT_EQ(store.Stats()->samples, 40);
  opened->reset();

  auto db = Db::Open(data + "/tinyloop.db", /*read_only=*/true, 1000);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(*(*db)->QueryInt64("PRAGMA user_version"), LatestSchemaVersion());
  auto check = (*db)->Prepare("PRAGMA integrity_check");
  ASSERT_TRUE(check.ok());
  ASSERT_TRUE(*check->Step());
  EXPECT_EQ(check->ColumnText(0), "ok");
  EXPECT_EQ(*(*db)->QueryInt64("SELECT count(*) FROM sqlite_schema WHERE name = 'sample_values'"),
            0);
  // Version 5: every row has its values key, and no B-tree is keyed by a hash any more.
  EXPECT_EQ(*(*db)->QueryInt64("SELECT count(*) FROM samples WHERE values_key IS NULL"), 0);
  EXPECT_EQ(*(*db)->QueryInt64("SELECT count(*) FROM sqlite_schema WHERE name = "
                               "'samples_by_values'"),
            0);
  for (const auto& [id, ns] : stored) {
    EXPECT_EQ(*(*db)->QueryInt64("SELECT values_key FROM samples WHERE id = " + std::to_string(id)),
              ValuesKey(ns.sample.values_sha256));
  }
}

}  // namespace
}  // namespace tinyloop::store::internal
