#include "base/ids.h"

#include <gtest/gtest.h>

namespace tinyloop {
namespace {

TEST(IdsTest, ApiKeyHasPrefixAndIsUnique) {
  const std::string a = NewApiKey(), b = NewApiKey();
  EXPECT_EQ(a.rfind("ei_tl_", 0), 0u);  // Edge Impulse tools require "ei_"
  EXPECT_EQ(a.size(), 70u);
  EXPECT_NE(a, b);
  EXPECT_EQ(ApiKeyDisplayPrefix(a), a.substr(0, 14));
}

TEST(IdsTest, HashDependsOnPepperAndKey) {
  EXPECT_EQ(HashApiKey("p", "k"), HashApiKey("p", "k"));
  EXPECT_NE(HashApiKey("p", "k"), HashApiKey("q", "k"));
  EXPECT_NE(HashApiKey("p", "k"), HashApiKey("p", "l"));
  EXPECT_EQ(NewHmacKey().size(), 32u);
}

}  // namespace
}  // namespace tinyloop
