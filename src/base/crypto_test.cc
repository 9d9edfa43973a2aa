#include "base/crypto.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <thread>
#include <vector>

namespace tinyloop {
namespace {

TEST(CryptoTest, Sha256KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(CryptoTest, HmacRfc4231Case2) {
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(CryptoTest, HmacRfc4231Case6KeyLongerThanABlock) {
  const std::string key(131, '\xaa');
  EXPECT_EQ(HexEncode(HmacSha256(key, "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(CryptoTest, HmacKeyOfExactlyOneBlockAndManyThreads) {
  // RFC 4231 case 4 uses a 25-byte key; a 64-byte key exercises the no-hash, no-pad edge.
  const std::string key(64, 'k');
  const std::string expected = HexEncode(HmacSha256(key, "payload"));
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (HexEncode(HmacSha256(key, "payload")) != expected) ++mismatches;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_NE(expected, HexEncode(HmacSha256(std::string(63, 'k'), "payload")));
}

TEST(CryptoTest, HexRoundTripAndErrors) {
  const std::string raw("\x00\x01\xfe\xff", 4);
  EXPECT_EQ(HexEncode(raw), "0001feff");
  EXPECT_EQ(*HexDecode("0001FEff"), raw);
  EXPECT_FALSE(HexDecode("abc").ok());
  EXPECT_FALSE(HexDecode("zz").ok());
}

TEST(CryptoTest, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

TEST(CryptoTest, HmacOverPartsEqualsHmacOverTheJoinedText) {
  const std::string key = "project-hmac-key";
  const std::string whole = "{\"signature\":\"0000\",\"payload\":{}}";
  EXPECT_EQ(HmacSha256(key, {"{\"signature\":\"", "0000", "\",\"payload\":{}}"}),
            HmacSha256(key, whole));
  EXPECT_EQ(HmacSha256(key, {"", whole, ""}), HmacSha256(key, whole));
  EXPECT_NE(HmacSha256(key, {"{\"signature\":\"", "0001", "\",\"payload\":{}}"}),
            HmacSha256(key, whole));
  // Keys longer than a block are hashed first on this path too (RFC 4231 case 6).
  const std::string long_key(131, '\xaa');
  EXPECT_EQ(HexEncode(HmacSha256(long_key,
                                 {"Test Using Larger Than Block-Size Key - ", "Hash Key First"})),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(CryptoTest, DigestMatchesHexInEitherCaseOnly) {
  const Digest256 digest = Sha256("abc");
  const std::string hex = HexEncode(digest);
  EXPECT_TRUE(DigestMatchesHex(digest, hex));
  std::string upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(DigestMatchesHex(digest, upper));
  std::string other = hex;
  other[63] = other[63] == '0' ? '1' : '0';
  EXPECT_FALSE(DigestMatchesHex(digest, other));
  EXPECT_FALSE(DigestMatchesHex(digest, hex.substr(0, 62)));
  EXPECT_FALSE(DigestMatchesHex(digest, hex + "00"));
  std::string not_hex = hex;
  not_hex[0] = 'g';
  EXPECT_FALSE(DigestMatchesHex(digest, not_hex));
}

TEST(CryptoTest, RandomHexIsRandom) {
  const std::string a = RandomHex(16), b = RandomHex(16);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace tinyloop
