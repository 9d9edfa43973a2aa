#include "raw_store_bench.h"

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "base/clock.h"
#include "base/crypto.h"
#include "store/sqlite_store.h"

namespace tinyloop::bench {
namespace {

[[noreturn]] void Die(const std::string& what, const Status& status) {
  std::fprintf(stderr, "ingest_bench: %s: %s\n", what.c_str(), status.ToString().c_str());
  std::exit(1);
}

}  // namespace

RawStoreResult RunRawStoreCases(const std::string& data_dir, double seconds) {
  RawStoreResult out;
  out.cases = {{"1 row/tx, body blob already stored", 1, false},
               {"64 rows/tx, body blob already stored", 64, false},
               {"1 row/tx, new body blob each", 1, true},
               {"64 rows/tx, new body blobs", 64, true}};
  auto opened = store::SqliteStore::Open(data_dir);
  if (!opened.ok()) Die("open store in " + data_dir, opened.status());
  std::unique_ptr<store::SqliteStore> db = std::move(*opened);
  store::Project project;
  project.name = "raw";
  project.owner = "ingest_bench";
  project.hmac_key = "0123456789abcdef0123456789abcdef";
  auto created = db->CreateProject(project);
  if (!created.ok()) Die("create project", created.status());

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
  base.body = std::string(880, 'x');  // the size of a bench acquisition body
  int64_t serial = 0;
  int64_t total_rows = 0;
  for (RawCase& c : out.cases) {
    const int64_t t0 = MonotonicNanos();
    const int64_t end = t0 + static_cast<int64_t>(seconds * 1e9);
    while (MonotonicNanos() < end) {
      std::vector<store::NewSample> batch(static_cast<size_t>(c.rows_per_tx), base);
      for (auto& s : batch) {
        // Distinct values hashes, so no row is a duplicate; the body changes only when the
        // case wants new blobs (the store skips blobs it already holds).
        const std::string id = std::to_string(++serial);
        s.sample.values_sha256 = Sha256Hex(id);
        if (c.new_blobs) s.body.replace(0, id.size(), id);
      }
      for (const auto& r : db->InsertSamples(std::move(batch))) {
        if (!r.ok()) Die("raw InsertSamples", r.status());
      }
      ++c.transactions;
      c.rows += c.rows_per_tx;
    }
    c.seconds = static_cast<double>(MonotonicNanos() - t0) / 1e9;
    total_rows += c.rows;
  }
  store::SampleFilter filter;
  filter.project_id = created->id;
  filter.limit = 1;
  auto list = db->ListSamples(filter);
  out.verified = list.ok() && list->total == total_rows;
  return out;
}

}  // namespace tinyloop::bench
