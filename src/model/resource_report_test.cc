#include "model/resource_report.h"

#include <gtest/gtest.h>

#include "model/tflite_import.h"
#include "model/tiny_models.h"

namespace tinyloop::model {
namespace {

Graph TinyConv() {
  auto graph = ImportTflite(testing::BuildTinyConvModel());
  EXPECT_TRUE(graph.ok()) << graph.status().ToString();
  return graph.ok() ? *graph : Graph{};
}

TEST(ResourceReportTest, ConvMacsAreOutputElementsTimesWindowTimesInputChannels) {
  const Graph g = TinyConv();
  ASSERT_EQ(g.ops.size(), 1u);
  // Output [1,2,2,2], filter [2,3,3,1]: 8 outputs x 3 x 3 x 1.
  EXPECT_EQ(OpMacs(g, g.ops[0]), 72u);
}

TEST(ResourceReportTest, DepthwiseAndFullyConnectedMacs) {
  Graph g;
  auto tensor = [&](std::vector<int32_t> shape, bool constant) {
    Tensor t;
    t.shape = std::move(shape);
    if (constant) t.data.assign(static_cast<size_t>(t.byte_size()), 0);
    g.tensors.push_back(t);
    return static_cast<int32_t>(g.tensors.size() - 1);
  };
  Op dw;
  dw.type = OpType::kDepthwiseConv2D;
  dw.inputs = {tensor({1, 10, 10, 4}, false), tensor({1, 3, 3, 8}, true), -1};
  dw.outputs = {tensor({1, 8, 8, 8}, false)};
  Op fc;
  fc.type = OpType::kFullyConnected;
  fc.inputs = {tensor({2, 16}, false), tensor({5, 16}, true), -1};
  fc.outputs = {tensor({2, 5}, false)};
  EXPECT_EQ(OpMacs(g, dw), 8u * 8 * 8 * 3 * 3);
  EXPECT_EQ(OpMacs(g, fc), 2u * 5 * 16);
}

TEST(ResourceReportTest, ReportCountsOpsWeightsAndArena) {
  const Graph g = TinyConv();
  const ResourceReport r = ComputeResourceReport(g, "cpp-lib");
  EXPECT_EQ(r.macs, 72u);
  EXPECT_EQ(r.weights_bytes, 18u + 8u);  // int8 filter + int32 bias
  EXPECT_EQ(r.ops.at("CONV_2D"), 1);
  // Input 16 B and output 8 B are both live for the only op: two 16-byte slots.
  EXPECT_EQ(r.arena_bytes, 32u);
  EXPECT_GT(r.flash_bytes, r.weights_bytes);
  EXPECT_FALSE(r.flash_measured);
  EXPECT_EQ(r.estimated_cycles.at("cortex-m4"), 72u * 16 + 200);
  const Json json = ResourceReportJson(r);
  for (const char* key : {"arena_bytes", "weights_bytes", "flash_bytes", "macs", "ops", "target"}) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
  EXPECT_EQ(json["ops"]["CONV_2D"], 1);
}

}  // namespace
}  // namespace tinyloop::model
