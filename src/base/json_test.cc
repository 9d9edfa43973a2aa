#include "base/json.h"

#include <cmath>
#include <cstdlib>
#include <random>

#include <gtest/gtest.h>

namespace tinyloop {
namespace {

TEST(JsonTest, ParsesValidDocument) {
  auto j = ParseJson(R"({"a":[1,2.5,"x"],"b":{"c":null}})");
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ((*j)["a"][1].get<double>(), 2.5);
}

TEST(JsonTest, RejectsSyntaxErrorWithPosition) {
  auto j = ParseJson(R"({"a": [1, 2,})");
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(j.status().message().find("at byte"), std::string::npos) << j.status().message();
}

TEST(JsonTest, RejectsDeepNesting) {
  std::string deep(100000, '[');
  auto j = ParseJson(deep);
  ASSERT_FALSE(j.ok());
  EXPECT_NE(j.status().message().find("nesting deeper than 32"), std::string::npos);
}

TEST(JsonTest, CborRoundTrip) {
  Json in = {{"values", {{1.5, -2.0}, {3.25, 4.0}}}, {"name", "acc"}};
  const auto bytes = Json::to_cbor(in);
  auto out = ParseCbor(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, in);
}

TEST(JsonTest, CborRejectsHugeDeclaredLengths) {
  // array(2^63) with no elements: must be rejected without allocating.
  const std::string huge_array("\x9b\x7f\xff\xff\xff\xff\xff\xff\xff", 9);
  auto a = ParseCbor(huge_array);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("declares"), std::string::npos) << a.status().message();
  // text string of length 2^32 with 3 bytes of content.
  const std::string huge_text("\x7b\x00\x00\x00\x01\x00\x00\x00\x00" "abc", 12);
  EXPECT_FALSE(ParseCbor(huge_text).ok());
  // map(2^40)
  const std::string huge_map("\xbb\x00\x00\x01\x00\x00\x00\x00\x00", 9);
  EXPECT_FALSE(ParseCbor(huge_map).ok());
}

TEST(JsonTest, CborRejectsDeepNestingAndTrailingBytes) {
  EXPECT_FALSE(ParseCbor(std::string(1000, '\x81')).ok());
  EXPECT_FALSE(ParseCbor(std::string("\x01\x02", 2)).ok());
}

TEST(JsonTest, FormatFloat32RoundTripsExactly) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<uint32_t> bits;
  for (int i = 0; i < 20000; ++i) {
    uint32_t b = bits(rng);
    float f;
    std::memcpy(&f, &b, sizeof(f));
    if (!std::isfinite(f)) continue;
    const std::string s = FormatFloat32(f);
    const float back = std::strtof(s.c_str(), nullptr);
    ASSERT_EQ(std::memcmp(&back, &f, sizeof(f)), 0) << s;
  }
  EXPECT_EQ(FormatFloat32(0.1f), "0.1");
  EXPECT_EQ(FormatFloat32(std::nanf("")), "null");
}

}  // namespace
}  // namespace tinyloop
