#include "api/metrics.h"

#include <cstdio>
#include <cstdlib>

namespace tinyloop::api {
namespace {

std::string FormatDouble(double v) {
  // Shortest text that reads back as the same double ("0.0025", not "0.0025000000000000001").
  char buf[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

// Label values are route names and code names we choose, but escape anyway.
std::string EscapeLabel(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

void Metrics::ObserveRequest(const std::string& route, int http_status, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{route, http_status}];
  Histogram& h = latency_[route];
  for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    if (seconds <= kLatencyBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::CountAccepted(const std::string& category, int64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  accepted_[category] += n;
}

void Metrics::CountRejected(const std::string& reason, int64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  rejected_[reason] += n;
}

std::string Metrics::Render(const store::StoreStats& stats) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  out += "# HELP tinyloop_ingest_samples_accepted_total Samples stored, by category.\n";
  out += "# TYPE tinyloop_ingest_samples_accepted_total counter\n";
  for (const char* category : {"training", "testing", "anomaly"}) {
    auto it = accepted_.find(category);
    out += "tinyloop_ingest_samples_accepted_total{category=\"" + std::string(category) + "\"} " +
           std::to_string(it == accepted_.end() ? 0 : it->second) + "\n";
  }
  out += "# HELP tinyloop_ingest_samples_rejected_total Samples refused, by reason.\n";
  out += "# TYPE tinyloop_ingest_samples_rejected_total counter\n";
  for (const auto& [reason, n] : rejected_) {
    out += "tinyloop_ingest_samples_rejected_total{reason=\"" + EscapeLabel(reason) + "\"} " +
           std::to_string(n) + "\n";
  }
  out += "# HELP tinyloop_http_requests_total HTTP requests served, by route and status.\n";
  out += "# TYPE tinyloop_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    out += "tinyloop_http_requests_total{route=\"" + EscapeLabel(key.first) + "\",status=\"" +
           std::to_string(key.second) + "\"} " + std::to_string(n) + "\n";
  }
  out += "# HELP tinyloop_http_request_duration_seconds Time from request parsed to response.\n";
  out += "# TYPE tinyloop_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    const std::string label = "route=\"" + EscapeLabel(route) + "\"";
    for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
      out += "tinyloop_http_request_duration_seconds_bucket{" + label + ",le=\"" +
             FormatDouble(kLatencyBuckets[i]) + "\"} " + std::to_string(h.buckets[i]) + "\n";
    }
    out += "tinyloop_http_request_duration_seconds_bucket{" + label + ",le=\"+Inf\"} " +
           std::to_string(h.count) + "\n";
    out += "tinyloop_http_request_duration_seconds_sum{" + label + "} " + FormatDouble(h.sum) +
           "\n";
    out += "tinyloop_http_request_duration_seconds_count{" + label + "} " +
           std::to_string(h.count) + "\n";
  }
  out += "# HELP tinyloop_store_samples Samples held in the store.\n";
  out += "# TYPE tinyloop_store_samples gauge\n";
  out += "tinyloop_store_samples " + std::to_string(stats.samples) + "\n";
  out += "# HELP tinyloop_store_bytes Bytes on disk, by part of the store.\n";
  out += "# TYPE tinyloop_store_bytes gauge\n";
  out += "tinyloop_store_bytes{part=\"database\"} " + std::to_string(stats.database_bytes) + "\n";
  out += "tinyloop_store_bytes{part=\"blobs\"} " + std::to_string(stats.blob_bytes) + "\n";
  out += "# HELP tinyloop_store_blobs Content-addressed blobs held.\n";
  out += "# TYPE tinyloop_store_blobs gauge\n";
  out += "tinyloop_store_blobs " + std::to_string(stats.blob_count) + "\n";
  return out;
}

}  // namespace tinyloop::api
