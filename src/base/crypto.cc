#include "base/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <initializer_list>

namespace tinyloop {

namespace {

// OpenSSL 3 looks an algorithm up (under a lock) on every implicit fetch such as SHA256() or
// HMAC(); at ingest rates that lookup costs more than hashing a 1 KB body. Fetch once, and keep
// one digest context per thread.
const EVP_MD* Sha256Algorithm() {
  static EVP_MD* const algorithm = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  TL_CHECK(algorithm != nullptr);
  return algorithm;
}

class ThreadDigest {
 public:
  ThreadDigest() : context_(EVP_MD_CTX_new()) { TL_CHECK(context_ != nullptr); }
  ~ThreadDigest() { EVP_MD_CTX_free(context_); }
  ThreadDigest(const ThreadDigest&) = delete;
  ThreadDigest& operator=(const ThreadDigest&) = delete;

  // SHA-256 of `first` followed by the concatenation of `parts`.
  Digest256 Hash(std::string_view first, std::initializer_list<std::string_view> parts = {}) {
    TL_CHECK(EVP_DigestInit_ex2(context_, Sha256Algorithm(), nullptr) == 1);
    TL_CHECK(EVP_DigestUpdate(context_, first.data(), first.size()) == 1);
    for (std::string_view part : parts) {
      TL_CHECK(EVP_DigestUpdate(context_, part.data(), part.size()) == 1);
    }
    Digest256 out;
    unsigned int len = 0;
    TL_CHECK(EVP_DigestFinal_ex(context_, out.data(), &len) == 1 && len == out.size());
    return out;
  }

 private:
  EVP_MD_CTX* context_;
};

ThreadDigest& Digester() {
  thread_local ThreadDigest digest;
  return digest;
}

std::string_view View(const Digest256& digest) {
  return std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size());
}

}  // namespace

Digest256 Sha256(std::string_view data) { return Digester().Hash(data); }

std::string Sha256Hex(std::string_view data) { return HexEncode(Sha256(data)); }

// RFC 2104 over the cached SHA-256: H((K0 ^ opad) || H((K0 ^ ipad) || data)), where K0 is the
// key zero-padded to the 64-byte block (hashed first when longer than a block).
Digest256 HmacSha256(std::string_view key, std::string_view data) {
  return HmacSha256(key, {data});
}

Digest256 HmacSha256(std::string_view key, std::initializer_list<std::string_view> parts) {
  constexpr size_t kBlock = 64;
  std::array<char, kBlock> inner_pad{};
  std::array<char, kBlock> outer_pad{};
  Digest256 hashed_key;
  if (key.size() > kBlock) {
    hashed_key = Digester().Hash(key);
    key = View(hashed_key);
  }
  for (size_t i = 0; i < kBlock; ++i) {
    const char k = i < key.size() ? key[i] : 0;
    inner_pad[i] = static_cast<char>(k ^ 0x36);
    outer_pad[i] = static_cast<char>(k ^ 0x5c);
  }
  const Digest256 inner = Digester().Hash(std::string_view(inner_pad.data(), kBlock), parts);
  const Digest256 out = Digester().Hash(std::string_view(outer_pad.data(), kBlock), {View(inner)});
  OPENSSL_cleanse(inner_pad.data(), kBlock);
  OPENSSL_cleanse(outer_pad.data(), kBlock);
  return out;
}

std::string HexEncode(std::string_view data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(data.size() * 2, '0');
  for (size_t i = 0; i < data.size(); ++i) {
    const auto byte = static_cast<uint8_t>(data[i]);
    out[2 * i] = kDigits[byte >> 4];
    out[2 * i + 1] = kDigits[byte & 0xf];
  }
  return out;
}

std::string HexEncode(const Digest256& digest) {
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

StatusOr<std::string> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) return InvalidArgumentError("hex string has odd length");
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = HexValue(hex[2 * i]);
    const int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return InvalidArgumentError("hex string has a non-hex character");
    out[i] = static_cast<char>((hi << 4) | lo);
  }
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool DigestMatchesHex(const Digest256& digest, std::string_view hex) {
  if (hex.size() != 2 * digest.size()) return false;
  Digest256 decoded;
  bool all_hex = true;
  for (size_t i = 0; i < decoded.size(); ++i) {
    const int hi = HexValue(hex[2 * i]);
    const int lo = HexValue(hex[2 * i + 1]);
    all_hex = all_hex && hi >= 0 && lo >= 0;
    decoded[i] = static_cast<uint8_t>(((hi & 0xf) << 4) | (lo & 0xf));
  }
  const bool equal = CRYPTO_memcmp(decoded.data(), digest.data(), digest.size()) == 0;
  return all_hex && equal;
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  TL_CHECK(RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) == 1);
  return out;
}

std::string RandomHex(size_t n) { return HexEncode(RandomBytes(n)); }

}  // namespace tinyloop
