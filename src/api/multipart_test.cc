#include "api/multipart.h"

#include <gtest/gtest.h>

namespace tinyloop::api {
namespace {

const char kType[] = "multipart/form-data; boundary=XyZ";

TEST(MultipartTest, ParsesPartsWithAndWithoutFinalCrlf) {
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"data\"; filename=\"idle.01.json\"\r\n"
      "Content-Type: application/json\r\n\r\n{\"a\":1}\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"data\"; filename=\"b.csv\"\r\n\r\n"
      "x,y\r\n1,2\r\n--XyZ--";
  for (const std::string& b : {body, body + "\r\n"}) {
    auto parts = ParseMultipart(kType, b, 10);
    ASSERT_TRUE(parts.ok()) << parts.status().ToString();
    ASSERT_EQ(parts->size(), 2u);
    EXPECT_EQ((*parts)[0].name, "data");
    EXPECT_EQ((*parts)[0].file_name, "idle.01.json");
    EXPECT_EQ((*parts)[0].content_type, "application/json");
    EXPECT_EQ((*parts)[0].content, "{\"a\":1}");
    EXPECT_EQ((*parts)[1].content, "x,y\r\n1,2");
  }
}

TEST(MultipartTest, QuotedBoundaryEscapesAndExtendedFileName) {
  const std::string body =
      "preamble\r\n--a b\r\nContent-Disposition: form-data; name=\"data\"; "
      "filename=\"x\\\"y.json\"; filename*=UTF-8''wave%20x.json\r\n\r\n\x01\x02\r\n--a b--\r\n";
  auto parts = ParseMultipart("multipart/form-data; boundary=\"a b\"",
                              std::string_view(body.data(), body.size()), 10);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].file_name, "wave x.json");
}

TEST(MultipartTest, RejectsMalformedBodiesAndTooManyParts) {
  EXPECT_FALSE(ParseMultipart("multipart/form-data", "--x--", 10).ok());
  EXPECT_FALSE(ParseMultipart(kType, "no boundary here", 10).ok());
  EXPECT_FALSE(ParseMultipart(kType, "--XyZ\r\nContent-Disposition: form-data\r\n\r\nabc", 10).ok());
  std::string many;
  for (int i = 0; i < 5; ++i) many += "--XyZ\r\nContent-Disposition: form-data; name=\"data\"\r\n\r\nv\r\n";
  many += "--XyZ--";
  auto parts = ParseMultipart(kType, many, 4);
  ASSERT_FALSE(parts.ok());
  EXPECT_NE(parts.status().message().find("more than 4"), std::string::npos);
  EXPECT_TRUE(ParseMultipart(kType, many, 5).ok());
}

}  // namespace
}  // namespace tinyloop::api
