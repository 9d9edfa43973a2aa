// Test helper: a fresh directory under testing::TempDir(), removed with its contents on
// destruction. For src/store tests only.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

namespace tinyloop::store::internal {

class TestTempDir {
 public:
  TestTempDir() {
    std::string base = testing::TempDir();
    if (!base.empty() && base.back() != '/') base += '/';
    std::string pattern = base + "tinyloop_store_XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed: " << pattern;
    path_ = pattern;
  }
  ~TestTempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TestTempDir(const TestTempDir&) = delete;
  TestTempDir& operator=(const TestTempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace tinyloop::store::internal
