#include "model/eim/eim_bundle.h"

#include <cstring>

namespace tinyloop::model {
namespace {

constexpr char kMagic[8] = {'T', 'L', 'E', 'I', 'M', 'v', '1', '\0'};
constexpr size_t kTrailerBytes = 16;

void PutU64(uint64_t v, std::vector<uint8_t>* out) {
  for (int i = 0; i < 8; ++i) out->push_back(uint8_t(v >> (8 * i)));
}

uint64_t GetU64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

void PutSection(const std::string& name, const uint8_t* data, size_t size,
                std::vector<uint8_t>* out) {
  PutU64(name.size(), out);
  out->insert(out->end(), name.begin(), name.end());
  PutU64(size, out);
  out->insert(out->end(), data, data + size);
}

}  // namespace

std::vector<uint8_t> EncodeEimBundle(const EimBundle& bundle) {
  std::vector<uint8_t> out;
  auto text = [](const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); };
  PutSection("impulse.json", text(bundle.impulse_json), bundle.impulse_json.size(), &out);
  PutSection("model.tflite", bundle.model_tflite.data(), bundle.model_tflite.size(), &out);
  PutSection("labels.txt", text(bundle.labels_txt), bundle.labels_txt.size(), &out);
  if (!bundle.anomaly_json.empty()) {
    PutSection("anomaly.json", text(bundle.anomaly_json), bundle.anomaly_json.size(), &out);
  }
  const uint64_t payload = out.size();
  PutU64(payload, &out);
  out.insert(out.end(), kMagic, kMagic + sizeof(kMagic));
  return out;
}

StatusOr<EimBundle> DecodeEimBundle(const std::vector<uint8_t>& file) {
  if (file.size() < kTrailerBytes ||
      std::memcmp(file.data() + file.size() - 8, kMagic, sizeof(kMagic)) != 0) {
    return InvalidArgumentError("not a tinyloop .eim: no bundle trailer");
  }
  const uint64_t payload = GetU64(file.data() + file.size() - kTrailerBytes);
  if (payload > file.size() - kTrailerBytes) {
    return InvalidArgumentError("eim bundle: payload size " + std::to_string(payload) +
                                " exceeds the file");
  }
  const uint8_t* p = file.data() + (file.size() - kTrailerBytes - payload);
  const uint8_t* end = p + payload;
  EimBundle bundle;
  while (p < end) {
    if (end - p < 8) return InvalidArgumentError("eim bundle: truncated section name");
    const uint64_t name_size = GetU64(p);
    p += 8;
    if (uint64_t(end - p) < name_size + 8) return InvalidArgumentError("eim bundle: truncated");
    const std::string name(reinterpret_cast<const char*>(p), name_size);
    p += name_size;
    const uint64_t size = GetU64(p);
    p += 8;
    if (uint64_t(end - p) < size) {
      return InvalidArgumentError("eim bundle: section " + name + " is truncated");
    }
    const std::string text(reinterpret_cast<const char*>(p), size);
    if (name == "impulse.json") {
      bundle.impulse_json = text;
    } else if (name == "model.tflite") {
      bundle.model_tflite.assign(p, p + size);
    } else if (name == "labels.txt") {
      bundle.labels_txt = text;
    } else if (name == "anomaly.json") {
      bundle.anomaly_json = text;
    } else {
      return InvalidArgumentError("eim bundle: unknown section " + name);
    }
    p += size;
  }
  if (bundle.impulse_json.empty() || bundle.model_tflite.empty()) {
    return InvalidArgumentError("eim bundle: impulse.json or model.tflite is missing");
  }
  return bundle;
}

}  // namespace tinyloop::model
