#include "store/internal/rows.h"

#include <gtest/gtest.h>

#include "base/json.h"

namespace tinyloop::store::internal {
namespace {

// The JSON that a Json tree of the same pairs dumps to (the encoding before the fast path).
std::string ReferenceAxes(const std::vector<Axis>& axes) {
  Json json = Json::array();
  for (const Axis& a : axes) json.push_back({{"name", a.name}, {"units", a.units}});
  return DumpJson(json);
}

std::string ReferenceFindings(const std::vector<Finding>& findings) {
  Json json = Json::array();
  for (const Finding& f : findings) json.push_back({{"kind", f.kind}, {"detail", f.detail}});
  return DumpJson(json);
}

TEST(RowsTest, PairsEncodeExactlyLikeAJsonTree) {
  const std::vector<std::string> texts = {"",
                                          "accX",
                                          "m/s2",
                                          "say \"hi\"",
                                          "back\\slash",
                                          "tab\there\nnewline",
                                          std::string("nul\0byte", 8),
                                          "del\x7f",
                                          "\xc2\xb0"
                                          "C",
                                          "bad utf-8 \xff\xfe",
                                          "emoji \xf0\x9f\x98\x80"};
  std::vector<Axis> axes;
  std::vector<Finding> findings;
  for (size_t i = 0; i < texts.size(); ++i) {
    axes.push_back({texts[i], texts[texts.size() - 1 - i]});
    findings.push_back({texts[texts.size() - 1 - i], texts[i]});
    EXPECT_EQ(AxesToJson(axes), ReferenceAxes(axes)) << i;
    EXPECT_EQ(FindingsToJson(findings), ReferenceFindings(findings)) << i;
  }
  EXPECT_EQ(AxesToJson({}), "[]");
  EXPECT_EQ(AxesToJson({{"accX", "g"}}), R"([{"name":"accX","units":"g"}])");
}

TEST(RowsTest, Float32RoundTripIsBitExact) {
  const std::vector<float> values = {0.0f, -0.0f, 1.5f, -3.25e-38f, 3.4e38f};
  auto decoded = DecodeFloat32Le(EncodeFloat32Le(values));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, values);
  EXPECT_EQ(DecodeFloat32Le("abc").status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace tinyloop::store::internal
