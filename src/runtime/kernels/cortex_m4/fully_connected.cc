// Cortex-M4 int8 FULLY_CONNECTED (int8_kernels.h). Inputs of up to kMaxDepth values are widened
// once to int16 (+ offset); four output units then share each pair of input words in a
// hand-scheduled __smlad loop (23 instructions per 16 MACs). Deeper inputs: two units at a time
// share each input word's conversion. A non-zero filter offset (not produced by int8 symmetric
// weights) calls the reference kernel.
#include <cstdint>
#include <cstring>

#include "runtime/kernels/cortex_m4/dsp.h"
#include "runtime/kernels/cortex_m4/int8_kernels.h"

namespace tinyloop::runtime::cortex_m4 {
namespace {

constexpr int32_t kMaxDepth = 1024;

struct Acc4 {
  int32_t u0, u1, u2, u3;
};

// One group of four inputs for four units: the widened input pair (k, k+2), (k+1, k+3) and each
// unit's filter word (units 1 and 3 at w0 / w2 + depth - 4 after the increments).
#define TL_M4_FC4_GROUP                   \
  "ldrd   %[x02], %[x13], [%[x]], #8\n\t" \
  "ldr    %[w], [%[w0]], #4\n\t"          \
  "sxtb16 %[h], %[w]\n\t"                 \
  "sxtb16 %[w], %[w], ror #8\n\t"         \
  "smlad  %[u0], %[h], %[x02], %[u0]\n\t" \
  "smlad  %[u0], %[w], %[x13], %[u0]\n\t" \
  "ldr    %[w], [%[w0], %[dm4]]\n\t"      \
  "sxtb16 %[h], %[w]\n\t"                 \
  "sxtb16 %[w], %[w], ror #8\n\t"         \
  "smlad  %[u1], %[h], %[x02], %[u1]\n\t" \
  "smlad  %[u1], %[w], %[x13], %[u1]\n\t" \
  "ldr    %[w], [%[w2]], #4\n\t"          \
  "sxtb16 %[h], %[w]\n\t"                 \
  "sxtb16 %[w], %[w], ror #8\n\t"         \
  "smlad  %[u2], %[h], %[x02], %[u2]\n\t" \
  "smlad  %[u2], %[w], %[x13], %[u2]\n\t" \
  "ldr    %[w], [%[w2], %[dm4]]\n\t"      \
  "sxtb16 %[h], %[w]\n\t"                 \
  "sxtb16 %[w], %[w], ror #8\n\t"         \
  "smlad  %[u3], %[h], %[x02], %[u3]\n\t" \
  "smlad  %[u3], %[w], %[x13], %[u3]\n\t"

// Adds to `acc` the dot products of the widened input x (depth & ~3 values, at least 4) with the
// four filter rows starting at w0.
inline void Dot4Units(const int16_t* x, const int8_t* w0, int32_t depth, Acc4* acc) {
  int32_t u0 = acc->u0, u1 = acc->u1, u2 = acc->u2, u3 = acc->u3;
  const int8_t* w2 = w0 + 2 * depth;
  const int32_t dm4 = depth - 4;
  int32_t groups = depth >> 2;
  uint32_t x02, x13, w, h;
  asm volatile("1:\n\t" TL_M4_FC4_GROUP
               "subs   %[groups], %[groups], #1\n\t"
               "bne    1b\n\t"
               : [u0] "+r"(u0), [u1] "+r"(u1), [u2] "+r"(u2), [u3] "+r"(u3), [x] "+r"(x),
                 [w0] "+r"(w0), [w2] "+r"(w2), [groups] "+r"(groups), [x02] "=&r"(x02),
                 [x13] "=&r"(x13), [w] "=&r"(w), [h] "=&r"(h)
               : [dm4] "r"(dm4)
               : "cc", "memory");
  *acc = {u0, u1, u2, u3};
}
#undef TL_M4_FC4_GROUP

// depth int8 inputs (+ off) -> int16 groups (k, k+2, k+1, k+3), the tail in order.
void WidenInput(const int8_t* in, int32_t depth, uint32_t off2, int32_t off, int16_t* x) {
  for (int32_t k = depth >> 2; k > 0; --k) {
    const uint32_t v = Load4(in);
    in += 4;
    const uint32_t even = Even(v, off2), odd = Odd(v, off2);
    std::memcpy(x, &even, 4);
    std::memcpy(x + 2, &odd, 4);
    x += 4;
  }
  for (int32_t k = depth & 3; k > 0; --k) *x++ = static_cast<int16_t>(*in++ + off);
}

}  // namespace

void FullyConnectedInt8(const reference::FullyConnectedParams& params, const int8_t* input,
                        const int8_t* weights, const int32_t* bias, int8_t* output) {
  // A local copy: the int8 output stores could alias `params`, which would reload every field.
  const auto p = params;
  if (p.filter_offset != 0) {
    reference::FullyConnectedInt8(p, input, weights, bias, output);
    return;
  }
  const int32_t depth = p.accum_depth;
  const int32_t off = p.input_offset;
  const uint32_t off2 = Dup16(off);
  auto store = [&](int32_t acc, int32_t u, int8_t* out) {
    const int32_t m = p.multipliers ? p.multipliers[u] : p.multiplier;
    const int s = p.multipliers ? p.shifts[u] : p.shift;
    out[u] = Requantize(acc, m, s, p.output_offset, p.act_min, p.act_max);
  };
  const bool widen = depth >= 4 && depth <= kMaxDepth;
  alignas(8) int16_t widened[kMaxDepth];
  const int32_t head = depth & ~3;
  for (int32_t b = 0; b < p.batches; ++b) {
    const int8_t* in = input + b * depth;
    int8_t* out = output + b * p.units;
    int32_t u = 0;
    if (widen) {
      WidenInput(in, depth, off2, off, widened);
      for (; u + 3 < p.units; u += 4) {
        Acc4 acc = {0, 0, 0, 0};
        if (bias != nullptr) acc = {bias[u], bias[u + 1], bias[u + 2], bias[u + 3]};
        const int8_t* w = weights + u * depth;
        Dot4Units(widened, w, depth, &acc);
        for (int32_t k = head; k < depth; ++k) {
          const int32_t v = widened[k];
          acc.u0 += w[k] * v;
          acc.u1 += w[depth + k] * v;
          acc.u2 += w[2 * depth + k] * v;
          acc.u3 += w[3 * depth + k] * v;
        }
        store(acc.u0, u, out);
        store(acc.u1, u + 1, out);
        store(acc.u2, u + 2, out);
        store(acc.u3, u + 3, out);
      }
    }
    for (; u + 1 < p.units; u += 2) {
      int32_t acc0 = bias ? bias[u] : 0, acc1 = bias ? bias[u + 1] : 0;
      const int8_t* x = in;
      const int8_t* w0 = weights + u * depth;
      const int8_t* w1 = w0 + depth;
      for (int32_t k = depth >> 2; k > 0; --k) {
        const uint32_t v = Load4(x);
        x += 4;
        const uint32_t v02 = Even(v, off2), v13 = Odd(v, off2);
        uint32_t f = Load4(w0);
        w0 += 4;
        acc0 = Mac2(Even(f), v02, acc0);
        acc0 = Mac2(Odd(f), v13, acc0);
        f = Load4(w1);
        w1 += 4;
        acc1 = Mac2(Even(f), v02, acc1);
        acc1 = Mac2(Odd(f), v13, acc1);
      }
      for (int32_t k = depth & 3; k > 0; --k) {
        const int32_t v = *x++ + off;
        acc0 += *w0++ * v;
        acc1 += *w1++ * v;
      }
      store(acc0, u, out);
      store(acc1, u + 1, out);
    }
    for (; u < p.units; ++u) {
      int32_t acc = bias ? bias[u] : 0;
      const int8_t* w = weights + u * depth;
      for (int32_t d = 0; d < depth; ++d) acc += w[d] * (in[d] + off);
      store(acc, u, out);
    }
  }
}

}  // namespace tinyloop::runtime::cortex_m4
