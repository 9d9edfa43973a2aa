// Radix-2 real FFT in float32 for the DSP blocks (spectral analysis, MFE, MFCC). The twiddle
// table lives in caller-provided storage, so the transform never allocates; power-of-two
// lengths from kMinFftLength to kMaxFftLength.
#pragma once

#include <cstddef>
#include <cstdint>

#include "dsp/dsp_types.h"

namespace tinyloop::dsp {

constexpr uint32_t kMinFftLength = 16;
constexpr uint32_t kMaxFftLength = 4096;

// Forward real FFT of a fixed length. Thread-compatible: after Init, Forward is const and may
// run concurrently on different buffers. Does not own its table; the table must outlive it.
class RealFft {
 public:
  // Floats of table storage Init needs for `fft_length`: fft_length (n/2 complex twiddles).
  static constexpr size_t TableFloats(uint32_t fft_length) { return fft_length; }

  // Prepares a transform of `fft_length` points, filling `table` (table_floats floats).
  // kInvalidConfig unless fft_length is a power of two in [kMinFftLength, kMaxFftLength];
  // kBufferTooSmall when table is null or shorter than TableFloats(fft_length).
  DspStatus Init(uint32_t fft_length, float* table, size_t table_floats);

  uint32_t length() const { return n_; }

  // Transforms in place. On entry buffer[0, n) holds the real input; on return buffer[0, n + 2)
  // holds the n/2 + 1 complex bins X_k = sum_t x_t exp(-2 pi i k t / n) as (re, im) pairs.
  // Preconditions: Init returned kOk; buffer holds n + 2 floats.
  void Forward(float* buffer) const;

 private:
  uint32_t n_ = 0;
  const float* twiddles_ = nullptr;  // exp(-2 pi i k / n) for k < n/2, as (re, im)
};

// Writes |X_k|^2 / n for the n/2 + 1 bins that RealFft::Forward left in `bins` into `power`
// (n/2 + 1 floats), the power spectrum convention of Edge Impulse's blocks. `power` may be
// `bins` itself (bin k/2 is read before power k overwrites it).
void PowerFromBins(const float* bins, uint32_t fft_length, float* power);

}  // namespace tinyloop::dsp
