// Support files that the C++ library generator (model/codegen_cpp.h) copies into a generated
// folder: the runtime's reference kernels and the example/startup sources in codegen_support/.
// Their text is compiled into the binary at build time (codegen_support/embed_files.cmake).
#pragma once

#include <cstddef>

namespace tinyloop::model {

struct EmbeddedFile {
  const char* name;  // path inside the generated folder, e.g. "runtime/kernels/reference/conv.h"
  const char* text;
};

// All embedded files; never null. The table lives for the whole program.
const EmbeddedFile* EmbeddedFiles(size_t* count);

}  // namespace tinyloop::model
