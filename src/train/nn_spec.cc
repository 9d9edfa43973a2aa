#include "train/nn_spec.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <utility>

namespace tinyloop::train {
namespace {

// Limits that keep a spec trainable on a small host and exportable to a microcontroller.
constexpr int64_t kMaxElements = int64_t{1} << 24;  // per example, any activation
constexpr int kMaxUnits = 1 << 16;
constexpr int kMaxFilters = 4096;
constexpr int kMaxWindow = 1024;
constexpr int kMaxDepthMultiplier = 64;

struct TypeName {
  LayerType type;
  const char* name;
};
constexpr TypeName kTypeNames[] = {
    {LayerType::kDense, "dense"},
    {LayerType::kConv1D, "conv1d"},
    {LayerType::kConv2D, "conv2d"},
    {LayerType::kDepthwiseConv2D, "depthwise_conv2d"},
    {LayerType::kMaxPool1D, "max_pool1d"},
    {LayerType::kMaxPool2D, "max_pool2d"},
    {LayerType::kAvgPool1D, "avg_pool1d"},
    {LayerType::kAvgPool2D, "avg_pool2d"},
    {LayerType::kGlobalAvgPool, "global_avg_pool"},
    {LayerType::kFlatten, "flatten"},
    {LayerType::kReshape, "reshape"},
    {LayerType::kDropout, "dropout"},
    {LayerType::kBatchNorm, "batch_norm"},
};

constexpr std::pair<LayerActivation, const char*> kActivationNames[] = {
    {LayerActivation::kNone, "none"},       {LayerActivation::kRelu, "relu"},
    {LayerActivation::kRelu6, "relu6"},     {LayerActivation::kTanh, "tanh"},
    {LayerActivation::kSigmoid, "sigmoid"},
};

bool IsConv(LayerType t) {
  return t == LayerType::kConv1D || t == LayerType::kConv2D || t == LayerType::kDepthwiseConv2D;
}
bool IsPool(LayerType t) {
  return t == LayerType::kMaxPool1D || t == LayerType::kMaxPool2D || t == LayerType::kAvgPool1D ||
         t == LayerType::kAvgPool2D;
}
bool IsWindowed(LayerType t) { return IsConv(t) || IsPool(t); }
int WindowRank(LayerType t) {
  return (t == LayerType::kConv1D || t == LayerType::kMaxPool1D || t == LayerType::kAvgPool1D) ? 1
                                                                                               : 2;
}
bool HasActivation(LayerType t) {
  return t == LayerType::kDense || IsConv(t) || t == LayerType::kBatchNorm;
}

std::string ShapeText(const std::vector<int>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ", ";
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

int64_t ElementCount(const std::vector<int>& shape) {
  int64_t n = 1;
  for (int d : shape) n *= d;
  return n;
}

Status CheckShape(const std::vector<int>& shape, const std::string& what) {
  if (shape.empty() || shape.size() > 3) {
    return InvalidArgumentError(what + " " + ShapeText(shape) + " must have 1 to 3 dimensions");
  }
  int64_t n = 1;
  for (int d : shape) {
    if (d < 1) return InvalidArgumentError(what + " " + ShapeText(shape) + " has a dimension < 1");
    n *= d;
    if (n > kMaxElements) {
      return InvalidArgumentError(what + " " + ShapeText(shape) + " has more than " +
                                  std::to_string(kMaxElements) + " elements");
    }
  }
  return OkStatus();
}

// TensorFlow's output length for a window over `in` elements.
int WindowOutput(int in, int window, int stride, LayerPadding padding) {
  if (padding == LayerPadding::kSame) return (in + stride - 1) / stride;
  return (in - window) / stride + 1;
}

std::string LayerPrefix(size_t index, LayerType type) {
  return "layer " + std::to_string(index) + " (" + LayerTypeName(type) + "): ";
}

// Output shape of one layer for input `in`, or InvalidArgument prefixed with the layer.
StatusOr<std::vector<int>> LayerOutput(size_t index, const LayerSpec& layer,
                                       const std::vector<int>& in) {
  const std::string where = LayerPrefix(index, layer.type);
  auto bad = [&](const std::string& message) { return InvalidArgumentError(where + message); };
  if (IsWindowed(layer.type)) {
    const size_t rank = WindowRank(layer.type);
    if (in.size() != rank + 1) {
      return bad(rank == 1 ? "needs a [length, channels] input, got " + ShapeText(in) +
                                 " (add a reshape layer)"
                           : "needs a [height, width, channels] input, got " + ShapeText(in) +
                                 " (add a reshape layer)");
    }
    if (layer.kernel.size() != rank || layer.stride.size() != rank) {
      return bad("kernel and stride need " + std::to_string(rank) + " value(s)");
    }
    std::vector<int> out = in;
    for (size_t i = 0; i < rank; ++i) {
      const int k = layer.kernel[i], s = layer.stride[i];
      const char* dim = rank == 1 ? "length" : (i == 0 ? "height" : "width");
      const char* field = IsPool(layer.type) ? "pool_size" : "kernel";
      if (k < 1 || k > kMaxWindow) {
        return bad(std::string(field) + " " + std::to_string(k) + " must be in [1, " +
                   std::to_string(kMaxWindow) + "]");
      }
      if (s < 1 || s > kMaxWindow) {
        return bad("stride " + std::to_string(s) + " must be in [1, " + std::to_string(kMaxWindow) +
                   "]");
      }
      if (layer.padding == LayerPadding::kValid && k > in[i]) {
        return bad(std::string(field) + " " + std::to_string(k) + " is larger than the input " +
                   dim + " " + std::to_string(in[i]));
      }
      out[i] = WindowOutput(in[i], k, s, layer.padding);
    }
    if (layer.type == LayerType::kConv1D || layer.type == LayerType::kConv2D) {
      if (layer.filters < 1 || layer.filters > kMaxFilters) {
        return bad("filters " + std::to_string(layer.filters) + " must be in [1, " +
                   std::to_string(kMaxFilters) + "]");
      }
      out[rank] = layer.filters;
    } else if (layer.type == LayerType::kDepthwiseConv2D) {
      if (layer.depth_multiplier < 1 || layer.depth_multiplier > kMaxDepthMultiplier) {
        return bad("depth_multiplier " + std::to_string(layer.depth_multiplier) +
                   " must be in [1, " + std::to_string(kMaxDepthMultiplier) + "]");
      }
      out[rank] = in[rank] * layer.depth_multiplier;
    }
    TL_RETURN_IF_ERROR(CheckShape(out, where + "output shape"));
    return out;
  }
  switch (layer.type) {
    case LayerType::kDense:
      if (layer.units < 1 || layer.units > kMaxUnits) {
        return bad("units " + std::to_string(layer.units) + " must be in [1, " +
                   std::to_string(kMaxUnits) + "]");
      }
      return std::vector<int>{layer.units};
    case LayerType::kGlobalAvgPool:
      if (in.size() < 2) return bad("needs a 1-D or 2-D input with channels, got " + ShapeText(in));
      return std::vector<int>{in.back()};
    case LayerType::kFlatten:
      return std::vector<int>{static_cast<int>(ElementCount(in))};
    case LayerType::kReshape:
      TL_RETURN_IF_ERROR(CheckShape(layer.shape, where + "shape"));
      if (ElementCount(layer.shape) != ElementCount(in)) {
        return bad("shape " + ShapeText(layer.shape) + " does not hold the " +
                   std::to_string(ElementCount(in)) + " elements of its input " + ShapeText(in));
      }
      return layer.shape;
    case LayerType::kDropout:
      if (!(layer.rate >= 0.0f && layer.rate < 1.0f)) {
        return bad("rate " + FormatFloat32(layer.rate) + " must be in [0, 1)");
      }
      return in;
    case LayerType::kBatchNorm:
      return in;
    default:
      return bad("unhandled layer type");
  }
}

// --- JSON helpers: every error names the field ---

Status CheckKnownFields(const Json& object, const std::set<std::string>& known,
                        const std::string& where) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (known.count(it.key()) == 0) {
      return InvalidArgumentError(where + "unknown field '" + it.key() + "'");
    }
  }
  return OkStatus();
}

Status ReadInt(const Json& object, const char* key, const std::string& where, int* out) {
  auto it = object.find(key);
  if (it == object.end()) return OkStatus();
  if (!it->is_number_integer() || it->get<int64_t>() < INT32_MIN ||
      it->get<int64_t>() > INT32_MAX) {
    return InvalidArgumentError(where + key + " must be an integer");
  }
  *out = static_cast<int>(it->get<int64_t>());
  return OkStatus();
}

Status ReadIntList(const Json& object, const char* key, const std::string& where,
                   std::vector<int>* out) {
  auto it = object.find(key);
  if (it == object.end()) return OkStatus();
  out->clear();
  auto read_one = [&](const Json& value) {
    if (!value.is_number_integer() || value.get<int64_t>() < INT32_MIN ||
        value.get<int64_t>() > INT32_MAX) {
      return InvalidArgumentError(where + key + " must be an integer or a list of integers");
    }
    out->push_back(static_cast<int>(value.get<int64_t>()));
    return OkStatus();
  };
  if (!it->is_array()) return read_one(*it);
  if (it->size() > 8) return InvalidArgumentError(where + key + " has too many values");
  for (const Json& value : *it) TL_RETURN_IF_ERROR(read_one(value));
  return OkStatus();
}

// Expands a one-number window to the layer's rank ("kernel": 3 → [3, 3] for 2-D layers).
void ExpandWindow(int rank, std::vector<int>* window) {
  if (window->size() == 1 && rank == 2) window->push_back(window->front());
}

StatusOr<LayerSpec> ParseLayer(size_t index, const Json& json) {
  const std::string at = "layer " + std::to_string(index) + ": ";
  if (!json.is_object()) return InvalidArgumentError(at + "must be an object");
  auto type_it = json.find("type");
  if (type_it == json.end() || !type_it->is_string()) {
    return InvalidArgumentError(at + "needs a string field 'type'");
  }
  const std::string type_name = type_it->get<std::string>();
  LayerSpec layer;
  bool found = false;
  for (const TypeName& t : kTypeNames) {
    if (type_name == t.name) {
      layer.type = t.type;
      found = true;
    }
  }
  if (!found) return InvalidArgumentError(at + "unknown layer type '" + type_name + "'");
  const std::string where = LayerPrefix(index, layer.type);

  std::set<std::string> known = {"type"};
  if (HasActivation(layer.type)) known.insert("activation");
  if (IsWindowed(layer.type)) known.insert({"stride", "padding"});
  if (IsConv(layer.type)) known.insert("kernel");
  if (IsPool(layer.type)) known.insert("pool_size");
  if (layer.type == LayerType::kDense) known.insert("units");
  if (layer.type == LayerType::kConv1D || layer.type == LayerType::kConv2D) {
    known.insert("filters");
  }
  if (layer.type == LayerType::kDepthwiseConv2D) known.insert("depth_multiplier");
  if (layer.type == LayerType::kDropout) known.insert("rate");
  if (layer.type == LayerType::kReshape) known.insert("shape");
  TL_RETURN_IF_ERROR(CheckKnownFields(json, known, where));

  TL_RETURN_IF_ERROR(ReadInt(json, "units", where, &layer.units));
  TL_RETURN_IF_ERROR(ReadInt(json, "filters", where, &layer.filters));
  TL_RETURN_IF_ERROR(ReadInt(json, "depth_multiplier", where, &layer.depth_multiplier));
  TL_RETURN_IF_ERROR(ReadIntList(json, "shape", where, &layer.shape));
  if (json.contains("rate")) {
    if (!json["rate"].is_number()) return InvalidArgumentError(where + "rate must be a number");
    layer.rate = json["rate"].get<float>();
  }
  layer.activation =
      layer.type == LayerType::kBatchNorm ? LayerActivation::kNone : LayerActivation::kRelu;
  if (json.contains("activation")) {
    const Json& a = json["activation"];
    found = false;
    for (const auto& [value, name] : kActivationNames) {
      if (a.is_string() && a.get<std::string>() == name) {
        layer.activation = value;
        found = true;
      }
    }
    if (!found) {
      return InvalidArgumentError(where + "activation " + a.dump() +
                                  " is not one of relu, relu6, tanh, sigmoid, none");
    }
  }
  if (IsWindowed(layer.type)) {
    const int rank = WindowRank(layer.type);
    layer.padding = IsPool(layer.type) ? LayerPadding::kValid : LayerPadding::kSame;
    if (json.contains("padding")) {
      const Json& p = json["padding"];
      if (p == "same") {
        layer.padding = LayerPadding::kSame;
      } else if (p == "valid") {
        layer.padding = LayerPadding::kValid;
      } else {
        return InvalidArgumentError(where + "padding " + p.dump() +
                                    " is not \"same\" or \"valid\"");
      }
    }
    layer.kernel.assign(rank, IsPool(layer.type) ? 2 : 3);
    TL_RETURN_IF_ERROR(
        ReadIntList(json, IsPool(layer.type) ? "pool_size" : "kernel", where, &layer.kernel));
    ExpandWindow(rank, &layer.kernel);
    if (IsPool(layer.type)) {
      layer.stride = layer.kernel;
    } else {
      layer.stride.assign(rank, 1);
    }
    TL_RETURN_IF_ERROR(ReadIntList(json, "stride", where, &layer.stride));
    ExpandWindow(rank, &layer.stride);
  }
  return layer;
}

Json WindowJson(const std::vector<int>& window) {
  if (window.size() == 1) return window[0];
  return window;
}

}  // namespace

const char* LayerTypeName(LayerType type) {
  for (const TypeName& t : kTypeNames) {
    if (t.type == type) return t.name;
  }
  return "?";
}

StatusOr<std::vector<std::vector<int>>> LayerOutputShapes(const NnSpec& spec) {
  TL_RETURN_IF_ERROR(CheckShape(spec.input_shape, "input shape"));
  std::vector<std::vector<int>> shapes;
  std::vector<int> current = spec.input_shape;
  for (size_t i = 0; i < spec.layers.size(); ++i) {
    TL_ASSIGN_OR_RETURN(current, LayerOutput(i, spec.layers[i], current));
    shapes.push_back(current);
  }
  const char* what = spec.head.type == HeadType::kClassifier ? "classes" : "outputs";
  const int min_outputs = spec.head.type == HeadType::kClassifier ? 2 : 1;
  if (spec.head.outputs < min_outputs || spec.head.outputs > kMaxUnits) {
    return InvalidArgumentError(
        "output: " + std::string(what) + " " + std::to_string(spec.head.outputs) + " must be in [" +
        std::to_string(min_outputs) + ", " + std::to_string(kMaxUnits) + "]");
  }
  shapes.push_back({spec.head.outputs});
  return shapes;
}

Status ValidateNnSpec(const NnSpec& spec) { return LayerOutputShapes(spec).status(); }

Status CheckInputMatches(const NnSpec& spec, const std::vector<int>& dsp_output_shape) {
  if (ElementCount(spec.input_shape) != ElementCount(dsp_output_shape) ||
      spec.input_shape.empty()) {
    return InvalidArgumentError("input shape " + ShapeText(spec.input_shape) +
                                " does not match the features the DSP block produces " +
                                ShapeText(dsp_output_shape));
  }
  return OkStatus();
}

StatusOr<NnSpec> NnSpecFromJson(const Json& json) {
  if (!json.is_object()) return InvalidArgumentError("network spec must be a JSON object");
  TL_RETURN_IF_ERROR(CheckKnownFields(json, {"input_shape", "layers", "output"}, ""));
  NnSpec spec;
  if (!json.contains("input_shape")) return InvalidArgumentError("input_shape is missing");
  TL_RETURN_IF_ERROR(ReadIntList(json, "input_shape", "", &spec.input_shape));
  if (json.contains("layers")) {
    const Json& layers = json["layers"];
    if (!layers.is_array()) return InvalidArgumentError("layers must be an array");
    for (size_t i = 0; i < layers.size(); ++i) {
      TL_ASSIGN_OR_RETURN(LayerSpec layer, ParseLayer(i, layers[i]));
      spec.layers.push_back(std::move(layer));
    }
  }
  auto head_it = json.find("output");
  if (head_it == json.end() || !head_it->is_object()) {
    return InvalidArgumentError(
        "output must be {\"type\": \"classifier\", \"classes\": N} or "
        "{\"type\": \"regressor\", \"outputs\": N}");
  }
  const Json& head = *head_it;
  if (head.value("type", "") == "classifier") {
    spec.head.type = HeadType::kClassifier;
    TL_RETURN_IF_ERROR(CheckKnownFields(head, {"type", "classes"}, "output: "));
    spec.head.outputs = 0;
    TL_RETURN_IF_ERROR(ReadInt(head, "classes", "output: ", &spec.head.outputs));
  } else if (head.value("type", "") == "regressor") {
    spec.head.type = HeadType::kRegressor;
    TL_RETURN_IF_ERROR(CheckKnownFields(head, {"type", "outputs"}, "output: "));
    spec.head.outputs = 1;
    TL_RETURN_IF_ERROR(ReadInt(head, "outputs", "output: ", &spec.head.outputs));
  } else {
    return InvalidArgumentError("output: type must be \"classifier\" or \"regressor\"");
  }
  TL_RETURN_IF_ERROR(ValidateNnSpec(spec));
  return spec;
}

Json NnSpecToJson(const NnSpec& spec) {
  Json layers = Json::array();
  for (const LayerSpec& layer : spec.layers) {
    Json j = {{"type", LayerTypeName(layer.type)}};
    switch (layer.type) {
      case LayerType::kDense:
        j["units"] = layer.units;
        break;
      case LayerType::kConv1D:
      case LayerType::kConv2D:
        j["filters"] = layer.filters;
        break;
      case LayerType::kDepthwiseConv2D:
        j["depth_multiplier"] = layer.depth_multiplier;
        break;
      case LayerType::kReshape:
        j["shape"] = layer.shape;
        break;
      case LayerType::kDropout:
        j["rate"] = layer.rate;
        break;
      default:
        break;
    }
    if (IsWindowed(layer.type)) {
      j[IsPool(layer.type) ? "pool_size" : "kernel"] = WindowJson(layer.kernel);
      j["stride"] = WindowJson(layer.stride);
      j["padding"] = layer.padding == LayerPadding::kSame ? "same" : "valid";
    }
    if (HasActivation(layer.type)) {
      for (const auto& [value, name] : kActivationNames) {
        if (value == layer.activation) j["activation"] = name;
      }
    }
    layers.push_back(std::move(j));
  }
  Json head = {{"type", spec.head.type == HeadType::kClassifier ? "classifier" : "regressor"}};
  head[spec.head.type == HeadType::kClassifier ? "classes" : "outputs"] = spec.head.outputs;
  return {{"input_shape", spec.input_shape}, {"layers", std::move(layers)}, {"output", head}};
}

StatusOr<NnSpec> DefaultNnSpec(const std::vector<int>& input_shape, const HeadSpec& head) {
  NnSpec spec;
  spec.input_shape = input_shape;
  spec.head = head;
  TL_RETURN_IF_ERROR(CheckShape(input_shape, "input shape"));
  auto dense = [](int units) {
    LayerSpec l;
    l.type = LayerType::kDense;
    l.units = units;
    l.activation = LayerActivation::kRelu;
    return l;
  };
  auto conv = [](LayerType type, int rank, int filters) {
    LayerSpec l;
    l.type = type;
    l.filters = filters;
    l.kernel.assign(rank, 3);
    l.stride.assign(rank, 1);
    l.padding = LayerPadding::kSame;
    l.activation = LayerActivation::kRelu;
    return l;
  };
  auto pool = [](LayerType type, std::vector<int> window) {
    LayerSpec l;
    l.type = type;
    l.kernel = window;
    l.stride = std::move(window);
    l.padding = LayerPadding::kSame;
    return l;
  };
  LayerSpec dropout;
  dropout.type = LayerType::kDropout;
  dropout.rate = 0.25f;
  LayerSpec flatten;
  flatten.type = LayerType::kFlatten;

  if (input_shape.size() == 1) {
    spec.layers = {dense(20), dense(10)};
  } else if (input_shape.size() == 2) {
    // Frames x coefficients: convolve over time, halve the length after each block.
    int length = input_shape[0];
    for (int filters : {16, 32}) {
      spec.layers.push_back(conv(LayerType::kConv1D, 1, filters));
      if (length >= 4) {
        spec.layers.push_back(pool(LayerType::kMaxPool1D, {2}));
        length = (length + 1) / 2;
      }
    }
    spec.layers.push_back(dropout);
    spec.layers.push_back(flatten);
  } else {
    int h = input_shape[0], w = input_shape[1];
    for (int filters : {8, 16}) {
      spec.layers.push_back(conv(LayerType::kConv2D, 2, filters));
      std::vector<int> window = {h >= 4 ? 2 : 1, w >= 4 ? 2 : 1};
      if (window[0] > 1 || window[1] > 1) {
        spec.layers.push_back(pool(LayerType::kMaxPool2D, window));
        h = (h + window[0] - 1) / window[0];
        w = (w + window[1] - 1) / window[1];
      }
    }
    spec.layers.push_back(dropout);
    spec.layers.push_back(flatten);
  }
  TL_RETURN_IF_ERROR(ValidateNnSpec(spec));
  return spec;
}

}  // namespace tinyloop::train
