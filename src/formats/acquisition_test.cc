#include "formats/acquisition.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "base/crypto.h"

namespace tinyloop::formats {
namespace {

constexpr char kKey[] = "fed53116f20684c067774ebf9e7bcbdc";

// Vectors computed independently of this code with Node.js:
//   crypto.createHmac('sha256', kKey).update(<body with 64 '0'>).digest('hex')
// kNodeJsonBody is the spec example (HS256) with its signature replaced by that value.
constexpr char kNodeJsonBody[] =
    R"({"protected":{"ver":"v1","alg":"HS256","iat":1564128599},)"
    R"("signature":"eb322dfaa4d41979d93973b7ea707ec8143bf6e911182098aad417f178aea685",)"
    R"("payload":{"device_name":"ac:87:a3:0a:2d:1b","device_type":"DISCO-L475VG-IOT01A",)"
    R"("interval_ms":10,"sensors":[{"name":"accX","units":"m/s2"},)"
    R"({"name":"accY","units":"m/s2"},{"name":"accZ","units":"m/s2"}],)"
    R"("values":[[-9.81,0.03,1.21],[-9.83,0.04,1.27]]}})";

// Captured from edge-impulse-linux@1.25.2's DataForwarder (hmacKey "my-hmac-key",
// intervalMs 0.0625, two rows of accX/accY) posting to a loopback capture server.
constexpr char kDataForwarderBody[] =
    R"({"protected":{"ver":"v1","alg":"HS256","iat":1795620173},)"
    R"("signature":"a9a392bdf9d63a151f90cf95bf08995d93c44f5a4ddd30df1004e0054a4a31e0",)"
    R"("payload":{"device_name":"ac:87","device_type":"BOARD","interval_ms":0.0625,)"
    R"("sensors":[{"name":"accX","units":"m/s2"},{"name":"accY","units":"m/s2"}],)"
    R"("values":[[1.5,-2.25],[3.3333333,1e-7]]}})";

// Firmware-style binary body, built byte by byte in Node: definite maps, interval_ms as
// float32 0.0625, values = indefinite array ["Ref-BINARY-i16   "] (padded so the header is
// 260 bytes, a multiple of 4), then int16 LE samples 0, 1, -1, 32767, -32768, 1234.
constexpr char kNodeBinaryHex[] =
    "a36970726f746563746564a36376657262763163616c67654853323536636961741a5d3ab557697369676e61"
    "74757265784033653466396139666237313163376539663737306438353936336464346261396164323062"
    "373738393533646436346531353763313633333130333936656534677061796c6f6164a56b646576696365"
    "5f6e616d657161633a38373a61333a30613a32643a31626b6465766963655f7479706573444953434f2d4c"
    "34373556472d494f543031416b696e74657276616c5f6d73fa3d8000006773656e736f727381a2646e616d"
    "6565617564696f65756e697473637761766676616c7565739f715265662d42494e4152592d693136202020"
    "ff00000100ffffff7f0080d204";

// CBOR streamed the way sensor_aq writes it: values is an indefinite array of rows holding
// a float64, a float32, an unsigned and a negative integer.
constexpr char kNodeCborHex[] =
    "a36970726f746563746564a26376657262763163616c67654853323536697369676e617475726578403562"
    "3031393735363332363235333166633534323932613761613739633263393763313035303366366238303630"
    "626537313331636638333633626464333761677061796c6f6164a46b6465766963655f747970656545535033"
    "326b696e74657276616c5f6d73106773656e736f727382a2646e616d65616165756e697473646d2f7332a264"
    "6e616d65616265756e697473646d2f73326676616c7565739f82fb3ff8000000000000fac010000082073863"
    "ff";

std::string FromHex(std::string_view hex) {
  auto bytes = HexDecode(hex);
  EXPECT_TRUE(bytes.ok());
  return bytes.ok() ? *bytes : std::string();
}

AcquisitionOptions KeyOptions(std::string key = kKey) {
  AcquisitionOptions options;
  options.hmac_key = std::move(key);
  return options;
}

Json ThreeAxisDoc() {
  return Json::parse(R"({
    "protected": {"ver": "v1", "alg": "HS256", "iat": 1564128599},
    "signature": "",
    "payload": {
      "device_name": "dev-1", "device_type": "NANO33", "interval_ms": 10,
      "sensors": [{"name": "accX", "units": "m/s2"}, {"name": "accY", "units": "m/s2"},
                  {"name": "accZ", "units": "m/s2"}],
      "values": [[-9.81, 0.03, 1.21], [-9.83, 0.04, 1.27], [1, 2, 3]]}})");
}

std::string ToCborString(const Json& doc) {
  const auto bytes = Json::to_cbor(doc);
  return std::string(bytes.begin(), bytes.end());
}

// Decodes `doc` sent unsigned (alg none), as JSON and as CBOR; both must agree.
StatusOr<DecodedSample> DecodeUnsigned(Json doc) {
  doc["protected"]["alg"] = "none";
  doc["signature"] = "00";
  auto json = DecodeAcquisition(DumpJson(doc), AcquisitionEncoding::kJson, {});
  auto cbor = DecodeAcquisition(ToCborString(doc), AcquisitionEncoding::kCbor, {});
  EXPECT_EQ(json.ok(), cbor.ok());
  if (!json.ok() && !cbor.ok()) {
    EXPECT_EQ(json.status().message(), cbor.status().message());
  }
  return json;
}

void ExpectInvalid(const StatusOr<DecodedSample>& result, const std::string& text) {
  ASSERT_FALSE(result.ok()) << "expected an error containing: " << text;
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << result.status().ToString();
  EXPECT_NE(result.status().message().find(text), std::string::npos) << result.status().message();
}

TEST(AcquisitionTest, NodeSignedJsonVerifies) {
  auto sample = DecodeAcquisition(kNodeJsonBody, AcquisitionEncoding::kJson, KeyOptions());
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  EXPECT_TRUE(sample->hmac_signed);
  EXPECT_EQ(sample->device_name, "ac:87:a3:0a:2d:1b");
  EXPECT_EQ(sample->device_type, "DISCO-L475VG-IOT01A");
  EXPECT_EQ(sample->interval_ms, 10);
  ASSERT_EQ(sample->axes.size(), 3u);
  EXPECT_EQ(sample->axes[1].name, "accY");
  EXPECT_EQ(sample->axes[1].units, "m/s2");
  EXPECT_EQ(sample->length, 2u);
  EXPECT_EQ(sample->values, (std::vector<float>{-9.81f, 0.03f, 1.21f, -9.83f, 0.04f, 1.27f}));
}

TEST(AcquisitionTest, DataForwarderBodyVerifies) {
  auto sample =
      DecodeAcquisition(kDataForwarderBody, AcquisitionEncoding::kJson, KeyOptions("my-hmac-key"));
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  EXPECT_TRUE(sample->hmac_signed);
  EXPECT_EQ(sample->device_name, "ac:87");
  EXPECT_EQ(sample->interval_ms, 0.0625);
  EXPECT_EQ(sample->values, (std::vector<float>{1.5f, -2.25f, 3.3333333f, 1e-7f}));
  auto wrong =
      DecodeAcquisition(kDataForwarderBody, AcquisitionEncoding::kJson, KeyOptions("my-hmac-kez"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), StatusCode::kUnauthenticated);
}

TEST(AcquisitionTest, UpperCaseSignatureVerifies) {
  std::string body = kNodeJsonBody;
  const size_t at = body.find("eb322dfa");
  for (size_t i = at; i < at + 64; ++i) body[i] = static_cast<char>(std::toupper(body[i]));
  auto sample = DecodeAcquisition(body, AcquisitionEncoding::kJson, KeyOptions());
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
}

TEST(AcquisitionTest, WrongKeyIsUnauthenticated) {
  auto sample = DecodeAcquisition(kNodeJsonBody, AcquisitionEncoding::kJson, KeyOptions("0"));
  ASSERT_FALSE(sample.ok());
  EXPECT_EQ(sample.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(sample.status().message(), "signature does not match the project's HMAC key");
}

TEST(AcquisitionTest, FlippedValueByteIsUnauthenticated) {
  std::string body = kNodeJsonBody;
  body[body.find("-9.83") + 4] = '4';
  auto sample = DecodeAcquisition(body, AcquisitionEncoding::kJson, KeyOptions());
  ASSERT_FALSE(sample.ok());
  EXPECT_EQ(sample.status().code(), StatusCode::kUnauthenticated);
}

TEST(AcquisitionTest, UncheckedSignatureIsNotMarkedSigned) {
  AcquisitionOptions options = KeyOptions("wrong");
  options.verify_signature = false;
  auto sample = DecodeAcquisition(kNodeJsonBody, AcquisitionEncoding::kJson, options);
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  EXPECT_FALSE(sample->hmac_signed);
}

TEST(AcquisitionTest, NodeBinaryCborVerifies) {
  const std::string body = FromHex(kNodeBinaryHex);
  auto sample = DecodeAcquisition(body, AcquisitionEncoding::kCborWithBinary, KeyOptions());
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  EXPECT_TRUE(sample->hmac_signed);
  EXPECT_EQ(sample->interval_ms, 0.0625);
  ASSERT_EQ(sample->axes.size(), 1u);
  EXPECT_EQ(sample->axes[0].name, "audio");
  EXPECT_EQ(sample->axes[0].units, "wav");
  EXPECT_EQ(sample->values, (std::vector<float>{0, 1, -1, 32767, -32768, 1234}));
  EXPECT_EQ(sample->length, 6u);
  EXPECT_EQ(sample->extra_metadata["binary_type"], "i16");
}

TEST(AcquisitionTest, NodeBinaryCborWithFlippedSampleIsUnauthenticated) {
  std::string body = FromHex(kNodeBinaryHex);
  body.back() ^= 0x01;
  auto sample = DecodeAcquisition(body, AcquisitionEncoding::kCborWithBinary, KeyOptions());
  ASSERT_FALSE(sample.ok());
  EXPECT_EQ(sample.status().code(), StatusCode::kUnauthenticated);
}

TEST(AcquisitionTest, NodeStreamedCborVerifies) {
  const std::string body = FromHex(kNodeCborHex);
  auto sample = DecodeAcquisition(body, AcquisitionEncoding::kCbor, KeyOptions());
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  EXPECT_TRUE(sample->hmac_signed);
  EXPECT_EQ(sample->device_name, "");
  EXPECT_EQ(sample->interval_ms, 16);
  EXPECT_EQ(sample->values, (std::vector<float>{1.5f, -2.25f, 7, -100}));
}

TEST(AcquisitionTest, EveryTruncationOfBinaryBodyFailsCleanly) {
  const std::string body = FromHex(kNodeBinaryHex);
  for (size_t n = 0; n < body.size(); ++n) {
    auto sample =
        DecodeAcquisition(body.substr(0, n), AcquisitionEncoding::kCborWithBinary, KeyOptions());
    EXPECT_FALSE(sample.ok()) << "prefix " << n;
  }
}

TEST(AcquisitionTest, ByteFlipsNeverVerify) {
  const std::string original = FromHex(kNodeCborHex);
  const size_t signature_at = original.find("5b019756");
  for (size_t i = 0; i < original.size(); ++i) {
    for (uint8_t mask : {0x01, 0x20, 0x80, 0xFF}) {
      std::string body = original;
      body[i] = static_cast<char>(body[i] ^ mask);
      auto sample = DecodeAcquisition(body, AcquisitionEncoding::kCbor, KeyOptions());
      // Only a case change of a hex letter in the signature itself still verifies.
      const bool case_flip = mask == 0x20 && i >= signature_at && i < signature_at + 64 &&
                             std::isalpha(static_cast<unsigned char>(original[i]));
      EXPECT_EQ(sample.ok(), case_flip) << "byte " << i << " mask " << int{mask};
    }
  }
}

TEST(AcquisitionTest, SignedJsonRoundTrips) {
  const std::string body = SignAcquisition(ThreeAxisDoc(), "secret", AcquisitionEncoding::kJson);
  auto sample = DecodeAcquisition(body, AcquisitionEncoding::kJson, KeyOptions("secret"));
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  EXPECT_TRUE(sample->hmac_signed);
  EXPECT_EQ(sample->length, 3u);
  EXPECT_EQ(sample->values.back(), 3.0f);
  // The signature is the HMAC of the body with the signature zeroed, in lower-case hex.
  const Json parsed = Json::parse(body);
  std::string zeroed = body;
  const size_t at = zeroed.find(parsed["signature"].get<std::string>());
  std::memset(zeroed.data() + at, '0', 64);
  EXPECT_EQ(parsed["signature"], HexEncode(HmacSha256("secret", zeroed)));
}

TEST(AcquisitionTest, SignedCborRoundTripsAndRejectsTampering) {
  std::string body = SignAcquisition(ThreeAxisDoc(), "secret", AcquisitionEncoding::kCbor);
  auto sample = DecodeAcquisition(body, AcquisitionEncoding::kCbor, KeyOptions("secret"));
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  EXPECT_TRUE(sample->hmac_signed);
  EXPECT_EQ(sample->values[0], -9.81f);

  auto wrong_key = DecodeAcquisition(body, AcquisitionEncoding::kCbor, KeyOptions("secret2"));
  ASSERT_FALSE(wrong_key.ok());
  EXPECT_EQ(wrong_key.status().code(), StatusCode::kUnauthenticated);

  body[body.size() - 1] ^= 0x01;  // last byte of the last value
  auto tampered = DecodeAcquisition(body, AcquisitionEncoding::kCbor, KeyOptions("secret"));
  ASSERT_FALSE(tampered.ok());
  EXPECT_EQ(tampered.status().code(), StatusCode::kUnauthenticated);
}

Json AudioDoc(const std::string& ref, int axes) {
  Json doc = ThreeAxisDoc();
  doc["payload"]["interval_ms"] = 0.0625;
  doc["payload"]["sensors"] = Json::array();
  for (int a = 0; a < axes; ++a) {
    doc["payload"]["sensors"].push_back({{"name", "ch" + std::to_string(a)}, {"units", "wav"}});
  }
  doc["payload"]["values"] = Json::array({ref});
  return doc;
}

TEST(AcquisitionTest, SignedBinaryI16RoundTrips) {
  const std::vector<int16_t> samples = {0, -1, 1, 32767, -32768, 1234, -1234};
  std::string raw;
  for (int16_t s : samples) {
    const auto u = static_cast<uint16_t>(s);
    raw.push_back(static_cast<char>(u & 0xFF));
    raw.push_back(static_cast<char>(u >> 8));
  }
  const std::string body = SignAcquisition(AudioDoc("Ref-BINARY-i16", 1), kKey,
                                           AcquisitionEncoding::kCborWithBinary, raw);
  // Written as an indefinite-length array, as firmware does.
  EXPECT_NE(body.find("\x9f\x6eRef-BINARY-i16\xff"), std::string::npos);
  auto sample = DecodeAcquisition(body, AcquisitionEncoding::kCborWithBinary, KeyOptions());
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  EXPECT_TRUE(sample->hmac_signed);
  ASSERT_EQ(sample->values.size(), samples.size());
  for (size_t i = 0; i < samples.size(); ++i) EXPECT_EQ(sample->values[i], samples[i]);
  EXPECT_EQ(sample->interval_ms, 0.0625);
}

TEST(AcquisitionTest, SignedBinaryF32TwoAxesRoundTrips) {
  const std::vector<float> samples = {1.5f, -2.25f, 3e-8f, std::numeric_limits<float>::max()};
  std::string raw(samples.size() * 4, '\0');
  std::memcpy(raw.data(), samples.data(), raw.size());  // x86 and ARM hosts are little-endian
  const std::string body = SignAcquisition(AudioDoc("Ref-BINARY-f32  ", 2), kKey,
                                           AcquisitionEncoding::kCborWithBinary, raw);
  auto sample = DecodeAcquisition(body, AcquisitionEncoding::kCborWithBinary, KeyOptions());
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  EXPECT_EQ(sample->length, 2u);
  EXPECT_EQ(sample->values, samples);
}

TEST(AcquisitionTest, OtherBinaryTypes) {
  struct Case {
    const char* type;
    std::string raw;
    std::vector<float> expected;
  };
  const std::vector<Case> cases = {
      {"i8", std::string("\x80\xff\x7f", 3), {-128, -1, 127}},
      {"u8", std::string("\x80\xff\x00", 3), {128, 255, 0}},
      {"u16", std::string("\xff\xff\x01\x00", 4), {65535, 1}},
      {"i32", std::string("\xff\xff\xff\xff\x00\x00\x01\x00", 8), {-1, 65536}},
      {"u32", std::string("\x00\x00\x00\x80", 4), {2147483648.0f}},
  };
  for (const Case& c : cases) {
    const std::string body = SignAcquisition(AudioDoc(std::string("Ref-BINARY-") + c.type, 1), kKey,
                                             AcquisitionEncoding::kCborWithBinary, c.raw);
    auto sample = DecodeAcquisition(body, AcquisitionEncoding::kCborWithBinary, KeyOptions());
    ASSERT_TRUE(sample.ok()) << c.type << ": " << sample.status().ToString();
    EXPECT_EQ(sample->values, c.expected) << c.type;
  }
}

TEST(AcquisitionTest, BinaryPayloadErrors) {
  auto decode = [](const std::string& ref, int axes, const std::string& raw) {
    return DecodeAcquisition(
        SignAcquisition(AudioDoc(ref, axes), kKey, AcquisitionEncoding::kCborWithBinary, raw),
        AcquisitionEncoding::kCborWithBinary, KeyOptions());
  };
  ExpectInvalid(decode("Ref-BINARY-i64", 1, "12345678"), "binary type \"i64\"");
  ExpectInvalid(decode("Ref-BINARY-i16", 1, ""), "no bytes follow");
  ExpectInvalid(decode("Ref-BINARY-i16", 2, "123456"), "not a multiple of 4 (2 axes of i16)");
  AcquisitionOptions small = KeyOptions();
  small.max_values = 2;
  auto too_many = DecodeAcquisition(SignAcquisition(AudioDoc("Ref-BINARY-u8", 1), kKey,
                                                    AcquisitionEncoding::kCborWithBinary, "abc"),
                                    AcquisitionEncoding::kCborWithBinary, small);
  ExpectInvalid(too_many, "holds 3 values, limit 2");
}

TEST(AcquisitionTest, TrailingBytesWithoutBinaryReferenceAreRejected) {
  std::string body = SignAcquisition(ThreeAxisDoc(), kKey, AcquisitionEncoding::kCbor) + "junk";
  // Signed: the junk is covered by nothing, so the signature fails first.
  auto signed_result = DecodeAcquisition(body, AcquisitionEncoding::kCborWithBinary, KeyOptions());
  ASSERT_FALSE(signed_result.ok());
  EXPECT_EQ(signed_result.status().code(), StatusCode::kUnauthenticated);
  Json doc = ThreeAxisDoc();
  doc["protected"]["alg"] = "none";
  body = ToCborString(doc) + "junk";
  ExpectInvalid(DecodeAcquisition(body, AcquisitionEncoding::kCborWithBinary, {}),
                "4 bytes follow the CBOR item");
}

TEST(AcquisitionTest, JsonCannotReferenceBinary) {
  Json doc = AudioDoc("Ref-BINARY-i16", 1);
  doc["protected"]["alg"] = "none";
  doc["signature"] = "00";
  ExpectInvalid(DecodeAcquisition(DumpJson(doc), AcquisitionEncoding::kJson, {}),
                "only a CBOR body");
}

// The example of compat/edge-impulse.md section 1b, byte for byte (split only in source).
constexpr char kSpecExample[] =
    R"({ "protected": { "ver": "v1", "alg": "HS256", "iat": 1564128599 },
  "signature": "b0ee0572a1984b93b6bc56e6576e2cbbd6bccd65d0c356e26b31bbc9a48210c6",
  "payload": { "device_name": "ac:87:a3:0a:2d:1b", "device_type": "DISCO-L475VG-IOT01A",)"
    R"( "interval_ms": 10,
               "sensors": [ {"name":"accX","units":"m/s2"}, {"name":"accY","units":"m/s2"},)"
    R"( {"name":"accZ","units":"m/s2"} ],
               "values": [ [-9.81,0.03,1.21], [-9.83,0.04,1.27] ] } })";

TEST(AcquisitionTest, SpecExampleDecodes) {
  AcquisitionOptions unchecked;
  unchecked.verify_signature = false;
  auto sample = DecodeAcquisition(kSpecExample, AcquisitionEncoding::kJson, unchecked);
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  EXPECT_EQ(sample->length, 2u);
  EXPECT_EQ(sample->values[3], -9.83f);

  // Verified against a key it was not made with, it fails on the signature, with whitespace
  // around the signature member located correctly.
  auto checked = DecodeAcquisition(kSpecExample, AcquisitionEncoding::kJson, KeyOptions());
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.status().code(), StatusCode::kUnauthenticated);
}

TEST(AcquisitionTest, SpecExampleWithAlgNone) {
  std::string body = kSpecExample;
  body.replace(body.find("HS256"), 5, "none");
  body.replace(body.find("b0ee0572"), 64, "00");
  auto sample = DecodeAcquisition(body, AcquisitionEncoding::kJson, KeyOptions());
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  EXPECT_FALSE(sample->hmac_signed);
  EXPECT_EQ(sample->axes.size(), 3u);

  AcquisitionOptions strict = KeyOptions();
  strict.allow_unsigned = false;
  auto rejected = DecodeAcquisition(body, AcquisitionEncoding::kJson, strict);
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(rejected.status().message(),
            "unsigned samples (alg none) are not allowed in this project");
}

TEST(AcquisitionTest, FlattenedSingleAxisValues) {
  Json doc = ThreeAxisDoc();
  doc["payload"]["sensors"] = Json::parse(R"([{"name":"temp","units":"Cel"}])");
  doc["payload"]["values"] = Json::parse("[1, 2.5, -3, [4]]");
  auto sample = DecodeUnsigned(doc);
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  EXPECT_EQ(sample->length, 4u);
  EXPECT_EQ(sample->values, (std::vector<float>{1, 2.5f, -3, 4}));
}

TEST(AcquisitionTest, FloatIntervalAccepted) {
  Json doc = ThreeAxisDoc();
  doc["payload"]["interval_ms"] = 0.0625;
  auto sample = DecodeUnsigned(doc);
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  EXPECT_EQ(sample->interval_ms, 0.0625);
}

TEST(AcquisitionTest, CborNanAndInfinityAreKept) {
  Json doc = ThreeAxisDoc();
  doc["payload"]["values"][0][0] = std::numeric_limits<double>::quiet_NaN();
  doc["payload"]["values"][0][1] = std::numeric_limits<double>::infinity();
  doc["protected"]["alg"] = "none";
  auto sample = DecodeAcquisition(ToCborString(doc), AcquisitionEncoding::kCbor, {});
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  EXPECT_TRUE(std::isnan(sample->values[0]));
  EXPECT_TRUE(std::isinf(sample->values[1]));
}

TEST(AcquisitionTest, ShapeMismatchNamesTheRow) {
  Json doc = ThreeAxisDoc();
  doc["payload"]["values"][2] = Json::array({1, 2});
  ExpectInvalid(DecodeUnsigned(doc),
                "payload.values[2] has 2 entries but payload.sensors "
                "declares 3");
  doc["payload"]["values"][2] = 5;
  ExpectInvalid(DecodeUnsigned(doc), "payload.values[2] must be an array of 3 numbers");
  doc["payload"]["values"][2] = Json::parse(R"([1, "x", 3])");
  ExpectInvalid(DecodeUnsigned(doc), "payload.values[2][1] must be a number");
  doc["payload"]["values"][2] = Json::parse(R"([1, true, 3])");
  ExpectInvalid(DecodeUnsigned(doc), "payload.values[2][1] must be a number");
}

TEST(AcquisitionTest, PayloadValidationErrors) {
  Json doc = ThreeAxisDoc();
  doc["payload"].erase("device_type");
  ExpectInvalid(DecodeUnsigned(doc), "payload.device_type is required");

  doc = ThreeAxisDoc();
  doc["payload"]["device_type"] = 7;
  ExpectInvalid(DecodeUnsigned(doc), "payload.device_type must be a string");

  doc = ThreeAxisDoc();
  doc["payload"]["device_name"] = Json::array();
  ExpectInvalid(DecodeUnsigned(doc), "payload.device_name must be a string");

  for (const Json& bad : {Json(0), Json(-10), Json("10"), Json(nullptr), Json(true)}) {
    doc = ThreeAxisDoc();
    doc["payload"]["interval_ms"] = bad;
    ExpectInvalid(DecodeUnsigned(doc), "payload.interval_ms must be a positive number");
  }

  doc = ThreeAxisDoc();
  doc["payload"]["sensors"] = Json::array();
  ExpectInvalid(DecodeUnsigned(doc), "payload.sensors must be a non-empty array");

  doc = ThreeAxisDoc();
  doc["payload"]["sensors"][1].erase("units");
  ExpectInvalid(DecodeUnsigned(doc), "payload.sensors[1].units is required");

  doc = ThreeAxisDoc();
  doc["payload"]["sensors"][2]["name"] = "";
  ExpectInvalid(DecodeUnsigned(doc), "payload.sensors[2].name must not be empty");

  doc = ThreeAxisDoc();
  doc["payload"]["sensors"] = Json::array();
  for (int i = 0; i < 65; ++i) doc["payload"]["sensors"].push_back({{"name", "a"}, {"units", "u"}});
  ExpectInvalid(DecodeUnsigned(doc), "payload.sensors has 65 entries, limit 64");

  doc = ThreeAxisDoc();
  doc["payload"]["values"] = Json::array();
  ExpectInvalid(DecodeUnsigned(doc), "payload.values must be a non-empty array");

  doc = ThreeAxisDoc();
  doc["payload"].erase("values");
  ExpectInvalid(DecodeUnsigned(doc), "payload.values must be a non-empty array");

  doc = ThreeAxisDoc();
  doc.erase("payload");
  ExpectInvalid(DecodeUnsigned(doc), "payload must be an object");
}

TEST(AcquisitionTest, MaxValuesLimit) {
  Json doc = ThreeAxisDoc();
  doc["protected"]["alg"] = "none";
  AcquisitionOptions options;
  options.max_values = 8;
  ExpectInvalid(DecodeAcquisition(DumpJson(doc), AcquisitionEncoding::kJson, options),
                "payload.values has 3 rows of 3 values, limit 8 values");
}

TEST(AcquisitionTest, HeaderValidationErrors) {
  Json doc = ThreeAxisDoc();
  doc["protected"]["ver"] = "v2";
  ExpectInvalid(DecodeAcquisition(DumpJson(doc), AcquisitionEncoding::kJson, KeyOptions()),
                "protected.ver must be \"v1\"");

  doc = ThreeAxisDoc();
  doc["protected"]["alg"] = "RS256";
  ExpectInvalid(DecodeAcquisition(DumpJson(doc), AcquisitionEncoding::kJson, KeyOptions()),
                "protected.alg must be \"HS256\" or \"none\", got \"RS256\"");

  doc = ThreeAxisDoc();
  doc["signature"] = "abcd";
  ExpectInvalid(DecodeAcquisition(DumpJson(doc), AcquisitionEncoding::kJson, KeyOptions()),
                "signature must be 64 hex characters for HS256, got 4 characters");

  doc = ThreeAxisDoc();
  doc["signature"] = std::string(63, 'a') + "g";
  ExpectInvalid(DecodeAcquisition(DumpJson(doc), AcquisitionEncoding::kJson, KeyOptions()),
                "signature must be 64 hex characters");

  doc = ThreeAxisDoc();
  doc.erase("protected");
  ExpectInvalid(DecodeAcquisition(DumpJson(doc), AcquisitionEncoding::kJson, KeyOptions()),
                "protected must be an object");

  ExpectInvalid(DecodeAcquisition("[1,2]", AcquisitionEncoding::kJson, KeyOptions()),
                "body must be an object");
  ExpectInvalid(DecodeAcquisition("{\"a\":", AcquisitionEncoding::kJson, KeyOptions()),
                "invalid JSON");
}

TEST(AcquisitionTest, DuplicateOrHiddenSignatureMemberIsRejected) {
  std::string body = kNodeJsonBody;
  body.insert(1, R"("signature":"x",)");
  auto dup = DecodeAcquisition(body, AcquisitionEncoding::kJson, KeyOptions());
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().code(), StatusCode::kInvalidArgument);

  // An escaped key parses as "signature" but cannot be located in the raw bytes.
  body = kNodeJsonBody;
  body.replace(body.find("\"signature\""), 11, "\"sig\\u006eature\"");
  ExpectInvalid(DecodeAcquisition(body, AcquisitionEncoding::kJson, KeyOptions()),
                "could not locate");
}

TEST(AcquisitionTest, NestedSignatureKeyDoesNotConfuseTheLocator) {
  Json doc = ThreeAxisDoc();
  doc["payload"]["signature"] = std::string(64, 'f');  // unknown payload keys are ignored
  const std::string body = SignAcquisition(doc, kKey, AcquisitionEncoding::kJson);
  auto sample = DecodeAcquisition(body, AcquisitionEncoding::kJson, KeyOptions());
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  EXPECT_TRUE(sample->hmac_signed);
}

TEST(AcquisitionTest, HugeDeclaredCborLengthsAreRejected) {
  // {"signature": text of 2^64-1 bytes}
  const std::string huge_text = std::string("\xa1\x69signature\x7b", 12) + std::string(8, '\xff');
  ExpectInvalid(DecodeAcquisition(huge_text, AcquisitionEncoding::kCbor, {}), "declares");
  // {"payload": array of 2^32-1 elements}
  const std::string huge_array = std::string("\xa1\x67payload\x9a\xff\xff\xff\xff", 13);
  auto result = DecodeAcquisition(huge_array, AcquisitionEncoding::kCbor, {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  // A map declaring 2^64-1 pairs.
  const std::string huge_map = std::string("\xbb", 1) + std::string(8, '\xff');
  result = DecodeAcquisition(huge_map, AcquisitionEncoding::kCbor, {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
}

TEST(AcquisitionTest, DeepNestingIsRejected) {
  const std::string deep_json =
      "{\"payload\":" + std::string(200, '[') + std::string(200, ']') + "}";
  ExpectInvalid(DecodeAcquisition(deep_json, AcquisitionEncoding::kJson, {}), "nesting deeper");
  const std::string deep_cbor =
      std::string("\xa1\x67payload", 9) + std::string(100000, '\x81') + std::string(1, '\x00');
  ExpectInvalid(DecodeAcquisition(deep_cbor, AcquisitionEncoding::kCbor, {}), "nesting deeper");
}

TEST(AcquisitionTest, MalformedCborIsRejected) {
  ExpectInvalid(DecodeAcquisition("", AcquisitionEncoding::kCbor, {}), "CBOR body is empty");
  ExpectInvalid(DecodeAcquisition(std::string("\xa1\x63", 2), AcquisitionEncoding::kCbor, {}),
                "declares");
  ExpectInvalid(DecodeAcquisition(std::string("\xff", 1), AcquisitionEncoding::kCbor, {}),
                "break byte");
  ExpectInvalid(DecodeAcquisition(std::string("\x1c", 1), AcquisitionEncoding::kCbor, {}),
                "reserved");
  // A tag is allowed by the scanner but refused by the parser.
  auto tagged = DecodeAcquisition(std::string("\xc1\x00", 2), AcquisitionEncoding::kCbor, {});
  ASSERT_FALSE(tagged.ok());
  EXPECT_EQ(tagged.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tinyloop::formats
