// Example firmware for the generated model library: runs the model once on the input embedded
// in example_input.h and prints the output bytes (signed decimal) through semihosting, in the
// same format as main_host.cc. bench_marker() brackets the inference for instruction counting
// (the QEMU plugin in ../shared/models/mlperf_tiny/tools/qemu_insn_marker.c).
#include <cstdint>

#include "example_input.h"
#include "semihosting.h"
#include "tinyloop_model.h"

extern "C" __attribute__((noinline)) void bench_marker() { asm volatile("" ::: "memory"); }

namespace {

tinyloop_output_t g_output[TINYLOOP_OUTPUT_ELEMENTS];

// Appends the decimal text of `v` at `out`; returns the end.
char* AppendInt(char* out, int v) {
  if (v < 0) {
    *out++ = '-';
    v = -v;
  }
  char digits[12];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) *out++ = digits[--n];
  return out;
}

}  // namespace

int main() {
  bench_marker();
  const int status = tinyloop_run(kExampleInput, g_output);
  bench_marker();
  if (status != 0) {
    SemihostWrite("tinyloop: inference failed\n");
    return 1;
  }
  const int8_t* bytes = reinterpret_cast<const int8_t*>(g_output);
  SemihostWrite("output:");
  char line[64];
  for (int i = 0; i < TINYLOOP_OUTPUT_BYTES; ++i) {
    char* end = line;
    *end++ = ' ';
    end = AppendInt(end, bytes[i]);
    *end = '\0';
    SemihostWrite(line);
  }
  SemihostWrite("\n");
  return 0;
}
