#include "dsp_json/dsp_config_json.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <set>
#include <string>
#include <utility>

#include "dsp/butterworth.h"
#include "dsp/fft.h"

namespace tinyloop::dsp {
namespace {

// Limits the freestanding blocks enforce (see their headers); repeated here to name them.
constexpr uint32_t kMaxMelFilters = 256;
constexpr uint32_t kMaxCmvnWindow = 1001;

std::string Num(double v) { return FormatFloat32(static_cast<float>(v)); }
std::string Num(uint32_t v) { return std::to_string(v); }

// A float as the double with the same shortest decimal text, so JSON shows 0.02, not
// 0.019999999552965164.
double ShortDouble(float v) { return std::strtod(FormatFloat32(v).c_str(), nullptr); }

template <typename T>
struct EnumName {
  T value;
  const char* name;
};

constexpr EnumName<FilterType> kFilterTypes[] = {
    {FilterType::kNone, "none"}, {FilterType::kLowPass, "low"}, {FilterType::kHighPass, "high"}};
constexpr EnumName<SpectrumCombine> kCombines[] = {{SpectrumCombine::kMean, "mean"},
                                                   {SpectrumCombine::kMaxHold, "max_hold"}};
constexpr EnumName<ImageColor> kColors[] = {{ImageColor::kRgb, "rgb"},
                                            {ImageColor::kGrayscale, "grayscale"}};
constexpr EnumName<ResizeMode> kResizeModes[] = {{ResizeMode::kSquash, "squash"},
                                                 {ResizeMode::kFitShortest, "fit_shortest"}};
constexpr EnumName<BlockType> kBlockTypes[] = {
    {BlockType::kRaw, "raw"}, {BlockType::kFlatten, "flatten"}, {BlockType::kSpectral, "spectral"},
    {BlockType::kMfe, "mfe"}, {BlockType::kMfcc, "mfcc"},       {BlockType::kImage, "image"}};

template <typename T, size_t N>
const char* NameOf(const EnumName<T> (&table)[N], T value) {
  for (const auto& e : table) {
    if (e.value == value) return e.name;
  }
  return "unknown";
}

template <typename T, size_t N>
std::string NameList(const EnumName<T> (&table)[N]) {
  std::string out;
  for (const auto& e : table) out += (out.empty() ? "\"" : ", \"") + std::string(e.name) + "\"";
  return out;
}

// Reads the fields of one JSON object into a config, remembering which names it knows so that
// a misspelled field is an error rather than a silently ignored setting.
class FieldReader {
 public:
  FieldReader(const Json& object, std::string block) : object_(object), block_(std::move(block)) {}

  Status Float(const char* name, float* out) {
    const Json* v = Find(name);
    if (v == nullptr) return OkStatus();
    const double d = v->is_number() ? v->get<double>() : 0.0;
    if (!v->is_number() || !std::isfinite(d) || std::fabs(d) > std::numeric_limits<float>::max()) {
      return Error(name, "must be a finite number", *v);
    }
    *out = static_cast<float>(d);
    return OkStatus();
  }
  Status Uint(const char* name, uint32_t* out) {
    const Json* v = Find(name);
    if (v == nullptr) return OkStatus();
    if (!v->is_number_integer() ||
        (v->is_number_unsigned() ? v->get<uint64_t>() > 0xffffffffu : v->get<int64_t>() < 0)) {
      return Error(name, "must be a non-negative integer", *v);
    }
    *out = static_cast<uint32_t>(v->get<uint64_t>());
    return OkStatus();
  }
  Status Bool(const char* name, bool* out) {
    const Json* v = Find(name);
    if (v == nullptr) return OkStatus();
    if (!v->is_boolean()) return Error(name, "must be true or false", *v);
    *out = v->get<bool>();
    return OkStatus();
  }
  template <typename T, size_t N>
  Status Enum(const char* name, const EnumName<T> (&table)[N], T* out) {
    const Json* v = Find(name);
    if (v == nullptr) return OkStatus();
    if (v->is_string()) {
      for (const auto& e : table) {
        if (v->get<std::string>() == e.name) {
          *out = e.value;
          return OkStatus();
        }
      }
    }
    return Error(name, "must be one of " + NameList(table), *v);
  }
  Status FloatArray(const char* name, float* out, uint32_t capacity, uint32_t* count) {
    const Json* v = Find(name);
    if (v == nullptr) return OkStatus();
    if (!v->is_array() || v->size() > capacity) {
      return Error(name, "must be an array of at most " + Num(capacity) + " numbers", *v);
    }
    for (size_t i = 0; i < v->size(); ++i) {
      const Json& item = (*v)[i];
      if (!item.is_number() || !std::isfinite(item.get<double>())) {
        return Error(name, "must hold only finite numbers", *v);
      }
      out[i] = static_cast<float>(item.get<double>());
    }
    *count = static_cast<uint32_t>(v->size());
    return OkStatus();
  }
  // Marks a field as known without reading it (e.g. "type").
  void Known(const char* name) { known_.insert(name); }
  // InvalidArgument naming the first field that no reader asked for.
  Status RejectUnknown() const {
    for (const auto& item : object_.items()) {
      if (known_.count(item.key()) == 0) {
        return InvalidArgumentError(block_ + ": unknown field \"" + item.key() + "\"");
      }
    }
    return OkStatus();
  }

 private:
  const Json* Find(const char* name) {
    known_.insert(name);
    const auto it = object_.find(name);
    return it == object_.end() ? nullptr : &*it;
  }
  Status Error(const char* name, const std::string& rule, const Json& got) const {
    return InvalidArgumentError(block_ + ": " + name + " " + rule + ", got " + DumpJson(got));
  }

  const Json& object_;
  std::string block_;
  std::set<std::string> known_;
};

Status Invalid(const char* block, const std::string& message) {
  return InvalidArgumentError(std::string(block) + ": " + message);
}

Status CheckFinite(const char* block, const char* field, float v) {
  if (std::isfinite(v)) return OkStatus();
  return Invalid(block, std::string(field) + " must be a finite number");
}

Status CheckPositive(const char* block, const char* field, float v) {
  if (std::isfinite(v) && v > 0.0f) return OkStatus();
  return Invalid(block, std::string(field) + " must be positive, got " + Num(v));
}

Status CheckFftLength(const char* block, uint32_t n) {
  if (n >= kMinFftLength && n <= kMaxFftLength && (n & (n - 1)) == 0) return OkStatus();
  return Invalid(block, "fft_length must be a power of two between " + Num(kMinFftLength) +
                            " and " + Num(kMaxFftLength) + ", got " + Num(n));
}

Status ValidateSpectral(const SpectralConfig& c) {
  const char* b = "spectral";
  TL_RETURN_IF_ERROR(CheckPositive(b, "sample_rate_hz", c.sample_rate_hz));
  TL_RETURN_IF_ERROR(CheckFinite(b, "scale", c.scale));
  const double nyquist = 0.5 * c.sample_rate_hz;
  if (c.filter_type != FilterType::kNone) {
    if (c.filter_order < 1 || c.filter_order > kMaxFilterOrder) {
      return Invalid(b, "filter_order must be between 1 and " + Num(kMaxFilterOrder) + ", got " +
                            Num(c.filter_order));
    }
    if (!(c.filter_cutoff_hz > 0.0f && c.filter_cutoff_hz < nyquist)) {
      return Invalid(b, "filter_cutoff_hz must be above 0 and below half the sample rate (" +
                            Num(nyquist) + " Hz), got " + Num(c.filter_cutoff_hz));
    }
  }
  TL_RETURN_IF_ERROR(CheckFftLength(b, c.fft_length));
  if (c.num_band_edges == 1 || c.num_band_edges > kMaxBandEdges) {
    return Invalid(b, "band_edges_hz must hold 0 or 2 to " + Num(kMaxBandEdges) + " edges, got " +
                          Num(c.num_band_edges));
  }
  for (uint32_t i = 0; i < c.num_band_edges; ++i) {
    const float e = c.band_edges_hz[i];
    if (!(e >= 0.0f && e <= nyquist)) {
      return Invalid(b, "band_edges_hz[" + Num(i) + "] must be between 0 and " + Num(nyquist) +
                            " Hz (half the sample rate), got " + Num(e));
    }
    if (i > 0 && !(e > c.band_edges_hz[i - 1])) {
      return Invalid(b, "band_edges_hz must be strictly increasing, got " + Num(e) + " after " +
                            Num(c.band_edges_hz[i - 1]));
    }
  }
  return OkStatus();
}

// Checks shared by MFE and MFCC.
Status ValidateMel(const char* b, float sample_rate_hz, float frame_length_s, float frame_stride_s,
                   uint32_t fft_length, uint32_t num_filters, float low_hz, float high_hz,
                   float pre_emphasis, float input_scale) {
  TL_RETURN_IF_ERROR(CheckPositive(b, "sample_rate_hz", sample_rate_hz));
  TL_RETURN_IF_ERROR(CheckPositive(b, "frame_length_s", frame_length_s));
  TL_RETURN_IF_ERROR(CheckPositive(b, "frame_stride_s", frame_stride_s));
  if (std::floor(static_cast<double>(frame_length_s) * sample_rate_hz + 0.5) < 1.0) {
    return Invalid(b, "frame_length_s " + Num(frame_length_s) + " is less than one sample at " +
                          Num(sample_rate_hz) + " Hz");
  }
  if (std::floor(static_cast<double>(frame_stride_s) * sample_rate_hz + 0.5) < 1.0) {
    return Invalid(b, "frame_stride_s " + Num(frame_stride_s) + " is less than one sample at " +
                          Num(sample_rate_hz) + " Hz");
  }
  TL_RETURN_IF_ERROR(CheckFftLength(b, fft_length));
  if (num_filters < 2 || num_filters > kMaxMelFilters) {
    return Invalid(b, "num_filters must be between 2 and " + Num(kMaxMelFilters) + ", got " +
                          Num(num_filters));
  }
  const double nyquist = 0.5 * sample_rate_hz;
  if (!(high_hz >= 0.0f && high_hz <= nyquist)) {
    return Invalid(b, "high_frequency_hz must be between 0 (meaning " + Num(nyquist) + ") and " +
                          Num(nyquist) + " Hz (half the sample rate), got " + Num(high_hz));
  }
  const double high = high_hz == 0.0f ? nyquist : high_hz;
  if (!(low_hz >= 0.0f && low_hz < high)) {
    return Invalid(b, "low_frequency_hz must be at least 0 and below the high frequency (" +
                          Num(high) + " Hz), got " + Num(low_hz));
  }
  if (!(pre_emphasis >= 0.0f && pre_emphasis <= 1.0f)) {
    return Invalid(b, "pre_emphasis must be between 0 and 1, got " + Num(pre_emphasis));
  }
  return CheckFinite(b, "input_scale", input_scale);
}

Status ValidateMfe(const MfeConfig& c) {
  TL_RETURN_IF_ERROR(ValidateMel("mfe", c.sample_rate_hz, c.frame_length_s, c.frame_stride_s,
                                 c.fft_length, c.num_filters, c.low_frequency_hz,
                                 c.high_frequency_hz, c.pre_emphasis, c.input_scale));
  if (!(c.noise_floor_db >= -200.0f && c.noise_floor_db <= 0.0f)) {
    return Invalid("mfe",
                   "noise_floor_db must be between -200 and 0, got " + Num(c.noise_floor_db));
  }
  return OkStatus();
}

Status ValidateMfcc(const MfccConfig& c) {
  TL_RETURN_IF_ERROR(ValidateMel("mfcc", c.sample_rate_hz, c.frame_length_s, c.frame_stride_s,
                                 c.fft_length, c.num_filters, c.low_frequency_hz,
                                 c.high_frequency_hz, c.pre_emphasis, c.input_scale));
  if (c.num_cepstral < 1 || c.num_cepstral > c.num_filters) {
    return Invalid("mfcc", "num_cepstral must be between 1 and num_filters (" + Num(c.num_filters) +
                               "), got " + Num(c.num_cepstral));
  }
  if (c.cmvn_window > kMaxCmvnWindow || (c.cmvn_window != 0 && c.cmvn_window % 2 == 0)) {
    return Invalid("mfcc", "cmvn_window must be 0 (off) or an odd number up to " +
                               Num(kMaxCmvnWindow) + ", got " + Num(c.cmvn_window));
  }
  return OkStatus();
}

Status ValidateImage(const ImageConfig& c) {
  if (c.width < 1 || c.width > kMaxImageSide) {
    return Invalid("image",
                   "width must be between 1 and " + Num(kMaxImageSide) + ", got " + Num(c.width));
  }
  if (c.height < 1 || c.height > kMaxImageSide) {
    return Invalid("image",
                   "height must be between 1 and " + Num(kMaxImageSide) + ", got " + Num(c.height));
  }
  return OkStatus();
}

Status ReadFields(FieldReader& r, BlockConfig* c) {
  switch (c->type) {
    case BlockType::kRaw:
      return r.Float("scale", &c->raw.scale);
    case BlockType::kFlatten: {
      FlattenConfig& f = c->flatten;
      TL_RETURN_IF_ERROR(r.Float("scale", &f.scale));
      TL_RETURN_IF_ERROR(r.Bool("average", &f.average));
      TL_RETURN_IF_ERROR(r.Bool("minimum", &f.minimum));
      TL_RETURN_IF_ERROR(r.Bool("maximum", &f.maximum));
      TL_RETURN_IF_ERROR(r.Bool("rms", &f.rms));
      TL_RETURN_IF_ERROR(r.Bool("stdev", &f.stdev));
      TL_RETURN_IF_ERROR(r.Bool("skewness", &f.skewness));
      return r.Bool("kurtosis", &f.kurtosis);
    }
    case BlockType::kSpectral: {
      SpectralConfig& s = c->spectral;
      TL_RETURN_IF_ERROR(r.Float("sample_rate_hz", &s.sample_rate_hz));
      TL_RETURN_IF_ERROR(r.Float("scale", &s.scale));
      TL_RETURN_IF_ERROR(r.Enum("filter_type", kFilterTypes, &s.filter_type));
      TL_RETURN_IF_ERROR(r.Float("filter_cutoff_hz", &s.filter_cutoff_hz));
      TL_RETURN_IF_ERROR(r.Uint("filter_order", &s.filter_order));
      TL_RETURN_IF_ERROR(r.Uint("fft_length", &s.fft_length));
      TL_RETURN_IF_ERROR(r.Bool("fft_overlap", &s.fft_overlap));
      TL_RETURN_IF_ERROR(r.Enum("combine", kCombines, &s.combine));
      TL_RETURN_IF_ERROR(r.Bool("log_power", &s.log_power));
      TL_RETURN_IF_ERROR(r.Bool("skip_dc_bin", &s.skip_dc_bin));
      return r.FloatArray("band_edges_hz", s.band_edges_hz, kMaxBandEdges, &s.num_band_edges);
    }
    case BlockType::kMfe: {
      MfeConfig& m = c->mfe;
      TL_RETURN_IF_ERROR(r.Float("sample_rate_hz", &m.sample_rate_hz));
      TL_RETURN_IF_ERROR(r.Float("frame_length_s", &m.frame_length_s));
      TL_RETURN_IF_ERROR(r.Float("frame_stride_s", &m.frame_stride_s));
      TL_RETURN_IF_ERROR(r.Uint("fft_length", &m.fft_length));
      TL_RETURN_IF_ERROR(r.Uint("num_filters", &m.num_filters));
      TL_RETURN_IF_ERROR(r.Float("low_frequency_hz", &m.low_frequency_hz));
      TL_RETURN_IF_ERROR(r.Float("high_frequency_hz", &m.high_frequency_hz));
      TL_RETURN_IF_ERROR(r.Float("pre_emphasis", &m.pre_emphasis));
      TL_RETURN_IF_ERROR(r.Float("input_scale", &m.input_scale));
      TL_RETURN_IF_ERROR(r.Float("noise_floor_db", &m.noise_floor_db));
      return r.Bool("quantize", &m.quantize);
    }
    case BlockType::kMfcc: {
      MfccConfig& m = c->mfcc;
      TL_RETURN_IF_ERROR(r.Float("sample_rate_hz", &m.sample_rate_hz));
      TL_RETURN_IF_ERROR(r.Float("frame_length_s", &m.frame_length_s));
      TL_RETURN_IF_ERROR(r.Float("frame_stride_s", &m.frame_stride_s));
      TL_RETURN_IF_ERROR(r.Uint("fft_length", &m.fft_length));
      TL_RETURN_IF_ERROR(r.Uint("num_filters", &m.num_filters));
      TL_RETURN_IF_ERROR(r.Uint("num_cepstral", &m.num_cepstral));
      TL_RETURN_IF_ERROR(r.Float("low_frequency_hz", &m.low_frequency_hz));
      TL_RETURN_IF_ERROR(r.Float("high_frequency_hz", &m.high_frequency_hz));
      TL_RETURN_IF_ERROR(r.Float("pre_emphasis", &m.pre_emphasis));
      TL_RETURN_IF_ERROR(r.Float("input_scale", &m.input_scale));
      TL_RETURN_IF_ERROR(r.Bool("dc_elimination", &m.dc_elimination));
      return r.Uint("cmvn_window", &m.cmvn_window);
    }
    case BlockType::kImage: {
      ImageConfig& i = c->image;
      TL_RETURN_IF_ERROR(r.Uint("width", &i.width));
      TL_RETURN_IF_ERROR(r.Uint("height", &i.height));
      TL_RETURN_IF_ERROR(r.Enum("color", kColors, &i.color));
      return r.Enum("resize_mode", kResizeModes, &i.resize_mode);
    }
  }
  return InternalError("unhandled block type");
}

// Turns a Plan* failure on a valid config into a message about the input shape.
Status ShapeError(const BlockConfig& c, const SignalShape& in, const BlockPlan& plan) {
  const char* b = BlockTypeName(c.type);
  if (in.frames == 0 || in.axes == 0) {
    return Invalid(
        b, "the input window is empty (" + Num(in.frames) + " frames x " + Num(in.axes) + " axes)");
  }
  if (c.type == BlockType::kMfe || c.type == BlockType::kMfcc) {
    if (in.axes != 1) return Invalid(b, "needs one axis (audio), got " + Num(in.axes));
    const float rate = c.type == BlockType::kMfe ? c.mfe.sample_rate_hz : c.mfcc.sample_rate_hz;
    const float length = c.type == BlockType::kMfe ? c.mfe.frame_length_s : c.mfcc.frame_length_s;
    const double samples = std::floor(static_cast<double>(length) * rate + 0.5);
    return Invalid(b, "frame_length_s " + Num(length) + " is " + std::to_string(int64_t(samples)) +
                          " samples at " + Num(rate) + " Hz, longer than the window (" +
                          Num(in.frames) + " frames)");
  }
  return Invalid(b, std::string("the input does not fit: ") + (plan.error ? plan.error : "?"));
}

}  // namespace

const char* BlockTypeName(BlockType type) { return NameOf(kBlockTypes, type); }

Status ValidateBlockConfig(const BlockConfig& c) {
  switch (c.type) {
    case BlockType::kRaw:
      return CheckFinite("raw", "scale", c.raw.scale);
    case BlockType::kFlatten:
      TL_RETURN_IF_ERROR(CheckFinite("flatten", "scale", c.flatten.scale));
      if (FlattenStatCount(c.flatten) == 0) {
        return Invalid("flatten",
                       "select at least one of average, minimum, maximum, rms, stdev, skewness, "
                       "kurtosis");
      }
      return OkStatus();
    case BlockType::kSpectral:
      return ValidateSpectral(c.spectral);
    case BlockType::kMfe:
      return ValidateMfe(c.mfe);
    case BlockType::kMfcc:
      return ValidateMfcc(c.mfcc);
    case BlockType::kImage:
      return ValidateImage(c.image);
  }
  return InvalidArgumentError("unknown block type");
}

StatusOr<BlockConfig> BlockConfigFromJson(const Json& json) {
  if (!json.is_object()) {
    return InvalidArgumentError("a DSP block config must be a JSON object, got " + DumpJson(json));
  }
  const auto type = json.find("type");
  if (type == json.end()) {
    return InvalidArgumentError("a DSP block config needs \"type\", one of " +
                                NameList(kBlockTypes));
  }
  BlockConfig config;
  bool found = false;
  if (type->is_string()) {
    for (const auto& e : kBlockTypes) {
      if (type->get<std::string>() == e.name) {
        config.type = e.value;
        found = true;
      }
    }
  }
  if (!found) {
    return InvalidArgumentError("type must be one of " + NameList(kBlockTypes) + ", got " +
                                DumpJson(*type));
  }
  FieldReader reader(json, BlockTypeName(config.type));
  reader.Known("type");
  TL_RETURN_IF_ERROR(ReadFields(reader, &config));
  TL_RETURN_IF_ERROR(reader.RejectUnknown());
  TL_RETURN_IF_ERROR(ValidateBlockConfig(config));
  return config;
}

StatusOr<BlockConfig> ParseBlockConfig(std::string_view text) {
  TL_ASSIGN_OR_RETURN(const Json json, ParseJson(text));
  return BlockConfigFromJson(json);
}

Json BlockConfigToJson(const BlockConfig& c) {
  Json j = Json::object();
  j["type"] = BlockTypeName(c.type);
  switch (c.type) {
    case BlockType::kRaw:
      j["scale"] = ShortDouble(c.raw.scale);
      break;
    case BlockType::kFlatten:
      j["scale"] = ShortDouble(c.flatten.scale);
      j["average"] = c.flatten.average;
      j["minimum"] = c.flatten.minimum;
      j["maximum"] = c.flatten.maximum;
      j["rms"] = c.flatten.rms;
      j["stdev"] = c.flatten.stdev;
      j["skewness"] = c.flatten.skewness;
      j["kurtosis"] = c.flatten.kurtosis;
      break;
    case BlockType::kSpectral: {
      const SpectralConfig& s = c.spectral;
      j["sample_rate_hz"] = ShortDouble(s.sample_rate_hz);
      j["scale"] = ShortDouble(s.scale);
      j["filter_type"] = NameOf(kFilterTypes, s.filter_type);
      j["filter_cutoff_hz"] = ShortDouble(s.filter_cutoff_hz);
      j["filter_order"] = s.filter_order;
      j["fft_length"] = s.fft_length;
      j["fft_overlap"] = s.fft_overlap;
      j["combine"] = NameOf(kCombines, s.combine);
      j["log_power"] = s.log_power;
      j["skip_dc_bin"] = s.skip_dc_bin;
      Json edges = Json::array();
      for (uint32_t i = 0; i < s.num_band_edges && i < kMaxBandEdges; ++i) {
        edges.push_back(ShortDouble(s.band_edges_hz[i]));
      }
      j["band_edges_hz"] = std::move(edges);
      break;
    }
    case BlockType::kMfe: {
      const MfeConfig& m = c.mfe;
      j["sample_rate_hz"] = ShortDouble(m.sample_rate_hz);
      j["frame_length_s"] = ShortDouble(m.frame_length_s);
      j["frame_stride_s"] = ShortDouble(m.frame_stride_s);
      j["fft_length"] = m.fft_length;
      j["num_filters"] = m.num_filters;
      j["low_frequency_hz"] = ShortDouble(m.low_frequency_hz);
      j["high_frequency_hz"] = ShortDouble(m.high_frequency_hz);
      j["pre_emphasis"] = ShortDouble(m.pre_emphasis);
      j["input_scale"] = ShortDouble(m.input_scale);
      j["noise_floor_db"] = ShortDouble(m.noise_floor_db);
      j["quantize"] = m.quantize;
      break;
    }
    case BlockType::kMfcc: {
      const MfccConfig& m = c.mfcc;
      j["sample_rate_hz"] = ShortDouble(m.sample_rate_hz);
      j["frame_length_s"] = ShortDouble(m.frame_length_s);
      j["frame_stride_s"] = ShortDouble(m.frame_stride_s);
      j["fft_length"] = m.fft_length;
      j["num_filters"] = m.num_filters;
      j["num_cepstral"] = m.num_cepstral;
      j["low_frequency_hz"] = ShortDouble(m.low_frequency_hz);
      j["high_frequency_hz"] = ShortDouble(m.high_frequency_hz);
      j["pre_emphasis"] = ShortDouble(m.pre_emphasis);
      j["input_scale"] = ShortDouble(m.input_scale);
      j["dc_elimination"] = m.dc_elimination;
      j["cmvn_window"] = m.cmvn_window;
      break;
    }
    case BlockType::kImage:
      j["width"] = c.image.width;
      j["height"] = c.image.height;
      j["color"] = NameOf(kColors, c.image.color);
      j["resize_mode"] = NameOf(kResizeModes, c.image.resize_mode);
      break;
  }
  return j;
}

StatusOr<BlockPlan> PlanBlock(const BlockConfig& c, const SignalShape& input) {
  TL_RETURN_IF_ERROR(ValidateBlockConfig(c));
  BlockPlan plan;
  DspStatus status = DspStatus::kOk;
  switch (c.type) {
    case BlockType::kRaw:
      status = PlanRaw(c.raw, input, &plan);
      break;
    case BlockType::kFlatten:
      status = PlanFlatten(c.flatten, input, &plan);
      break;
    case BlockType::kSpectral:
      status = PlanSpectral(c.spectral, input, &plan);
      break;
    case BlockType::kMfe:
      status = PlanMfe(c.mfe, input, &plan);
      break;
    case BlockType::kMfcc:
      status = PlanMfcc(c.mfcc, input, &plan);
      break;
    case BlockType::kImage:
      return InvalidArgumentError("image block needs an image input, got a time-series window");
  }
  if (status == DspStatus::kShapeMismatch) return ShapeError(c, input, plan);
  if (status != DspStatus::kOk) {
    return InternalError(std::string(BlockTypeName(c.type)) + ": block rejected a validated " +
                         "config (" + DspStatusName(status) + ", " +
                         (plan.error ? plan.error : "?") + ")");
  }
  return plan;
}

StatusOr<BlockPlan> PlanBlock(const BlockConfig& c, const ImageShape& input) {
  if (c.type != BlockType::kImage) {
    return InvalidArgumentError(std::string(BlockTypeName(c.type)) +
                                " block needs a time-series window, got an image");
  }
  TL_RETURN_IF_ERROR(ValidateBlockConfig(c));
  if (input.channels != 1 && input.channels != 3) {
    return Invalid("image", "input channels must be 1 or 3, got " + Num(input.channels));
  }
  if (input.width < 1 || input.width > kMaxImageSide || input.height < 1 ||
      input.height > kMaxImageSide) {
    return Invalid("image", "input size must be between 1 and " + Num(kMaxImageSide) +
                                " per side, got " + Num(input.width) + " x " + Num(input.height));
  }
  BlockPlan plan;
  const DspStatus status = PlanImage(c.image, input, &plan);
  if (status != DspStatus::kOk) {
    return InternalError(std::string("image: block rejected the input (") + DspStatusName(status) +
                         ", " + (plan.error ? plan.error : "?") + ")");
  }
  return plan;
}

StatusOr<TimeSeriesConfig> TimeSeriesConfigFromJson(const Json& json) {
  if (!json.is_object()) {
    return InvalidArgumentError("a time-series config must be a JSON object, got " +
                                DumpJson(json));
  }
  const auto type = json.find("type");
  if (type != json.end() && *type != "time-series") {
    return InvalidArgumentError("time-series: type must be \"time-series\", got " +
                                DumpJson(*type));
  }
  TimeSeriesConfig c;
  FieldReader r(json, "time-series");
  r.Known("type");
  TL_RETURN_IF_ERROR(r.Float("window_size_ms", &c.window_size_ms));
  TL_RETURN_IF_ERROR(r.Float("window_increase_ms", &c.window_increase_ms));
  TL_RETURN_IF_ERROR(r.Float("frequency_hz", &c.frequency_hz));
  TL_RETURN_IF_ERROR(r.Bool("pad_zeros", &c.pad_zeros));
  TL_RETURN_IF_ERROR(r.RejectUnknown());
  const char* b = "time-series";
  TL_RETURN_IF_ERROR(CheckPositive(b, "window_size_ms", c.window_size_ms));
  TL_RETURN_IF_ERROR(CheckPositive(b, "window_increase_ms", c.window_increase_ms));
  TL_RETURN_IF_ERROR(CheckPositive(b, "frequency_hz", c.frequency_hz));
  return c;
}

Json TimeSeriesConfigToJson(const TimeSeriesConfig& c) {
  return Json{{"type", "time-series"},
              {"window_size_ms", ShortDouble(c.window_size_ms)},
              {"window_increase_ms", ShortDouble(c.window_increase_ms)},
              {"frequency_hz", ShortDouble(c.frequency_hz)},
              {"pad_zeros", c.pad_zeros}};
}

StatusOr<WindowConfig> WindowConfigFor(const TimeSeriesConfig& c, uint32_t recording_frames) {
  const char* b = "time-series";
  TL_RETURN_IF_ERROR(CheckPositive(b, "window_size_ms", c.window_size_ms));
  TL_RETURN_IF_ERROR(CheckPositive(b, "window_increase_ms", c.window_increase_ms));
  TL_RETURN_IF_ERROR(CheckPositive(b, "frequency_hz", c.frequency_hz));
  const float interval_ms = 1000.0f / c.frequency_hz;
  WindowConfig w;
  w.window_samples = SamplesFromMs(c.window_size_ms, interval_ms);
  w.stride_samples = SamplesFromMs(c.window_increase_ms, interval_ms);
  w.zero_pad = c.pad_zeros;
  if (w.window_samples == 0) {
    return Invalid(b, "window_size_ms " + Num(c.window_size_ms) + " is less than one sample at " +
                          Num(c.frequency_hz) + " Hz");
  }
  if (w.stride_samples == 0) {
    return Invalid(b, "window_increase_ms " + Num(c.window_increase_ms) +
                          " is less than one sample at " + Num(c.frequency_hz) + " Hz");
  }
  if (recording_frames == 0) return Invalid(b, "the sample is empty");
  if (!c.pad_zeros && w.window_samples > recording_frames) {
    const double sample_ms = static_cast<double>(recording_frames) * 1000.0 / c.frequency_hz;
    return InvalidArgumentError("window_size_ms " + Num(c.window_size_ms) +
                                " is longer than the sample (" + Num(sample_ms) +
                                " ms); shorten the window or set pad_zeros");
  }
  return w;
}

}  // namespace tinyloop::dsp
