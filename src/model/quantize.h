// Int8 post-training quantization of a float model IR Graph, following the TFLite quantization
// spec: per-channel symmetric int8 weights for CONV_2D / DEPTHWISE_CONV_2D, per-tensor for
// FULLY_CONNECTED, int32 biases (scale = input scale x weight scale), asymmetric int8
// activations whose ranges come from running the float graph in tinyloop's runtime on
// calibration inputs. Host-only; part of src/model, below train and impulse.
#pragma once

#include <vector>

#include "base/status.h"
#include "model/ir.h"

namespace tinyloop::model {

// Calibration inputs for the graph's single input: `examples` rows of
// element_count(input) float values each, row-major.
struct CalibrationData {
  std::vector<float> values;
  int64_t examples = 0;
};

struct QuantizeOptions {
  // true: the graph's input and output become int8 tensors (the caller quantizes/dequantizes).
  // false (default): float32 input and output, with QUANTIZE after the input and DEQUANTIZE
  // before the output, so the quantized graph is a drop-in replacement for the float one.
  bool int8_io = false;
};

// The int8 version of `float_graph` (one float32 input, one float32 output; ops CONV_2D,
// DEPTHWISE_CONV_2D, FULLY_CONNECTED, pools, ADD, MUL, RESHAPE, SOFTMAX, MEAN, RELU, RELU6,
// LOGISTIC, TANH, PAD). Activation ranges are the min/max (always including 0) over every
// calibration example, computed by the runtime's reference float kernels; SOFTMAX/LOGISTIC
// outputs use scale 1/256, zero point -128; TANH 1/128, 0; RESHAPE, pools and PAD keep their
// input's parameters. Errors: InvalidArgument for an invalid or already-quantized graph, more
// than one input or output, or calibration data of the wrong size or with no example;
// Unimplemented for an op outside the list; errors of the lowering for the calibration run.
StatusOr<Graph> QuantizeInt8(const Graph& float_graph, const CalibrationData& calibration,
                             const QuantizeOptions& options = {});

}  // namespace tinyloop::model
