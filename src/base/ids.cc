#include "base/ids.h"

#include "base/crypto.h"

namespace tinyloop {

std::string NewApiKey() { return std::string(kApiKeyPrefix) + RandomHex(32); }

std::string NewHmacKey() { return RandomHex(16); }

std::string NewOpaqueId() { return RandomHex(16); }

std::string HashApiKey(std::string_view pepper, std::string_view api_key) {
  return HexEncode(HmacSha256(pepper, api_key));
}

std::string ApiKeyDisplayPrefix(std::string_view api_key) {
  return std::string(api_key.substr(0, kApiKeyPrefix.size() + 8));
}

}  // namespace tinyloop
