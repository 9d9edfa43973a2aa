// Part (iii) of ingest_bench: the store alone, from one thread. SqliteStore::InsertSamples
// with 1 or 64 samples per call, each call one transaction (WAL, synchronous=FULL), with the
// body blob already stored (so only SQLite commits) or a new blob per sample (blob files and
// their syncfs as well). Gives transactions/s vs rows/s, the figure the ingestion issue quotes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tinyloop::bench {

struct RawCase {
  std::string name;
  int rows_per_tx = 1;
  bool new_blobs = false;
  int64_t transactions = 0;
  int64_t rows = 0;
  double seconds = 0;

  double tx_per_s() const { return seconds > 0 ? static_cast<double>(transactions) / seconds : 0; }
  double rows_per_s() const { return seconds > 0 ? static_cast<double>(rows) / seconds : 0; }
};

struct RawStoreResult {
  std::vector<RawCase> cases;
  bool verified = false;  // the store holds exactly the rows inserted
};

// Opens a fresh store in `data_dir` (which must be empty) and runs each case for `seconds`.
// Exits the process with a message when the store fails.
RawStoreResult RunRawStoreCases(const std::string& data_dir, double seconds);

}  // namespace tinyloop::bench
