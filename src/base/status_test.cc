#include "base/status.h"

#include <gtest/gtest.h>

namespace tinyloop {
namespace {

StatusOr<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgumentError("odd: " + std::to_string(x));
  return x / 2;
}

StatusOr<int> Quarter(int x) {
  TL_ASSIGN_OR_RETURN(int h, Half(x));
  TL_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status Check(int x) {
  TL_RETURN_IF_ERROR(Half(x));
  return OkStatus();
}

TEST(StatusTest, PropagatesFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  auto r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "odd: 3");
  EXPECT_TRUE(Check(4).ok());
  EXPECT_EQ(Check(5).ToString(), "invalid_argument: odd: 5");
}

TEST(StatusTest, WithPrefixKeepsCode) {
  Status s = NotFoundError("sample 3").WithPrefix("delete");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "delete: sample 3");
  EXPECT_TRUE(OkStatus().WithPrefix("x").ok());
}

}  // namespace
}  // namespace tinyloop
