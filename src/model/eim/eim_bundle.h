// The .eim bundle: what `tinyloop compile --target eim` appends to the generic runner executable
// (src/model/eim/eim_main.cc) so that one file holds the runner, the impulse (DSP config),
// model.tflite, labels and the optional anomaly block. Layout: named sections, then a 16-byte
// trailer (u64 little-endian payload size, magic "TLEIMv1\0") at the very end of the file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace tinyloop::model {

struct EimBundle {
  std::string impulse_json;           // impulse.json text (input block, DSP, labels)
  std::vector<uint8_t> model_tflite;  // the classifier
  std::string labels_txt;             // one label per line
  std::string anomaly_json;           // anomaly.json text; empty: no anomaly block
};

// The bytes to append to a runner executable: the sections followed by the trailer.
std::vector<uint8_t> EncodeEimBundle(const EimBundle& bundle);

// Reads the bundle at the end of `file` (a whole .eim). InvalidArgument when the trailer is
// missing ("not a tinyloop .eim") or a section is truncated or unknown.
StatusOr<EimBundle> DecodeEimBundle(const std::vector<uint8_t>& file);

}  // namespace tinyloop::model
