// Benchmark inputs and statistics: distinct HMAC-signed Edge Impulse acquisition JSON samples
// (built with formats::SignAcquisition), re-signing them for another project's key, and a
// latency summary. Part of bench/; nothing here is used by the product.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace tinyloop::bench {

struct SampleShape {
  int axes = 3;   // accX, accY, accZ (m/s2)
  int rows = 20;  // time steps, 10 ms apart
};

// One sample ready to ingest.
struct BenchSample {
  std::string file_name;  // "<label>.<index>.json", so the label is inferred from it
  std::string body;       // acquisition JSON, HS256-signed
};

// `count` samples whose values all differ, so neither body blobs nor values hashes repeat:
// 256 template documents (seeded vibration-like values, serialized and signed by
// formats::SignAcquisition), each sample a template with its first value rewritten to a
// distinct "1.dddddd" and signed again. Signed with `hmac_key`. Uses up to `threads` threads.
std::vector<BenchSample> MakeSignedSamples(size_t count, const SampleShape& shape,
                                           const std::string& hmac_key, int threads);

// Re-signs every body in place for `hmac_key` (the signature field is rewritten exactly as
// SignAcquisition writes it: HMAC-SHA256 over the body with the signature set to 64 '0').
void Resign(std::vector<BenchSample>& samples, const std::string& hmac_key, int threads);

// Latencies in nanoseconds; percentiles by nearest rank.
struct LatencySummary {
  size_t count = 0;
  double p50_ms = 0;
  double p90_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
  double mean_ms = 0;
};
LatencySummary Summarize(std::vector<int64_t> latencies_ns);

// Names the calling thread (at most 15 characters), for top -H and perf --comms.
void NameThisThread(const char* name);

// Runs fn(begin, end) over [0, count) split into `threads` contiguous ranges, and joins.
// The threads are named "bench-prep" so profiles can leave input preparation out.
template <typename Fn>
void ParallelFor(size_t count, int threads, Fn fn) {
  const size_t n = static_cast<size_t>(std::max(1, threads));
  const size_t per = (count + n - 1) / n;
  std::vector<std::thread> pool;
  for (size_t begin = 0; begin < count; begin += per) {
    const size_t end = std::min(count, begin + per);
    pool.emplace_back([&fn, begin, end] {
      NameThisThread("bench-prep");
      fn(begin, end);
    });
  }
  for (auto& th : pool) th.join();
}

}  // namespace tinyloop::bench
