// Sample bodies in the SQLite store: pack files and the rows that name their places, own files
// for large bodies, deduplication, crashes between append and commit, several stores on one
// data dir, and data dirs of schema version 1 (one file per body, no index).
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "base/crypto.h"
#include "base/json.h"
#include "store/blob_store.h"
#include "store/internal/migrations.h"
#include "store/internal/queries.h"
#include "store/internal/rows.h"
#include "store/internal/test_samples.h"
#include "store/internal/test_temp_dir.h"
#include "store/sqlite_store.h"

namespace tinyloop::store {
namespace {

namespace fs = std::filesystem;
using internal::MakeTestSample;

std::vector<std::string> PackFiles(const std::string& blob_dir) {
  std::vector<std::string> packs;
  for (const auto& e : fs::directory_iterator(blob_dir)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("pack-", 0) == 0) packs.push_back(name);
  }
  return packs;
}

class SqliteStoreBlobsTest : public testing::Test {
 protected:
  std::string data() const { return dir_.path() + "/data"; }
  std::string blobs() const { return data() + "/blobs"; }

  std::unique_ptr<SqliteStore> Open(const SqliteStoreOptions& options = {}) {
    auto opened = SqliteStore::Open(data(), options);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(opened).value() : nullptr;
  }

  static int64_t NewProject(SqliteStore& store, const std::string& name) {
    Project p;
    p.name = name;
    auto created = store.CreateProject(p);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? created->id : 0;
  }

  static std::vector<int64_t> Insert(SqliteStore& store, std::vector<NewSample> samples) {
    std::vector<int64_t> ids;
    for (const auto& r : store.InsertSamples(std::move(samples))) {
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      ids.push_back(r.ok() ? r->id : 0);
    }
    return ids;
  }

  static NewSample WithBody(int64_t project, int seed, std::string body) {
    NewSample s = MakeTestSample(project, seed);
    s.body = std::move(body);
    return s;
  }

  // One integer from a read-only connection to the database.
  int64_t RawInt(const std::string& sql) {
    sqlite3* db = nullptr;
    int64_t out = -1;
    if (sqlite3_open_v2((data() + "/tinyloop.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
        SQLITE_OK) {
      sqlite3_stmt* stmt = nullptr;
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
          sqlite3_step(stmt) == SQLITE_ROW) {
        out = sqlite3_column_int64(stmt, 0);
      }
      sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return out;
  }

  internal::TestTempDir dir_;
};

TEST_F(SqliteStoreBlobsTest, BodiesRoundTripThroughPacksAcrossRollOver) {
  SqliteStoreOptions options;
  options.blob_pack_max_bytes = 8 * 1024;
  auto store = Open(options);
  ASSERT_TRUE(store);
  const int64_t project = NewProject(*store, "fan");
  std::map<int64_t, std::string> bodies;
  int64_t body_bytes = 0;
  for (int call = 0; call < 10; ++call) {
    std::vector<NewSample> batch;
    std::vector<std::string> texts;
    for (int i = 0; i < 32; ++i) {
      const int seed = call * 32 + i;
      texts.push_back("{\"body\":" + std::to_string(seed) + "}" + std::string(seed % 200, ' '));
      body_bytes += static_cast<int64_t>(texts.back().size());
      batch.push_back(WithBody(project, seed, texts.back()));
    }
    const std::vector<int64_t> ids = Insert(*store, std::move(batch));
    for (size_t i = 0; i < ids.size(); ++i) bodies[ids[i]] = texts[i];
  }
  EXPECT_GT(PackFiles(blobs()).size(), 3u);
  for (const auto& [id, body] : bodies) {
    auto got = store->GetSampleBody(project, id);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, body);
  }
  auto stats = store->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->blob_count, 320);
  EXPECT_EQ(stats->blob_bytes, body_bytes);

  // Reopened, the store starts a pack of its own and still reads every earlier one.
  const size_t packs_before = PackFiles(blobs()).size();
  store.reset();
  store = Open(options);
  ASSERT_TRUE(store);
  EXPECT_EQ(PackFiles(blobs()).size(), packs_before);  // no pack until something is written
  Insert(*store, {WithBody(project, 1000, "after reopen")});
  EXPECT_EQ(PackFiles(blobs()).size(), packs_before + 1);
  for (const auto& [id, body] : bodies) EXPECT_EQ(*store->GetSampleBody(project, id), body);
}

TEST_F(SqliteStoreBlobsTest, LargeBodiesGetTheirOwnFile) {
  SqliteStoreOptions options;
  options.blob_pack_threshold_bytes = 64;
  auto store = Open(options);
  ASSERT_TRUE(store);
  const int64_t project = NewProject(*store, "fan");
  const std::string large(5000, 'L');
  const std::string sha = Sha256Hex(large);
  const int64_t id = Insert(*store, {WithBody(project, 1, large)})[0];
  EXPECT_TRUE(fs::is_regular_file(blobs() + "/" + sha.substr(0, 2) + "/" + sha));
  EXPECT_TRUE(PackFiles(blobs()).empty());
  EXPECT_TRUE(fs::is_empty(blobs() + "/tmp"));
  EXPECT_EQ(*store->GetSampleBody(project, id), large);
  EXPECT_EQ(RawInt("SELECT body_pack IS NULL AND body_length = 5000 FROM samples WHERE id = " +
                   std::to_string(id)),
            1);
  EXPECT_EQ(store->Stats()->blob_bytes, 5000);
  store.reset();
  store = Open(options);
  ASSERT_TRUE(store);
  EXPECT_EQ(*store->GetSampleBody(project, id), large);
}

// A body sent again (same values, same bytes: a retried upload) is stored once, within a call
// and across calls; equal bytes with other values are not looked for (they cannot come from
// one decoder) and are stored again.
TEST_F(SqliteStoreBlobsTest, BodiesAreStoredOnceWithinAndAcrossCalls) {
  auto store = Open();
  ASSERT_TRUE(store);
  const int64_t project = NewProject(*store, "fan");
  Insert(*store, {WithBody(project, 1, "shared"), WithBody(project, 2, "own"),
                  WithBody(project, 1, "shared")});
  const std::vector<int64_t> later = Insert(*store, {WithBody(project, 1, "shared")});
  auto stats = store->Stats();
  EXPECT_EQ(stats->samples, 4);
  EXPECT_EQ(stats->blob_count, 2);
  EXPECT_EQ(stats->blob_bytes, 6 + 3);
  const auto packs = PackFiles(blobs());
  ASSERT_EQ(packs.size(), 1u);
  EXPECT_EQ(fs::file_size(blobs() + "/" + packs[0]), 2 * 44u + 6 + 3);
  EXPECT_EQ(*store->GetSampleBody(project, later[0]), "shared");
  EXPECT_EQ(RawInt("SELECT count(*) || count(DISTINCT body_pack || ':' || body_offset) FROM "
                   "samples WHERE sha256 = '" +
                   Sha256Hex("shared") + "'"),
            31);  // three rows, one place

  const int64_t other_values = Insert(*store, {WithBody(project, 5, "shared")})[0];
  EXPECT_EQ(store->Stats()->blob_count, 3);
  EXPECT_EQ(*store->GetSampleBody(project, other_values), "shared");
}

TEST_F(SqliteStoreBlobsTest, BytesAppendedButNeverCommittedAreHarmless) {
  auto store = Open();
  ASSERT_TRUE(store);
  const int64_t project = NewProject(*store, "fan");
  const int64_t kept = Insert(*store, {WithBody(project, 1, "committed body")})[0];
  const std::string pack = PackFiles(blobs())[0];
  store.reset();

  // A crash between append and commit: the store's pack ends in a torn record, and another
  // pack holds a whole record that no row names.
  std::ofstream(blobs() + "/" + pack, std::ios::app | std::ios::binary) << "tlb1\x20\0\0";
  {
    auto loose = BlobStore::Open(blobs());
    ASSERT_TRUE(loose.ok());
    BlobStore::WriteBatch batch = (*loose)->NewWriteBatch();
    const std::string body = "never committed";
    batch.Add({Sha256Hex(body), body});
    for (const Status& s : batch.Write()) ASSERT_TRUE(s.ok());
  }

  store = Open();
  ASSERT_TRUE(store);
  EXPECT_EQ(*store->GetSampleBody(project, kept), "committed body");
  const int64_t again = Insert(*store, {WithBody(project, 2, "never committed")})[0];
  EXPECT_EQ(*store->GetSampleBody(project, again), "never committed");
  EXPECT_EQ(store->Stats()->blob_count, 2);
  EXPECT_EQ(PackFiles(blobs()).size(), 3u);  // the torn pack is never appended to again
  EXPECT_EQ(RawInt("SELECT count(*) FROM samples WHERE body_pack = '" + pack + "'"), 1);
}

// A child process inserts until SIGKILL hits it at a random point of a batch; every sample it
// was told is stored must be there with a verified body, and no row may name a missing body.
TEST_F(SqliteStoreBlobsTest, KilledWriterLeavesAConsistentStore) {
  int64_t project = 0;
  {
    auto store = Open();
    ASSERT_TRUE(store);
    project = NewProject(*store, "fan");
  }
  int acks[2];
  ASSERT_EQ(::pipe(acks), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(acks[0]);
    auto opened = SqliteStore::Open(data());
    if (!opened.ok()) ::_exit(2);
    for (int call = 0;; ++call) {
      std::vector<NewSample> batch;
      for (int i = 0; i < 8; ++i) {
        const int seed = call * 8 + i;
        batch.push_back(WithBody(
            project, seed,
            "body " + std::to_string(seed) + std::string(static_cast<size_t>(seed % 900), 'b')));
      }
      for (const auto& r : (*opened)->InsertSamples(std::move(batch))) {
        if (!r.ok()) ::_exit(3);
        const int64_t id = r->id;
        if (::write(acks[1], &id, sizeof(id)) != sizeof(id)) ::_exit(4);
      }
    }
  }
  ::close(acks[1]);
  std::set<int64_t> acked;
  int64_t id = 0;
  while (acked.size() < 300 && ::read(acks[0], &id, sizeof(id)) == sizeof(id)) acked.insert(id);
  ::kill(child, SIGKILL);
  while (::read(acks[0], &id, sizeof(id)) == sizeof(id)) acked.insert(id);
  ::close(acks[0]);
  int wstatus = 0;
  ASSERT_EQ(::waitpid(child, &wstatus, 0), child);
  ASSERT_TRUE(WIFSIGNALED(wstatus)) << "child exited with " << WEXITSTATUS(wstatus);
  ASSERT_GE(acked.size(), 300u);

  auto store = Open();
  ASSERT_TRUE(store);
  SampleFilter all;
  all.project_id = project;
  all.limit = 10000;
  auto list = store->ListSamples(all);
  ASSERT_TRUE(list.ok());
  std::set<int64_t> stored;
  for (const Sample& s : list->samples) {
    stored.insert(s.id);
    auto body = store->GetSampleBody(project, s.id);
    ASSERT_TRUE(body.ok()) << s.id << ": " << body.status().ToString();
    EXPECT_EQ(Sha256Hex(*body), s.sha256);
  }
  for (int64_t a : acked) EXPECT_TRUE(stored.count(a)) << "acknowledged sample " << a << " lost";
  auto stats = store->Stats();
  // Every body is distinct: one place each, and the totals count exactly the committed ones.
  EXPECT_EQ(stats->blob_count,
            RawInt("SELECT count(DISTINCT body_pack || ':' || body_offset) FROM samples"));
  EXPECT_EQ(stats->blob_bytes, RawInt("SELECT total(body_length) FROM samples"));
  EXPECT_EQ(stats->blob_count, RawInt("SELECT count(DISTINCT sha256) FROM samples"));
  const int64_t next = Insert(*store, {WithBody(project, -1, "after the crash")})[0];
  EXPECT_EQ(*store->GetSampleBody(project, next), "after the crash");
}

TEST_F(SqliteStoreBlobsTest, TwoStoresOnOneDataDirWriteOwnPacksAndReadEachOther) {
  auto first = Open();
  auto second = Open();
  ASSERT_TRUE(first && second);
  const int64_t project = NewProject(*first, "fan");
  const int64_t a = Insert(*first, {WithBody(project, 1, "written by the first")})[0];
  const int64_t b = Insert(*second, {WithBody(project, 2, "written by the second")})[0];
  const auto packs = PackFiles(blobs());
  EXPECT_EQ(packs.size(), 2u);
  EXPECT_EQ(RawInt("SELECT count(DISTINCT body_pack) FROM samples"), 2);
  EXPECT_EQ(*second->GetSampleBody(project, a), "written by the first");
  EXPECT_EQ(*first->GetSampleBody(project, b), "written by the second");
  // The upload the first stored, sent again to the second: a duplicate, and its body is not
  // written again.
  auto c = second->InsertSamples({WithBody(project, 1, "written by the first")});
  ASSERT_TRUE(c[0].ok());
  EXPECT_EQ(c[0]->duplicate_of, a);
  EXPECT_EQ(*second->GetSampleBody(project, c[0]->id), "written by the first");
  EXPECT_EQ(first->Stats()->blob_count, 2);
  // The first learns of what the second stored since its own last write.
  auto d = first->InsertSamples({WithBody(project, 2, "written by the second")});
  ASSERT_TRUE(d[0].ok());
  EXPECT_EQ(d[0]->duplicate_of, b);
  EXPECT_EQ(first->Stats()->blob_count, 2);
}

// A data dir as schema version 1 left it: no blob index, each body in blobs/<2 hex>/<sha>.
TEST_F(SqliteStoreBlobsTest, MigratesAVersionOneDataDir) {
  const std::string body = "{\"stored\":\"before packs\"}";
  const std::string sha = Sha256Hex(body);
  int64_t project = 0, sample_id = 0;
  {
    fs::create_directories(blobs() + "/" + sha.substr(0, 2));
    std::ofstream(blobs() + "/" + sha.substr(0, 2) + "/" + sha, std::ios::binary) << body;
    std::ofstream(blobs() + "/" + sha.substr(0, 2) + "/.tmp-" + sha + "-deadbeef") << "torn";
    auto db = internal::Db::Open(data() + "/tinyloop.db", /*read_only=*/false, 1000);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("PRAGMA journal_mode = WAL").ok());
    ASSERT_TRUE(internal::MigrateTo(**db, internal::MigrationContext{blobs(), true}, 1).ok());
    ASSERT_TRUE(internal::LoadOrCreatePepper(**db).ok());
    Project p;
    p.name = "old";
    auto pid = internal::InsertProject(**db, p);
    ASSERT_TRUE(pid.ok());
    project = *pid;
    // The row as a version 1 binary wrote it.
    ASSERT_TRUE((*db)
                    ->Exec("INSERT INTO samples (project_id, file_name, label, category, "
                           "device_name, device_type, interval_ms, axes, length, sha256, "
                           "values_sha256, content_type, metadata, upload_source, signed_hmac, "
                           "ingest_ms, findings) VALUES (" +
                           std::to_string(project) +
                           ", 'old.json', 'idle', 'training', 'dev', 'FAN', 10, "
                           "'[{\"name\":\"accX\",\"units\":\"m/s2\"}]', 1, '" +
                           sha + "', '" + Sha256Hex("values") +
                           "', 'application/json', '{}', 'test', 0, 1000, '[]'); "
                           "INSERT INTO sample_values (sample_id, data) VALUES "
                           "(last_insert_rowid(), x'0000803f')")
                    .ok());
    sample_id = (*db)->LastInsertRowid();
  }
  ASSERT_EQ(RawInt("PRAGMA user_version"), 1);

  auto store = Open();
  ASSERT_TRUE(store);
  EXPECT_EQ(RawInt("PRAGMA user_version"), internal::LatestSchemaVersion());
  EXPECT_EQ(*store->GetSampleBody(project, sample_id), body);
  auto stats = store->Stats();
  EXPECT_EQ(stats->blob_count, 1);
  EXPECT_EQ(stats->blob_bytes, static_cast<int64_t>(body.size()));
  EXPECT_FALSE(fs::exists(blobs() + "/" + sha.substr(0, 2) + "/.tmp-" + sha + "-deadbeef"));
  // The old body is indexed: the same upload again (same values) writes nothing.
  NewSample resent = WithBody(project, 2, body);
  resent.sample.values_sha256 = Sha256Hex("values");
  const int64_t again = Insert(*store, {std::move(resent)})[0];
  EXPECT_EQ(*store->GetSampleBody(project, again), body);
  EXPECT_TRUE(PackFiles(blobs()).empty());
  EXPECT_EQ(store->Stats()->blob_count, 1);

  // An old body that is not indexed (written by an old binary after the migration) is still
  // found in its own file.
  const std::string late = "late old-layout body";
  const std::string late_sha = Sha256Hex(late);
  fs::create_directories(blobs() + "/" + late_sha.substr(0, 2));
  std::ofstream(blobs() + "/" + late_sha.substr(0, 2) + "/" + late_sha, std::ios::binary) << late;
  {
    auto db = internal::Db::Open(data() + "/tinyloop.db", false, 1000);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)
                    ->Exec("UPDATE samples SET sha256 = '" + late_sha +
                           "' WHERE id = " + std::to_string(sample_id))
                    .ok());
  }
  EXPECT_EQ(*store->GetSampleBody(project, sample_id), late);
}

TEST_F(SqliteStoreBlobsTest, MissingOrDamagedBodyIsDataLoss) {
  auto store = Open();
  ASSERT_TRUE(store);
  const int64_t project = NewProject(*store, "fan");
  const int64_t id = Insert(*store, {WithBody(project, 1, "fragile")})[0];
  const std::string pack = blobs() + "/" + PackFiles(blobs())[0];
  fs::resize_file(pack, 44 + 3);
  EXPECT_EQ(store->GetSampleBody(project, id).status().code(), StatusCode::kDataLoss);
  fs::remove(pack);
  EXPECT_EQ(store->GetSampleBody(project, id).status().code(), StatusCode::kDataLoss);
}

TEST_F(SqliteStoreBlobsTest, BadBlobOptionsAreInvalidArgument) {
  SqliteStoreOptions options;
  options.blob_pack_threshold_bytes = -1;
  EXPECT_EQ(SqliteStore::Open(data(), options).status().code(), StatusCode::kInvalidArgument);
  options = SqliteStoreOptions();
  options.blob_pack_max_bytes = 0;
  EXPECT_EQ(SqliteStore::Open(data(), options).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tinyloop::store
