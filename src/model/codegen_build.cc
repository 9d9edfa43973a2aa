#include "model/codegen_build.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "model/codegen_embedded.h"

namespace tinyloop::model {
namespace {

namespace fs = std::filesystem;

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs `command` through /bin/sh, stdin from /dev/null, capturing stdout and stderr together.
ProgramRun RunShell(const std::string& command) {
  ProgramRun run;
  std::FILE* pipe = ::popen((command + " </dev/null 2>&1").c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) run.output.append(buf, n);
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

std::string Tail(const std::string& text, size_t max) {
  return text.size() <= max ? text : "..." + text.substr(text.size() - max);
}

Status WriteText(const fs::path& path, const std::string& text) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (ec || !out) return InternalError("cannot write " + path.string());
  return OkStatus();
}

// The library's sources; with `cortex_m4_dsp`, the DSP int8 kernels replace their portable file.
std::string SourceList(const CppLibrary& library, const fs::path& dir, bool cortex_m4_dsp = false) {
  std::string list;
  for (const std::string& s : library.sources) {
    if (cortex_m4_dsp && s == kCortexM4KernelsPortable) {
      for (const char* f : kCortexM4KernelsDsp) list += " " + ShellQuote((dir / f).string());
    } else {
      list += " " + ShellQuote((dir / s).string());
    }
  }
  return list;
}

}  // namespace

StatusOr<std::string> FindTool(const std::string& tool, const std::string& package) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  std::string d;
  while (std::getline(dirs, d, ':')) {
    if (d.empty()) continue;
    const fs::path candidate = fs::path(d) / tool;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return FailedPreconditionError(tool + " not found on PATH: install " + package +
                                 " (scripts/setup)");
}

StatusOr<fs::path> BuildHostExample(const CppLibrary& library, const fs::path& dir) {
  TL_ASSIGN_OR_RETURN(const std::string cxx, FindTool("c++", "g++"));
  TL_RETURN_IF_ERROR(WriteCppLibrary(library, dir));
  const fs::path exe = dir / "tinyloop_model_host";
  const std::string command = ShellQuote(cxx) + " -std=c++17 -O2 -Wall -Wextra -I " +
                              ShellQuote(dir.string()) + SourceList(library, dir) + " " +
                              ShellQuote((dir / "main_host.cc").string()) + " -o " +
                              ShellQuote(exe.string());
  const ProgramRun run = RunShell(command);
  if (run.exit_code != 0) {
    return InternalError("host build of the generated library failed: " + Tail(run.output, 2000));
  }
  return exe;
}

StatusOr<FirmwareBuild> BuildCortexM4Firmware(const CppLibrary& library, const fs::path& dir,
                                              const std::vector<uint8_t>& example_input) {
  TL_ASSIGN_OR_RETURN(const std::string gxx, FindTool("arm-none-eabi-g++",
                                                      "gcc-arm-none-eabi, libnewlib-arm-none-eabi "
                                                      "and libstdc++-arm-none-eabi-newlib"));
  TL_ASSIGN_OR_RETURN(const std::string size_tool,
                      FindTool("arm-none-eabi-size", "binutils-arm-none-eabi"));
  TL_ASSIGN_OR_RETURN(const std::string input_header, ExampleInputHeader(library, example_input));
  TL_RETURN_IF_ERROR(WriteCppLibrary(library, dir));
  const fs::path m4 = dir / "cortex_m4";
  size_t count = 0;
  const EmbeddedFile* files = EmbeddedFiles(&count);
  for (size_t i = 0; i < count; ++i) {
    const std::string name = files[i].name;
    if (name.rfind("cortex_m4/", 0) == 0) TL_RETURN_IF_ERROR(WriteText(dir / name, files[i].text));
  }
  TL_RETURN_IF_ERROR(WriteText(m4 / "example_input.h", input_header));

  FirmwareBuild build;
  build.elf = m4 / "fw.elf";
  const std::string command =
      ShellQuote(gxx) + " " + kCortexM4Flags +
      " -std=c++17 -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-unwind-tables"
      " -fno-asynchronous-unwind-tables -ffunction-sections -fdata-sections -Wall -Wextra -I " +
      ShellQuote(dir.string()) + " -I " + ShellQuote(m4.string()) +
      SourceList(library, dir, /*cortex_m4_dsp=*/true) + " " +
      ShellQuote((m4 / "startup_cortex_m4.cc").string()) + " " +
      ShellQuote((m4 / "main_cortex_m4.cc").string()) +
      " -nostartfiles --specs=nano.specs -Wl,--gc-sections -T " +
      ShellQuote((m4 / "mps2_an386.ld").string()) +
      " -Wl,-Map=" + ShellQuote((m4 / "fw.map").string()) + " -o " + ShellQuote(build.elf.string());
  const ProgramRun compile = RunShell(command);
  if (compile.exit_code != 0) {
    return InternalError("Cortex-M4 build of the generated library failed: " +
                         Tail(compile.output, 2000));
  }
  const ProgramRun size = RunShell(ShellQuote(size_tool) + " " + ShellQuote(build.elf.string()));
  std::istringstream lines(size.output);
  std::string header, values;
  std::getline(lines, header);
  std::getline(lines, values);
  std::istringstream fields(values);
  if (size.exit_code != 0 || !(fields >> build.text >> build.data >> build.bss)) {
    return InternalError("cannot read arm-none-eabi-size output: " + Tail(size.output, 500));
  }
  return build;
}

StatusOr<ProgramRun> RunOnQemu(const fs::path& elf, int timeout_s) {
  TL_ASSIGN_OR_RETURN(const std::string qemu, FindTool("qemu-system-arm", "qemu-system-arm"));
  TL_ASSIGN_OR_RETURN(const std::string timeout, FindTool("timeout", "coreutils"));
  return RunShell(ShellQuote(timeout) + " -k 5 " + std::to_string(timeout_s) + " " +
                  ShellQuote(qemu) +
                  " -M mps2-an386 -nographic -monitor none -semihosting-config "
                  "enable=on,target=native -kernel " +
                  ShellQuote(elf.string()));
}

StatusOr<std::vector<uint8_t>> ParseExampleOutput(const std::string& text) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("output:", 0) != 0) continue;
    std::istringstream values(line.substr(7));
    std::vector<uint8_t> bytes;
    int v = 0;
    while (values >> v) bytes.push_back(static_cast<uint8_t>(static_cast<int8_t>(v)));
    return bytes;
  }
  return InvalidArgumentError("no 'output:' line in: " + Tail(text, 500));
}

}  // namespace tinyloop::model
