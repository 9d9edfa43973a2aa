#include "api/url_decoding.h"

#include <gtest/gtest.h>

namespace tinyloop::api {
namespace {

TEST(DecodeUrlTest, DecodesEscapesAndKeepsBrokenOnes) {
  EXPECT_EQ(DecodeUrl("idle%20x", false), "idle x");
  EXPECT_EQ(DecodeUrl("%e2%82%AC", false), "\xe2\x82\xac");
  EXPECT_EQ(DecodeUrl("%u20AC", false), "\xe2\x82\xac");
  EXPECT_EQ(DecodeUrl("100%", false), "100%");
  EXPECT_EQ(DecodeUrl("%zz%4", false), "%zz%4");
  EXPECT_EQ(DecodeUrl("a+b", false), "a+b");
  EXPECT_EQ(DecodeUrl("a+b", true), "a b");
  EXPECT_EQ(DecodeUrl("%FF%FE", false), "\xff\xfe");
}

TEST(ParseQueryStringTest, SplitsDecodesAndKeepsTheFirst) {
  const auto q = ParseQueryString("a=1&b=x%20y&a=2&&flag&c=d=e");
  EXPECT_EQ(q.size(), 4u);
  EXPECT_EQ(q.at("a"), "1");
  EXPECT_EQ(q.at("b"), "x y");
  EXPECT_EQ(q.at("flag"), "");
  EXPECT_EQ(q.at("c"), "d=e");
  EXPECT_TRUE(ParseQueryString("").empty());
}

}  // namespace
}  // namespace tinyloop::api
