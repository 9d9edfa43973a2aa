// Identifiers and secrets: API keys (recognizable prefix, shown once, stored as a keyed hash),
// per-project HMAC keys for signed samples, and opaque random ids. Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace tinyloop {

// Prefix of every tinyloop API key, so leaked keys are easy to spot. It starts with "ei_"
// because the Edge Impulse tools refuse any API key that does not ("ei_tl_" + 64 hex chars).
inline constexpr std::string_view kApiKeyPrefix = "ei_tl_";

// A new random API key: "ei_tl_" followed by 64 lower-case hex characters (256 bits).
std::string NewApiKey();

// A new HMAC key for signed samples: 32 lower-case hex characters, the form Edge Impulse uses.
// The ASCII string itself (not its hex decoding) is the HMAC key.
std::string NewHmacKey();

// A random opaque id of 32 hex chars (128 bits), e.g. for jobs and requests.
std::string NewOpaqueId();

// The value stored for an API key: hex HMAC-SHA256(pepper, key). `pepper` is a per-install
// secret so a stolen database alone cannot confirm guesses.
std::string HashApiKey(std::string_view pepper, std::string_view api_key);

// First 8 characters after the prefix, shown in listings to tell keys apart.
std::string ApiKeyDisplayPrefix(std::string_view api_key);

}  // namespace tinyloop
