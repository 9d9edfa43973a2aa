#include "model/codegen_params.h"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace tinyloop::model {
namespace {

namespace ref = tinyloop::runtime::reference;

// Builds `constexpr ref::T name = [] { ref::T p; p.field = value; ... return p; }();`: every
// field is assigned by name, so the text stays right if the struct's field order changes.
class StructWriter {
 public:
  StructWriter(const std::string& type, const std::string& name) {
    out_ << "constexpr ref::" << type << " " << name << " = [] {\n  ref::" << type << " p;\n";
  }
  StructWriter& Int(const char* field, int32_t v) { return Set(field, IntLiteral(v)); }
  StructWriter& Float(const char* field, float v) { return Set(field, FloatLiteral(v)); }
  StructWriter& Pointer(const char* field, const std::string& array) {
    return Set(field, array.empty() ? "nullptr" : array);
  }
  std::string Done() {
    out_ << "  return p;\n}();\n\n";
    return out_.str();
  }

 private:
  StructWriter& Set(const char* field, const std::string& value) {
    out_ << "  p." << field << " = " << value << ";\n";
    return *this;
  }
  std::ostringstream out_;
};

}  // namespace

std::string FloatLiteral(float v) {
  if (std::isnan(v)) return "std::numeric_limits<float>::quiet_NaN()";
  if (std::isinf(v)) {
    return v > 0 ? "std::numeric_limits<float>::infinity()"
                 : "-std::numeric_limits<float>::infinity()";
  }
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%af", static_cast<double>(v));
  return buf;
}

std::string IntLiteral(int32_t v) {
  if (v == INT32_MIN) return "(-2147483647 - 1)";
  return std::to_string(v);
}

std::string ConvParamsDefinition(const std::string& name, const ref::ConvParams& p,
                                 const std::string& multipliers, const std::string& shifts) {
  return StructWriter("ConvParams", name)
      .Int("batches", p.batches)
      .Int("input_h", p.input_h)
      .Int("input_w", p.input_w)
      .Int("input_c", p.input_c)
      .Int("output_h", p.output_h)
      .Int("output_w", p.output_w)
      .Int("output_c", p.output_c)
      .Int("filter_h", p.filter_h)
      .Int("filter_w", p.filter_w)
      .Int("filter_c", p.filter_c)
      .Int("depth_multiplier", p.depth_multiplier)
      .Int("stride_h", p.stride_h)
      .Int("stride_w", p.stride_w)
      .Int("dilation_h", p.dilation_h)
      .Int("dilation_w", p.dilation_w)
      .Int("pad_h", p.pad_h)
      .Int("pad_w", p.pad_w)
      .Int("input_offset", p.input_offset)
      .Int("output_offset", p.output_offset)
      .Int("act_min", p.act_min)
      .Int("act_max", p.act_max)
      .Float("float_min", p.float_min)
      .Float("float_max", p.float_max)
      .Pointer("multipliers", multipliers)
      .Pointer("shifts", shifts)
      .Done();
}

std::string FullyConnectedParamsDefinition(const std::string& name,
                                           const ref::FullyConnectedParams& p,
                                           const std::string& multipliers,
                                           const std::string& shifts) {
  return StructWriter("FullyConnectedParams", name)
      .Int("batches", p.batches)
      .Int("units", p.units)
      .Int("accum_depth", p.accum_depth)
      .Int("input_offset", p.input_offset)
      .Int("filter_offset", p.filter_offset)
      .Int("output_offset", p.output_offset)
      .Int("act_min", p.act_min)
      .Int("act_max", p.act_max)
      .Float("float_min", p.float_min)
      .Float("float_max", p.float_max)
      .Int("multiplier", p.multiplier)
      .Int("shift", p.shift)
      .Pointer("multipliers", multipliers)
      .Pointer("shifts", shifts)
      .Done();
}

std::string PoolParamsDefinition(const std::string& name, const ref::PoolParams& p) {
  return StructWriter("PoolParams", name)
      .Int("batches", p.batches)
      .Int("input_h", p.input_h)
      .Int("input_w", p.input_w)
      .Int("channels", p.channels)
      .Int("output_h", p.output_h)
      .Int("output_w", p.output_w)
      .Int("filter_h", p.filter_h)
      .Int("filter_w", p.filter_w)
      .Int("stride_h", p.stride_h)
      .Int("stride_w", p.stride_w)
      .Int("pad_h", p.pad_h)
      .Int("pad_w", p.pad_w)
      .Int("act_min", p.act_min)
      .Int("act_max", p.act_max)
      .Float("float_min", p.float_min)
      .Float("float_max", p.float_max)
      .Done();
}

// The output shape and both inputs' strides of a broadcasting binary op (ADD, MUL).
template <typename Params>
void WriteBroadcastShape(const Params& p, StructWriter& w) {
  const char* dims[4] = {"dims[0]", "dims[1]", "dims[2]", "dims[3]"};
  const char* s1[4] = {"strides1[0]", "strides1[1]", "strides1[2]", "strides1[3]"};
  const char* s2[4] = {"strides2[0]", "strides2[1]", "strides2[2]", "strides2[3]"};
  for (int i = 0; i < 4; ++i) {
    w.Int(dims[i], p.dims[i]).Int(s1[i], p.strides1[i]).Int(s2[i], p.strides2[i]);
  }
}

std::string AddParamsDefinition(const std::string& name, const ref::AddParams& p) {
  StructWriter w("AddParams", name);
  WriteBroadcastShape(p, w);
  return w.Int("input1_offset", p.input1_offset)
      .Int("input2_offset", p.input2_offset)
      .Int("output_offset", p.output_offset)
      .Int("left_shift", p.left_shift)
      .Int("input1_multiplier", p.input1_multiplier)
      .Int("input1_shift", p.input1_shift)
      .Int("input2_multiplier", p.input2_multiplier)
      .Int("input2_shift", p.input2_shift)
      .Int("output_multiplier", p.output_multiplier)
      .Int("output_shift", p.output_shift)
      .Int("act_min", p.act_min)
      .Int("act_max", p.act_max)
      .Float("float_min", p.float_min)
      .Float("float_max", p.float_max)
      .Done();
}

std::string MeanParamsDefinition(const std::string& name, const ref::MeanParams& p) {
  return StructWriter("MeanParams", name)
      .Int("batches", p.batches)
      .Int("input_h", p.input_h)
      .Int("input_w", p.input_w)
      .Int("channels", p.channels)
      .Int("same_quantization", p.same_quantization ? 1 : 0)
      .Int("output_zero_point", p.output_zero_point)
      .Float("scale", p.scale)
      .Float("bias", p.bias)
      .Done();
}

std::string MulParamsDefinition(const std::string& name, const ref::MulParams& p) {
  StructWriter w("MulParams", name);
  WriteBroadcastShape(p, w);
  return w.Int("input1_offset", p.input1_offset)
      .Int("input2_offset", p.input2_offset)
      .Int("output_offset", p.output_offset)
      .Int("output_multiplier", p.output_multiplier)
      .Int("output_shift", p.output_shift)
      .Int("act_min", p.act_min)
      .Int("act_max", p.act_max)
      .Float("float_min", p.float_min)
      .Float("float_max", p.float_max)
      .Done();
}

std::string LogisticTanhParamsDefinition(const std::string& name,
                                         const ref::LogisticTanhParams& p) {
  return StructWriter("LogisticTanhParams", name)
      .Int("count", p.count)
      .Int("input_zero_point", p.input_zero_point)
      .Int("input_range_radius", p.input_range_radius)
      .Int("input_multiplier", p.input_multiplier)
      .Int("input_left_shift", p.input_left_shift)
      .Done();
}

std::string SoftmaxParamsDefinition(const std::string& name, const ref::SoftmaxParams& p) {
  return StructWriter("SoftmaxParams", name)
      .Int("outer", p.outer)
      .Int("depth", p.depth)
      .Int("input_multiplier", p.input_multiplier)
      .Int("input_left_shift", p.input_left_shift)
      .Int("diff_min", p.diff_min)
      .Float("beta", p.beta)
      .Done();
}

std::string QuantizeParamsDefinition(const std::string& name, const ref::QuantizeParams& p) {
  return StructWriter("QuantizeParams", name)
      .Int("count", p.count)
      .Float("scale", p.scale)
      .Int("zero_point", p.zero_point)
      .Int("input_zero_point", p.input_zero_point)
      .Int("multiplier", p.multiplier)
      .Int("shift", p.shift)
      .Done();
}

}  // namespace tinyloop::model
