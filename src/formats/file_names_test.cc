#include "formats/file_names.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tinyloop::formats {
namespace {

void ExpectInvalid(const Status& status, const std::string& text) {
  ASSERT_FALSE(status.ok()) << "expected an error containing: " << text;
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find(text), std::string::npos) << status.message();
}

TEST(FileNamesTest, LabelFromFileName) {
  EXPECT_EQ(LabelFromFileName("idle.01.json"), "idle");
  EXPECT_EQ(LabelFromFileName("wave x.2.csv"), "wave x");
  EXPECT_EQ(LabelFromFileName("up-down_3.wav"), "up-down_3");
  EXPECT_EQ(LabelFromFileName("running_04_26Hz_4g_mg.csv"), "running_04_26Hz_4g_mg");
  EXPECT_EQ(LabelFromFileName("a\tb.json"), "a\tb");
  EXPECT_EQ(LabelFromFileName("no\xC2\xA0"
                              "break.json"),
            "no\xC2\xA0"
            "break");  // U+00A0 is \s
  EXPECT_EQ(LabelFromFileName("caf\xC3\xA9.json"), "caf");
  EXPECT_EQ(LabelFromFileName(".hidden"), "");
  EXPECT_EQ(LabelFromFileName(""), "");
  EXPECT_EQ(LabelFromFileName("a+b.json"), "a");
}

TEST(FileNamesTest, ValidateFileName) {
  EXPECT_TRUE(ValidateFileName("idle.01.json").ok());
  EXPECT_TRUE(ValidateFileName("caf\xC3\xA9 sample..json").ok());
  ExpectInvalid(ValidateFileName(""), "must not be empty");
  ExpectInvalid(ValidateFileName(std::string(256, 'a')), "256 bytes, limit 255");
  EXPECT_TRUE(ValidateFileName(std::string(255, 'a')).ok());
  ExpectInvalid(ValidateFileName("../x"), "'..' components");
  ExpectInvalid(ValidateFileName(".."), "'..' components");
  ExpectInvalid(ValidateFileName("a\\..\\b"), "'..' components");
  ExpectInvalid(ValidateFileName("a/b"), "'/' or '\\'");
  ExpectInvalid(ValidateFileName("a\\b"), "'/' or '\\'");
  ExpectInvalid(ValidateFileName("."), "must not be '.'");
  ExpectInvalid(ValidateFileName(std::string("a\0b", 3)), "control characters");
  ExpectInvalid(ValidateFileName("a\nb"), "control characters");
  ExpectInvalid(ValidateFileName("a\x7f"), "control characters");
  ExpectInvalid(ValidateFileName("bad\xC3(.json"), "not valid UTF-8");
  ExpectInvalid(ValidateFileName("overlong\xC0\xAF"), "not valid UTF-8");
  ExpectInvalid(ValidateFileName("surrogate\xED\xA0\x80"), "not valid UTF-8");
}

TEST(FileNamesTest, ValidateLabel) {
  EXPECT_TRUE(ValidateLabel("wave x").ok());
  EXPECT_TRUE(ValidateLabel("\xE6\x97\xA5\xE6\x9C\xAC").ok());
  ExpectInvalid(ValidateLabel(""), "must not be empty");
  ExpectInvalid(ValidateLabel(std::string(129, 'a')), "129 bytes, limit 128");
  ExpectInvalid(ValidateLabel("a\tb"), "control characters");
  ExpectInvalid(ValidateLabel("\xff"), "not valid UTF-8");
}

TEST(FileNamesTest, PercentDecode) {
  EXPECT_EQ(*PercentDecode("wave%20x"), "wave x");
  EXPECT_EQ(*PercentDecode("a+b%2Bc%2b"), "a+b+c+");
  EXPECT_EQ(*PercentDecode("caf%C3%A9"), "caf\xC3\xA9");
  EXPECT_EQ(*PercentDecode(""), "");
  ExpectInvalid(PercentDecode("100%").status(), "byte 3");
  ExpectInvalid(PercentDecode("%2").status(), "two hex digits");
  ExpectInvalid(PercentDecode("%zz").status(), "two hex digits");
}

TEST(FileNamesTest, IntervalFromFileName) {
  EXPECT_DOUBLE_EQ(IntervalFromFileName("running_04_26Hz_4g_mg.csv"), 1000.0 / 26);
  EXPECT_DOUBLE_EQ(IntervalFromFileName("speech_16kHz.wav"), 0.0625);
  EXPECT_DOUBLE_EQ(IntervalFromFileName("fan-12.5HZ.csv"), 80);
  EXPECT_DOUBLE_EQ(IntervalFromFileName("100hz"), 10);
  EXPECT_EQ(IntervalFromFileName("idle.01.json"), 0);
  EXPECT_EQ(IntervalFromFileName("abc26Hz.csv"), 0);  // not at a word boundary
  EXPECT_EQ(IntervalFromFileName("26Hzz.csv"), 0);    // followed by a letter
  EXPECT_EQ(IntervalFromFileName("0Hz_then_50Hz.csv"), 20);
  EXPECT_EQ(IntervalFromFileName("Hz.csv"), 0);
}

TEST(FileNamesTest, DetectFileKind) {
  EXPECT_EQ(*DetectFileKind("a.JSON", ""), FileKind::kAcquisitionJson);
  EXPECT_EQ(*DetectFileKind("a.cbor", "application/octet-stream"), FileKind::kAcquisitionCbor);
  EXPECT_EQ(*DetectFileKind("a.csv", "application/json"), FileKind::kCsv);
  EXPECT_EQ(*DetectFileKind("a.txt", ""), FileKind::kCsv);
  EXPECT_EQ(*DetectFileKind("a.wav", ""), FileKind::kWav);
  EXPECT_EQ(*DetectFileKind("a.png", ""), FileKind::kPng);
  EXPECT_EQ(*DetectFileKind("a.jpeg", ""), FileKind::kJpeg);
  EXPECT_EQ(*DetectFileKind("a.Jpg", ""), FileKind::kJpeg);
  EXPECT_EQ(*DetectFileKind("sample", "application/json; charset=utf-8"),
            FileKind::kAcquisitionJson);
  EXPECT_EQ(*DetectFileKind("sample", "application/octet-stream"), FileKind::kAcquisitionCbor);
  EXPECT_EQ(*DetectFileKind("sample.bin", "Audio/X-WAV"), FileKind::kWav);
  EXPECT_EQ(*DetectFileKind("", "image/jpeg"), FileKind::kJpeg);
  ExpectInvalid(DetectFileKind("clip.mp4", "video/mp4").status(), "unsupported file type");
  ExpectInvalid(DetectFileKind("x", "").status(), "supported: .json");
}

TEST(FileNamesTest, DecodeFileDispatches) {
  DecodeOptions options;
  const std::string json =
      R"({"protected":{"ver":"v1","alg":"none"},"signature":"00","payload":{"device_type":"X",)"
      R"("interval_ms":5,"sensors":[{"name":"a","units":"N/A"}],"values":[1,2]}})";
  auto from_json = DecodeFile("idle.01.json", "application/json", json, options);
  ASSERT_TRUE(from_json.ok()) << from_json.status().ToString();
  EXPECT_EQ(from_json->values, (std::vector<float>{1, 2}));

  // A .json name with a CBOR body (or the reverse) is read by what the body is.
  const auto cbor_bytes = Json::to_cbor(Json::parse(json));
  const std::string cbor(cbor_bytes.begin(), cbor_bytes.end());
  auto from_cbor = DecodeFile("idle.json", "application/json", cbor, options);
  ASSERT_TRUE(from_cbor.ok()) << from_cbor.status().ToString();
  EXPECT_EQ(from_cbor->interval_ms, 5);

  auto csv = DecodeFile("running_04_26Hz_4g_mg.csv", "text/csv", "1,2,3\n4,5,6\n", options);
  ASSERT_TRUE(csv.ok()) << csv.status().ToString();
  EXPECT_DOUBLE_EQ(csv->interval_ms, 1000.0 / 26);

  options.csv.default_interval_ms = 7;
  auto csv_default = DecodeFile("walk.csv", "text/csv", "1,2,3\n4,5,6\n", options);
  ASSERT_TRUE(csv_default.ok());
  EXPECT_EQ(csv_default->interval_ms, 7);
  auto csv_named = DecodeFile("walk_26Hz.csv", "text/csv", "1,2,3\n4,5,6\n", options);
  ASSERT_TRUE(csv_named.ok());
  EXPECT_EQ(csv_named->interval_ms, 7);  // an explicit default beats the name hint
  auto csv_ts = DecodeFile("walk_26Hz.csv", "text/csv", "t,v\n0,1\n3,2\n", options);
  ASSERT_TRUE(csv_ts.ok());
  EXPECT_EQ(csv_ts->interval_ms, 3);  // the timestamp column wins

  auto bad = DecodeFile("clip.mp4", "video/mp4", "x", options);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  auto wav = DecodeFile("a.wav", "audio/wav", "RIFF", options);
  ASSERT_FALSE(wav.ok());
  EXPECT_NE(wav.status().message().find("RIFF/WAVE"), std::string::npos);
  auto png = DecodeFile("a.png", "image/png", "nope", options);
  ASSERT_FALSE(png.ok());
}

}  // namespace
}  // namespace tinyloop::formats
