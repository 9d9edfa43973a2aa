// Example program for the generated model library on a host: reads one raw input tensor from
// a file (exactly TINYLOOP_INPUT_BYTES bytes in the model's input type), runs the model and
// prints the output bytes as signed decimals on one line ("output: -112 -112 ..."). With a
// second argument it also writes the raw output tensor to that file.
#include <cstdint>
#include <cstdio>

#include "tinyloop_model.h"

namespace {

tinyloop_input_t g_input[TINYLOOP_INPUT_ELEMENTS];
tinyloop_output_t g_output[TINYLOOP_OUTPUT_ELEMENTS];

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s INPUT.bin [OUTPUT.bin]\n", argv[0]);
    return 2;
  }
  std::FILE* in = std::fopen(argv[1], "rb");
  if (in == nullptr) {
    std::fprintf(stderr, "cannot open %s\n", argv[1]);
    return 1;
  }
  const size_t got = std::fread(g_input, 1, TINYLOOP_INPUT_BYTES, in);
  const bool extra = std::fgetc(in) != EOF;
  std::fclose(in);
  if (got != TINYLOOP_INPUT_BYTES || extra) {
    std::fprintf(stderr, "%s: expected exactly %d input bytes\n", argv[1], TINYLOOP_INPUT_BYTES);
    return 1;
  }
  if (tinyloop_run(g_input, g_output) != 0) {
    std::fprintf(stderr, "inference failed\n");
    return 1;
  }
  const int8_t* bytes = reinterpret_cast<const int8_t*>(g_output);
  std::printf("output:");
  for (int i = 0; i < TINYLOOP_OUTPUT_BYTES; ++i) std::printf(" %d", bytes[i]);
  std::printf("\n");
  if (argc > 2) {
    std::FILE* out = std::fopen(argv[2], "wb");
    if (out == nullptr || std::fwrite(g_output, 1, TINYLOOP_OUTPUT_BYTES, out) !=
                              static_cast<size_t>(TINYLOOP_OUTPUT_BYTES)) {
      std::fprintf(stderr, "cannot write %s\n", argv[2]);
      if (out != nullptr) std::fclose(out);
      return 1;
    }
    std::fclose(out);
  }
  return 0;
}
