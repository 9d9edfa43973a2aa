// Lowering to the runtime program: the memory plan overlaps live tensors only where a kernel
// allows it (and the kernels then give the same bytes), and corrupted program bytes (bit flips,
// truncation) give an error status, never a crash.
#include "model/runtime_program.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "model/test_util.h"
#include "model/tflite_import.h"
#include "model/tiny_models.h"
#include "runtime/kernels/optimized/optimized.h"
#include "runtime/kernels/reference/conv.h"
#include "runtime/kernels/reference/quantization.h"

namespace tinyloop::model {
namespace {

using testing::MlperfTinyDir;
using testing::ReadFileBytes;

TEST(MemoryPlanTest, LiveTensorsNeverOverlap) {
  const auto dir = MlperfTinyDir();
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "missing folder " << dir;
  for (const char* name : {"kws", "vww", "ic", "ad"}) {
    auto g = ImportTflite(ReadFileBytes(dir / (std::string(name) + ".tflite")));
    ASSERT_TRUE(g.ok());
    const MemoryPlan plan = PlanActivations(*g);
    const size_t n = g->tensors.size();
    std::vector<int64_t> first(n, 1 << 30), last(n, -1);
    for (size_t i = 0; i < g->ops.size(); ++i) {
      for (int32_t id : g->ops[i].inputs) {
        if (id >= 0)
          first[id] = std::min<int64_t>(first[id], i), last[id] = std::max<int64_t>(last[id], i);
      }
      for (int32_t id : g->ops[i].outputs)
        first[id] = std::min<int64_t>(first[id], i), last[id] = std::max<int64_t>(last[id], i);
    }
    for (int32_t id : g->inputs) first[id] = 0;
    for (int32_t id : g->outputs) last[id] = static_cast<int64_t>(g->ops.size());
    // Sanctioned overlaps: op k's output `o` may sit `gap` or more bytes below an input `i`
    // that dies at k (0 for RESHAPE and same-shape ADD, WindowOverlapGap for conv).
    auto allowed = [&](int32_t i, int32_t o) {
      for (size_t k = 0; k < g->ops.size(); ++k) {
        const Op& op = g->ops[k];
        if (op.outputs.size() != 1 || op.outputs[0] != o || last[i] != static_cast<int64_t>(k)) {
          continue;
        }
        const int64_t below = plan.offsets[i] - plan.offsets[o];
        const Tensor& in = g->tensors[i];
        const Tensor& out = g->tensors[o];
        if (op.type == OpType::kReshape || op.type == OpType::kAdd) {
          return below == 0 && in.byte_size() == out.byte_size();
        }
        if ((op.type == OpType::kConv2D || op.type == OpType::kDepthwiseConv2D) &&
            op.inputs[0] == i && in.shape[0] == 1) {
          const auto& f = g->tensors[op.inputs[1]].shape;
          const int32_t pad = runtime::reference::ComputePadding(
              op.options.stride_h, op.options.dilation_h, in.shape[1], f[1], out.shape[1]);
          return below >= WindowOverlapGap(in.shape[2] * in.shape[3], out.shape[2] * out.shape[3],
                                           out.shape[1], op.options.stride_h, pad);
        }
      }
      return false;
    };
    int shared = 0;
    for (size_t a = 0; a < n; ++a) {
      if (plan.offsets[a] < 0) continue;
      EXPECT_EQ(plan.offsets[a] % 16, 0);
      EXPECT_LE(plan.offsets[a] + g->tensors[a].byte_size(), plan.bytes);
      for (size_t b = a + 1; b < n; ++b) {
        if (plan.offsets[b] < 0 || first[a] > last[b] || first[b] > last[a]) continue;
        const bool disjoint = plan.offsets[a] + g->tensors[a].byte_size() <= plan.offsets[b] ||
                              plan.offsets[b] + g->tensors[b].byte_size() <= plan.offsets[a];
        if (disjoint) continue;
        const bool ok = allowed(static_cast<int32_t>(a), static_cast<int32_t>(b)) ||
                        allowed(static_cast<int32_t>(b), static_cast<int32_t>(a));
        EXPECT_TRUE(ok) << name << ": tensors " << a << " and " << b;
        ++shared;
      }
    }
    if (std::string(name) == "kws" || std::string(name) == "ic") {  // vww plans best unshared
      EXPECT_GT(shared, 0) << name;
    }
  }
}

// The kernels keep the overlap contract: with the output WindowOverlapGap bytes below the input
// in one buffer, reference and optimized CONV_2D / DEPTHWISE_CONV_2D give the disjoint result.
TEST(MemoryPlanTest, ConvKernelsRunInPlace) {
  std::mt19937 rng(7);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int round = 0; round < 200; ++round) {
    runtime::reference::ConvParams p;
    const bool depthwise = round % 2 == 1;
    p.input_h = pick(1, 10);
    p.input_w = pick(1, 10);
    p.input_c = pick(1, 24);
    p.filter_h = pick(1, 4);
    p.filter_w = pick(1, 4);
    p.stride_h = pick(1, 2);
    p.stride_w = pick(1, 2);
    p.dilation_h = pick(1, 2);
    const auto padding = pick(0, 1) ? runtime::PaddingType::kSame : runtime::PaddingType::kValid;
    p.output_h = runtime::reference::ComputeOutputSize(padding, p.input_h, p.filter_h, p.stride_h,
                                                       p.dilation_h);
    p.output_w = runtime::reference::ComputeOutputSize(padding, p.input_w, p.filter_w, p.stride_w,
                                                       p.dilation_w);
    if (p.output_h <= 0 || p.output_w <= 0) continue;
    p.pad_h = runtime::reference::ComputePadding(p.stride_h, p.dilation_h, p.input_h, p.filter_h,
                                                 p.output_h);
    p.pad_w = runtime::reference::ComputePadding(p.stride_w, p.dilation_w, p.input_w, p.filter_w,
                                                 p.output_w);
    p.output_c = depthwise ? p.input_c : pick(1, 24);
    p.filter_c = depthwise ? 1 : p.input_c;
    p.input_offset = pick(-127, 128);
    p.output_offset = pick(-128, 127);
    std::vector<int32_t> mult(p.output_c);
    std::vector<int8_t> shift(p.output_c);
    for (int32_t c = 0; c < p.output_c; ++c) {
      int s = 0;
      ASSERT_EQ(runtime::reference::QuantizeMultiplier(
                    std::ldexp(1.0 + pick(0, 99) / 100.0, -pick(5, 10)), &mult[c], &s),
                runtime::Status::kOk);
      shift[c] = static_cast<int8_t>(s);
    }
    p.multipliers = mult.data();
    p.shifts = shift.data();
    const size_t in_size = static_cast<size_t>(p.input_h) * p.input_w * p.input_c;
    const size_t out_size = static_cast<size_t>(p.output_h) * p.output_w * p.output_c;
    std::vector<int8_t> input(in_size), filter(static_cast<size_t>(p.filter_h) * p.filter_w *
                                               (depthwise ? p.output_c : p.output_c * p.input_c));
    for (auto& v : input) v = static_cast<int8_t>(pick(-128, 127));
    for (auto& v : filter) v = static_cast<int8_t>(pick(-128, 127));
    std::vector<int32_t> bias(p.output_c);
    for (auto& v : bias) v = pick(-5000, 5000);
    std::vector<int8_t> expected(out_size);
    const auto reference_fn = depthwise ? runtime::reference::DepthwiseConvPerChannelInt8
                                        : runtime::reference::ConvPerChannelInt8;
    const auto optimized_fn = depthwise ? runtime::optimized::DepthwiseConvPerChannelInt8
                                        : runtime::optimized::ConvPerChannelInt8;
    reference_fn(p, input.data(), filter.data(), bias.data(), expected.data());
    const int64_t gap = WindowOverlapGap(p.input_w * p.input_c, p.output_w * p.output_c, p.output_h,
                                         p.stride_h, p.pad_h);
    for (const auto fn : {reference_fn, optimized_fn}) {
      std::vector<int8_t> buffer(gap + in_size + out_size);
      std::memcpy(buffer.data() + gap, input.data(), in_size);
      fn(p, buffer.data() + gap, filter.data(), bias.data(), buffer.data());
      ASSERT_EQ(0, std::memcmp(buffer.data(), expected.data(), out_size)) << "round " << round;
    }
  }
}

TEST(RuntimeProgramTest, RejectsOpsWithoutKernel) {
  auto g = ImportTflite(testing::BuildTinyConvModel());
  ASSERT_TRUE(g.ok());
  g->ops[0].type = OpType::kRelu6;  // an op the importer reads but the runtime does not run
  g->ops[0].inputs.resize(1);
  g->tensors[3].shape = {1, 4, 4, 1};
  auto program = LowerToRuntimeProgram(*g);
  ASSERT_FALSE(program.ok());
  EXPECT_NE(program.status().message().find("no RELU6 kernel"), std::string::npos)
      << program.status().ToString();
}

// Flips bits in (and truncates) a valid program; Prepare must fail cleanly or, when the bytes
// still verify, Invoke must run within the arena.
void MutateAndRun(const RuntimeProgram& good, int iterations, uint64_t seed) {
  uint64_t state = seed;
  auto next = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state >> 33;
  };
  const size_t tables = std::min<size_t>(good.bytes.size(), 48 + 52 * 64 + 40 * 64);
  int prepared = 0;
  for (int iter = 0; iter < iterations; ++iter) {
    RuntimeProgram bad = good;
    if (iter % 10 == 9) {
      bad.bytes.resize(next() % bad.bytes.size());
    } else {
      const int flips = 1 + iter % 3;
      for (int f = 0; f < flips; ++f) {
        // Mostly the header and tables, where a wrong value could send an index astray.
        const size_t span = (iter % 4 == 0) ? bad.bytes.size() : tables;
        bad.bytes[next() % span] ^= static_cast<uint8_t>(1u << (next() % 8));
      }
    }
    testing::ProgramRunner runner(bad, 1 << 16);
    if (runner.prepare_status() == runtime::Status::kOk) {
      ++prepared;
      runtime::TensorView in;
      ASSERT_EQ(runner.interpreter().input(0, &in), runtime::Status::kOk);
      runner.Run(std::vector<uint8_t>(in.bytes, 0x11));
    }
  }
  std::printf("%d of %d mutated programs still verified and ran\n", prepared, iterations);
}

TEST(RuntimeProgramTest, CorruptedTinyProgramNeverCrashes) {
  auto g = ImportTflite(testing::BuildTinyConvModel());
  ASSERT_TRUE(g.ok());
  auto program = LowerToRuntimeProgram(*g);
  ASSERT_TRUE(program.ok());
  MutateAndRun(*program, 5000, 7);
}

TEST(RuntimeProgramTest, CorruptedMlperfProgramsNeverCrash) {
  const auto dir = MlperfTinyDir();
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "missing folder " << dir;
  for (const char* name : {"ad", "kws"}) {
    auto g = ImportTflite(ReadFileBytes(dir / (std::string(name) + ".tflite")));
    ASSERT_TRUE(g.ok());
    auto program = LowerToRuntimeProgram(*g);
    ASSERT_TRUE(program.ok());
    MutateAndRun(*program, name[0] == 'a' ? 400 : 60, 11);
  }
}

}  // namespace
}  // namespace tinyloop::model
