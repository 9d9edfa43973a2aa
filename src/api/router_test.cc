#include "api/router.h"

#include <gtest/gtest.h>

namespace tinyloop::api {
namespace {

TEST(RouterTest, MatchesPatternsAndCapturesParams) {
  Router router;
  router.Add("GET", "/api/v1/projects/{project}/samples/{sample}", "get_sample",
             [](const HttpRequest& r) {
               return HttpResponse::Text(r.path_params.at("project") + "/" +
                                         r.path_params.at("sample"));
             });
  HttpRequest req;
  req.method = "GET";
  req.path = "/api/v1/projects/7/samples/42";
  std::string route;
  HttpResponse res = router.Dispatch(req, &route);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "7/42");
  EXPECT_EQ(route, "get_sample");
}

TEST(RouterTest, UnknownPathIs404AndWrongMethodIs405) {
  Router router;
  router.Add("GET", "/a/{x}", "a", [](const HttpRequest&) { return HttpResponse::Text("a"); });
  HttpRequest req;
  req.method = "GET";
  req.path = "/b/1";
  HttpResponse res = router.Dispatch(req);
  EXPECT_EQ(res.status, 404);
  EXPECT_NE(res.body.find("\"code\":\"not_found\""), std::string::npos);
  req.method = "DELETE";
  req.path = "/a/1";
  res = router.Dispatch(req);
  EXPECT_EQ(res.status, 405);
  EXPECT_NE(res.body.find("method_not_allowed"), std::string::npos);
}

TEST(RouterTest, FirstMatchingRouteWins) {
  Router router;
  router.Add("GET", "/v1/api/projects", "list", [](const HttpRequest&) {
    return HttpResponse::Text("list");
  });
  router.Add("GET", "/v1/api/{project}", "one", [](const HttpRequest&) {
    return HttpResponse::Text("one");
  });
  HttpRequest req;
  req.method = "GET";
  req.path = "/v1/api/projects";
  EXPECT_EQ(router.Dispatch(req).body, "list");
  req.path = "/v1/api/3";
  EXPECT_EQ(router.Dispatch(req).body, "one");
}

TEST(RouterTest, SplitPathDropsEmptySegments) {
  EXPECT_EQ(SplitPath("/a//b/"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(SplitPath("/").empty());
}

}  // namespace
}  // namespace tinyloop::api
