#include "formats/csv_decoder.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace tinyloop::formats {
namespace {

void ExpectInvalid(const StatusOr<DecodedSample>& result, const std::string& text) {
  ASSERT_FALSE(result.ok()) << "expected an error containing: " << text;
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find(text), std::string::npos) << result.status().message();
}

TEST(CsvDecoderTest, HeaderWithTimestamp) {
  const std::string body =
      "timestamp,accX,accY,accZ\r\n"
      "0,1,2,3\r\n"
      "10,4,5,6\r\n"
      "20,7,8,9\r\n"
      "31,10,11,12\r\n";
  auto sample = DecodeCsv(body, {});
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  EXPECT_EQ(sample->interval_ms, 10);  // median of 10, 10, 11
  ASSERT_EQ(sample->axes.size(), 3u);
  EXPECT_EQ(sample->axes[0].name, "accX");
  EXPECT_EQ(sample->axes[2].units, "N/A");
  EXPECT_EQ(sample->length, 4u);
  EXPECT_EQ(sample->values, (std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
}

TEST(CsvDecoderTest, TimestampColumnAnywhereAnyCase) {
  auto sample = DecodeCsv("\"a\", TIME ,b\n1,0,2\n3,0.5,4\n", {});
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  EXPECT_EQ(sample->interval_ms, 0.5);
  ASSERT_EQ(sample->axes.size(), 2u);
  EXPECT_EQ(sample->axes[0].name, "a");
  EXPECT_EQ(sample->axes[1].name, "b");
  EXPECT_EQ(sample->values, (std::vector<float>{1, 2, 3, 4}));
}

TEST(CsvDecoderTest, HeaderWithoutTimestampUsesDefaultInterval) {
  CsvOptions options;
  options.default_interval_ms = 20;
  auto sample = DecodeCsv("x,y\n1,2\n3,4\n", options);
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  EXPECT_EQ(sample->interval_ms, 20);
  EXPECT_EQ(sample->axes[1].name, "y");
}

TEST(CsvDecoderTest, NoHeaderThreeColumnsAreXyz) {
  auto sample = DecodeCsv(" -615,  -289,   518\n  -3,1e2,+4.5\n\n", {});
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  ASSERT_EQ(sample->axes.size(), 3u);
  EXPECT_EQ(sample->axes[0].name, "x");
  EXPECT_EQ(sample->axes[1].name, "y");
  EXPECT_EQ(sample->axes[2].name, "z");
  EXPECT_EQ(sample->interval_ms, 0);
  EXPECT_EQ(sample->values, (std::vector<float>{-615, -289, 518, -3, 100, 4.5f}));
}

TEST(CsvDecoderTest, NoHeaderOtherColumnCounts) {
  auto two = DecodeCsv("1,2\n3,4", {});
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->axes[0].name, "col0");
  EXPECT_EQ(two->axes[1].name, "col1");
  auto one = DecodeCsv("1\n2\n3\n", {});
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->axes.size(), 1u);
  EXPECT_EQ(one->length, 3u);
}

TEST(CsvDecoderTest, BomAndTrailingCommaAccepted) {
  auto sample = DecodeCsv("\xEF\xBB\xBFt,v,\n0,1,\n5,2,\n", {});
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  EXPECT_EQ(sample->interval_ms, 5);
  EXPECT_EQ(sample->values, (std::vector<float>{1, 2}));
}

TEST(CsvDecoderTest, RaggedRowNamesTheLine) {
  ExpectInvalid(DecodeCsv("a,b,c\n1,2,3\n\n4,5\n", {}),
                "CSV line 4 has 2 columns but line 1 has 3");
  ExpectInvalid(DecodeCsv("1,2\n3,4,5\n", {}), "CSV line 2 has 3 columns but line 1 has 2");
}

TEST(CsvDecoderTest, BadCellsNameLineAndColumn) {
  ExpectInvalid(DecodeCsv("a,b\n1,2\n3,abc\n", {}),
                "CSV line 3, column 2 (\"abc\") is not a number");
  ExpectInvalid(DecodeCsv("a,b,c\n1, ,3\n", {}), "CSV line 2, column 2 is empty");
}

TEST(CsvDecoderTest, TimestampsMustIncrease) {
  ExpectInvalid(DecodeCsv("timestamp,v\n10,1\n10,2\n10,3\n", {}),
                "median step between rows must be positive");
  ExpectInvalid(DecodeCsv("timestamp,v\n30,1\n20,2\n10,3\n", {}),
                "median step between rows must be positive");
}

TEST(CsvDecoderTest, EmptyAndHeaderOnlyAndTimestampOnly) {
  ExpectInvalid(DecodeCsv("", {}), "CSV has no data rows");
  ExpectInvalid(DecodeCsv("\r\n \n", {}), "CSV has no data rows");
  ExpectInvalid(DecodeCsv("a,b\n", {}), "CSV has a header but no data rows");
  ExpectInvalid(DecodeCsv("timestamp\n1\n2\n", {}), "CSV has no value columns");
}

TEST(CsvDecoderTest, Limits) {
  CsvOptions options;
  options.max_rows = 2;
  ExpectInvalid(DecodeCsv("1\n2\n3\n", options), "more than 2 data rows");
  options = CsvOptions();
  options.max_columns = 2;
  ExpectInvalid(DecodeCsv("1,2,3\n", options), "3 columns, limit 2");
}

TEST(CsvDecoderTest, StHarIotNodeRecordings) {
  const std::filesystem::path root =
      std::filesystem::path(TINYLOOP_SOURCE_DIR) / ".." / "shared" / "datasets" / "st_har_iotnode";
  if (!std::filesystem::is_directory(root)) {
    GTEST_SKIP() << "dataset folder " << root.string() << " not found (needs ../shared)";
  }
  size_t files = 0;
  for (const auto& dir : std::filesystem::directory_iterator(root)) {
    if (!dir.is_directory()) continue;
    for (const auto& file : std::filesystem::directory_iterator(dir.path())) {
      if (file.path().extension() != ".csv") continue;
      std::ifstream in(file.path(), std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      auto sample = DecodeCsv(text.str(), {});
      ASSERT_TRUE(sample.ok()) << file.path() << ": " << sample.status().ToString();
      EXPECT_EQ(sample->axes.size(), 3u) << file.path();
      EXPECT_EQ(sample->axes[0].name, "x");
      EXPECT_GT(sample->length, 10u) << file.path();
      EXPECT_EQ(sample->values.size(), sample->length * 3);
      for (float v : sample->values) ASSERT_LE(std::abs(v), 8000.0f) << file.path();  // mg, +-4g
      ++files;
    }
  }
  EXPECT_GT(files, 10u);
}

}  // namespace
}  // namespace tinyloop::formats
