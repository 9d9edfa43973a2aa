// Server metrics in the Prometheus text exposition format (version 0.0.4): samples accepted
// and rejected by reason, request latency histograms per route, store size. Counters are
// updated from request threads; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "store/metadata_store.h"

namespace tinyloop::api {

class Metrics {
 public:
  // Upper bounds (seconds) of the latency histogram buckets, +Inf implied.
  static constexpr std::array<double, 14> kLatencyBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  void ObserveRequest(const std::string& route, int http_status, double seconds);
  void CountAccepted(const std::string& category, int64_t n = 1);
  // `reason`: a Status code name such as "invalid_argument" or "unauthenticated".
  void CountRejected(const std::string& reason, int64_t n = 1);

  // The exposition text; `stats` adds the store gauges.
  std::string Render(const store::StoreStats& stats) const;

 private:
  struct Histogram {
    std::array<uint64_t, kLatencyBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::string, int64_t> accepted_;                    // by category
  std::map<std::string, int64_t> rejected_;                    // by reason
  std::map<std::pair<std::string, int>, uint64_t> requests_;   // by route, status
  std::map<std::string, Histogram> latency_;                   // by route
};

}  // namespace tinyloop::api
