// Command-line options of ingest_bench (see README.md), with their defaults. Part of bench/.
#pragma once

#include <cstddef>
#include <string>

namespace tinyloop::bench {

struct Options {
  double seconds = 4;         // duration cap of parts (i) and (ii)
  // 256 samples in flight in both parts: a fleet's devices upload independently, and the
  // group commit needs requests in flight to fill its batches (with 48, latency, not CPU,
  // bounds the rate: 48 / ~4 ms).
  int threads = 256;          // (i); as many in flight as (ii) by default
  int clients = 256;          // (ii): keep-alive connections, one request outstanding each
  int client_threads = 1;     // (ii): event-loop threads sharing the connections
  size_t samples = 0;         // per part; 0: 40,000 x seconds
  double raw_seconds = 0.75;  // per raw-store case
  std::string tmp_root;       // parent of the fresh data dirs
  bool keep_data = false;
  std::string part = "all";  // all, in_process, http or raw
};

// Prints the flags and their defaults to stdout.
void PrintUsage();

// Parses argv into `o` (defaults for what is absent; --help prints usage and exits 0).
// Returns false, after printing why to stderr, for an unknown flag or a bad value.
bool ParseOptions(int argc, char** argv, Options& o);

}  // namespace tinyloop::bench
