// Differential test: the simdjson fast path must either produce exactly what the general
// decoder produces or decline; it must never accept a body the general decoder refuses.
#include "formats/internal/acquisition_json_fast.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "base/crypto.h"

namespace tinyloop::formats::internal {
namespace {

constexpr char kKey[] = "0123456789abcdef0123456789abcdef";

uint32_t Bits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

// Runs both decoders and checks the contract. Returns whether the fast path decoded.
bool CheckAgreement(const std::string& body, const AcquisitionOptions& options) {
  DecodedSample fast;
  const FastJsonOutcome outcome = TryDecodeAcquisitionJson(body, options, &fast);
  const StatusOr<DecodedSample> general =
      DecodeAcquisitionGeneral(body, AcquisitionEncoding::kJson, options);
  if (outcome == FastJsonOutcome::kDeclined) return false;
  EXPECT_TRUE(general.ok()) << "fast path accepted a body the general decoder refuses ("
                            << general.status().message() << "): " << body.substr(0, 300);
  if (!general.ok()) return true;
  EXPECT_EQ(fast.device_name, general->device_name);
  EXPECT_EQ(fast.device_type, general->device_type);
  EXPECT_EQ(fast.interval_ms, general->interval_ms);
  EXPECT_EQ(fast.length, general->length);
  EXPECT_EQ(fast.hmac_signed, general->hmac_signed);
  EXPECT_EQ(fast.extra_metadata, general->extra_metadata);
  EXPECT_EQ(fast.axes.size(), general->axes.size());
  for (size_t i = 0; i < std::min(fast.axes.size(), general->axes.size()); ++i) {
    EXPECT_EQ(fast.axes[i].name, general->axes[i].name);
    EXPECT_EQ(fast.axes[i].units, general->axes[i].units);
  }
  EXPECT_EQ(fast.values.size(), general->values.size());
  for (size_t i = 0; i < std::min(fast.values.size(), general->values.size()); ++i) {
    EXPECT_EQ(Bits(fast.values[i]), Bits(general->values[i])) << "value " << i;
  }
  return true;
}

Json Doc(int axes, int rows, std::mt19937& rng) {
  Json sensors = Json::array();
  for (int a = 0; a < axes; ++a)
    sensors.push_back({{"name", "ax" + std::to_string(a)}, {"units", "g"}});
  std::uniform_int_distribution<uint32_t> bits;
  Json values = Json::array();
  for (int r = 0; r < rows; ++r) {
    Json row = Json::array();
    for (int a = 0; a < axes; ++a) {
      const uint32_t raw = bits(rng);
      float f;
      std::memcpy(&f, &raw, sizeof f);
      if (!std::isfinite(f)) f = 1.5f;
      switch (r % 4) {
        case 0:
          row.push_back(f);
          break;  // any float32 bit pattern
        case 1:
          row.push_back(static_cast<int64_t>(raw) - 2000000000);
          break;  // integers
        case 2:
          row.push_back(static_cast<double>(raw) * 1e-300);
          break;  // tiny doubles
        default:
          row.push_back(static_cast<double>(f) * 1.0000001);
          break;  // off-grid
      }
    }
    values.push_back(axes == 1 && r % 2 == 0 ? row[0] : row);
  }
  return {{"protected", {{"ver", "v1"}, {"alg", "HS256"}, {"iat", 1700000000}}},
          {"signature", std::string(64, '0')},
          {"payload",
           {{"device_name", "dev-" + std::to_string(rows)},
            {"device_type", "TYPE"},
            {"interval_ms", rows % 3 == 0 ? Json(10) : Json(16.6667)},
            {"sensors", sensors},
            {"values", values}}}};
}

AcquisitionOptions Options() {
  AcquisitionOptions options;
  options.hmac_key = kKey;
  return options;
}

TEST(AcquisitionJsonFastTest, AgreesWithTheGeneralDecoderOnSignedBodies) {
  std::mt19937 rng(7);
  int decoded = 0;
  for (int i = 0; i < 300; ++i) {
    const Json doc = Doc(1 + i % 4, 1 + i % 37, rng);
    decoded += CheckAgreement(SignAcquisition(doc, kKey, AcquisitionEncoding::kJson), Options());
  }
  EXPECT_EQ(decoded, 300) << "well-formed signed bodies should take the fast path";
}

std::string Body(const std::string& payload_values, const std::string& extra = "",
                 const std::string& alg = "HS256") {
  Json doc = {{"protected", {{"ver", "v1"}, {"alg", alg}}},
              {"signature", std::string(64, '0')},
              {"payload",
               {{"device_type", "T"},
                {"interval_ms", 10},
                {"sensors", {{{"name", "x"}, {"units", "g"}}}},
                {"values", Json::array()}}}};
  std::string body = SignAcquisition(doc, kKey, AcquisitionEncoding::kJson);
  // Splice raw text in place of the empty values array, then re-sign the raw text.
  const size_t at = body.find("\"values\":[]");
  body.replace(at, 11, "\"values\":" + payload_values + extra);
  const size_t sig = body.find("\"signature\":\"") + 13;
  std::memset(body.data() + sig, '0', 64);
  const std::string mac = HexEncode(HmacSha256(kKey, body));
  body.replace(sig, 64, mac);
  return body;
}

TEST(AcquisitionJsonFastTest, UnusualBodiesAreDeclinedOrAgree) {
  const std::vector<std::string> bodies = {
      Body("[1,2,3]"),
      Body("[[1],[2]]"),
      Body("[-0.0, -0, 0]"),
      Body("[1e400]"),
      Body("[100000000000000000000000000000]"),
      Body("[18446744073709551615, -9223372036854775808]"),
      Body("[1.40129846e-45, 3.4028235e38, 3.4028236e38]"),
      Body("[true]"),
      Body("[null]"),
      Body("[\"1\"]"),
      Body("[\"Ref-BINARY-i16\"]"),
      Body("[[1,2]]"),
      Body("[]"),
      Body("[1]", ", \"values\":[2]"),          // duplicate key
      Body("[1]", ", \"interval_ms\":\"10\""),  // duplicate with another type
      Body("[1]",
           ", \"extra\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"),
      Body("[1]", ", \"extra\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"),
      Body("[1]", "", "none"),
      Body("[1]", "", "HS512"),
      Body("[1]", ", \"device_name\":null"),
      Body("[1]", ", \"device_type\":\"\\ud800\""),
  };
  int decoded = 0;
  for (const std::string& body : bodies) decoded += CheckAgreement(body, Options());
  EXPECT_GE(decoded, 4);

  AcquisitionOptions strict = Options();
  strict.allow_unsigned = false;
  EXPECT_FALSE(CheckAgreement(Body("[1]", "", "none"), strict));
  AcquisitionOptions few = Options();
  few.max_values = 2;
  EXPECT_FALSE(CheckAgreement(Body("[1,2,3]"), few));
  AcquisitionOptions shallow = Options();
  for (int depth = 2; depth <= 6; ++depth) {
    shallow.limits.max_depth = depth;
    CheckAgreement(Body("[[1]]"), shallow);
    CheckAgreement(Body("[1]", ", \"extra\":[[[1]]]"), shallow);
  }
}

TEST(AcquisitionJsonFastTest, WrongKeyOrTamperedBodyIsDeclined) {
  const std::string body = Body("[1,2,3]");
  AcquisitionOptions wrong = Options();
  wrong.hmac_key = "another key";
  EXPECT_FALSE(CheckAgreement(body, wrong));
  std::string tampered = body;
  tampered[tampered.find("[1,2,3]") + 1] = '7';
  EXPECT_FALSE(CheckAgreement(tampered, Options()));
  AcquisitionOptions unchecked = Options();
  unchecked.verify_signature = false;
  EXPECT_TRUE(CheckAgreement(tampered, unchecked));
}

TEST(AcquisitionJsonFastTest, TruncationsAndByteFlipsNeverDisagree) {
  const std::string body = Body("[[1.5],[2.25],[-3e-3]]");
  for (size_t n = 0; n < body.size(); ++n) CheckAgreement(body.substr(0, n), Options());
  AcquisitionOptions unchecked = Options();
  unchecked.verify_signature = false;
  std::mt19937 rng(3);
  for (int i = 0; i < 2000; ++i) {
    std::string flipped = body;
    flipped[rng() % flipped.size()] = static_cast<char>(rng() % 256);
    CheckAgreement(flipped, unchecked);
  }
}

}  // namespace
}  // namespace tinyloop::formats::internal
