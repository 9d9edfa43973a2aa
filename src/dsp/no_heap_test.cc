// dsp_no_heap_test: proves the DSP blocks never touch the heap. Every global operator new and
// delete is replaced by a version that aborts while `g_armed` is set; the test allocates its
// buffers, arms, runs every block on real-sized inputs, then disarms before asserting (gtest
// itself allocates). malloc stays ASan's; the nm check (check_no_heap_symbols.cmake) covers it.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <vector>

#include "dsp/fft.h"
#include "dsp/flatten.h"
#include "dsp/image.h"
#include "dsp/mfcc.h"
#include "dsp/mfe.h"
#include "dsp/raw.h"
#include "dsp/spectral.h"
#include "dsp/windowing.h"

namespace {

std::atomic<bool> g_armed{false};

[[noreturn]] void HeapUsed(const char* what) {
  std::fputs("dsp_no_heap_test: ", stderr);
  std::fputs(what, stderr);
  std::fputs(" called while the heap guard is armed\n", stderr);
  std::abort();
}

void* Allocate(std::size_t size, const char* what) {
  if (g_armed.load(std::memory_order_relaxed)) HeapUsed(what);
  void* p = std::malloc(size == 0 ? 1 : size);
  return p;
}

void* AllocateAligned(std::size_t size, std::align_val_t align, const char* what) {
  if (g_armed.load(std::memory_order_relaxed)) HeapUsed(what);
  const std::size_t a = static_cast<std::size_t>(align);
  return std::aligned_alloc(a, (size + a - 1) / a * a);
}

void Release(void* p, const char* what) {
  if (g_armed.load(std::memory_order_relaxed)) HeapUsed(what);
  std::free(p);
}

}  // namespace

void* operator new(std::size_t n) {
  if (void* p = Allocate(n, "operator new")) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  if (void* p = Allocate(n, "operator new[]")) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  return Allocate(n, "operator new(nothrow)");
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  return Allocate(n, "operator new[](nothrow)");
}
void* operator new(std::size_t n, std::align_val_t a) {
  if (void* p = AllocateAligned(n, a, "operator new(align)")) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) {
  if (void* p = AllocateAligned(n, a, "operator new[](align)")) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return AllocateAligned(n, a, "operator new(align, nothrow)");
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return AllocateAligned(n, a, "operator new[](align, nothrow)");
}
void operator delete(void* p) noexcept { Release(p, "operator delete"); }
void operator delete[](void* p) noexcept { Release(p, "operator delete[]"); }
void operator delete(void* p, std::size_t) noexcept { Release(p, "operator delete(sized)"); }
void operator delete[](void* p, std::size_t) noexcept { Release(p, "operator delete[](sized)"); }
void operator delete(void* p, const std::nothrow_t&) noexcept {
  Release(p, "operator delete(nothrow)");
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  Release(p, "operator delete[](nothrow)");
}
void operator delete(void* p, std::align_val_t) noexcept { Release(p, "operator delete(align)"); }
void operator delete[](void* p, std::align_val_t) noexcept {
  Release(p, "operator delete[](align)");
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  Release(p, "operator delete(sized, align)");
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  Release(p, "operator delete[](sized, align)");
}
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  Release(p, "operator delete(align, nothrow)");
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  Release(p, "operator delete[](align, nothrow)");
}

namespace tinyloop::dsp {
namespace {

// Arms the guard for its lifetime.
class HeapGuard {
 public:
  HeapGuard() { g_armed.store(true); }
  ~HeapGuard() { g_armed.store(false); }
};

std::vector<float> Audio(size_t n) {
  std::vector<float> x(n);
  for (size_t t = 0; t < n; ++t) x[t] = 3000.0f * std::sin(0.05f * t) + 200.0f * std::cos(1.3f * t);
  return x;
}

TEST(DspNoHeapTest, GuardCatchesOperatorNew) {
  EXPECT_DEATH(
      {
        HeapGuard guard;
        int* volatile p = new int(1);
        delete p;
      },
      "operator new called while the heap guard is armed");
}

TEST(DspNoHeapTest, EveryBlockRunsWithoutTheHeap) {
  // Inputs, outputs and scratch sized from the plans before arming.
  const SignalShape audio_shape{16000, 1};
  const std::vector<float> audio = Audio(16000);
  const SignalShape motion_shape{200, 3};
  std::vector<float> motion(600);
  for (size_t i = 0; i < motion.size(); ++i) motion[i] = std::sin(0.37f * i) + 0.1f * (i % 7);
  const ImageShape image_shape{240, 320, 3};
  std::vector<uint8_t> pixels(240 * 320 * 3);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i * 31);

  SpectralConfig spectral;
  spectral.fft_length = 128;
  spectral.filter_type = FilterType::kHighPass;
  spectral.filter_order = 5;
  spectral.num_band_edges = 3;
  spectral.band_edges_hz[0] = 0.5f;
  spectral.band_edges_hz[1] = 10.0f;
  spectral.band_edges_hz[2] = 50.0f;
  FlattenConfig flatten;
  flatten.skewness = flatten.kurtosis = true;
  const MfccConfig mfcc;
  const MfeConfig mfe;
  const ImageConfig image;
  BlockPlan p_spectral, p_flatten, p_raw, p_mfcc, p_mfe, p_image;
  ASSERT_EQ(PlanSpectral(spectral, motion_shape, &p_spectral), DspStatus::kOk);
  ASSERT_EQ(PlanFlatten(flatten, motion_shape, &p_flatten), DspStatus::kOk);
  ASSERT_EQ(PlanRaw({}, motion_shape, &p_raw), DspStatus::kOk);
  ASSERT_EQ(PlanMfcc(mfcc, audio_shape, &p_mfcc), DspStatus::kOk);
  ASSERT_EQ(PlanMfe(mfe, audio_shape, &p_mfe), DspStatus::kOk);
  ASSERT_EQ(PlanImage(image, image_shape, &p_image), DspStatus::kOk);
  std::vector<float> out(96 * 96 * 3 + 16000);
  std::vector<unsigned char> scratch(64 * 1024);
  const WindowConfig windows{100, 50, true};
  std::vector<float> window(100 * 3);
  std::vector<float> fft_table(512), fft_buffer(514);

  DspStatus status[12];
  uint32_t window_count = 0;
  {
    HeapGuard guard;
    status[0] = RunSpectral(spectral, motion_shape, motion.data(), out.data(), out.size(),
                            scratch.data(), scratch.size());
    status[1] = RunFlatten(flatten, motion_shape, motion.data(), out.data(), out.size());
    status[2] = RunRaw({2.0f}, motion_shape, motion.data(), out.data(), out.size());
    status[3] = RunMfcc(mfcc, audio_shape, audio.data(), out.data(), out.size(), scratch.data(),
                        scratch.size());
    status[4] = RunMfe(mfe, audio_shape, audio.data(), out.data(), out.size(), scratch.data(),
                       scratch.size());
    status[5] = RunImage(image, image_shape, pixels.data(), pixels.size(), out.data(), out.size());
    status[6] = CountWindows(windows, motion_shape, &window_count);
    status[7] = CopyWindow(windows, motion_shape, motion.data(), 2, window.data(), window.size());
    RealFft fft;
    status[8] = fft.Init(512, fft_table.data(), fft_table.size());
    fft.Forward(fft_buffer.data());
    // Failure paths must not allocate either.
    status[9] = RunMfcc(mfcc, {100, 1}, audio.data(), out.data(), out.size(), scratch.data(),
                        scratch.size());
    status[10] = RunSpectral(spectral, motion_shape, motion.data(), out.data(), out.size(),
                             scratch.data(), 10);
    BlockPlan plan;
    status[11] = PlanMfe(mfe, {16000, 2}, &plan);
  }
  for (int i = 0; i < 9; ++i) EXPECT_EQ(status[i], DspStatus::kOk) << "call " << i;
  EXPECT_EQ(window_count, 3u);
  EXPECT_EQ(status[9], DspStatus::kShapeMismatch);
  EXPECT_EQ(status[10], DspStatus::kBufferTooSmall);
  EXPECT_EQ(status[11], DspStatus::kShapeMismatch);
  EXPECT_LE(p_mfcc.scratch_bytes, scratch.size());
  EXPECT_LE(p_mfe.scratch_bytes, scratch.size());
  EXPECT_LE(p_spectral.scratch_bytes, scratch.size());
}

}  // namespace
}  // namespace tinyloop::dsp
