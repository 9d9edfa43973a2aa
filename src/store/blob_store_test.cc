#include "store/blob_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "base/crypto.h"
#include "store/internal/test_temp_dir.h"

namespace tinyloop::store {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<BlobStore> OpenBlobs(const std::string& dir, const BlobStoreOptions& options = {},
                                     bool remove_temp_files = true) {
  auto store = BlobStore::Open(dir, options, remove_temp_files);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

// Writes `bytes` as one batch; returns the locations, in order.
std::vector<BlobLocation> WriteAll(BlobStore& store, const std::vector<std::string>& bytes) {
  BlobStore::WriteBatch batch = store.NewWriteBatch();
  std::vector<BlobLocation> locations;
  for (const std::string& b : bytes) locations.push_back(batch.Add({Sha256Hex(b), b}));
  for (const Status& s : batch.Write()) EXPECT_TRUE(s.ok()) << s.ToString();
  return locations;
}

std::vector<std::string> PackFiles(const std::string& dir) {
  std::vector<std::string> packs;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("pack-", 0) == 0) packs.push_back(name);
  }
  return packs;
}

std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(BlobStoreTest, SmallBlobsAreAppendedToOnePackWithSelfDescribingRecords) {
  internal::TestTempDir dir;
  auto store = OpenBlobs(dir.path());
  ASSERT_TRUE(store);
  const std::vector<std::string> bodies = {"hello", "", std::string(1000, 'z')};
  const auto locations = WriteAll(*store, bodies);
  ASSERT_EQ(PackFiles(dir.path()).size(), 1u);
  const std::string pack = PackFiles(dir.path())[0];
  EXPECT_EQ(locations[0].pack, pack);
  EXPECT_EQ(locations[2].pack, pack);
  EXPECT_EQ(locations[0].offset, 44);  // after the record header
  EXPECT_EQ(locations[1].offset, 44 + 5 + 44);
  EXPECT_EQ(locations[2].length, 1000);

  // Record = "tlb1" | length (uint64 LE) | raw SHA-256 | bytes.
  const std::string file = ReadFileBytes(dir.path() + "/" + pack);
  EXPECT_EQ(file.size(), 3 * 44u + 5 + 0 + 1000);
  EXPECT_EQ(file.substr(0, 4), "tlb1");
  EXPECT_EQ(file.substr(4, 8), std::string("\x05\0\0\0\0\0\0\0", 8));
  EXPECT_EQ(HexEncode(file.substr(12, 32)), Sha256Hex("hello"));
  EXPECT_EQ(file.substr(44, 5), "hello");

  for (size_t i = 0; i < bodies.size(); ++i) {
    auto got = store->Read(Sha256Hex(bodies[i]), &locations[i]);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, bodies[i]);
  }
}

TEST(BlobStoreTest, ManyBlobsRollOverToNewPacksAndAllReadBack) {
  internal::TestTempDir dir;
  BlobStoreOptions options;
  options.pack_max_bytes = 4096;
  auto store = OpenBlobs(dir.path(), options);
  ASSERT_TRUE(store);
  std::vector<std::string> bodies;
  std::vector<BlobLocation> locations;
  for (int batch = 0; batch < 20; ++batch) {
    std::vector<std::string> chunk;
    for (int i = 0; i < 16; ++i)
      chunk.push_back("blob " + std::to_string(batch * 16 + i) +
                      std::string((batch * 16 + i) % 300, 'x'));
    for (BlobLocation& l : WriteAll(*store, chunk)) locations.push_back(std::move(l));
    bodies.insert(bodies.end(), chunk.begin(), chunk.end());
  }
  std::set<std::string> packs;
  for (const BlobLocation& l : locations) packs.insert(l.pack);
  EXPECT_GT(packs.size(), 5u);
  EXPECT_EQ(PackFiles(dir.path()).size(), packs.size());
  for (const std::string& pack : packs) {
    // No pack grows past the limit (every record here is far smaller than it).
    EXPECT_LE(fs::file_size(dir.path() + "/" + pack), 4096u) << pack;
  }
  for (size_t i = 0; i < bodies.size(); ++i) {
    auto got = store->Read(Sha256Hex(bodies[i]), &locations[i]);
    ASSERT_TRUE(got.ok()) << i << ": " << got.status().ToString();
    EXPECT_EQ(*got, bodies[i]);
  }
}

TEST(BlobStoreTest, RemoveLastGivesItsBytesToTheNextBlob) {
  internal::TestTempDir dir;
  auto store = OpenBlobs(dir.path());
  ASSERT_TRUE(store);
  BlobStore::WriteBatch batch = store->NewWriteBatch();
  const std::string a = "aaaa", b = "bbbbbbbb", c = "cc";
  const BlobLocation la = batch.Add({Sha256Hex(a), a});
  const BlobLocation lb = batch.Add({Sha256Hex(b), b});
  batch.RemoveLast();
  const BlobLocation lc = batch.Add({Sha256Hex(c), c});
  EXPECT_EQ(lc.offset, lb.offset);
  ASSERT_EQ(batch.size(), 2u);
  for (const Status& s : batch.Write()) ASSERT_TRUE(s.ok());
  EXPECT_EQ(*store->Read(Sha256Hex(a), &la), a);
  EXPECT_EQ(*store->Read(Sha256Hex(c), &lc), c);
  EXPECT_EQ(store->Read(Sha256Hex(b), &lb).status().code(), StatusCode::kDataLoss);
}

TEST(BlobStoreTest, BlobsAboveTheThresholdGetTheirOwnFile) {
  internal::TestTempDir dir;
  BlobStoreOptions options;
  options.pack_threshold_bytes = 100;
  auto store = OpenBlobs(dir.path(), options);
  ASSERT_TRUE(store);
  const std::string small(100, 's'), large(101, 'L');
  const auto locations = WriteAll(*store, {small, large});
  EXPECT_FALSE(locations[0].pack.empty());
  EXPECT_TRUE(locations[1].pack.empty());
  const std::string sha = Sha256Hex(large);
  EXPECT_EQ(ReadFileBytes(dir.path() + "/" + sha.substr(0, 2) + "/" + sha), large);
  EXPECT_TRUE(fs::is_empty(dir.path() + "/tmp"));  // the temp was renamed into place
  EXPECT_EQ(*store->Read(sha, &locations[1]), large);
  EXPECT_EQ(*store->Read(sha, nullptr), large);  // own files are found without the index
}

TEST(BlobStoreTest, EachOpenWritesItsOwnPackAndReadsTheOthers) {
  internal::TestTempDir dir;
  auto first = OpenBlobs(dir.path());
  auto second = OpenBlobs(dir.path(), {}, /*remove_temp_files=*/false);
  ASSERT_TRUE(first && second);
  const auto l1 = WriteAll(*first, {"from first"});
  const auto l2 = WriteAll(*second, {"from second"});
  EXPECT_NE(l1[0].pack, l2[0].pack);
  EXPECT_EQ(PackFiles(dir.path()).size(), 2u);
  EXPECT_EQ(*second->Read(Sha256Hex("from first"), &l1[0]), "from first");
  EXPECT_EQ(*first->Read(Sha256Hex("from second"), &l2[0]), "from second");
}

TEST(BlobStoreTest, MissingIsNotFoundAndDamageIsDataLoss) {
  internal::TestTempDir dir;
  BlobStoreOptions options;
  options.pack_threshold_bytes = 10;
  auto store = OpenBlobs(dir.path(), options);
  ASSERT_TRUE(store);
  EXPECT_EQ(store->Read(Sha256Hex("absent"), nullptr).status().code(), StatusCode::kNotFound);

  const std::string packed = "original", own = "an original, own file";
  const auto locations = WriteAll(*store, {packed, own});
  const std::string pack_path = dir.path() + "/" + locations[0].pack;
  {
    std::fstream f(pack_path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(locations[0].offset);
    f << "O";
  }
  EXPECT_EQ(store->Read(Sha256Hex(packed), &locations[0]).status().code(), StatusCode::kDataLoss);
  fs::resize_file(pack_path, static_cast<uintmax_t>(locations[0].offset + 3));
  EXPECT_EQ(store->Read(Sha256Hex(packed), &locations[0]).status().code(), StatusCode::kDataLoss);
  BlobLocation gone = locations[0];
  gone.pack = "pack-1-00.dat";
  EXPECT_EQ(store->Read(Sha256Hex(packed), &gone).status().code(), StatusCode::kDataLoss);

  const std::string sha = Sha256Hex(own);
  std::ofstream(dir.path() + "/" + sha.substr(0, 2) + "/" + sha, std::ios::trunc) << "tampered";
  EXPECT_EQ(store->Read(sha, &locations[1]).status().code(), StatusCode::kDataLoss);
}

TEST(BlobStoreTest, RejectsMalformedShasAndPackNames) {
  internal::TestTempDir dir;
  auto store = OpenBlobs(dir.path());
  ASSERT_TRUE(store);
  const std::string good = Sha256Hex("x");
  std::string upper = good;
  upper[0] = 'A';
  for (const std::string& bad :
       {std::string("../../etc/passwd"), upper, good.substr(1), good + "0",
        std::string("../") + good.substr(3), std::string(64, 'g'), std::string()}) {
    EXPECT_EQ(store->Read(bad, nullptr).status().code(), StatusCode::kInvalidArgument) << bad;
  }
  for (const std::string& pack :
       {std::string("../tinyloop.db"), std::string("pack-1-ab.dat/x"), std::string("pack--ab.dat"),
        std::string("pack-1-AB.dat"), std::string("pack-1-ab.da")}) {
    BlobLocation location{pack, 0, 1};
    EXPECT_EQ(store->Read(good, &location).status().code(), StatusCode::kInvalidArgument) << pack;
  }
  EXPECT_TRUE(PackFiles(dir.path()).empty());
}

TEST(BlobStoreTest, OpenEmptiesTmpOnlyWhenAllowedAndNeverScansBlobs) {
  internal::TestTempDir dir;
  ASSERT_TRUE(OpenBlobs(dir.path()));
  const std::string leftover = dir.path() + "/tmp/" + Sha256Hex("x") + "-deadbeef";
  std::ofstream(leftover) << "half-writ";
  ASSERT_TRUE(OpenBlobs(dir.path(), {}, /*remove_temp_files=*/false));
  EXPECT_TRUE(fs::exists(leftover));
  ASSERT_TRUE(OpenBlobs(dir.path()));
  EXPECT_FALSE(fs::exists(leftover));
}

TEST(BlobStoreTest, ForEachOwnFileListsOldLayoutBlobsAndDropsTheirTemps) {
  internal::TestTempDir dir;
  const std::string a = Sha256Hex("one"), b = Sha256Hex("three");
  for (const auto& [sha, bytes] : {std::pair{a, "one"}, std::pair{b, "three"}}) {
    fs::create_directories(dir.path() + "/" + sha.substr(0, 2));
    std::ofstream(dir.path() + "/" + sha.substr(0, 2) + "/" + sha) << bytes;
  }
  const std::string temp = dir.path() + "/" + a.substr(0, 2) + "/.tmp-" + a + "-deadbeef";
  std::ofstream(temp) << "half";
  std::map<std::string, int64_t> seen;
  ASSERT_TRUE(BlobStore::ForEachOwnFile(dir.path(), /*remove_temp_files=*/true,
                                        [&](const std::string& sha, int64_t size) {
                                          seen[sha] = size;
                                          return OkStatus();
                                        })
                  .ok());
  EXPECT_EQ(seen, (std::map<std::string, int64_t>{{a, 3}, {b, 5}}));
  EXPECT_FALSE(fs::exists(temp));
  EXPECT_TRUE(
      BlobStore::ForEachOwnFile(dir.path() + "/absent", true, [](const std::string&, int64_t) {
        return OkStatus();
      }).ok());
}

TEST(BlobStoreTest, BadOptionsAreInvalidArgument) {
  internal::TestTempDir dir;
  BlobStoreOptions options;
  options.pack_threshold_bytes = -1;
  EXPECT_EQ(BlobStore::Open(dir.path(), options).status().code(), StatusCode::kInvalidArgument);
  options = BlobStoreOptions();
  options.pack_max_bytes = 0;
  EXPECT_EQ(BlobStore::Open(dir.path(), options).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tinyloop::store
