#include "train/nn_spec.h"

#include <gtest/gtest.h>

namespace tinyloop::train {
namespace {

StatusOr<NnSpec> Parse(const std::string& text) {
  StatusOr<Json> json = ParseJson(text);
  EXPECT_TRUE(json.ok()) << json.status().ToString();
  return NnSpecFromJson(*json);
}

void ExpectError(const std::string& text, const std::string& message) {
  StatusOr<NnSpec> spec = Parse(text);
  ASSERT_FALSE(spec.ok()) << text;
  EXPECT_EQ(spec.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(spec.status().message().find(message), std::string::npos)
      << "got: " << spec.status().message() << "\nwanted: " << message;
}

TEST(NnSpecTest, ParsesLayersWithDefaults) {
  StatusOr<NnSpec> spec = Parse(R"({
    "input_shape": [49, 13],
    "layers": [
      {"type": "conv1d", "filters": 8, "kernel": 5},
      {"type": "max_pool1d"},
      {"type": "reshape", "shape": [24, 8, 1]},
      {"type": "conv2d", "filters": 4, "kernel": [3, 1], "stride": 2, "padding": "valid",
       "activation": "relu6"},
      {"type": "depthwise_conv2d", "depth_multiplier": 2},
      {"type": "avg_pool2d", "pool_size": [2, 2], "padding": "same"},
      {"type": "batch_norm", "activation": "tanh"},
      {"type": "dropout", "rate": 0.5},
      {"type": "global_avg_pool"},
      {"type": "dense", "units": 7, "activation": "none"}
    ],
    "output": {"type": "classifier", "classes": 12}})");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  ASSERT_EQ(spec->layers.size(), 10u);
  const LayerSpec& conv1d = spec->layers[0];
  EXPECT_EQ(conv1d.type, LayerType::kConv1D);
  EXPECT_EQ(conv1d.kernel, std::vector<int>{5});
  EXPECT_EQ(conv1d.stride, std::vector<int>{1});
  EXPECT_EQ(conv1d.padding, LayerPadding::kSame);
  EXPECT_EQ(conv1d.activation, LayerActivation::kRelu);
  EXPECT_EQ(spec->layers[1].kernel, std::vector<int>{2});
  EXPECT_EQ(spec->layers[1].stride, std::vector<int>{2});
  EXPECT_EQ(spec->layers[1].padding, LayerPadding::kValid);
  EXPECT_EQ(spec->layers[3].kernel, (std::vector<int>{3, 1}));
  EXPECT_EQ(spec->layers[3].stride, (std::vector<int>{2, 2}));
  EXPECT_EQ(spec->layers[4].kernel, (std::vector<int>{3, 3}));
  EXPECT_EQ(spec->layers[6].activation, LayerActivation::kTanh);
  EXPECT_EQ(spec->layers[9].activation, LayerActivation::kNone);
  EXPECT_EQ(spec->head.outputs, 12);

  StatusOr<std::vector<std::vector<int>>> shapes = LayerOutputShapes(*spec);
  ASSERT_TRUE(shapes.ok());
  const std::vector<std::vector<int>> expected = {{49, 8},    {24, 8},   {24, 8, 1}, {11, 4, 4},
                                                  {11, 4, 8}, {6, 2, 8}, {6, 2, 8},  {6, 2, 8},
                                                  {8},        {7},       {12}};
  EXPECT_EQ(*shapes, expected);
}

TEST(NnSpecTest, JsonRoundTrip) {
  for (const auto& shape : {std::vector<int>{39}, {49, 13}, {32, 32, 3}}) {
    StatusOr<NnSpec> spec = DefaultNnSpec(shape, {HeadType::kClassifier, 4});
    ASSERT_TRUE(spec.ok()) << spec.status().ToString();
    const Json json = NnSpecToJson(*spec);
    StatusOr<NnSpec> back = NnSpecFromJson(json);
    ASSERT_TRUE(back.ok()) << back.status().ToString() << " " << json.dump();
    EXPECT_EQ(NnSpecToJson(*back), json);
  }
  StatusOr<NnSpec> regressor =
      Parse(R"({"input_shape": [3], "output": {"type": "regressor", "outputs": 2}})");
  ASSERT_TRUE(regressor.ok()) << regressor.status().ToString();
  EXPECT_EQ(regressor->head.type, HeadType::kRegressor);
  EXPECT_EQ(regressor->head.outputs, 2);
  EXPECT_EQ(NnSpecToJson(*regressor)["output"]["outputs"], 2);
}

TEST(NnSpecTest, RejectsBadSpecsNamingLayerAndField) {
  const std::string head = R"(, "output": {"type": "classifier", "classes": 3}})";
  ExpectError(R"({"input_shape": [5, 2], "layers": [{"type": "dense", "units": 4},
      {"type": "dropout", "rate": 0.1}, {"type": "reshape", "shape": [4, 1]},
      {"type": "conv1d", "filters": 2, "kernel": 9, "padding": "valid"}])" +
                  head,
              "layer 3 (conv1d): kernel 9 is larger than the input length 4");
  ExpectError(R"({"input_shape": [5], "layers": [{"type": "lstm"}])" + head,
              "layer 0: unknown layer type 'lstm'");
  ExpectError(R"({"input_shape": [5], "layers": [{"type": "dense", "unit": 3}])" + head,
              "layer 0 (dense): unknown field 'unit'");
  ExpectError(R"({"input_shape": [5], "layers": [{"type": "dense"}])" + head,
              "layer 0 (dense): units 0 must be in [1, 65536]");
  ExpectError(R"({"input_shape": [33], "layers": [{"type": "conv1d", "filters": 4}])" + head,
              "layer 0 (conv1d): needs a [length, channels] input, got [33]");
  ExpectError(R"({"input_shape": [4, 4], "layers": [{"type": "max_pool2d"}])" + head,
              "layer 0 (max_pool2d): needs a [height, width, channels] input");
  ExpectError(R"({"input_shape": [33], "layers": [{"type": "reshape", "shape": [4, 8]}])" + head,
              "layer 0 (reshape): shape [4, 8] does not hold the 33 elements");
  ExpectError(R"({"input_shape": [3, 3, 1], "layers": [{"type": "conv2d", "filters": 1,
      "kernel": [2, 4], "padding": "valid"}])" +
                  head,
              "layer 0 (conv2d): kernel 4 is larger than the input width 3");
  ExpectError(
      R"({"input_shape": [8, 2], "layers": [{"type": "max_pool1d", "pool_size": 0}])" + head,
      "layer 0 (max_pool1d): pool_size 0 must be in [1, 1024]");
  ExpectError(R"({"input_shape": [8], "layers": [{"type": "dropout", "rate": 1.0}])" + head,
              "layer 0 (dropout): rate 1 must be in [0, 1)");
  ExpectError(R"({"input_shape": [8], "layers": [{"type": "dense", "units": 2,
      "activation": "gelu"}])" +
                  head,
              "layer 0 (dense): activation \"gelu\" is not one of");
  ExpectError(R"({"input_shape": [8, 2], "layers": [{"type": "conv1d", "filters": 2,
      "padding": "full"}])" +
                  head,
              "layer 0 (conv1d): padding \"full\" is not");
  ExpectError(R"({"input_shape": [8], "layers": [{"type": "global_avg_pool"}])" + head,
              "layer 0 (global_avg_pool): needs a 1-D or 2-D input");
  ExpectError(R"({"input_shape": [0, 3])" + head, "input shape [0, 3] has a dimension < 1");
  ExpectError(R"({"input_shape": [1, 2, 3, 4])" + head, "must have 1 to 3 dimensions");
  ExpectError(R"({"input_shape": [4], "output": {"type": "classifier", "classes": 1}})",
              "output: classes 1 must be in [2, 65536]");
  ExpectError(R"({"input_shape": [4], "output": {"type": "ranker"}})",
              "output: type must be \"classifier\" or \"regressor\"");
  ExpectError(R"({"input_shape": [4]})", "output must be");
  ExpectError(R"({"layers": [])" + head, "input_shape is missing");
  ExpectError(R"({"input_shape": [4], "layers": {})" + head, "layers must be an array");
}

TEST(NnSpecTest, InputMustMatchDspOutput) {
  NnSpec spec;
  spec.input_shape = {33};
  Status status = CheckInputMatches(spec, {39});
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "input shape [33] does not match the features the DSP block "
            "produces [39]");
  spec.input_shape = {49, 13};
  EXPECT_TRUE(CheckInputMatches(spec, {49, 13}).ok());
  EXPECT_TRUE(CheckInputMatches(spec, {637}).ok());  // flat features, same count
}

TEST(NnSpecTest, DefaultsFitTheInput) {
  StatusOr<NnSpec> flat = DefaultNnSpec({39}, {HeadType::kClassifier, 3});
  ASSERT_TRUE(flat.ok());
  ASSERT_EQ(flat->layers.size(), 2u);
  EXPECT_EQ(flat->layers[0].units, 20);
  EXPECT_EQ(flat->layers[1].units, 10);

  StatusOr<NnSpec> mfcc = DefaultNnSpec({49, 13}, {HeadType::kClassifier, 12});
  ASSERT_TRUE(mfcc.ok());
  EXPECT_EQ(mfcc->layers[0].type, LayerType::kConv1D);
  EXPECT_EQ(mfcc->layers.back().type, LayerType::kFlatten);

  StatusOr<NnSpec> image = DefaultNnSpec({96, 96, 1}, {HeadType::kClassifier, 2});
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(image->layers[0].type, LayerType::kConv2D);

  // Too short to pool: still a valid network.
  StatusOr<NnSpec> tiny = DefaultNnSpec({2, 3}, {HeadType::kRegressor, 1});
  ASSERT_TRUE(tiny.ok()) << tiny.status().ToString();
  for (const LayerSpec& layer : tiny->layers) EXPECT_NE(layer.type, LayerType::kMaxPool1D);
  StatusOr<NnSpec> thin = DefaultNnSpec({1, 40, 1}, {HeadType::kClassifier, 2});
  ASSERT_TRUE(thin.ok()) << thin.status().ToString();

  EXPECT_FALSE(DefaultNnSpec({}, {HeadType::kClassifier, 2}).ok());
  EXPECT_FALSE(DefaultNnSpec({4}, {HeadType::kClassifier, 0}).ok());
}

}  // namespace
}  // namespace tinyloop::train
