// .tflite import: TensorFlow Lite flatbuffer bytes -> tinyloop's model IR (model/ir.h).
// The flatbuffers Verifier runs first, then semantic validation (single subgraph, op allowlist,
// tensor shapes and types, buffer bounds, quantization parameters, tensor indices).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/status.h"
#include "model/ir.h"

namespace tinyloop::model {

// Parses and validates a .tflite model. Thread-safe (no shared state).
// Result: a Graph whose ops are the TFLite operators in execution order.
// Errors: InvalidArgument naming the offending field (e.g. "tensor 12 'conv2d/weights': buffer
// holds 100 bytes, shape [8,3,3,3] INT8 needs 216") for malformed or inconsistent models, and
// for an op outside the allowlist ("operator 4: unsupported op TANH (builtin code 28)");
// Unimplemented for valid TFLite features tinyloop does not read (sparse tensors, external
// buffers, several subgraphs).
StatusOr<Graph> ImportTflite(const uint8_t* data, size_t size);
StatusOr<Graph> ImportTflite(const std::vector<uint8_t>& bytes);

}  // namespace tinyloop::model
