// Digital Butterworth low-pass and high-pass filters as cascades of biquads (second-order
// sections), designed with the bilinear transform and a pre-warped cutoff, the design of
// scipy.signal.butter(..., output="sos"); applied forward with zero initial state (sosfilt).
#pragma once

#include <cstdint>

#include "dsp/dsp_types.h"

namespace tinyloop::dsp {

constexpr uint32_t kMaxFilterOrder = 8;
constexpr uint32_t kMaxBiquads = (kMaxFilterOrder + 1) / 2;

enum class FilterType : uint8_t { kNone, kLowPass, kHighPass };

// y = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2) x.
struct Biquad {
  float b0 = 1.0f, b1 = 0.0f, b2 = 0.0f;
  float a1 = 0.0f, a2 = 0.0f;
};

struct BiquadCascade {
  uint32_t num_sections = 0;  // 0: the identity filter
  Biquad sections[kMaxBiquads];
};

// Designs a Butterworth filter of `order` with its -3 dB point at cutoff_hz. Its magnitude
// response is |H(f)|^2 = 1 / (1 + (tan(pi f / fs) / tan(pi fc / fs))^(2 order)) for low-pass
// (the ratio inverted for high-pass); odd orders end with a first-order section.
// FilterType::kNone gives an empty cascade. kInvalidConfig unless 1 <= order <= kMaxFilterOrder,
// sample_rate_hz > 0 and 0 < cutoff_hz < sample_rate_hz / 2 (all finite).
DspStatus DesignButterworth(FilterType type, uint32_t order, float cutoff_hz, float sample_rate_hz,
                            BiquadCascade* cascade);

// Filters data[0, count) in place, each section in turn (direct form II transposed, zero
// initial state). Precondition: cascade came from DesignButterworth.
void ApplyBiquads(const BiquadCascade& cascade, float* data, uint32_t count);

}  // namespace tinyloop::dsp
