#include "train/nn_trainer.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <numeric>
#include <random>
#include <string>
#include <utility>

namespace tinyloop::train {
namespace {

// A logical shape [features], [length, channels] or [h, w, c] as the NCHW dims the module
// computes in: 1-D signals are images of height 1, feature vectors are 1x1 images.
struct Dims {
  int64_t h = 1, w = 1, c = 1;
};

Dims ToDims(const std::vector<int>& shape) {
  if (shape.size() == 1) return {1, 1, shape[0]};
  if (shape.size() == 2) return {1, shape[0], shape[1]};
  return {shape[0], shape[1], shape[2]};
}

int64_t Product(const std::vector<int>& shape) {
  int64_t n = 1;
  for (int d : shape) n *= d;
  return n;
}

// NCHW → [N, h*w*c] in channels-last order, so that dense weights line up with the NHWC
// flatten of the exported graph.
torch::Tensor ChannelsLastFlat(const torch::Tensor& x) {
  return x.permute({0, 2, 3, 1}).reshape({x.size(0), -1});
}

torch::Tensor FromChannelsLast(const torch::Tensor& flat, const Dims& d) {
  return flat.reshape({flat.size(0), d.h, d.w, d.c}).permute({0, 3, 1, 2}).contiguous();
}

// TensorFlow SAME padding of one dimension: {before, after}; may be uneven.
std::pair<int64_t, int64_t> SamePadding(int64_t in, int64_t window, int64_t stride) {
  const int64_t out = (in + stride - 1) / stride;
  const int64_t total = std::max<int64_t>((out - 1) * stride + window - in, 0);
  return {total / 2, total - total / 2};
}

torch::Tensor Activate(const torch::Tensor& x, LayerActivation a) {
  switch (a) {
    case LayerActivation::kRelu:
      return torch::relu(x);
    case LayerActivation::kRelu6:
      return torch::clamp(x, 0.0, 6.0);
    case LayerActivation::kTanh:
      return torch::tanh(x);
    case LayerActivation::kSigmoid:
      return torch::sigmoid(x);
    case LayerActivation::kNone:
      break;
  }
  return x;
}

// The network as a libtorch module computing logits (classifier) or outputs (regressor)
// from flat feature rows [N, F].
class Net : public torch::nn::Module {
 public:
  Net(const NnSpec& spec, const std::vector<std::vector<int>>& shapes) {
    std::vector<int> in_shape = spec.input_shape;
    for (size_t i = 0; i < spec.layers.size(); ++i) {
      Layer layer;
      layer.spec = spec.layers[i];
      layer.in = ToDims(in_shape);
      layer.out = ToDims(shapes[i]);
      const LayerSpec& l = layer.spec;
      const std::string name = "layer" + std::to_string(i);
      if (!l.kernel.empty()) {
        layer.kh = l.kernel.size() == 2 ? l.kernel[0] : 1;
        layer.kw = l.kernel.back();
        layer.sh = l.stride.size() == 2 ? l.stride[0] : 1;
        layer.sw = l.stride.back();
        if (l.padding == LayerPadding::kSame) {
          auto [top, bottom] = SamePadding(layer.in.h, layer.kh, layer.sh);
          auto [left, right] = SamePadding(layer.in.w, layer.kw, layer.sw);
          layer.pad = {left, right, top, bottom};
          layer.padded = top + bottom + left + right > 0;
        }
      }
      switch (l.type) {
        case LayerType::kDense:
          layer.linear = register_module(
              name, torch::nn::Linear(Product(in_shape), static_cast<int64_t>(l.units)));
          break;
        case LayerType::kConv1D:
        case LayerType::kConv2D:
        case LayerType::kDepthwiseConv2D: {
          const bool depthwise = l.type == LayerType::kDepthwiseConv2D;
          auto options = torch::nn::Conv2dOptions(layer.in.c, layer.out.c, {layer.kh, layer.kw})
                             .stride({layer.sh, layer.sw})
                             .groups(depthwise ? layer.in.c : 1);
          layer.conv = register_module(name, torch::nn::Conv2d(options));
          break;
        }
        case LayerType::kBatchNorm:
          layer.bn = register_module(name, torch::nn::BatchNorm2d(layer.in.c));
          break;
        default:
          break;
      }
      layers_.push_back(std::move(layer));
      in_shape = shapes[i];
    }
    head_ = register_module("head", torch::nn::Linear(Product(in_shape), spec.head.outputs));
  }

  torch::Tensor forward(const torch::Tensor& rows) {
    // Feature vectors stay 2-D [N, C] ("flat"); windowed layers need NCHW. Converting only
    // where the layout changes keeps the op count, and so the per-batch overhead, low.
    bool flat = true;
    torch::Tensor x = rows;
    auto to_flat = [&]() {
      if (!flat) x = ChannelsLastFlat(x);
      flat = true;
    };
    auto to_nchw = [&](const Dims& dims) {
      if (flat) x = FromChannelsLast(x, dims);
      flat = false;
    };
    for (Layer& layer : layers_) {
      const LayerSpec& l = layer.spec;
      switch (l.type) {
        case LayerType::kDense:
          to_flat();
          x = Activate(layer.linear(x), l.activation);
          break;
        case LayerType::kConv1D:
        case LayerType::kConv2D:
        case LayerType::kDepthwiseConv2D:
          to_nchw(layer.in);
          if (layer.padded) x = torch::constant_pad_nd(x, layer.pad, 0.0);
          x = Activate(layer.conv(x), l.activation);
          break;
        case LayerType::kMaxPool1D:
        case LayerType::kMaxPool2D:
          to_nchw(layer.in);
          if (layer.padded) {
            x = torch::constant_pad_nd(x, layer.pad, -std::numeric_limits<float>::infinity());
          }
          x = torch::max_pool2d(x, {layer.kh, layer.kw}, {layer.sh, layer.sw});
          break;
        case LayerType::kAvgPool1D:
        case LayerType::kAvgPool2D:
          to_nchw(layer.in);
          x = AveragePool(layer, x);
          break;
        case LayerType::kGlobalAvgPool:
          to_nchw(layer.in);
          x = x.mean({2, 3});
          flat = true;
          break;
        case LayerType::kFlatten:
          to_flat();
          break;
        case LayerType::kReshape:
          to_flat();
          if (layer.spec.shape.size() > 1) to_nchw(layer.out);
          break;
        case LayerType::kDropout:
          x = torch::dropout(x, l.rate, is_training());
          break;
        case LayerType::kBatchNorm: {
          const torch::nn::BatchNormOptions& o = layer.bn->options;
          x = torch::batch_norm(x, layer.bn->weight, layer.bn->bias, layer.bn->running_mean,
                                layer.bn->running_var, is_training(), o.momentum().value(), o.eps(),
                                /*cudnn_enabled=*/false);
          x = Activate(x, l.activation);
          break;
        }
      }
    }
    to_flat();
    return head_(x);
  }

  // Parameters in the layouts nn_export.h documents.
  NetworkParams ExtractParams() const {
    NetworkParams params;
    for (const Layer& layer : layers_) {
      LayerParams p;
      if (layer.linear) {
        p.weight = ToVector(layer.linear->weight);
        p.bias = ToVector(layer.linear->bias);
      } else if (layer.conv) {
        p.weight = ToVector(layer.conv->weight);
        p.bias = ToVector(layer.conv->bias);
      } else if (layer.bn) {
        p.weight = ToVector(layer.bn->weight);
        p.bias = ToVector(layer.bn->bias);
        p.running_mean = ToVector(layer.bn->running_mean);
        p.running_var = ToVector(layer.bn->running_var);
        p.epsilon = static_cast<float>(layer.bn->options.eps());
      }
      params.layers.push_back(std::move(p));
    }
    params.head.weight = ToVector(head_->weight);
    params.head.bias = ToVector(head_->bias);
    return params;
  }

  static std::vector<float> ToVector(const torch::Tensor& t) {
    torch::Tensor c = t.detach().to(torch::kFloat).contiguous();
    const float* data = c.data_ptr<float>();
    return std::vector<float>(data, data + c.numel());
  }

 private:
  struct Layer {
    LayerSpec spec;
    Dims in, out;
    int64_t kh = 1, kw = 1, sh = 1, sw = 1;
    std::vector<int64_t> pad = {0, 0, 0, 0};  // left, right, top, bottom
    bool padded = false;
    torch::nn::Linear linear{nullptr};
    torch::nn::Conv2d conv{nullptr};
    torch::nn::BatchNorm2d bn{nullptr};
  };

  // TFLite's SAME average pooling divides by the number of in-bounds elements only.
  static torch::Tensor AveragePool(const Layer& layer, const torch::Tensor& x) {
    if (!layer.padded) return torch::avg_pool2d(x, {layer.kh, layer.kw}, {layer.sh, layer.sw});
    const torch::Tensor sums = torch::avg_pool2d(torch::constant_pad_nd(x, layer.pad, 0.0),
                                                 {layer.kh, layer.kw}, {layer.sh, layer.sw});
    const torch::Tensor ones = torch::ones({1, 1, x.size(2), x.size(3)}, x.options());
    const torch::Tensor valid = torch::avg_pool2d(torch::constant_pad_nd(ones, layer.pad, 0.0),
                                                  {layer.kh, layer.kw}, {layer.sh, layer.sw});
    return sums / valid;
  }

  std::vector<Layer> layers_;
  torch::nn::Linear head_{nullptr};
};

Status CheckData(const NnSpec& spec, const TrainData& data, const char* what, int64_t* rows) {
  const int64_t features = Product(spec.input_shape);
  const std::string name(what);
  if (data.features.size() % features != 0) {
    return InvalidArgumentError(name + " features hold " + std::to_string(data.features.size()) +
                                " values, not a multiple of the " + std::to_string(features) +
                                " features per example");
  }
  *rows = static_cast<int64_t>(data.features.size()) / features;
  for (float f : data.features) {
    if (!std::isfinite(f)) return InvalidArgumentError(name + " features contain NaN or infinity");
  }
  if (spec.head.type == HeadType::kClassifier) {
    if (static_cast<int64_t>(data.labels.size()) != *rows) {
      return InvalidArgumentError(name + " has " + std::to_string(*rows) + " rows but " +
                                  std::to_string(data.labels.size()) + " labels");
    }
    for (int32_t label : data.labels) {
      if (label < 0 || label >= spec.head.outputs) {
        return InvalidArgumentError(name + " label " + std::to_string(label) + " is outside [0, " +
                                    std::to_string(spec.head.outputs) + ")");
      }
    }
  } else {
    if (static_cast<int64_t>(data.targets.size()) != *rows * spec.head.outputs) {
      return InvalidArgumentError(name + " has " + std::to_string(*rows) + " rows but " +
                                  std::to_string(data.targets.size()) + " targets (expected " +
                                  std::to_string(spec.head.outputs) + " per row)");
    }
    for (float t : data.targets) {
      if (!std::isfinite(t)) return InvalidArgumentError(name + " targets contain NaN or infinity");
    }
  }
  return OkStatus();
}

Status CheckOptions(const TrainOptions& o) {
  if (o.epochs < 1 || o.epochs > 100000) {
    return InvalidArgumentError("epochs " + std::to_string(o.epochs) + " must be in [1, 100000]");
  }
  if (o.batch_size < 1 || o.batch_size > 65536) {
    return InvalidArgumentError("batch_size " + std::to_string(o.batch_size) +
                                " must be in [1, 65536]");
  }
  if (!(o.learning_rate > 0 && o.learning_rate <= 10)) {
    return InvalidArgumentError("learning_rate must be in (0, 10]");
  }
  if (o.patience < 0) return InvalidArgumentError("patience must be >= 0");
  if (o.threads < 1 || o.threads > 256) return InvalidArgumentError("threads must be in [1, 256]");
  return OkStatus();
}

struct Tensors {
  torch::Tensor x, y;
  int64_t rows = 0;
};

Tensors ToTensors(const NnSpec& spec, const TrainData& data, int64_t rows) {
  Tensors t;
  t.rows = rows;
  t.x = torch::tensor(data.features).reshape({rows, Product(spec.input_shape)});
  if (spec.head.type == HeadType::kClassifier) {
    t.y = torch::tensor(data.labels).to(torch::kLong);
  } else {
    t.y = torch::tensor(data.targets).reshape({rows, spec.head.outputs});
  }
  return t;
}

// Mean loss (classifiers: weighted by class like the training loss) and accuracy.
torch::Tensor Loss(const NnSpec& spec, const torch::Tensor& out, const torch::Tensor& y,
                   const torch::Tensor& class_weights) {
  if (spec.head.type == HeadType::kRegressor) return torch::mse_loss(out, y);
  return torch::nn::functional::cross_entropy(
      out, y, torch::nn::functional::CrossEntropyFuncOptions().weight(class_weights));
}

torch::Tensor ForwardInChunks(Net& net, const torch::Tensor& x) {
  constexpr int64_t kChunk = 512;
  std::vector<torch::Tensor> parts;
  for (int64_t start = 0; start < x.size(0); start += kChunk) {
    parts.push_back(net.forward(x.slice(0, start, std::min(start + kChunk, x.size(0)))));
  }
  return torch::cat(parts);
}

// Adam (as torch::optim::Adam with its defaults) over all parameters at once: the parameters
// and their gradients are views into two flat buffers, so that one step is a handful of
// tensor ops instead of a dozen per parameter. With small networks the per-op overhead of
// libtorch, not arithmetic, bounds the training speed.
class FlatAdam {
 public:
  FlatAdam(std::vector<torch::Tensor> params, double learning_rate)
      : params_(std::move(params)), learning_rate_(learning_rate) {
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> flat_parts;
    for (const torch::Tensor& p : params_) flat_parts.push_back(p.detach().reshape({-1}));
    flat_ = torch::cat(flat_parts);
    grad_ = torch::zeros_like(flat_);
    m_ = torch::zeros_like(flat_);
    v_ = torch::zeros_like(flat_);
    int64_t offset = 0;
    for (torch::Tensor& p : params_) {
      const int64_t n = p.numel();
      p.set_data(flat_.slice(0, offset, offset + n).view(p.sizes()));
      // Autograd accumulates in place into a defined gradient, so the views stay views.
      p.mutable_grad() = grad_.slice(0, offset, offset + n).view(p.sizes());
      offset += n;
    }
  }

  void ZeroGrad() { grad_.zero_(); }

  void Step() {
    torch::NoGradGuard no_grad;
    constexpr double kBeta1 = 0.9, kBeta2 = 0.999, kEpsilon = 1e-8;
    ++step_;
    m_.mul_(kBeta1).add_(grad_, 1 - kBeta1);
    v_.mul_(kBeta2).addcmul_(grad_, grad_, 1 - kBeta2);
    const double correction1 = 1 - std::pow(kBeta1, step_);
    const double correction2 = 1 - std::pow(kBeta2, step_);
    const torch::Tensor denominator = (v_.sqrt() / std::sqrt(correction2)).add_(kEpsilon);
    flat_.addcdiv_(m_, denominator, -learning_rate_ / correction1);
  }

  const torch::Tensor& flat() const { return flat_; }

 private:
  std::vector<torch::Tensor> params_;
  double learning_rate_;
  torch::Tensor flat_, grad_, m_, v_;
  int64_t step_ = 0;
};

}  // namespace

struct TrainedNetwork::Impl {
  NnSpec spec;
  NetworkParams params;
  std::vector<EpochMetrics> history;
  int best_epoch = 0;
  std::shared_ptr<Net> net;
};

TrainedNetwork::TrainedNetwork(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TrainedNetwork::TrainedNetwork(TrainedNetwork&&) noexcept = default;
TrainedNetwork& TrainedNetwork::operator=(TrainedNetwork&&) noexcept = default;
TrainedNetwork::~TrainedNetwork() = default;

const NnSpec& TrainedNetwork::spec() const { return impl_->spec; }
const NetworkParams& TrainedNetwork::params() const { return impl_->params; }
const std::vector<EpochMetrics>& TrainedNetwork::history() const { return impl_->history; }
int TrainedNetwork::best_epoch() const { return impl_->best_epoch; }

StatusOr<model::Graph> TrainedNetwork::ExportGraph() const {
  return ExportFloatGraph(impl_->spec, impl_->params);
}

StatusOr<std::vector<float>> TrainedNetwork::Predict(const std::vector<float>& features) const {
  const int64_t per_row = Product(impl_->spec.input_shape);
  if (features.size() % per_row != 0) {
    return InvalidArgumentError(std::to_string(features.size()) +
                                " values are not a multiple of the " + std::to_string(per_row) +
                                " features per example");
  }
  const int64_t rows = static_cast<int64_t>(features.size()) / per_row;
  if (rows == 0) return std::vector<float>{};
  try {
    torch::NoGradGuard no_grad;
    torch::Tensor out =
        ForwardInChunks(*impl_->net, torch::tensor(features).reshape({rows, per_row}));
    if (impl_->spec.head.type == HeadType::kClassifier) out = torch::softmax(out, 1);
    return Net::ToVector(out);
  } catch (const std::exception& e) {
    return InternalError(std::string("libtorch failed to predict: ") + e.what());
  }
}

StatusOr<TrainedNetwork> TrainNetwork(const NnSpec& spec, const TrainData& train,
                                      const TrainData& validation, const TrainOptions& options,
                                      const ProgressCallback& progress) {
  TL_ASSIGN_OR_RETURN(const std::vector<std::vector<int>> shapes, LayerOutputShapes(spec));
  TL_RETURN_IF_ERROR(CheckOptions(options));
  int64_t train_rows = 0, val_rows = 0;
  TL_RETURN_IF_ERROR(CheckData(spec, train, "training data", &train_rows));
  TL_RETURN_IF_ERROR(CheckData(spec, validation, "validation data", &val_rows));
  if (train_rows < 2) return InvalidArgumentError("training data needs at least 2 rows");
  const bool classifier = spec.head.type == HeadType::kClassifier;

  // libtorch's generator and thread count are process-wide: one training at a time keeps
  // every training reproducible.
  static std::mutex training_mutex;
  std::lock_guard<std::mutex> lock(training_mutex);
  try {
    at::set_num_threads(options.threads);
    torch::manual_seed(options.seed);
    auto impl = std::make_unique<TrainedNetwork::Impl>();
    impl->spec = spec;
    impl->net = std::make_shared<Net>(spec, shapes);
    Net& net = *impl->net;

    const Tensors tr = ToTensors(spec, train, train_rows);
    const Tensors va = ToTensors(spec, validation, val_rows);
    torch::Tensor class_weights;
    if (classifier) {
      std::vector<float> weights(spec.head.outputs, 1.0f);
      if (options.class_weights) {
        std::vector<int64_t> counts(spec.head.outputs, 0);
        for (int32_t label : train.labels) ++counts[label];
        for (int c = 0; c < spec.head.outputs; ++c) {
          if (counts[c] > 0) weights[c] = float(train_rows) / float(spec.head.outputs * counts[c]);
        }
      }
      class_weights = torch::tensor(weights);
    }

    FlatAdam optimizer(net.parameters(), options.learning_rate);
    // Our own generator for the shuffle: its sequence is fixed by the seed on every platform.
    std::mt19937_64 shuffle_rng(options.seed);
    std::vector<int64_t> order(train_rows);
    std::iota(order.begin(), order.end(), 0);
    // A last batch of one row would break batch norm; it joins the previous batch instead.
    std::vector<int64_t> batch_starts;
    for (int64_t s = 0; s < train_rows; s += options.batch_size) {
      if (train_rows - s >= 2 || batch_starts.empty()) batch_starts.push_back(s);
    }

    double best_loss = std::numeric_limits<double>::infinity();
    std::vector<torch::Tensor> best_state;
    int epochs_without_improvement = 0;
    for (int epoch = 1; epoch <= options.epochs; ++epoch) {
      net.train();
      for (int64_t i = train_rows - 1; i > 0; --i) {
        std::swap(order[i], order[shuffle_rng() % static_cast<uint64_t>(i + 1)]);
      }
      // One gather per epoch; the batches are then views.
      const torch::Tensor perm = torch::tensor(order);
      const torch::Tensor epoch_x = tr.x.index_select(0, perm);
      const torch::Tensor epoch_y = tr.y.index_select(0, perm);
      double loss_sum = 0;
      for (size_t b = 0; b < batch_starts.size(); ++b) {
        const int64_t begin = batch_starts[b];
        const int64_t end = b + 1 < batch_starts.size() ? batch_starts[b + 1] : train_rows;
        optimizer.ZeroGrad();
        torch::Tensor loss = Loss(spec, net.forward(epoch_x.slice(0, begin, end)),
                                  epoch_y.slice(0, begin, end), class_weights);
        loss.backward();
        optimizer.Step();
        loss_sum += loss.item<double>() * static_cast<double>(end - begin);
      }
      EpochMetrics metrics;
      metrics.epoch = epoch;
      metrics.train_loss = loss_sum / static_cast<double>(train_rows);
      metrics.validation_loss = std::numeric_limits<double>::quiet_NaN();
      metrics.validation_accuracy = std::numeric_limits<double>::quiet_NaN();
      if (!std::isfinite(metrics.train_loss)) {
        return InternalError("training diverged: the loss is not finite at epoch " +
                             std::to_string(epoch) + " (try a lower learning rate)");
      }
      net.eval();
      if (val_rows > 0) {
        torch::NoGradGuard no_grad;
        const torch::Tensor out = ForwardInChunks(net, va.x);
        metrics.validation_loss = Loss(spec, out, va.y, class_weights).item<double>();
        if (classifier) {
          metrics.validation_accuracy =
              out.argmax(1).eq(va.y).to(torch::kDouble).mean().item<double>();
        }
      }
      impl->history.push_back(metrics);
      const double watched = val_rows > 0 ? metrics.validation_loss : metrics.train_loss;
      if (watched < best_loss || impl->best_epoch == 0) {
        best_loss = watched;
        impl->best_epoch = epoch;
        epochs_without_improvement = 0;
        if (options.patience > 0) {  // snapshot to restore at the end
          best_state.clear();
          best_state.push_back(optimizer.flat().clone());
          for (const auto& b : net.buffers()) best_state.push_back(b.detach().clone());
        }
      } else {
        ++epochs_without_improvement;
      }
      if (progress && !progress(metrics)) {
        return FailedPreconditionError("training cancelled at epoch " + std::to_string(epoch));
      }
      if (options.patience > 0 && epochs_without_improvement >= options.patience) break;
    }
    if (options.patience > 0) {
      torch::NoGradGuard no_grad;
      optimizer.flat().copy_(best_state[0]);
      size_t k = 1;
      for (auto& b : net.buffers()) b.copy_(best_state[k++]);
    } else {
      impl->best_epoch = static_cast<int>(impl->history.size());
    }
    net.eval();
    impl->params = net.ExtractParams();
    return TrainedNetwork(std::move(impl));
  } catch (const std::exception& e) {  // c10::Error derives from std::exception
    return InternalError(std::string("libtorch failed during training: ") + e.what());
  }
}

}  // namespace tinyloop::train
