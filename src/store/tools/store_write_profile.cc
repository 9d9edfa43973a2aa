// A small driver for profiling the SQLite store's write path (not a benchmark: bench/ holds
// those). Inserts samples shaped like the ingest benchmark's (3 axes x 20 rows, ~880-byte
// body) from one thread, `batch` per InsertSamples call, and prints rows/s. Run it under
// `valgrind --tool=callgrind --separate-threads=yes` to see where the writer thread's
// instructions go per sample.
//
//   store_write_profile <empty data dir> [rows=20000] [batch=64] [new_blobs=1]
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/crypto.h"
#include "store/sqlite_store.h"

int main(int argc, char** argv) {
  using namespace tinyloop;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <empty data dir> [rows] [batch] [new_blobs]\n", argv[0]);
    return 2;
  }
  const int64_t rows = argc > 2 ? std::atoll(argv[2]) : 20000;
  const int batch_size = argc > 3 ? std::atoi(argv[3]) : 64;
  const bool new_blobs = argc > 4 ? std::atoi(argv[4]) != 0 : true;
  auto opened = store::SqliteStore::Open(argv[1]);
  if (!opened.ok()) {
    std::fprintf(stderr, "open: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  std::unique_ptr<store::SqliteStore> db = std::move(*opened);
  store::Project project;
  project.name = "profile";
  auto created = db->CreateProject(project);
  if (!created.ok()) return 1;

  store::NewSample base;
  base.sample.project_id = created->id;
  base.sample.category = "training";
  base.sample.label = "idle";
  base.sample.file_name = "idle.json";
  base.sample.content_type = "application/json";
  base.sample.interval_ms = 10;
  base.sample.axes = {{"accX", "m/s2"}, {"accY", "m/s2"}, {"accZ", "m/s2"}};
  base.sample.length = 20;
  base.values.assign(60, 0.5f);
  base.body = std::string(880, 'x');
  int64_t serial = 0;
  const int64_t t0 = MonotonicNanos();
  while (serial < rows) {
    std::vector<store::NewSample> batch(static_cast<size_t>(batch_size), base);
    for (auto& s : batch) {
      const std::string id = std::to_string(++serial);
      s.sample.values_sha256 = Sha256Hex(id);
      if (new_blobs) s.body.replace(0, id.size(), id);
    }
    for (const auto& r : db->InsertSamples(std::move(batch))) {
      if (!r.ok()) {
        std::fprintf(stderr, "insert: %s\n", r.status().ToString().c_str());
        return 1;
      }
    }
  }
  const double seconds = static_cast<double>(MonotonicNanos() - t0) / 1e9;
  std::printf("%lld rows in %.3f s: %.0f rows/s (batch %d, new blobs %d)\n",
              static_cast<long long>(serial), seconds, static_cast<double>(serial) / seconds,
              batch_size, new_blobs ? 1 : 0);
  return 0;
}
