#include "ingest_options.h"

#include <cstdio>
#include <cstdlib>

namespace tinyloop::bench {

void PrintUsage() {
  std::printf(
      "usage: ingest_bench [--seconds S] [--threads K] [--clients C] [--client-threads T]\n"
      "                    [--samples N] [--raw-seconds S] [--tmp DIR] [--keep-data] [--part P]\n"
      "  --seconds S      duration cap of parts (i) and (ii) (default 4)\n"
      "  --threads K      in-process ingest threads for (i) (default 256)\n"
      "  --clients C      keep-alive HTTP clients for (ii), one request outstanding each\n"
      "                   (default 256)\n"
      "  --client-threads T\n"
      "                   event-loop threads sharing the C clients of (ii) (default 1)\n"
      "  --samples N      samples generated per part; a part ends when all are acknowledged\n"
      "                   or S seconds pass (default 40000 x S)\n"
      "  --raw-seconds S  duration of each raw-store case (default 0.75; 0 skips them)\n"
      "  --tmp DIR        parent of the fresh data dirs (default $TMPDIR or /tmp); its\n"
      "                   filesystem is what gets measured\n"
      "  --keep-data      leave the data dirs behind\n"
      "  --part P         run only in_process, http or raw (default all)\n");
}

bool ParseOptions(int argc, char** argv, Options& o) {
  const char* tmp = std::getenv("TMPDIR");
  o.tmp_root = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    const size_t eq = arg.find('=');
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    auto next = [&]() -> bool {
      if (eq != std::string::npos) return true;
      if (i + 1 >= argc) return false;
      value = argv[++i];
      return true;
    };
    if (arg == "--help" || arg == "-h") {
      PrintUsage();
      std::exit(0);
    } else if (arg == "--keep-data") {
      o.keep_data = true;
    } else if (arg == "--seconds" && next()) {
      o.seconds = std::atof(value.c_str());
    } else if (arg == "--threads" && next()) {
      o.threads = std::atoi(value.c_str());
    } else if (arg == "--clients" && next()) {
      o.clients = std::atoi(value.c_str());
    } else if (arg == "--client-threads" && next()) {
      o.client_threads = std::atoi(value.c_str());
    } else if (arg == "--samples" && next()) {
      o.samples = std::strtoull(value.c_str(), nullptr, 10);
    } else if (arg == "--raw-seconds" && next()) {
      o.raw_seconds = std::atof(value.c_str());
    } else if (arg == "--tmp" && next()) {
      o.tmp_root = value;
    } else if (arg == "--part" && next()) {
      o.part = value;
    } else {
      std::fprintf(stderr, "ingest_bench: unknown or incomplete flag '%s'\n", argv[i]);
      PrintUsage();
      return false;
    }
  }
  if (!(o.seconds > 0) || o.threads < 1 || o.clients < 1 || o.raw_seconds < 0) {
    std::fprintf(stderr,
                 "ingest_bench: --seconds must be > 0, --threads and --clients >= 1, "
                 "--raw-seconds >= 0\n");
    return false;
  }
  if (o.client_threads < 1 || o.client_threads > o.clients) {
    std::fprintf(stderr, "ingest_bench: --client-threads must be between 1 and --clients (%d)\n",
                 o.clients);
    return false;
  }
  if (o.part != "all" && o.part != "in_process" && o.part != "http" && o.part != "raw") {
    std::fprintf(stderr, "ingest_bench: --part must be all, in_process, http or raw\n");
    return false;
  }
  if (o.samples == 0) o.samples = static_cast<size_t>(40000 * o.seconds);
  return true;
}

}  // namespace tinyloop::bench
