#include "impulse/impulse_picker.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "dsp/fft.h"

namespace tinyloop::impulse {
namespace {

constexpr double kAudioMinHz = 4000.0;
constexpr float kMotionWindowMs = 2000.0f;
constexpr float kOneWindowPerFileMs = 2500.0f;
constexpr uint32_t kTinyRows = 4;

uint32_t PowerOfTwoAtMost(uint32_t n, uint32_t lo, uint32_t hi) {
  uint32_t p = lo;
  while (p * 2 <= n && p * 2 <= hi) p *= 2;
  return p;
}

uint32_t PowerOfTwoAtLeast(uint32_t n, uint32_t lo, uint32_t hi) {
  uint32_t p = lo;
  while (p < n && p < hi) p *= 2;
  return p;
}

// Window length in ms of `frames` samples at `hz`, rounded down to whole ms but never past the
// recording (WindowConfigFor rounds ms back to samples).
float MsOf(uint32_t frames, double hz) { return float(std::floor(frames * 1000.0 / hz)); }

// Keyword spotting on [frames, coefficients]: three conv1d blocks and global average pooling
// over time, so a word is recognized wherever it sits in the window (with flatten + dense
// instead, a small dataset is learnt by position and generalizes far worse).
train::NnSpec AudioNet(const std::vector<int>& input_shape, const train::HeadSpec& head) {
  auto conv = [](int filters) {
    train::LayerSpec l;
    l.type = train::LayerType::kConv1D;
    l.filters = filters;
    l.kernel = {3};
    l.stride = {1};
    l.padding = train::LayerPadding::kSame;
    l.activation = train::LayerActivation::kRelu;
    return l;
  };
  train::LayerSpec pool;
  pool.type = train::LayerType::kMaxPool1D;
  pool.kernel = {2};
  pool.stride = {2};
  pool.padding = train::LayerPadding::kSame;
  train::LayerSpec gap;
  gap.type = train::LayerType::kGlobalAvgPool;
  auto dropout = [](float rate) {
    train::LayerSpec l;
    l.type = train::LayerType::kDropout;
    l.rate = rate;
    return l;
  };
  train::NnSpec spec;
  spec.input_shape = input_shape;
  spec.head = head;
  // Dropout after every block: a few hundred clips are learnt by heart otherwise.
  spec.layers = {conv(32), pool, dropout(0.25f), conv(64), pool, dropout(0.25f),
                 conv(64), gap,  dropout(0.5f)};
  return spec;
}

}  // namespace

StatusOr<ImpulseConfig> PickImpulse(const DataShape& shape,
                                    const std::vector<std::string>& labels) {
  if (shape.axes == 0 || shape.shortest_frames == 0) {
    return InvalidArgumentError("cannot pick an impulse: the data has no axes or no samples");
  }
  ImpulseConfig config;
  config.labels = labels;
  config.input.axes = shape.axis_names;
  dsp::TimeSeriesConfig& ts = config.input.time_series;
  std::vector<int> feature_shape;

  if (shape.is_image) {
    config.input.type = InputType::kImage;
    config.dsp.type = dsp::BlockType::kImage;
    config.dsp.image.width = 32;
    config.dsp.image.height = 32;
    config.dsp.image.color = shape.axes == 1 ? dsp::ImageColor::kGrayscale : dsp::ImageColor::kRgb;
    feature_shape = {32, 32, shape.axes == 1 ? 1 : 3};
  } else if (shape.axes == 1 && shape.frequency_hz >= kAudioMinHz) {
    ts.frequency_hz = float(shape.frequency_hz);
    ts.window_size_ms = std::min(1000.0f, MsOf(shape.shortest_frames, shape.frequency_hz));
    ts.window_increase_ms = 500.0f;
    config.dsp.type = dsp::BlockType::kMfcc;
    dsp::MfccConfig& m = config.dsp.mfcc;
    m.sample_rate_hz = float(shape.frequency_hz);
    const uint32_t frame = uint32_t(std::lround(m.frame_length_s * shape.frequency_hz));
    m.fft_length = PowerOfTwoAtLeast(frame, dsp::kMinFftLength, dsp::kMaxFftLength);
  } else if (shape.shortest_frames <= kTinyRows || shape.frequency_hz <= 0) {
    // No time axis worth windowing: the whole (short) recording is one example.
    ts.frequency_hz = shape.frequency_hz > 0 ? float(shape.frequency_hz) : 1000.0f;
    ts.window_size_ms = MsOf(shape.shortest_frames, ts.frequency_hz);
    ts.window_increase_ms = ts.window_size_ms;
    ts.pad_zeros = true;
    config.dsp.type = dsp::BlockType::kRaw;
  } else {
    ts.frequency_hz = float(shape.frequency_hz);
    const float shortest_ms = MsOf(shape.shortest_frames, shape.frequency_hz);
    ts.window_size_ms =
        shortest_ms <= kOneWindowPerFileMs ? shortest_ms : std::min(kMotionWindowMs, shortest_ms);
    ts.window_increase_ms =
        shortest_ms <= kOneWindowPerFileMs ? ts.window_size_ms : ts.window_size_ms / 4;
    config.dsp.type = dsp::BlockType::kSpectral;
    dsp::SpectralConfig& s = config.dsp.spectral;
    s.sample_rate_hz = float(shape.frequency_hz);
    const uint32_t window = dsp::SamplesFromMs(ts.window_size_ms, float(1000.0 / ts.frequency_hz));
    s.fft_length = PowerOfTwoAtMost(window, dsp::kMinFftLength, 256);
    s.log_power = true;
    config.anomaly.type = AnomalyType::kKMeans;
    // Distances relative to each cluster's spread: tight and loose operating modes (a still fan,
    // a fast one) then share one threshold.
    config.anomaly.kmeans.normalize_by_cluster_distance = true;
  }

  // Plan the DSP block to learn the feature shape, then pick the network for it.
  config.learning.nn.input_shape = {1};
  config.learning.nn.head = {train::HeadType::kClassifier, int(labels.size())};
  if (feature_shape.empty()) {
    auto window = dsp::WindowConfigFor(ts, shape.shortest_frames);
    if (!window.ok()) return window.status().WithPrefix("picked impulse");
    auto plan = dsp::PlanBlock(config.dsp, dsp::SignalShape{window->window_samples, shape.axes});
    if (!plan.ok()) return plan.status().WithPrefix("picked impulse");
    for (uint32_t i = 0; i < plan->output.rank; ++i) feature_shape.push_back(plan->output.dims[i]);
  }
  std::vector<int> nn_input = feature_shape;
  // Spectral and raw features are per-axis summaries or a single row: a dense net reads them
  // flat. MFCC keeps [frames, coefficients] for conv1d; images keep [h, w, c] for conv2d.
  if (config.dsp.type == dsp::BlockType::kSpectral || config.dsp.type == dsp::BlockType::kRaw ||
      config.dsp.type == dsp::BlockType::kFlatten) {
    int n = 1;
    for (int d : feature_shape) n *= d;
    nn_input = {n};
  }
  if (config.dsp.type == dsp::BlockType::kMfcc && nn_input.size() == 2) {
    config.learning.nn = AudioNet(nn_input, config.learning.nn.head);
  } else {
    auto nn = train::DefaultNnSpec(nn_input, config.learning.nn.head);
    if (!nn.ok()) return nn.status().WithPrefix("picked impulse");
    config.learning.nn = *nn;
  }
  // VALID padding on the first conv lets the pipeline standardize the input per channel and
  // fold that into the layer exactly (see pipeline.cc).
  for (train::LayerSpec& l : config.learning.nn.layers) {
    if (l.type == train::LayerType::kConv1D || l.type == train::LayerType::kConv2D) {
      l.padding = train::LayerPadding::kValid;
      break;
    }
  }
  if (config.dsp.type == dsp::BlockType::kSpectral) {
    config.learning.training.epochs = 60;
    config.learning.training.learning_rate = 0.005;
  } else if (config.dsp.type == dsp::BlockType::kMfcc) {
    config.learning.training.epochs = 60;
    config.learning.training.patience = 15;
    config.learning.training.learning_rate = 0.003;
  }
  return config;
}

std::string DescribeImpulse(const ImpulseConfig& config) {
  std::ostringstream out;
  const dsp::TimeSeriesConfig& ts = config.input.time_series;
  if (config.input.type == InputType::kImage) {
    out << "images: " << config.dsp.image.width << "x" << config.dsp.image.height << " ";
  } else {
    out << config.input.axes.size() << "-axis time series at " << ts.frequency_hz
        << " Hz: " << ts.window_size_ms << " ms windows every " << ts.window_increase_ms << " ms, ";
  }
  out << dsp::BlockTypeName(config.dsp.type) << " + NN (";
  const auto& layers = config.learning.nn.layers;
  for (size_t i = 0; i < layers.size(); ++i) {
    out << (i ? " " : "") << train::LayerTypeName(layers[i].type);
  }
  out << ")";
  if (config.anomaly.type == AnomalyType::kKMeans) out << " + k-means anomaly";
  if (config.anomaly.type == AnomalyType::kGmm) out << " + GMM anomaly";
  return out.str();
}

}  // namespace tinyloop::impulse
