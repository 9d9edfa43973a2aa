// The mapping between tinyloop's OpType and TFLite's BuiltinOperator codes, shared by the
// .tflite importer and exporter. Host-only, internal to src/model.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "model/ir.h"

namespace tinyloop::model::tflite_ops {

// The OpType for a TFLite builtin code, or nullopt when tinyloop does not support it.
std::optional<OpType> FromBuiltinCode(int32_t code);

// TFLite's builtin code for `type`.
int32_t ToBuiltinCode(OpType type);

// The operator version the exporter writes for `type` with activations of `dtype`.
int32_t OpVersion(OpType type, DType dtype);

// "TANH (builtin code 28)" style name of any builtin code, for error messages.
std::string BuiltinCodeName(int32_t code);

}  // namespace tinyloop::model::tflite_ops
