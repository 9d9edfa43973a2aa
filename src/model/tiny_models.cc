#include "model/tiny_models.h"

#include "flatbuffers/flatbuffers.h"
#include "model/tflite_generated.h"

namespace tinyloop::model::testing {

std::vector<uint8_t> BuildTinyConvModel(const TinyConvSpec& spec) {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<uint8_t> filter(spec.filter_bytes);
  for (size_t i = 0; i < filter.size(); ++i) filter[i] = static_cast<uint8_t>((i * 37) % 11 - 5);
  const std::vector<int32_t> bias_values = {7, -20};
  std::vector<uint8_t> bias(8);
  for (int i = 0; i < 2; ++i) {
    for (int b = 0; b < 4; ++b) bias[4 * i + b] = static_cast<uint8_t>(bias_values[i] >> (8 * b));
  }
  std::vector<flatbuffers::Offset<tflite::Buffer>> buffers = {
      tflite::CreateBuffer(fbb), tflite::CreateBuffer(fbb, fbb.CreateVector(filter)),
      tflite::CreateBuffer(fbb, fbb.CreateVector(bias))};
  auto quant = [&](std::vector<float> scale, std::vector<int64_t> zp, int axis = 0) {
    return tflite::CreateQuantizationParameters(fbb, 0, 0, fbb.CreateVector(scale),
                                                fbb.CreateVector(zp),
                                                tflite::QuantizationDetails_NONE, 0, axis);
  };
  auto shape = [&](std::vector<int32_t> s) { return fbb.CreateVector(s); };
  const auto filter_quant = spec.per_channel ? quant({0.25f, 0.125f}, {0, 0}) : quant({0.25f}, {0});
  std::vector<flatbuffers::Offset<tflite::Tensor>> tensors = {
      tflite::CreateTensor(fbb, shape({1, 4, 4, 1}), tflite::TensorType_INT8, 0,
                           fbb.CreateString("input"), quant({0.5f}, {-1})),
      tflite::CreateTensor(fbb, shape({2, 3, 3, 1}), tflite::TensorType_INT8, spec.filter_buffer,
                           fbb.CreateString("conv/filter"), filter_quant),
      tflite::CreateTensor(fbb, shape({2}), tflite::TensorType_INT32, 2,
                           fbb.CreateString("conv/bias"), quant({0.125f, 0.0625f}, {0, 0})),
      tflite::CreateTensor(fbb, shape({1, 2, 2, spec.output_channels}), tflite::TensorType_INT8, 0,
                           fbb.CreateString("output"), quant({0.25f}, {3})),
  };
  const auto options = tflite::CreateConv2DOptions(fbb, tflite::Padding_VALID, 1, 1,
                                                   tflite::ActivationFunctionType_NONE);
  const std::vector<int32_t> op_inputs = {0, 1, 2};
  const std::vector<int32_t> op_outputs = {3};
  const auto op =
      tflite::CreateOperator(fbb, 0, fbb.CreateVector(op_inputs), fbb.CreateVector(op_outputs),
                             tflite::BuiltinOptions_Conv2DOptions, options.Union());
  const std::vector<int32_t> io_in = {0}, io_out = {3};
  const auto subgraph =
      tflite::CreateSubGraph(fbb, fbb.CreateVector(tensors), fbb.CreateVector(io_in),
                             fbb.CreateVector(io_out), fbb.CreateVector(&op, 1));
  const auto code =
      tflite::CreateOperatorCode(fbb, spec.deprecated_builtin_code, 0, 1,
                                 static_cast<tflite::BuiltinOperator>(spec.builtin_code));
  const auto model =
      tflite::CreateModel(fbb, 3, fbb.CreateVector(&code, 1), fbb.CreateVector(&subgraph, 1),
                          fbb.CreateString("tiny"), fbb.CreateVector(buffers));
  tflite::FinishModelBuffer(fbb, model);
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

}  // namespace tinyloop::model::testing
