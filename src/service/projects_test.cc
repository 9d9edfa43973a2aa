// ProjectService's authentication over a real SqliteStore: the shared (uncopied) cached project
// and the copying Authenticate agree, the cache hands out one object, bad keys are refused.
#include "service/projects.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "base/clock.h"
#include "store/sqlite_store.h"

namespace tinyloop::service {
namespace {
namespace fs = std::filesystem;

TEST(ProjectServiceTest, AuthenticateSharedServesTheCachedProject) {
  const fs::path dir = fs::temp_directory_path() / ("projects_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  {
    auto store = store::SqliteStore::Open((dir / "data").string());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    SystemClock clock;
    ProjectService projects(**store, clock);
    auto created = projects.CreateProject("fans", "me");
    ASSERT_TRUE(created.ok()) << created.status().ToString();

    auto first = projects.AuthenticateShared(created->api_key);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    auto second = projects.AuthenticateShared(created->api_key);
    ASSERT_TRUE(second.ok());
    EXPECT_EQ(first->get(), second->get()) << "the cached project is shared, not copied";
    EXPECT_EQ((*first)->id, created->project.id);
    EXPECT_EQ((*first)->hmac_key, created->project.hmac_key);

    auto copy = projects.Authenticate(created->api_key);
    ASSERT_TRUE(copy.ok());
    EXPECT_EQ(copy->id, (*first)->id);
    EXPECT_EQ(copy->name, "fans");

    for (const std::string& bad : {std::string(), std::string("tl_not_a_key")}) {
      auto refused = projects.AuthenticateShared(bad);
      ASSERT_FALSE(refused.ok()) << bad;
      EXPECT_EQ(refused.status().code(), StatusCode::kUnauthenticated);
    }
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace tinyloop::service
