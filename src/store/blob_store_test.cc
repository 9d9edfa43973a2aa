#include "store/blob_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/crypto.h"
#include "store/internal/test_temp_dir.h"

namespace tinyloop::store {
namespace {

namespace fs = std::filesystem;

int CountFiles(const std::string& dir) {
  int n = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) ++n;
  }
  return n;
}

TEST(BlobStoreTest, PutGetRoundTripUsesContentAddressedPath) {
  internal::TestTempDir dir;
  auto store = BlobStore::Open(dir.path() + "/blobs");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto sha = (*store)->Put("hello");
  ASSERT_TRUE(sha.ok());
  EXPECT_EQ(*sha, Sha256Hex("hello"));
  EXPECT_TRUE(fs::is_regular_file(dir.path() + "/blobs/" + sha->substr(0, 2) + "/" + *sha));
  auto got = (*store)->Get(*sha);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "hello");
  EXPECT_TRUE(*(*store)->Exists(*sha));
  EXPECT_FALSE(*(*store)->Exists(Sha256Hex("other")));
}

TEST(BlobStoreTest, EmptyBlobIsStored) {
  internal::TestTempDir dir;
  auto store = BlobStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  auto sha = (*store)->Put("");
  ASSERT_TRUE(sha.ok());
  auto got = (*store)->Get(*sha);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "");
  EXPECT_EQ((*store)->blob_count(), 1);
}

TEST(BlobStoreTest, DedupesAcrossPutsAndWithinABatch) {
  internal::TestTempDir dir;
  auto store = BlobStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Put("abc").ok());
  ASSERT_TRUE((*store)->Put("abc").ok());
  EXPECT_EQ((*store)->blob_count(), 1);
  EXPECT_EQ((*store)->blob_bytes(), 3);

  const std::string a = "abc", b = "defgh";
  std::vector<BlobStore::PendingBlob> batch = {
      {Sha256Hex(a), a}, {Sha256Hex(b), b}, {Sha256Hex(b), b}, {Sha256Hex(a), a}};
  ASSERT_TRUE((*store)->PutBatch(batch).ok());
  EXPECT_EQ((*store)->blob_count(), 2);
  EXPECT_EQ((*store)->blob_bytes(), 8);
  EXPECT_EQ(CountFiles(dir.path()), 2);  // no temp file left behind
  EXPECT_EQ(*(*store)->Get(Sha256Hex(b)), b);
}

TEST(BlobStoreTest, RejectsMalformedShaWithoutTouchingTheDisk) {
  internal::TestTempDir dir;
  auto store = BlobStore::Open(dir.path() + "/blobs");
  ASSERT_TRUE(store.ok());
  const std::string good = Sha256Hex("x");
  std::string upper = good;
  upper[0] = 'A';
  for (const std::string& bad :
       {std::string("../../etc/passwd"), upper, good.substr(1), good + "0",
        std::string("../") + good.substr(3), std::string(64, 'g'), std::string()}) {
    EXPECT_EQ((*store)->Get(bad).status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ((*store)->Exists(bad).status().code(), StatusCode::kInvalidArgument) << bad;
    const std::string bytes = "x";
    EXPECT_EQ((*store)->PutBatch({{bad, bytes}}).code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(CountFiles(dir.path()), 0);
}

TEST(BlobStoreTest, MissingIsNotFoundAndCorruptIsDataLoss) {
  internal::TestTempDir dir;
  auto store = BlobStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->Get(Sha256Hex("absent")).status().code(), StatusCode::kNotFound);

  auto sha = (*store)->Put("original");
  ASSERT_TRUE(sha.ok());
  std::ofstream(dir.path() + "/" + sha->substr(0, 2) + "/" + *sha, std::ios::trunc) << "tampered";
  EXPECT_EQ((*store)->Get(*sha).status().code(), StatusCode::kDataLoss);
}

TEST(BlobStoreTest, ReopenCountsBlobsAndRemovesLeftoverTemps) {
  internal::TestTempDir dir;
  std::string sha;
  {
    auto store = BlobStore::Open(dir.path());
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Put("one").ok());
    ASSERT_TRUE((*store)->Put("three").ok());
    sha = *(*store)->Put("seven!!");
  }
  const std::string temp = dir.path() + "/" + sha.substr(0, 2) + "/.tmp-" + sha + "-deadbeef";
  std::ofstream(temp) << "half-writ";
  auto store = BlobStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->blob_count(), 3);
  EXPECT_EQ((*store)->blob_bytes(), 3 + 5 + 7);
  EXPECT_FALSE(fs::exists(temp));
  EXPECT_EQ(*(*store)->Get(sha), "seven!!");
}

}  // namespace
}  // namespace tinyloop::store
