// FindJsonSignature: the raw-body scan that locates the signature value for HMAC checks. Its
// 16-byte (SSE2) skip must find exactly what a byte-by-byte scan finds, wherever the
// structural characters fall relative to the 16-byte blocks.
#include "formats/internal/body_scan.h"

#include <gtest/gtest.h>

#include <string>

namespace tinyloop::formats::internal {
namespace {

std::string SignatureOf(const std::string& body) {
  auto span = FindJsonSignature(body);
  if (!span.ok()) return "error: " + std::string(span.status().message());
  return body.substr(span->offset, span->length);
}

TEST(FindJsonSignatureTest, FindsOnlyTheTopLevelMember) {
  EXPECT_EQ(SignatureOf(R"({"protected":{"alg":"HS256"},"signature":"abc","payload":{}})"), "abc");
  // Nested members, keys inside strings and values equal to the key do not count.
  EXPECT_EQ(SignatureOf(R"({"payload":{"signature":"inner","values":[[1,2],[3,4]]},)"
                        R"("note":"\"signature\":\"fake\"","x":"signature","signature" : "top"})"),
            "top");
  EXPECT_EQ(SignatureOf(R"({"a":[{"signature":"deep"}]})"),
            "error: could not locate the \"signature\" member in the raw body");
  EXPECT_EQ(SignatureOf(R"({"signature":"a","signature":"b"})"),
            "error: body has more than one \"signature\" member");
  EXPECT_EQ(SignatureOf(R"({"signature":7})"), "error: signature must be a string");
}

// Every offset of the member within the 16-byte blocks, with rows of values, long runs of
// digits and letters (skipped a block at a time) before and after it.
TEST(FindJsonSignatureTest, BlockBoundariesDoNotMatter) {
  for (size_t pad = 0; pad < 40; ++pad) {
    // Rows of values: commas one level deeper than the members, which the scan skips.
    std::string rows;
    for (size_t r = 0; r < pad; ++r) rows += (r ? ",[" : "[") + std::to_string(r) + ",-1.5e3,7]";
    const std::string body =
        "{\"pad\":\"" + std::string(pad, 'x') + "\",\"payload\":{\"values\":[" + rows +
        "],\"n\":" + std::string(pad, '7') + "},\"signature\":\"s" + std::to_string(pad) +
        "\",\"tail\":[" + std::string(pad % 17, '9') + "]}";
    EXPECT_EQ(SignatureOf(body), "s" + std::to_string(pad)) << body;
  }
}

}  // namespace
}  // namespace tinyloop::formats::internal
