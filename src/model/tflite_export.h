// .tflite export: tinyloop's model IR (model/ir.h) -> TensorFlow Lite flatbuffer bytes, so models
// trained or quantized by tinyloop run in TFLite / TFLite Micro and re-import unchanged.
#pragma once

#include <cstdint>
#include <vector>

#include "base/status.h"
#include "model/ir.h"

namespace tinyloop::model {

// Serializes `graph` as a single-subgraph TFLite model (schema version 3, identifier "TFL3"),
// one buffer per constant tensor (16-byte aligned), buffer 0 the empty sentinel.
// ImportTflite(ExportTflite(g)) == g for every graph ImportTflite produces.
// Errors: InvalidArgument when `graph` fails ValidateGraph (model/graph_validate.h).
StatusOr<std::vector<uint8_t>> ExportTflite(const Graph& graph);

}  // namespace tinyloop::model
