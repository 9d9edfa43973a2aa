#include "train/nn_trainer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>

namespace tinyloop::train {
namespace {

// `classes` Gaussian blobs in `features` dimensions with well separated means.
TrainData Blobs(int rows, int features, int classes, uint32_t seed, float spread = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.0f, spread);
  std::mt19937 centers_rng(99);  // same centers for every split
  std::uniform_real_distribution<float> center(-3.0f, 3.0f);
  std::vector<float> centers(classes * features);
  for (float& c : centers) c = center(centers_rng);
  TrainData data;
  for (int r = 0; r < rows; ++r) {
    const int label = r % classes;
    data.labels.push_back(label);
    for (int f = 0; f < features; ++f)
      data.features.push_back(centers[label * features + f] + noise(rng));
  }
  return data;
}

NnSpec Spec(std::vector<int> input_shape, int classes) {
  StatusOr<NnSpec> spec = DefaultNnSpec(input_shape, {HeadType::kClassifier, classes});
  EXPECT_TRUE(spec.ok());
  return *spec;
}

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(NnTrainerTest, SeparableDataTrainsToHighAccuracy) {
  const NnSpec spec = Spec({40}, 3);
  const TrainData train = Blobs(3000, 40, 3, 1, 2.0f);
  const TrainData validation = Blobs(600, 40, 3, 2, 2.0f);
  std::vector<EpochMetrics> seen;
  const auto start = std::chrono::steady_clock::now();
  TrainOptions options;
  options.epochs = 30;
  StatusOr<TrainedNetwork> net =
      TrainNetwork(spec, train, validation, options, [&](const EpochMetrics& m) {
        seen.push_back(m);
        return true;
      });
  const double seconds = Seconds(start);
  ASSERT_TRUE(net.ok()) << net.status().ToString();
  std::printf("3000 x 40 features, dense 20-10, batch 32: %zu epochs in %.2f s\n", seen.size(),
              seconds);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.size(), net->history().size());
  EXPECT_EQ(seen[0].epoch, 1);
  const EpochMetrics& best = net->history()[net->best_epoch() - 1];
  EXPECT_GT(best.validation_accuracy, 0.95);
  EXPECT_LT(best.validation_loss, seen[0].validation_loss);

  StatusOr<std::vector<float>> probabilities = net->Predict(validation.features);
  ASSERT_TRUE(probabilities.ok());
  ASSERT_EQ(probabilities->size(), validation.labels.size() * 3);
  int correct = 0;
  for (size_t r = 0; r < validation.labels.size(); ++r) {
    const float* p = probabilities->data() + r * 3;
    EXPECT_NEAR(p[0] + p[1] + p[2], 1.0f, 1e-5);
    const int argmax = static_cast<int>(std::max_element(p, p + 3) - p);
    correct += argmax == validation.labels[r];
  }
  EXPECT_NEAR(correct / double(validation.labels.size()), best.validation_accuracy, 1e-9);
}

TEST(NnTrainerTest, RegressorLearnsALinearFunction) {
  StatusOr<NnSpec> spec = DefaultNnSpec({4}, {HeadType::kRegressor, 1});
  ASSERT_TRUE(spec.ok());
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  TrainData train, validation;
  for (int r = 0; r < 1200; ++r) {
    TrainData& d = r < 1000 ? train : validation;
    float y = 0.5f;
    for (int f = 0; f < 4; ++f) {
      d.features.push_back(u(rng));
      y += (f + 1) * d.features.back();
    }
    d.targets.push_back(y);
  }
  StatusOr<TrainedNetwork> net = TrainNetwork(*spec, train, validation, {});
  ASSERT_TRUE(net.ok()) << net.status().ToString();
  EXPECT_LT(net->history()[net->best_epoch() - 1].validation_loss, 0.05);
  EXPECT_TRUE(std::isnan(net->history()[0].validation_accuracy));
}

// Identical seeds give identical exported bytes; a different seed does not.
TEST(NnTrainerTest, SameSeedGivesIdenticalModelBytes) {
  StatusOr<Json> json = ParseJson(R"({"input_shape": [20, 3], "layers": [
      {"type": "conv1d", "filters": 6, "kernel": 3, "activation": "none"},
      {"type": "batch_norm", "activation": "relu"}, {"type": "max_pool1d"},
      {"type": "dropout", "rate": 0.3}, {"type": "flatten"}, {"type": "dense", "units": 8}],
      "output": {"type": "classifier", "classes": 3}})");
  ASSERT_TRUE(json.ok());
  StatusOr<NnSpec> spec = NnSpecFromJson(*json);
  ASSERT_TRUE(spec.ok());
  const TrainData train = Blobs(500, 60, 3, 5, 3.0f);
  const TrainData validation = Blobs(100, 60, 3, 6, 3.0f);
  TrainOptions options;
  options.epochs = 5;
  auto export_bytes = [&](uint64_t seed) {
    options.seed = seed;
    StatusOr<TrainedNetwork> net = TrainNetwork(*spec, train, validation, options);
    EXPECT_TRUE(net.ok()) << net.status().ToString();
    StatusOr<model::Graph> graph = net->ExportGraph();
    EXPECT_TRUE(graph.ok());
    std::vector<uint8_t> bytes;
    for (const model::Tensor& t : graph->tensors)
      bytes.insert(bytes.end(), t.data.begin(), t.data.end());
    return bytes;
  };
  const std::vector<uint8_t> first = export_bytes(7);
  EXPECT_GT(first.size(), 1000u);
  EXPECT_EQ(export_bytes(7), first);
  EXPECT_NE(export_bytes(8), first);
}

TEST(NnTrainerTest, EarlyStoppingRestoresTheBestEpoch) {
  // Random labels: the validation loss gets worse as the network memorizes the training set.
  const NnSpec spec = Spec({10}, 2);
  TrainData train = Blobs(200, 10, 2, 11), validation = Blobs(200, 10, 2, 12);
  std::mt19937 rng(5);
  for (int32_t& label : train.labels) label = static_cast<int32_t>(rng() % 2);
  for (int32_t& label : validation.labels) label = static_cast<int32_t>(rng() % 2);
  TrainOptions options;
  options.epochs = 300;
  options.patience = 5;
  options.class_weights = false;
  options.learning_rate = 0.01;
  StatusOr<TrainedNetwork> net = TrainNetwork(spec, train, validation, options);
  ASSERT_TRUE(net.ok()) << net.status().ToString();
  const std::vector<EpochMetrics>& history = net->history();
  ASSERT_LT(history.size(), 300u);
  EXPECT_EQ(static_cast<int>(history.size()), net->best_epoch() + options.patience);
  for (const EpochMetrics& m : history) {
    EXPECT_GE(m.validation_loss, history[net->best_epoch() - 1].validation_loss);
  }
  // The kept weights are the best epoch's: recompute its validation loss from Predict.
  StatusOr<std::vector<float>> p = net->Predict(validation.features);
  ASSERT_TRUE(p.ok());
  double loss = 0;
  for (size_t r = 0; r < validation.labels.size(); ++r) {
    loss -= std::log((*p)[r * 2 + validation.labels[r]]);
  }
  loss /= validation.labels.size();
  EXPECT_NEAR(loss, history[net->best_epoch() - 1].validation_loss, 1e-5);
}

TEST(NnTrainerTest, CallbackCancels) {
  const NnSpec spec = Spec({10}, 2);
  int calls = 0;
  StatusOr<TrainedNetwork> net = TrainNetwork(spec, Blobs(100, 10, 2, 1), Blobs(20, 10, 2, 2), {},
                                              [&](const EpochMetrics&) { return ++calls < 3; });
  EXPECT_EQ(net.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(net.status().message(), "training cancelled at epoch 3");
  EXPECT_EQ(calls, 3);
}

TEST(NnTrainerTest, RejectsBadDataAndOptions) {
  const NnSpec spec = Spec({10}, 2);
  TrainData train = Blobs(100, 10, 2, 1);
  TrainData odd = train;
  odd.features.pop_back();
  EXPECT_NE(TrainNetwork(spec, odd, {}, {}).status().message().find("not a multiple of the 10"),
            std::string::npos);
  TrainData bad_label = train;
  bad_label.labels[4] = 2;
  EXPECT_EQ(TrainNetwork(spec, bad_label, {}, {}).status().message(),
            "training data label 2 is outside [0, 2)");
  TrainData nan = train;
  nan.features[3] = std::nanf("");
  EXPECT_EQ(TrainNetwork(spec, train, nan, {}).status().message(),
            "validation data features contain NaN or infinity");
  TrainOptions options;
  options.batch_size = 0;
  EXPECT_EQ(TrainNetwork(spec, train, {}, options).status().code(), StatusCode::kInvalidArgument);
  NnSpec invalid = spec;
  invalid.layers[0].units = 0;
  EXPECT_EQ(TrainNetwork(invalid, train, {}, {}).status().message(),
            "layer 0 (dense): units 0 must be in [1, 65536]");
}

// Speech-command-sized MFCC input through the default conv1d network. Prints the time; run
// explicitly (--gtest_also_run_disabled_tests) to measure.
TEST(NnTrainerTest, DISABLED_MfccSizedConvNetTiming) {
  const NnSpec spec = Spec({49, 13}, 12);
  const TrainData train = Blobs(3500, 49 * 13, 12, 1, 8.0f);
  const TrainData validation = Blobs(700, 49 * 13, 12, 2, 8.0f);
  TrainOptions options;
  options.epochs = 30;
  options.patience = 0;
  const auto start = std::chrono::steady_clock::now();
  StatusOr<TrainedNetwork> net = TrainNetwork(spec, train, validation, options);
  ASSERT_TRUE(net.ok());
  std::printf("3500 x 49x13 MFCC, default conv1d: 30 epochs in %.2f s, accuracy %.3f\n",
              Seconds(start), net->history().back().validation_accuracy);
}

}  // namespace
}  // namespace tinyloop::train
