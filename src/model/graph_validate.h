// Semantic validation of a model IR Graph (model/ir.h): tensor indices, data flow order,
// constant data sizes, quantization parameters, and each op's arity and shapes. Used by the
// .tflite importer and exporter and by the runtime-program lowering. Host-only.
#pragma once

#include "base/status.h"
#include "model/ir.h"

namespace tinyloop::model {

// Ok when `g` is well formed. Errors: InvalidArgument naming the tensor or operator and the
// broken rule, e.g. "operator 3 (CONV_2D): bias tensor 7 'b' has 16 elements, output has 8
// channels". Does not check that a runtime kernel exists for every op.
Status ValidateGraph(const Graph& g);

}  // namespace tinyloop::model
