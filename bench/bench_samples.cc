#include "bench_samples.h"

#include <pthread.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <iterator>

#include "base/crypto.h"
#include "base/json.h"
#include "base/status.h"
#include "formats/acquisition.h"

namespace tinyloop::bench {
namespace {

constexpr std::string_view kSignatureField = "\"signature\":\"";
constexpr size_t kSignatureHexLength = 64;
constexpr const char* kLabels[] = {"idle", "fan_low", "fan_high", "wobble"};

// splitmix64: a tiny seeded generator, so sample i is the same on every run.
uint64_t NextRandom(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Uniform in [-1, 1).
double NextUnit(uint64_t& state) {
  return static_cast<double>(NextRandom(state) >> 11) * (2.0 / 9007199254740992.0) - 1.0;
}

// Five decimals keep a 3 x 20 body near 900 bytes, the size the ingestion issue talks about.
double Round5(double v) { return std::round(v * 1e5) / 1e5; }

// Template documents: their first value is kSlotText, which MakeSignedSamples overwrites with
// "1.dddddd" (distinct float32 values), so one template yields kSlotVariants distinct samples
// at the cost of a copy and an HMAC each.
constexpr std::string_view kSlotText = "1.000001";
constexpr size_t kSlotVariants = 999999;
constexpr size_t kTemplates = 256;

Json MakeTemplate(size_t index, const SampleShape& shape) {
  uint64_t state = 0x74696e796c6f6f70ULL ^ (index * 0x100000001b3ULL);
  static const char* const kAxisNames[] = {"accX", "accY", "accZ", "gyrX", "gyrY", "gyrZ"};
  Json sensors = Json::array();
  for (int a = 0; a < shape.axes; ++a) {
    const std::string name = a < 6 ? kAxisNames[a] : "axis" + std::to_string(a);
    sensors.push_back({{"name", name}, {"units", "m/s2"}});
  }
  const double phase = NextUnit(state) * 3.14159;
  const double freq = 0.3 + 0.05 * NextUnit(state);
  Json values = Json::array();
  for (int r = 0; r < shape.rows; ++r) {
    Json row = Json::array();
    for (int a = 0; a < shape.axes; ++a) {
      const double gravity = a == 2 ? 9.80665 : 0.0;
      const double vibration = 0.8 * std::sin(phase + freq * r + a);
      row.push_back(r == 0 && a == 0 ? 1.000001
                                     : Round5(gravity + vibration + 0.05 * NextUnit(state)));
    }
    values.push_back(std::move(row));
  }
  Json doc;
  doc["protected"] = {{"ver", "v1"}, {"alg", "HS256"}, {"iat", 1700000000 + index}};
  doc["signature"] = "";
  doc["payload"] = {{"device_name", "bench-" + std::to_string(index)},
                    {"device_type", "TINYLOOP_BENCH"},
                    {"interval_ms", 10},
                    {"sensors", std::move(sensors)},
                    {"values", std::move(values)}};
  return doc;
}

void ResignOne(std::string& body, const std::string& hmac_key) {
  const size_t at = body.find(kSignatureField);
  TL_CHECK(at != std::string::npos);
  const size_t offset = at + kSignatureField.size();
  TL_CHECK(offset + kSignatureHexLength <= body.size());
  std::memset(body.data() + offset, '0', kSignatureHexLength);
  const std::string hex = HexEncode(HmacSha256(hmac_key, body));
  std::memcpy(body.data() + offset, hex.data(), kSignatureHexLength);
}

}  // namespace

std::vector<BenchSample> MakeSignedSamples(size_t count, const SampleShape& shape,
                                           const std::string& hmac_key, int threads) {
  TL_CHECK(count <= kTemplates * kSlotVariants);
  // Templates are serialized by the real signer, so the bytes are exactly what Edge Impulse
  // clients send; each sample then differs from its template in the first value only.
  const size_t templates = std::min(count, kTemplates);
  std::vector<std::string> bodies(templates);
  std::vector<size_t> slots(templates);
  ParallelFor(templates, threads, [&](size_t begin, size_t end) {
    for (size_t t = begin; t < end; ++t) {
      bodies[t] = formats::SignAcquisition(MakeTemplate(t, shape), hmac_key,
                                           formats::AcquisitionEncoding::kJson);
      slots[t] = bodies[t].find(std::string("\"values\":[[") + std::string(kSlotText));
      TL_CHECK(slots[t] != std::string::npos);
      slots[t] += std::string_view("\"values\":[[").size();
    }
  });
  std::vector<BenchSample> samples(count);
  ParallelFor(count, threads, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const size_t t = i % templates;
      const size_t variant = i / templates + 1;  // 1..kSlotVariants: "1.000001".."1.999999"
      samples[i].file_name =
          std::string(kLabels[i % std::size(kLabels)]) + "." + std::to_string(i) + ".json";
      std::string body = bodies[t];
      char digits[24];
      std::snprintf(digits, sizeof(digits), "%06zu", variant);
      std::memcpy(body.data() + slots[t] + 2, digits, 6);
      ResignOne(body, hmac_key);
      samples[i].body = std::move(body);
    }
  });
  return samples;
}

void Resign(std::vector<BenchSample>& samples, const std::string& hmac_key, int threads) {
  ParallelFor(samples.size(), threads, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) ResignOne(samples[i].body, hmac_key);
  });
}

void NameThisThread(const char* name) { ::pthread_setname_np(::pthread_self(), name); }

LatencySummary Summarize(std::vector<int64_t> latencies_ns) {
  LatencySummary out;
  out.count = latencies_ns.size();
  if (latencies_ns.empty()) return out;
  std::sort(latencies_ns.begin(), latencies_ns.end());
  auto rank = [&](double q) {
    size_t k = static_cast<size_t>(std::ceil(q * static_cast<double>(latencies_ns.size())));
    k = std::min(std::max<size_t>(k, 1), latencies_ns.size());
    return static_cast<double>(latencies_ns[k - 1]) / 1e6;
  };
  out.p50_ms = rank(0.50);
  out.p90_ms = rank(0.90);
  out.p99_ms = rank(0.99);
  out.max_ms = static_cast<double>(latencies_ns.back()) / 1e6;
  double sum = 0;
  for (int64_t v : latencies_ns) sum += static_cast<double>(v);
  out.mean_ms = sum / static_cast<double>(latencies_ns.size()) / 1e6;
  return out;
}

}  // namespace tinyloop::bench
