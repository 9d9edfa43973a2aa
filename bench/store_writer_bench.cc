// store_writer_bench: CPU of the SQLite store's writer per durable sample, without the service
// or HTTP in front. Samples shaped like ingest_bench's (3 axes x 20 rows, ~880-byte distinct
// bodies, distinct values) are built before the clock starts, then `--threads` callers each
// call SqliteStore::InsertSamples with `--per-call` samples until `--samples` are stored. The
// store's own threads (the group-commit writer and its blob-write helper) are told apart from
// the callers with /proc/self/task/<tid>/schedstat. Deterministic enough for callgrind with
// --threads 1 (see bench/README.md). Part of bench/.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/crypto.h"
#include "store/sqlite_store.h"
#include "thread_times.h"

namespace tinyloop::bench {
namespace {

struct WriterOptions {
  int64_t samples = 50000;
  int threads = 1;
  int per_call = 64;
  std::string tmp_root;
  bool keep_data = false;
};

[[noreturn]] void Die(const std::string& what, const Status& status) {
  std::fprintf(stderr, "store_writer_bench: %s: %s\n", what.c_str(), status.ToString().c_str());
  std::exit(1);
}

void PrintUsage() {
  std::printf(
      "usage: store_writer_bench [--samples N] [--threads T] [--per-call K] [--tmp DIR] "
      "[--keep-data]\n"
      "  --samples N   samples to store (default 50000)\n"
      "  --threads T   callers of InsertSamples (default 1)\n"
      "  --per-call K  samples per InsertSamples call (default 64)\n"
      "  --tmp DIR     parent of the fresh data dir (default $TMPDIR or /tmp)\n"
      "  --keep-data   leave the data dir in place\n");
}

bool ParsePositive(const char* text, int64_t max, int64_t& out) {
  char* end = nullptr;
  const long long v = std::strtoll(text, &end, 10);
  if (end == text || *end != '\0' || v < 1 || v > max) return false;
  out = v;
  return true;
}

bool Parse(int argc, char** argv, WriterOptions& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help") {
      PrintUsage();
      std::exit(0);
    }
    if (flag == "--keep-data") {
      o.keep_data = true;
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "store_writer_bench: %s needs a value\n", flag.c_str());
      return false;
    }
    const char* value = argv[++i];
    int64_t n = 0;
    if (flag == "--tmp") {
      o.tmp_root = value;
    } else if (flag == "--samples" && ParsePositive(value, 100000000, n)) {
      o.samples = n;
    } else if (flag == "--threads" && ParsePositive(value, 1024, n)) {
      o.threads = static_cast<int>(n);
    } else if (flag == "--per-call" && ParsePositive(value, 100000, n)) {
      o.per_call = static_cast<int>(n);
    } else {
      std::fprintf(stderr, "store_writer_bench: bad flag or value: %s %s\n", flag.c_str(), value);
      return false;
    }
  }
  return true;
}

// Sample `i` of the run: distinct values, values hash and body; metadata as the service
// stores it for an Edge Impulse JSON upload.
store::NewSample MakeSample(int64_t project_id, int64_t i) {
  static const char* const kLabels[] = {"idle", "fan_low", "fan_high", "wobble"};
  store::NewSample s;
  store::Sample& m = s.sample;
  m.project_id = project_id;
  m.label = kLabels[i % 4];
  m.category = "training";
  m.file_name = m.label + "." + Sha256Hex(std::to_string(i)).substr(0, 12) + ".json";
  m.device_name = "bench-" + std::to_string(i % 256);
  m.device_type = "TINYLOOP_BENCH";
  m.interval_ms = 10;
  m.axes = {{"accX", "m/s2"}, {"accY", "m/s2"}, {"accZ", "m/s2"}};
  m.length = 20;
  m.content_type = "application/json";
  m.upload_source = "";
  m.signed_hmac = true;
  m.ingest_ms = 1700000000000 + i;
  s.values.resize(60);
  for (size_t k = 0; k < s.values.size(); ++k) {
    s.values[k] = static_cast<float>((i * 61 + static_cast<int64_t>(k)) % 1000003) * 1e-3f;
  }
  m.values_sha256 = Sha256Hex("values " + std::to_string(i));
  s.body = std::string(880, ' ');
  const std::string tag = "{\"sample\":" + std::to_string(i) + "}";
  s.body.replace(0, tag.size(), tag);
  return s;
}

// CPU time (user + system) of the whole process so far.
int64_t ProcessCpuNanos() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto nanos = [](const timeval& t) {
    return static_cast<int64_t>(t.tv_sec) * 1000000000 + static_cast<int64_t>(t.tv_usec) * 1000;
  };
  return nanos(usage.ru_utime) + nanos(usage.ru_stime);
}

std::string FreshDir(const std::string& root) {
  std::string parent = root;
  if (parent.empty()) {
    const char* env = std::getenv("TMPDIR");
    parent = env != nullptr && *env != '\0' ? env : "/tmp";
  }
  std::string pattern = parent + "/tinyloop-writer-bench-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    std::fprintf(stderr, "store_writer_bench: cannot create a dir under %s: %s\n", parent.c_str(),
                 std::strerror(errno));
    std::exit(1);
  }
  return pattern;
}

int Run(const WriterOptions& o) {
  const std::string dir = FreshDir(o.tmp_root);
  const ThreadSnapshot before_open = SnapshotThreads();
  auto opened = store::SqliteStore::Open(dir);
  if (!opened.ok()) Die("open store in " + dir, opened.status());
  std::unique_ptr<store::SqliteStore> db = std::move(*opened);
  const std::set<int> store_tids = NewThreads(before_open, SnapshotThreads());
  store::Project project;
  project.name = "writer";
  project.owner = "store_writer_bench";
  auto created = db->CreateProject(project);
  if (!created.ok()) Die("create project", created.status());

  // Calls of InsertSamples, built before the clock starts.
  std::vector<std::vector<store::NewSample>> calls;
  for (int64_t i = 0; i < o.samples; i += o.per_call) {
    std::vector<store::NewSample> call;
    for (int64_t k = i; k < std::min(o.samples, i + o.per_call); ++k) {
      call.push_back(MakeSample(created->id, k));
    }
    calls.push_back(std::move(call));
  }

  std::atomic<size_t> next_call{0};
  std::atomic<bool> failed{false};
  const ThreadSnapshot before = SnapshotThreads();
  const int64_t cpu0 = ProcessCpuNanos();
  const int64_t t0 = MonotonicNanos();
  std::vector<std::thread> callers;
  for (int t = 0; t < o.threads; ++t) {
    callers.emplace_back([&] {
      for (size_t c = next_call++; c < calls.size(); c = next_call++) {
        for (const auto& r : db->InsertSamples(std::move(calls[c]))) {
          if (!r.ok() && !failed.exchange(true)) {
            std::fprintf(stderr, "store_writer_bench: InsertSamples: %s\n",
                         r.status().ToString().c_str());
          }
        }
      }
    });
  }
  for (std::thread& t : callers) t.join();
  const double seconds = static_cast<double>(MonotonicNanos() - t0) / 1e9;
  const ThreadSnapshot after = SnapshotThreads();
  const int64_t process_cpu_ns = ProcessCpuNanos() - cpu0;
  if (failed) return 1;

  const ThreadTimes store_threads = Delta(before, after, store_tids);
  const auto stats = db->Stats();
  if (!stats.ok()) Die("stats", stats.status());
  const bool verified = stats->samples == o.samples && stats->blob_count == o.samples;
  const double n = static_cast<double>(o.samples);
  std::printf(
      "store_writer_bench  samples=%lld threads=%d per_call=%d  %.2f s  %.0f samples/s\n"
      "writer threads CPU  %.1f us/sample   (writer + blob-write helper)\n"
      "process CPU         %.1f us/sample   (the callers too: they hash and encode samples)\n"
      "database            %.1f MB (with WAL)   stored==inserted %s\n",
      static_cast<long long>(o.samples), o.threads, o.per_call, seconds, n / seconds,
      static_cast<double>(store_threads.on_cpu_ns) / 1e3 / n,
      static_cast<double>(process_cpu_ns) / 1e3 / n,
      static_cast<double>(stats->database_bytes) / 1e6, verified ? "ok" : "MISMATCH");
  db.reset();
  if (!o.keep_data) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  return verified ? 0 : 1;
}

}  // namespace
}  // namespace tinyloop::bench

int main(int argc, char** argv) {
  tinyloop::bench::WriterOptions options;
  if (!tinyloop::bench::Parse(argc, argv, options)) return 2;
  return tinyloop::bench::Run(options);
}
