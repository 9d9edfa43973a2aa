#include "dsp/windowing.h"

#include <gtest/gtest.h>

#include <vector>

namespace tinyloop::dsp {
namespace {

TEST(WindowingTest, SamplesFromMsRoundsToNearest) {
  EXPECT_EQ(SamplesFromMs(2000.0f, 10.0f), 200u);  // 2 s at 100 Hz
  EXPECT_EQ(SamplesFromMs(1000.0f, 1000.0f / 16000), 16000u);
  EXPECT_EQ(SamplesFromMs(25.0f, 10.0f), 3u);  // 2.5 rounds up
  EXPECT_EQ(SamplesFromMs(14.0f, 10.0f), 1u);
  EXPECT_EQ(SamplesFromMs(100.0f, 0.0f), 0u);
  EXPECT_EQ(SamplesFromMs(-5.0f, 10.0f), 0u);
}

TEST(WindowingTest, CountsWholeWindowsOrPadsTheLast) {
  const SignalShape rec{10, 2};
  uint32_t count = 99;
  ASSERT_EQ(CountWindows({4, 3, false}, rec, &count), DspStatus::kOk);
  EXPECT_EQ(count, 3u);  // starts 0, 3, 6
  ASSERT_EQ(CountWindows({4, 3, true}, rec, &count), DspStatus::kOk);
  EXPECT_EQ(count, 3u);  // 6 + 4 == 10: nothing left over
  ASSERT_EQ(CountWindows({4, 4, true}, rec, &count), DspStatus::kOk);
  EXPECT_EQ(count, 3u);  // starts 0, 4, 8 (8..11 padded)
  ASSERT_EQ(CountWindows({4, 4, false}, rec, &count), DspStatus::kOk);
  EXPECT_EQ(count, 2u);
  ASSERT_EQ(CountWindows({20, 5, false}, rec, &count), DspStatus::kOk);
  EXPECT_EQ(count, 0u);
  ASSERT_EQ(CountWindows({20, 5, true}, rec, &count), DspStatus::kOk);
  EXPECT_EQ(count, 1u);
}

TEST(WindowingTest, CopiesWindowAndZeroPads) {
  const SignalShape rec{5, 2};
  std::vector<float> data;
  for (int f = 0; f < 5; ++f) data.insert(data.end(), {f * 1.0f, f * 10.0f});
  std::vector<float> out(6, -1.0f);
  ASSERT_EQ(CopyWindow({3, 2, false}, rec, data.data(), 1, out.data(), out.size()), DspStatus::kOk);
  EXPECT_EQ(out, (std::vector<float>{2, 20, 3, 30, 4, 40}));
  EXPECT_EQ(CopyWindow({3, 2, false}, rec, data.data(), 2, out.data(), out.size()),
            DspStatus::kShapeMismatch);
  // Stride 3: the second window starts at frame 3 and runs one frame past the end.
  ASSERT_EQ(CopyWindow({3, 3, true}, rec, data.data(), 1, out.data(), out.size()), DspStatus::kOk);
  EXPECT_EQ(out, (std::vector<float>{3, 30, 4, 40, 0, 0}));
  EXPECT_EQ(CopyWindow({3, 3, false}, rec, data.data(), 1, out.data(), out.size()),
            DspStatus::kShapeMismatch);
}

TEST(WindowingTest, RejectsBadConfigsAndBuffers) {
  const SignalShape rec{10, 1};
  std::vector<float> data(10), out(4);
  uint32_t count = 0;
  EXPECT_EQ(CountWindows({0, 1, false}, rec, &count), DspStatus::kInvalidConfig);
  EXPECT_EQ(CountWindows({4, 0, false}, rec, &count), DspStatus::kInvalidConfig);
  EXPECT_EQ(CountWindows({4, 1, false}, SignalShape{10, 0}, &count), DspStatus::kShapeMismatch);
  EXPECT_EQ(CopyWindow({4, 1, false}, rec, data.data(), 0, out.data(), 3),
            DspStatus::kBufferTooSmall);
  EXPECT_EQ(CopyWindow({4, 1, false}, rec, nullptr, 0, out.data(), 4), DspStatus::kBufferTooSmall);
}

}  // namespace
}  // namespace tinyloop::dsp
