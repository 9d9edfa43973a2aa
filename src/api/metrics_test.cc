#include "api/metrics.h"

#include <gtest/gtest.h>

namespace tinyloop::api {
namespace {

TEST(MetricsTest, RendersCountersAndCumulativeHistogram) {
  Metrics m;
  m.CountAccepted("training", 3);
  m.CountRejected("unauthenticated");
  m.ObserveRequest("ingest_data", 200, 0.002);
  m.ObserveRequest("ingest_data", 200, 0.2);
  store::StoreStats stats;
  stats.samples = 3;
  stats.blob_bytes = 1234;
  const std::string text = m.Render(stats);
  EXPECT_NE(text.find("tinyloop_ingest_samples_accepted_total{category=\"training\"} 3"),
            std::string::npos);
  EXPECT_NE(text.find("tinyloop_ingest_samples_rejected_total{reason=\"unauthenticated\"} 1"),
            std::string::npos);
  // 0.002 s falls in le=0.0025 and above; 0.2 s only from le=0.25.
  EXPECT_NE(text.find("route=\"ingest_data\",le=\"0.0025\"} 1"), std::string::npos);
  EXPECT_NE(text.find("route=\"ingest_data\",le=\"0.25\"} 2"), std::string::npos);
  EXPECT_NE(text.find("route=\"ingest_data\",le=\"+Inf\"} 2"), std::string::npos);
  EXPECT_NE(text.find("tinyloop_store_bytes{part=\"blobs\"} 1234"), std::string::npos);
  EXPECT_NE(text.find("tinyloop_store_samples 3"), std::string::npos);
}

}  // namespace
}  // namespace tinyloop::api
