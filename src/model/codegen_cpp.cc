#include "model/codegen_cpp.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include "model/codegen_embedded.h"
#include "model/codegen_params.h"
#include "model/runtime_program.h"
#include "runtime/interpreter.h"
#include "runtime/kernels/kernels.h"

namespace tinyloop::model {
namespace {

namespace rt = tinyloop::runtime;
namespace ref = tinyloop::runtime::reference;

const char* CType(DType t) {
  switch (t) {
    case DType::kFloat32:
      return "float";
    case DType::kInt8:
      return "int8_t";
    case DType::kInt16:
      return "int16_t";
    case DType::kInt32:
      return "int32_t";
    case DType::kInt64:
      return "int64_t";
    case DType::kUint8:
    case DType::kBool:
      return "uint8_t";
  }
  return "uint8_t";
}

// Comment-safe copy of a tensor name (printable ASCII only, bounded length).
std::string CommentText(const std::string& s) {
  std::string out;
  for (char c : s.substr(0, 80)) out += (c >= 0x20 && c < 0x7f && c != '\\') ? c : '?';
  return out;
}

std::string ShapeText(const std::vector<int32_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? "," : "") + std::to_string(shape[i]);
  return out + "]";
}

// Writes the constant data of one tensor as a typed array literal body.
std::string ArrayBody(DType type, const std::vector<uint8_t>& data) {
  std::string out;
  const size_t size = static_cast<size_t>(DTypeSize(type));
  const size_t count = data.size() / size;
  for (size_t i = 0; i < count; ++i) {
    const uint8_t* p = data.data() + i * size;
    std::string v;
    switch (type) {
      case DType::kFloat32: {
        float f;
        std::memcpy(&f, p, 4);
        v = FloatLiteral(f);
        break;
      }
      case DType::kInt8:
        v = std::to_string(static_cast<int8_t>(p[0]));
        break;
      case DType::kInt16: {
        int16_t x;
        std::memcpy(&x, p, 2);
        v = std::to_string(x);
        break;
      }
      case DType::kInt32: {
        int32_t x;
        std::memcpy(&x, p, 4);
        v = IntLiteral(x);
        break;
      }
      case DType::kInt64: {
        int64_t x;
        std::memcpy(&x, p, 8);
        v = x == INT64_MIN ? "(-9223372036854775807LL - 1)" : std::to_string(x) + "LL";
        break;
      }
      case DType::kUint8:
      case DType::kBool:
        v = std::to_string(p[0]);
        break;
    }
    out += (i % 16 == 0 ? "\n    " : " ") + v + ",";
  }
  return out;
}

// The reference kernel sources an op needs inside the generated folder.
// Int8 CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and ADD call runtime/kernels/cortex_m4/: its
// DSP sources on a Cortex-M4 (codegen_build.h, the generated CMake's TINYLOOP_CORTEX_M4_DSP), its
// portable source (the reference kernels, so all four) everywhere else; both are in the folder.
std::vector<std::string> KernelFiles(OpType type) {
  const std::string dir = "runtime/kernels/reference/";
  const std::string m4 = "runtime/kernels/cortex_m4/";
  switch (type) {
    case OpType::kConv2D:
    case OpType::kDepthwiseConv2D:
    case OpType::kFullyConnected:
    case OpType::kAdd:
      return {dir + "conv.h",
              dir + "conv.cc",
              dir + "fully_connected.h",
              dir + "fully_connected.cc",
              dir + "add.h",
              dir + "add.cc",
              kCortexM4KernelsHeader,
              kCortexM4KernelsPortable,
              m4 + "dsp.h",
              m4 + "requantize.h",
              kCortexM4KernelsDsp[0],
              kCortexM4KernelsDsp[1],
              kCortexM4KernelsDsp[2],
              kCortexM4KernelsDsp[3]};
    case OpType::kAveragePool2D:
    case OpType::kMaxPool2D:
    case OpType::kMean:
      return {dir + "pooling.h", dir + "pooling.cc"};
    case OpType::kMul:
      return {dir + "mul.h", dir + "mul.cc"};
    case OpType::kLogistic:
    case OpType::kTanh:
      return {dir + "activations.h", dir + "activations.cc", dir + "fixed_point.cc"};
    case OpType::kSoftmax:
      // softmax.cc also holds its Prepare helper, which needs QuantizeMultiplier.
      return {dir + "softmax.h",      dir + "softmax.cc",      dir + "fixed_point.cc",
              dir + "quantization.h", dir + "quantization.cc", "runtime/program_format.h",
              "runtime/status.h"};
    case OpType::kQuantize:
    case OpType::kDequantize:
    case OpType::kRelu:
      return {dir + "elementwise.h", dir + "elementwise.cc"};
    default:
      return {};
  }
}

class ModelWriter {
 public:
  ModelWriter(const Graph& g, const MemoryPlan& plan) : g_(g), plan_(plan) {}

  // Pointer expression for tensor `id` (null for an absent optional input).
  std::string Ptr(int32_t id, bool writable) {
    if (id < 0) return "nullptr";
    const Tensor& t = g_.tensors[id];
    if (t.is_constant()) {
      if (emitted_.insert(id).second) {
        constants_ << "// tensor " << id << " '" << CommentText(t.name) << "' " << DTypeName(t.type)
                   << " " << ShapeText(t.shape) << "\nalignas(16) const " << CType(t.type)
                   << " kTensor" << id << "[" << t.element_count() << "] = {"
                   << ArrayBody(t.type, t.data) << "\n};\n\n";
        constant_bytes_ += t.data.size();
      }
      return "kTensor" + std::to_string(id);
    }
    return std::string("reinterpret_cast<") + (writable ? "" : "const ") + CType(t.type) +
           "*>(g_arena + " + std::to_string(plan_.offsets[id]) + ")";
  }

  // Emits `const T name[] = {...}` for per-channel parameters; returns the name.
  template <typename T>
  std::string Array(const std::string& name, const char* ctype, const T* values, int32_t count) {
    constants_ << "const " << ctype << " " << name << "[" << count << "] = {";
    for (int32_t i = 0; i < count; ++i) {
      constants_ << (i % 16 == 0 ? "\n    " : " ") << IntLiteral(values[i]) << ",";
    }
    constants_ << "\n};\n\n";
    constant_bytes_ += sizeof(T) * static_cast<size_t>(count);
    return name;
  }

  void Params(const std::string& text, size_t bytes) {
    constants_ << text;
    constant_bytes_ += bytes;
  }
  void Call(const std::string& text) { body_ << text; }

  std::string constants() const { return constants_.str(); }
  std::string body() const { return body_.str(); }
  uint64_t constant_bytes() const { return constant_bytes_; }

 private:
  const Graph& g_;
  const MemoryPlan& plan_;
  std::set<int32_t> emitted_;
  std::ostringstream constants_;
  std::ostringstream body_;
  uint64_t constant_bytes_ = 0;
};

// Emits the params constant and the kernel call of op `i`.
Status EmitOp(const Graph& g, const MemoryPlan& plan, size_t i, const void* params,
              ModelWriter* w) {
  const Op& op = g.ops[i];
  const std::string n = std::to_string(i);
  const std::string name = "kOp" + n;
  const bool is_float = g.tensors[op.inputs[0]].type == DType::kFloat32;
  auto in = [&](size_t k) {
    return k < op.inputs.size() ? w->Ptr(op.inputs[k], false) : "nullptr";
  };
  const std::string out = w->Ptr(op.outputs[0], true);
  std::ostringstream call;
  call << "  // op " << i << ": " << OpTypeName(op.type) << " -> '"
       << CommentText(g.tensors[op.outputs[0]].name) << "' "
       << ShapeText(g.tensors[op.outputs[0]].shape) << "\n  ";
  switch (op.type) {
    case OpType::kConv2D:
    case OpType::kDepthwiseConv2D: {
      const auto& p = *static_cast<const ref::ConvParams*>(params);
      std::string mult, shifts;
      if (!is_float) {
        mult = w->Array(name + "Multipliers", "int32_t", p.multipliers, p.output_c);
        shifts = w->Array(name + "Shifts", "int8_t", p.shifts, p.output_c);
      }
      w->Params(ConvParamsDefinition(name, p, mult, shifts), sizeof(p));
      const bool dw = op.type == OpType::kDepthwiseConv2D;
      call << (is_float ? "ref::" : "m4::") << (dw ? "DepthwiseConv" : "Conv")
           << (is_float ? "Float(" : "PerChannelInt8(") << name << ", " << in(0) << ", " << in(1)
           << ", " << in(2) << ", " << out << ");\n";
      break;
    }
    case OpType::kFullyConnected: {
      const auto& p = *static_cast<const ref::FullyConnectedParams*>(params);
      std::string mult, shifts;
      if (p.multipliers != nullptr) {
        mult = w->Array(name + "Multipliers", "int32_t", p.multipliers, p.units);
        shifts = w->Array(name + "Shifts", "int8_t", p.shifts, p.units);
      }
      w->Params(FullyConnectedParamsDefinition(name, p, mult, shifts), sizeof(p));
      call << (is_float ? "ref::FullyConnected" : "m4::FullyConnected")
           << (is_float ? "Float(" : "Int8(") << name << ", " << in(0) << ", " << in(1) << ", "
           << in(2) << ", " << out << ");\n";
      break;
    }
    case OpType::kAveragePool2D:
    case OpType::kMaxPool2D: {
      const auto& p = *static_cast<const ref::PoolParams*>(params);
      w->Params(PoolParamsDefinition(name, p), sizeof(p));
      const char* fn = op.type == OpType::kMaxPool2D ? (is_float ? "MaxPoolFloat(" : "MaxPoolInt8(")
                       : is_float                    ? "AveragePoolFloat("
                                                     : "AveragePoolInt8(";
      call << "ref::" << fn << name << ", " << in(0) << ", " << out << ");\n";
      break;
    }
    case OpType::kMean: {
      const auto& p = *static_cast<const ref::MeanParams*>(params);
      w->Params(MeanParamsDefinition(name, p), sizeof(p));
      call << "ref::MeanHw" << (is_float ? "Float(" : "Int8(") << name << ", " << in(0) << ", "
           << out << ");\n";
      break;
    }
    case OpType::kMul: {
      const auto& p = *static_cast<const ref::MulParams*>(params);
      w->Params(MulParamsDefinition(name, p), sizeof(p));
      call << "ref::Mul" << (is_float ? "Float(" : "Int8(") << name << ", " << in(0) << ", "
           << in(1) << ", " << out << ");\n";
      break;
    }
    case OpType::kLogistic:
    case OpType::kTanh: {
      const auto& p = *static_cast<const ref::LogisticTanhParams*>(params);
      const char* fn = op.type == OpType::kLogistic ? "Logistic" : "Tanh";
      if (is_float) {
        call << "ref::" << fn << "Float(" << p.count << ", " << in(0) << ", " << out << ");\n";
        break;
      }
      w->Params(LogisticTanhParamsDefinition(name, p), sizeof(p));
      call << "ref::" << fn << "Int8(" << name << ", " << in(0) << ", " << out << ");\n";
      break;
    }
    case OpType::kAdd: {
      const auto& p = *static_cast<const ref::AddParams*>(params);
      w->Params(AddParamsDefinition(name, p), sizeof(p));
      call << (is_float ? "ref::AddFloat(" : "m4::AddInt8(") << name << ", " << in(0) << ", "
           << in(1) << ", " << out << ");\n";
      break;
    }
    case OpType::kSoftmax: {
      const auto& p = *static_cast<const ref::SoftmaxParams*>(params);
      w->Params(SoftmaxParamsDefinition(name, p), sizeof(p));
      call << "ref::Softmax" << (is_float ? "Float(" : "Int8(") << name << ", " << in(0) << ", "
           << out << ");\n";
      break;
    }
    case OpType::kQuantize:
    case OpType::kDequantize:
    case OpType::kRelu: {
      const auto& p = *static_cast<const ref::QuantizeParams*>(params);
      if (op.type == OpType::kRelu) {
        call << "ref::ReluFloat(" << p.count << ", " << in(0) << ", " << out << ");\n";
        break;
      }
      w->Params(QuantizeParamsDefinition(name, p), sizeof(p));
      const char* fn = op.type == OpType::kDequantize ? "DequantizeInt8("
                       : is_float                     ? "QuantizeFloatToInt8("
                                                      : "RequantizeInt8(";
      call << "ref::" << fn << name << ", " << in(0) << ", " << out << ");\n";
      break;
    }
    case OpType::kReshape: {
      const int32_t from = op.inputs[0], to = op.outputs[0];
      if (g.tensors[from].is_constant() || plan.offsets[from] != plan.offsets[to]) {
        call << "std::memmove(" << out << ", " << in(0) << ", " << g.tensors[to].byte_size()
             << ");\n";
      } else {
        call << "// same bytes: nothing to move\n";
      }
      break;
    }
    default:
      return UnimplementedError("operator " + n + ": no code generator for " + OpTypeName(op.type));
  }
  w->Call(call.str());
  return OkStatus();
}

// Collects each op's Prepare result (its params) in op order while the interpreter prepares.
thread_local std::vector<const void*>* g_captured_params = nullptr;

template <rt::Status (*kPrepare)(rt::PrepareContext&)>
rt::Status CapturingPrepare(rt::PrepareContext& ctx) {
  const rt::Status status = kPrepare(ctx);
  if (status == rt::Status::kOk && g_captured_params != nullptr) {
    g_captured_params->push_back(ctx.state()->params);
  }
  return status;
}

// The runtime's Prepare results for every op of a lowered program. The params live in `arena`.
StatusOr<std::vector<const void*>> PrepareAndCapture(const RuntimeProgram& program,
                                                     std::unique_ptr<uint8_t[]>* holders) {
  static const rt::OpResolverBase::Entry kKernels[] = {
      {rt::OpCode::kConv2D, CapturingPrepare<rt::PrepareConv2D>},
      {rt::OpCode::kDepthwiseConv2D, CapturingPrepare<rt::PrepareDepthwiseConv2D>},
      {rt::OpCode::kFullyConnected, CapturingPrepare<rt::PrepareFullyConnected>},
      {rt::OpCode::kAveragePool2D, CapturingPrepare<rt::PrepareAveragePool2D>},
      {rt::OpCode::kMaxPool2D, CapturingPrepare<rt::PrepareMaxPool2D>},
      {rt::OpCode::kMean, CapturingPrepare<rt::PrepareMean>},
      {rt::OpCode::kAdd, CapturingPrepare<rt::PrepareAdd>},
      {rt::OpCode::kSoftmax, CapturingPrepare<rt::PrepareSoftmax>},
      {rt::OpCode::kReshape, CapturingPrepare<rt::PrepareReshape>},
      {rt::OpCode::kQuantize, CapturingPrepare<rt::PrepareQuantize>},
      {rt::OpCode::kDequantize, CapturingPrepare<rt::PrepareDequantize>},
      {rt::OpCode::kRelu, CapturingPrepare<rt::PrepareRelu>},
      {rt::OpCode::kMul, CapturingPrepare<rt::PrepareMul>},
      {rt::OpCode::kLogistic, CapturingPrepare<rt::PrepareLogistic>},
      {rt::OpCode::kTanh, CapturingPrepare<rt::PrepareTanh>},
  };
  rt::OpResolver<sizeof(kKernels) / sizeof(kKernels[0])> resolver;
  for (const auto& k : kKernels) {
    if (resolver.Add(k.op, k.prepare) != rt::Status::kOk) return InternalError("resolver full");
  }
  auto aligned = [](size_t bytes, std::unique_ptr<uint8_t[]>* holder) {
    holder->reset(new uint8_t[bytes + 16]);
    const uintptr_t p = reinterpret_cast<uintptr_t>(holder->get());
    return reinterpret_cast<uint8_t*>((p + 15) / 16 * 16);
  };
  uint8_t* code = aligned(program.bytes.size(), &holders[0]);
  std::memcpy(code, program.bytes.data(), program.bytes.size());
  const size_t arena_size = program.arena_bytes + 1024;
  uint8_t* arena = aligned(arena_size, &holders[1]);
  std::vector<const void*> captured;
  g_captured_params = &captured;
  rt::Interpreter interpreter(resolver);
  const rt::Status status = interpreter.Prepare(code, program.bytes.size(), arena, arena_size);
  g_captured_params = nullptr;
  if (status != rt::Status::kOk) {
    return InternalError(std::string("the runtime rejects the program it was lowered to: ") +
                         rt::StatusName(status));
  }
  return captured;
}

std::string HeaderText(const Graph& g, const CppLibrary& lib, const CppLibraryOptions& options) {
  const Tensor& in = g.tensors[g.inputs[0]];
  const Tensor& out = g.tensors[g.outputs[0]];
  std::ostringstream h;
  h << "// tinyloop_model.h: generated by `tinyloop compile` from a " << in.shape.size() << "-D "
    << DTypeName(in.type) << " model. Do not edit.\n"
    << "// The model as code: weights in const arrays (flash), a static arena of "
    << lib.arena_bytes << " bytes (RAM),\n// no heap, no interpreter. Not thread-safe: one "
    << "inference at a time (the arena is shared).\n#pragma once\n\n#include <stdint.h>\n\n"
    << "// Input tensor " << ShapeText(in.shape) << " " << DTypeName(in.type) << ", output tensor "
    << ShapeText(out.shape) << " " << DTypeName(out.type) << ".\n"
    << "#define TINYLOOP_INPUT_ELEMENTS " << in.element_count() << "\n"
    << "#define TINYLOOP_INPUT_BYTES " << in.byte_size() << "\n"
    << "#define TINYLOOP_OUTPUT_ELEMENTS " << out.element_count() << "\n"
    << "#define TINYLOOP_OUTPUT_BYTES " << out.byte_size() << "\n"
    << "#define TINYLOOP_ARENA_BYTES " << lib.arena_bytes << "\n";
  auto quant = [&](const char* what, const Tensor& t) {
    if (t.quant.empty()) return;
    h << "// real = " << what << "_SCALE * (q - " << what << "_ZERO_POINT)\n"
      << "#define TINYLOOP_" << what << "_SCALE " << FloatLiteral(t.quant.scale[0]) << "\n"
      << "#define TINYLOOP_" << what << "_ZERO_POINT " << t.quant.zero_point[0] << "\n";
  };
  quant("INPUT", in);
  quant("OUTPUT", out);
  h << "\ntypedef " << CType(in.type) << " tinyloop_input_t;\ntypedef " << CType(out.type)
    << " tinyloop_output_t;\n\n"
    << "// Runs one inference: reads TINYLOOP_INPUT_ELEMENTS values from `input`, writes\n"
    << "// TINYLOOP_OUTPUT_ELEMENTS values to `output`. Returns 0, or -1 when a pointer is null.\n"
    << "int tinyloop_run(const tinyloop_input_t* input, tinyloop_output_t* output);\n\n"
    << "// The impulse's DSP configuration (JSON text; empty when none was given). The input of\n"
    << "// tinyloop_run is the feature tensor this DSP produces from the raw signal.\n"
    << "extern const char tinyloop_dsp_config_json[];\n";
  if (!options.labels.empty()) {
    h << "\n#define TINYLOOP_LABEL_COUNT " << options.labels.size() << "\n"
      << "// Class names in output order.\nextern const char* const "
      << "tinyloop_labels[TINYLOOP_LABEL_COUNT];\n\n"
      << "struct tinyloop_result {\n"
      << "  int top_index;                       // index of the highest score\n"
      << "  const char* top_label;               // tinyloop_labels[top_index]\n"
      << "  float top_score;\n"
      << "  float scores[TINYLOOP_LABEL_COUNT];  // dequantized outputs, in label order\n"
      << "};\n\n"
      << "// Classifies `signal` (the model input, as for tinyloop_run) into `*result`.\n"
      << "// Returns 0, or -1 when a pointer is null.\n"
      << "int tinyloop_run(const tinyloop_input_t* signal, tinyloop_result* result);\n";
  }
  return h.str();
}

std::string StringLiteral(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\%03o", c);
      out += buf;
    }
  }
  return out + "\"";
}

std::string ModelText(const Graph& g, const MemoryPlan& plan, const ModelWriter& w,
                      const std::set<std::string>& headers, const CppLibraryOptions& options) {
  const Tensor& in = g.tensors[g.inputs[0]];
  const Tensor& out = g.tensors[g.outputs[0]];
  std::ostringstream m;
  m << "// tinyloop_model.cc: generated by `tinyloop compile`. Do not edit.\n"
    << "#include \"tinyloop_model.h\"\n\n#include <cstring>\n#include <limits>\n\n";
  for (const std::string& h : headers) m << "#include \"" << h << "\"\n";
  m << "\nnamespace {\n\nnamespace ref = tinyloop::runtime::reference;\n"
    << (headers.count(kCortexM4KernelsHeader) ? "namespace m4 = tinyloop::runtime::cortex_m4;\n"
                                              : "")
    << "\n"
    << w.constants() << "// Activations; offsets planned offline (model/runtime_program.h).\n"
    << "alignas(16) uint8_t g_arena[" << std::max<uint32_t>(plan.bytes, 16) << "];\n\n"
    << "}  // namespace\n\nconst char tinyloop_dsp_config_json[] = "
    << StringLiteral(options.dsp_config_json) << ";\n\n"
    << "int tinyloop_run(const tinyloop_input_t* input, tinyloop_output_t* output) {\n"
    << "  if (input == nullptr || output == nullptr) return -1;\n"
    << "  std::memcpy(g_arena + " << plan.offsets[g.inputs[0]] << ", input, " << in.byte_size()
    << ");\n"
    << w.body() << "  std::memcpy(output, g_arena + " << plan.offsets[g.outputs[0]] << ", "
    << out.byte_size() << ");\n  return 0;\n}\n";
  if (!options.labels.empty()) {
    m << "\nconst char* const tinyloop_labels[TINYLOOP_LABEL_COUNT] = {";
    for (const std::string& l : options.labels) m << "\n    " << StringLiteral(l) << ",";
    m << "\n};\n\nint tinyloop_run(const tinyloop_input_t* signal, tinyloop_result* result) {\n"
      << "  if (result == nullptr) return -1;\n"
      << "  tinyloop_output_t out[TINYLOOP_OUTPUT_ELEMENTS];\n"
      << "  const int status = tinyloop_run(signal, out);\n  if (status != 0) return status;\n"
      << "  result->top_index = 0;\n"
      << "  for (int i = 0; i < TINYLOOP_LABEL_COUNT; ++i) {\n";
    if (out.quant.empty()) {
      m << "    result->scores[i] = static_cast<float>(out[i]);\n";
    } else {
      m << "    result->scores[i] = TINYLOOP_OUTPUT_SCALE * static_cast<float>(out[i] - "
        << "TINYLOOP_OUTPUT_ZERO_POINT);\n";
    }
    m << "    if (result->scores[i] > result->scores[result->top_index]) result->top_index = i;\n"
      << "  }\n  result->top_label = tinyloop_labels[result->top_index];\n"
      << "  result->top_score = result->scores[result->top_index];\n  return 0;\n}\n";
  }
  return m.str();
}

std::string CMakeText(const std::vector<std::string>& sources) {
  std::ostringstream c;
  c << "# Generated by `tinyloop compile`: the model library and a host example.\n"
    << "#   cmake -S . -B build && cmake --build build && ./build/tinyloop_model_host in.bin\n"
    << "# For a Cortex-M4 add the cortex_m4/ sources and link script to your firmware, e.g.\n"
    << "#   arm-none-eabi-g++ -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -O2\n"
    << "#     -ffunction-sections -fdata-sections -fno-exceptions -fno-rtti -I. -Icortex_m4 ...\n"
    << "cmake_minimum_required(VERSION 3.16)\nproject(tinyloop_model CXX)\n\n"
    << "add_library(tinyloop_model STATIC";
  for (const std::string& s : sources) {
    if (s != kCortexM4KernelsPortable) c << "\n  " << s;
  }
  c << ")\n";
  if (std::find(sources.begin(), sources.end(), kCortexM4KernelsPortable) != sources.end()) {
    c << "# ON for a Cortex-M4 (or M7) build: the int8 kernels with the DSP extension.\n"
      << "option(TINYLOOP_CORTEX_M4_DSP \"use runtime/kernels/cortex_m4 DSP kernels\" OFF)\n"
      << "if(TINYLOOP_CORTEX_M4_DSP)\n"
      << "  target_sources(tinyloop_model PRIVATE";
    for (const char* f : kCortexM4KernelsDsp) c << "\n    " << f;
    c << ")\nelse()\n  target_sources(tinyloop_model PRIVATE " << kCortexM4KernelsPortable
      << ")\nendif()\n";
  }
  c << "target_include_directories(tinyloop_model PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})\n"
    << "target_compile_features(tinyloop_model PUBLIC cxx_std_17)\n"
    << "target_compile_options(tinyloop_model PRIVATE -fno-exceptions -fno-rtti)\n\n"
    << "add_executable(tinyloop_model_host main_host.cc)\n"
    << "target_link_libraries(tinyloop_model_host PRIVATE tinyloop_model)\n";
  return c.str();
}

const char* EmbeddedText(const std::string& name) {
  size_t count = 0;
  const EmbeddedFile* files = EmbeddedFiles(&count);
  for (size_t i = 0; i < count; ++i) {
    if (name == files[i].name) return files[i].text;
  }
  return nullptr;
}

}  // namespace

StatusOr<CppLibrary> GenerateCppLibrary(const Graph& g, const CppLibraryOptions& options) {
  TL_ASSIGN_OR_RETURN(const RuntimeProgram program, LowerToRuntimeProgram(g));
  if (g.inputs.size() != 1 || g.outputs.size() != 1) {
    return InvalidArgumentError(
        "the C++ library supports one input and one output; the model has " +
        std::to_string(g.inputs.size()) + " and " + std::to_string(g.outputs.size()));
  }
  const Tensor& in = g.tensors[g.inputs[0]];
  const Tensor& out = g.tensors[g.outputs[0]];
  for (const Tensor* t : {&in, &out}) {
    if (t->type != DType::kInt8 && t->type != DType::kFloat32) {
      return InvalidArgumentError("model input/output '" + t->name + "' is " + DTypeName(t->type) +
                                  "; the C++ library needs INT8 or FLOAT32");
    }
  }
  if (!options.labels.empty() &&
      static_cast<int64_t>(options.labels.size()) != out.element_count()) {
    return InvalidArgumentError(std::to_string(options.labels.size()) +
                                " labels, but the model has " +
                                std::to_string(out.element_count()) + " outputs");
  }
  std::unique_ptr<uint8_t[]> holders[2];
  TL_ASSIGN_OR_RETURN(const std::vector<const void*> params, PrepareAndCapture(program, holders));
  if (params.size() != g.ops.size()) return InternalError("prepare captured the wrong op count");

  const MemoryPlan plan = PlanActivations(g);
  ModelWriter writer(g, plan);
  std::set<std::string> headers;
  std::set<std::string> support = {"runtime/kernels/reference/fixed_point.h"};
  for (size_t i = 0; i < g.ops.size(); ++i) {
    TL_RETURN_IF_ERROR(EmitOp(g, plan, i, params[i], &writer));
    for (const std::string& f : KernelFiles(g.ops[i].type)) {
      support.insert(f);
      if ((f.size() > 2 && f.compare(f.size() - 2, 2, ".h") == 0 &&
           f.find("/reference/") != std::string::npos &&
           f.find("quantization") == std::string::npos) ||
          f == kCortexM4KernelsHeader) {
        headers.insert(f);
      }
    }
  }

  CppLibrary lib;
  lib.arena_bytes = std::max<uint32_t>(plan.bytes, 16);
  lib.constant_bytes = writer.constant_bytes();
  lib.input_type = in.type;
  lib.output_type = out.type;
  lib.input_bytes = in.byte_size();
  lib.output_bytes = out.byte_size();
  lib.input_zero_point = in.type == DType::kInt8 && !in.quant.empty()
                             ? static_cast<int32_t>(in.quant.zero_point[0])
                             : 0;
  lib.sources.push_back("tinyloop_model.cc");
  for (const std::string& f : support) {
    const char* text = EmbeddedText(f);
    if (text == nullptr) return InternalError("support file " + f + " is not embedded");
    lib.files.push_back({f, text});
    const bool m4_only =
        f.rfind("runtime/kernels/cortex_m4/", 0) == 0 && f != kCortexM4KernelsPortable;
    if (f.compare(f.size() - 3, 3, ".cc") == 0 && !m4_only) lib.sources.push_back(f);
  }
  lib.files.push_back({"tinyloop_model.h", HeaderText(g, lib, options)});
  lib.files.push_back({"tinyloop_model.cc", ModelText(g, plan, writer, headers, options)});
  lib.files.push_back({"CMakeLists.txt", CMakeText(lib.sources)});
  const char* main_host = EmbeddedText("main_host.cc");
  if (main_host == nullptr) return InternalError("main_host.cc is not embedded");
  lib.files.push_back({"main_host.cc", main_host});
  return lib;
}

Status WriteCppLibrary(const CppLibrary& library, const std::filesystem::path& dir) {
  for (const GeneratedFile& f : library.files) {
    const std::filesystem::path path = dir / f.path;
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << f.content;
    out.close();
    if (ec || !out) return InternalError("cannot write " + path.string());
  }
  return OkStatus();
}

StatusOr<std::string> ExampleInputHeader(const CppLibrary& library,
                                         const std::vector<uint8_t>& input) {
  if (!input.empty() && static_cast<int64_t>(input.size()) != library.input_bytes) {
    return InvalidArgumentError("example input has " + std::to_string(input.size()) +
                                " bytes; the model input needs " +
                                std::to_string(library.input_bytes));
  }
  std::vector<uint8_t> bytes = input;
  if (bytes.empty()) {
    bytes.assign(static_cast<size_t>(library.input_bytes),
                 static_cast<uint8_t>(static_cast<int8_t>(library.input_zero_point)));
  }
  std::ostringstream h;
  h << "// example_input.h: generated by `tinyloop compile`. The input tensor the example\n"
    << "// firmware runs on" << (input.empty() ? " (the input zero point everywhere)" : "")
    << ".\n#pragma once\n\n#include <limits>\n\n#include \"tinyloop_model.h\"\n\n"
    << "alignas(16) const tinyloop_input_t kExampleInput[TINYLOOP_INPUT_ELEMENTS] = {"
    << ArrayBody(library.input_type, bytes) << "\n};\n";
  return h.str();
}

}  // namespace tinyloop::model
