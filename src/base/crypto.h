// Hashing and keyed hashing (OpenSSL underneath): SHA-256, HMAC-SHA256, hex, constant-time
// comparison and secure random bytes. All functions are thread-safe and allocation-light.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "base/status.h"

namespace tinyloop {

using Digest256 = std::array<uint8_t, 32>;

Digest256 Sha256(std::string_view data);
std::string Sha256Hex(std::string_view data);
// HMAC-SHA256 with `key` used as raw bytes (Edge Impulse uses the key string's ASCII bytes).
Digest256 HmacSha256(std::string_view key, std::string_view data);
// HMAC-SHA256 of the concatenation of `parts`, without joining them (e.g. a body with one
// span replaced).
Digest256 HmacSha256(std::string_view key, std::initializer_list<std::string_view> parts);

// Lower-case hex of `data`.
std::string HexEncode(std::string_view data);
std::string HexEncode(const Digest256& digest);
// Decodes hex (either case). InvalidArgument on odd length or a non-hex character.
StatusOr<std::string> HexDecode(std::string_view hex);

// Compares in time that depends only on the lengths, never on where the inputs differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);
// Whether `hex` (64 hex characters, either case) spells `digest`, in time that does not depend
// on where they differ. False for any other length or a non-hex character.
bool DigestMatchesHex(const Digest256& digest, std::string_view hex);

// `n` bytes from the OS CSPRNG. Aborts (TL_CHECK) if the CSPRNG fails, which it does not on Linux.
std::string RandomBytes(size_t n);
// `n` random bytes as 2n lower-case hex characters.
std::string RandomHex(size_t n);

}  // namespace tinyloop
