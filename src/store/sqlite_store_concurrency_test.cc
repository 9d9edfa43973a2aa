// Concurrency of the SQLite store: group commit across threads, race-free duplicate checks,
// readers beside the writer. Also prints a rough insert throughput (not asserted).
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <iostream>
#include <set>
#include <thread>

#include "base/clock.h"
#include "store/internal/test_samples.h"
#include "store/internal/test_temp_dir.h"
#include "store/sqlite_store.h"

namespace tinyloop::store {
namespace {

using internal::MakeTestSample;

std::unique_ptr<SqliteStore> OpenStore(const std::string& dir) {
  auto opened = SqliteStore::Open(dir);
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  return opened.ok() ? std::move(opened).value() : nullptr;
}

int64_t NewProject(SqliteStore& store, const std::string& name) {
  Project p;
  p.name = name;
  auto created = store.CreateProject(p);
  EXPECT_TRUE(created.ok()) << created.status().ToString();
  return created.ok() ? created->id : 0;
}

TEST(SqliteStoreConcurrencyTest, EightThreadsInsertEverySampleExactlyOnce) {
  internal::TestTempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_TRUE(store);
  const int64_t project = NewProject(*store, "fan");
  constexpr int kThreads = 8, kPerThread = 500;

  std::vector<std::vector<int64_t>> ids(kThreads);
  std::atomic<int> failures{0};
  std::atomic<bool> writing{true};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::vector<NewSample> one;
        one.push_back(MakeTestSample(project, t * kPerThread + i));
        one.back().disallow_duplicates = true;
        auto results = store->InsertSamples(std::move(one));
        if (results[0].ok()) {
          ids[t].push_back(results[0]->id);
        } else {
          ++failures;
        }
      }
    });
  }
  // A reader running beside the writers always sees a consistent, growing count.
  std::thread reader([&] {
    int64_t last = 0;
    while (writing) {
      SampleFilter filter;
      filter.project_id = project;
      filter.limit = 1;
      auto list = store->ListSamples(filter);
      if (!list.ok() || list->total < last) ++failures;
      if (list.ok()) last = list->total;
    }
  });
  for (auto& t : threads) t.join();
  writing = false;
  reader.join();
  EXPECT_EQ(failures.load(), 0);

  std::set<int64_t> unique;
  for (const auto& v : ids) unique.insert(v.begin(), v.end());
  EXPECT_EQ(unique.size(), static_cast<size_t>(kThreads * kPerThread));

  SampleFilter all;
  all.project_id = project;
  all.limit = 10000;
  auto list = store->ListSamples(all);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->total, kThreads * kPerThread);
  std::set<std::string> files;
  for (const Sample& s : list->samples) {
    files.insert(s.file_name);
    EXPECT_TRUE(unique.count(s.id)) << s.id;
  }
  EXPECT_EQ(files.size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST(SqliteStoreConcurrencyTest, AsyncInsertsAnswerAfterCommitWithTheSyncResults) {
  internal::TestTempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_TRUE(store);
  const int64_t project = NewProject(*store, "fan");
  constexpr int kCalls = 300;
  std::vector<std::promise<std::vector<StatusOr<InsertedSample>>>> answers(kCalls);
  for (int i = 0; i < kCalls; ++i) {
    std::vector<NewSample> samples;
    samples.push_back(MakeTestSample(project, i));
    samples.back().disallow_duplicates = true;
    if (i % 3 == 0) {
      // The same values again in the same call: refused as a duplicate, the first kept.
      samples.push_back(MakeTestSample(project, i));
      samples.back().disallow_duplicates = true;
    }
    store->InsertSamplesAsync(std::move(samples),
                              [&answers, i](std::vector<StatusOr<InsertedSample>> r) {
                                answers[i].set_value(std::move(r));
                              });
  }
  std::set<int64_t> ids;
  int refused = 0;
  for (int i = 0; i < kCalls; ++i) {
    auto results = answers[i].get_future().get();
    ASSERT_EQ(results.size(), i % 3 == 0 ? 2u : 1u);
    ASSERT_TRUE(results[0].ok()) << results[0].status().ToString();
    ids.insert(results[0]->id);
    if (results.size() == 2) {
      EXPECT_EQ(results[1].status().code(), StatusCode::kAlreadyExists);
      ++refused;
    }
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kCalls));
  EXPECT_EQ(refused, kCalls / 3);
  SampleFilter filter;
  filter.project_id = project;
  auto listed = store->ListSamples(filter);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->total, kCalls);

  // An invalid sample fails alone, before anything is queued.
  std::vector<NewSample> bad;
  bad.push_back(MakeTestSample(project, 100000));
  bad.back().values.push_back(1.0f);  // no longer length x axes
  std::promise<std::vector<StatusOr<InsertedSample>>> bad_answer;
  store->InsertSamplesAsync(std::move(bad), [&](std::vector<StatusOr<InsertedSample>> r) {
    bad_answer.set_value(std::move(r));
  });
  auto bad_results = bad_answer.get_future().get();
  ASSERT_EQ(bad_results.size(), 1u);
  EXPECT_EQ(bad_results[0].status().code(), StatusCode::kInvalidArgument);
}

TEST(SqliteStoreConcurrencyTest, ConcurrentDisallowedDuplicatesStoreExactlyOne) {
  internal::TestTempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_TRUE(store);
  const int64_t project = NewProject(*store, "fan");
  std::atomic<int> stored{0}, rejected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < 20; ++round) {
        std::vector<NewSample> one;
        one.push_back(MakeTestSample(project, round));
        one.back().disallow_duplicates = true;
        auto results = store->InsertSamples(std::move(one));
        if (results[0].ok()) ++stored;
        if (results[0].status().code() == StatusCode::kAlreadyExists) ++rejected;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(stored.load(), 20);
  EXPECT_EQ(rejected.load(), 8 * 20 - 20);
}

TEST(SqliteStoreConcurrencyTest, ConcurrentProjectNamesOneWinnerEach) {
  internal::TestTempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_TRUE(store);
  std::atomic<int> created{0}, exists{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        Project p;
        p.name = "project-" + std::to_string(i);
        auto r = store->CreateProject(p);
        if (r.ok()) ++created;
        if (r.status().code() == StatusCode::kAlreadyExists) ++exists;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 10);
  EXPECT_EQ(exists.load(), 70);
  EXPECT_EQ(store->ListProjects()->size(), 10u);
}

// Rough numbers for the report; sanitizer builds are several times slower than release.
TEST(SqliteStoreConcurrencyTest, PrintsBatchedInsertThroughput) {
  internal::TestTempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_TRUE(store);
  const int64_t project = NewProject(*store, "fan");
  constexpr int kCalls = 4, kPerCall = 1000;
  const std::string padding(1024 - 16, 'x');  // ~1 KB bodies

  int seed = 0;
  int64_t elapsed_ns = 0;
  for (int c = 0; c < kCalls; ++c) {
    std::vector<NewSample> batch;
    for (int i = 0; i < kPerCall; ++i) {
      batch.push_back(MakeTestSample(project, seed++));
      batch.back().body += padding;
    }
    const int64_t start = MonotonicNanos();
    for (const auto& r : store->InsertSamples(std::move(batch))) ASSERT_TRUE(r.ok());
    elapsed_ns += MonotonicNanos() - start;
  }
  const double single = kCalls * kPerCall / (elapsed_ns / 1e9);

  constexpr int kThreads = 8, kPerThread = 50;
  const int64_t start = MonotonicNanos();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::vector<NewSample> one;
        one.push_back(MakeTestSample(project, 1000000 + t * kPerThread + i));
        one.back().body += padding;
        EXPECT_TRUE(store->InsertSamples(std::move(one))[0].ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  const double concurrent = kThreads * kPerThread / ((MonotonicNanos() - start) / 1e9);
  std::cout << "[ throughput ] 1 KB samples, calls of " << kPerCall << ": " << single
            << " samples/s; " << kThreads << " threads x 1 sample per call: " << concurrent
            << " samples/s\n";
  EXPECT_EQ(store->Stats()->samples, kCalls * kPerCall + kThreads * kPerThread);
}

}  // namespace
}  // namespace tinyloop::store
