// ingest_bench: acceptance benchmark of durable ingestion (see README.md).
//  (i)   in-process limit: K threads call service::IngestService::Ingest on signed JSON samples
//        (parse + HMAC verify + checks + group-committed SQLite/blob store, WAL, FULL sync);
//  (ii)  over HTTP: C keep-alive clients POST the same samples to /api/training/data of an
//        api::ApiServer on 127.0.0.1 (port 0); reports the ratio (ii)/(i);
//  (iii) raw store: one thread, InsertSamples with 1 vs 64 samples per call (raw_store_bench.h).
// Every part checks that the store holds exactly the samples it acknowledged.
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api/api_server.h"
#include "api/metrics.h"
#include "api/routes.h"
#include "base/clock.h"
#include "base/json.h"
#include "base/log.h"
#include "bench_samples.h"
#include "formats/acquisition.h"
#include "http_load_client.h"
#include "http_load_loop.h"
#include "ingest_options.h"
#include "raw_store_bench.h"
#include "service/ingest_service.h"
#include "service/projects.h"
#include "service/sample_service.h"
#include "store/sqlite_store.h"
#include "thread_times.h"

namespace tinyloop::bench {
namespace {

constexpr double kGoalHttpSamplesPerSecond = 20000;
constexpr double kGoalHttpP99Ms = 50;
constexpr double kGoalRatio = 0.5;
// (ii): a request unanswered this long counts as an error, so a stuck server cannot hang the run.
constexpr int64_t kRequestTimeoutNs = 60'000'000'000;

double CpuSeconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Progress on stderr with seconds since start, so a slow phase shows while it runs.
int64_t g_start_ns = 0;
void Progress(const std::string& what) {
  std::fprintf(stderr, "[ingest_bench %6.2f s] %s\n",
               static_cast<double>(MonotonicNanos() - g_start_ns) / 1e9, what.c_str());
}

[[noreturn]] void Die(const std::string& what, const Status& status) {
  std::fprintf(stderr, "ingest_bench: %s: %s\n", what.c_str(), status.ToString().c_str());
  std::exit(1);
}

// Data dirs are removed only after the results are printed: unlinking thousands of blob files
// can take milliseconds each (ext4 with discard, busy disks) and must not overlap a part.
std::vector<std::string> g_data_dirs;

std::string MakeDataDir(const Options& o, const std::string& name) {
  std::string pattern = o.tmp_root + "/tinyloop-bench-" + name + "-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    Die("mkdtemp " + pattern, InternalError(std::strerror(errno)));
  }
  g_data_dirs.push_back(pattern);
  return pattern;
}

void RemoveDataDirs(const Options& o) {
  for (const std::string& dir : g_data_dirs) {
    if (o.keep_data) {
      std::fprintf(stderr, "ingest_bench: data kept in %s\n", dir.c_str());
      continue;
    }
    Progress("removing " + dir);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    if (ec) {
      std::fprintf(stderr, "ingest_bench: cannot remove %s: %s\n", dir.c_str(),
                   ec.message().c_str());
    }
  }
}

// The services of one data dir, wired as `tinyloop server` wires them (apps/tinyloop/
// local_context.cc), plus a project. `writer_tids` are the threads the store started.
struct Stack {
  std::unique_ptr<store::SqliteStore> store;
  std::unique_ptr<service::ProjectService> projects;
  std::unique_ptr<service::IngestService> ingest;
  std::unique_ptr<service::SampleService> samples;
  api::Metrics metrics;
  std::unique_ptr<api::Services> services;
  service::CreatedProject project;
  std::set<int> writer_tids;

  explicit Stack(const std::string& dir) {
    const ThreadSnapshot before = SnapshotThreads();
    auto opened = store::SqliteStore::Open(dir);
    if (!opened.ok()) Die("open store in " + dir, opened.status());
    store = std::move(*opened);
    writer_tids = NewThreads(before, SnapshotThreads());
    const Clock& clock = SystemClock::Get();
    projects = std::make_unique<service::ProjectService>(*store, clock);
    ingest = std::make_unique<service::IngestService>(*store, *projects, clock);
    samples = std::make_unique<service::SampleService>(*store, *ingest);
    services = std::make_unique<api::Services>(
        api::Services{*projects, *ingest, *samples, *store, metrics});
    auto created = projects->CreateProject("bench", "ingest_bench");
    if (!created.ok()) Die("create project", created.status());
    project = std::move(*created);
  }

  int64_t StoredSamples() {
    store::SampleFilter filter;
    filter.project_id = project.project.id;
    filter.limit = 1;
    auto list = store->ListSamples(filter);
    if (!list.ok()) Die("count stored samples", list.status());
    return list->total;
  }
};

// Re-signs `samples` for the stack's project and checks one with the real decoder.
void PrepareSamplesFor(Stack& stack, std::vector<BenchSample>& samples, int threads) {
  Resign(samples, stack.project.project.hmac_key, threads);
  formats::AcquisitionOptions check;
  check.hmac_key = stack.project.project.hmac_key;
  check.allow_unsigned = false;
  auto decoded =
      formats::DecodeAcquisition(samples.front().body, formats::AcquisitionEncoding::kJson, check);
  if (!decoded.ok()) Die("generated sample does not verify", decoded.status());
}

struct PartResult {
  std::string name;
  bool ran = false;
  bool over_http = false;
  int workers = 0;
  int64_t acked = 0;
  int64_t errors = 0;
  int64_t duplicates = 0;  // acknowledged with a "duplicate" finding; must stay 0
  std::string first_error;
  double seconds = 0;
  int64_t stored = 0;
  LatencySummary latency;
  // Where the CPU went during the run: the whole process, the bench's worker threads (the
  // ingest callers in (i), the HTTP load generator in (ii)), the store's writer thread and,
  // in (ii), the HTTP server's threads.
  double process_cpu_s = 0;
  double worker_cpu_s = 0;
  double worker_runnable_s = 0;  // the worker threads' time runnable but waiting for a CPU
  ThreadTimes writer;
  ThreadTimes server;
  size_t server_threads = 0;
  double connect_ms = 0;       // (ii): opening the C connections, one after another, untimed
  int connect_retries = 0;     // (ii): connections that failed their first request
  int client_threads = 0;      // (ii): event-loop threads of the load generator
  int64_t client_wakeups = 0;  // (ii): epoll_wait calls of those loops that returned events

  double rate() const { return seconds > 0 ? static_cast<double>(acked) / seconds : 0; }
  bool verified() const { return stored == acked && duplicates == 0; }
  double PerSampleUs(double cpu_s) const {
    return acked > 0 ? cpu_s * 1e6 / static_cast<double>(acked) : 0;
  }
  // (ii): share of the wall time a load-generator thread spent runnable, waiting for a CPU.
  double ClientWaitFraction() const {
    return seconds > 0 && client_threads > 0 ? worker_runnable_s / (seconds * client_threads) : 0;
  }
  // CPU of the system under test: everything but the load generator in (ii).
  double SystemCpuS() const { return over_http ? process_cpu_s - worker_cpu_s : process_cpu_s; }
};

// What the workers of a part share.
struct Shared {
  std::atomic<size_t> next{0};
  std::atomic<int64_t> acked{0};
  std::atomic<int64_t> errors{0};
  std::atomic<int64_t> duplicates{0};
  std::atomic<int64_t> worker_cpu_ns{0};
  std::atomic<int64_t> worker_runnable_ns{0};  // runnable but waiting for a CPU
  std::atomic<bool> have_error{false};
  std::string first_error;  // written once, by the thread that set have_error
  int64_t deadline_ns = 0;
  size_t limit = 0;

  bool Take(size_t& index) {
    if (MonotonicNanos() >= deadline_ns) return false;
    index = next.fetch_add(1);
    return index < limit;
  }
  void Fail(const std::string& message) {
    errors.fetch_add(1);
    if (!have_error.exchange(true)) first_error = message;
  }
};

// Runs `workers` threads named `name`, each calling worker(index, shared, latencies) until the
// samples or the time run out, and fills `out` with what they measured.
template <typename Worker>
void RunWorkers(const char* name, int workers, const Options& o, size_t limit, Stack& stack,
                PartResult& out, Worker worker) {
  Shared shared;
  shared.limit = limit;
  std::vector<std::vector<int64_t>> latencies(static_cast<size_t>(workers));
  for (auto& l : latencies) l.reserve(limit / static_cast<size_t>(workers) + 16);
  const ThreadSnapshot before = SnapshotThreads();
  const double cpu0 = CpuSeconds(CLOCK_PROCESS_CPUTIME_ID);
  const int64_t t0 = MonotonicNanos();
  shared.deadline_ns = t0 + static_cast<int64_t>(o.seconds * 1e9);
  std::vector<std::thread> pool;
  for (int w = 0; w < workers; ++w) {
    pool.emplace_back([&, w] {
      NameThisThread(name);
      const double thread_cpu0 = CpuSeconds(CLOCK_THREAD_CPUTIME_ID);
      const int64_t runnable0 = CurrentThreadTimes().runnable_ns;
      worker(static_cast<size_t>(w), shared, latencies[static_cast<size_t>(w)]);
      const double used = CpuSeconds(CLOCK_THREAD_CPUTIME_ID) - thread_cpu0;
      shared.worker_cpu_ns.fetch_add(static_cast<int64_t>(used * 1e9));
      shared.worker_runnable_ns.fetch_add(CurrentThreadTimes().runnable_ns - runnable0);
    });
  }
  for (auto& t : pool) t.join();
  out.seconds = static_cast<double>(MonotonicNanos() - t0) / 1e9;
  out.process_cpu_s = CpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
  const ThreadSnapshot after = SnapshotThreads();
  out.writer = Delta(before, after, stack.writer_tids);
  // Server threads: everything left that is neither ours, the main thread nor the writer.
  std::set<int> server;
  for (const auto& [tid, t] : after) {
    if (tid == CurrentTid() || stack.writer_tids.count(tid) != 0) continue;
    if (t.name.rfind("bench-", 0) == 0) continue;
    server.insert(tid);
  }
  out.server = Delta(before, after, server);
  out.server_threads = server.size();
  std::vector<int64_t> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  out.latency = Summarize(std::move(all));
  out.ran = true;
  out.workers = workers;
  out.acked = shared.acked.load();
  out.errors = shared.errors.load();
  out.duplicates = shared.duplicates.load();
  out.first_error = shared.first_error;
  out.worker_cpu_s = static_cast<double>(shared.worker_cpu_ns.load()) / 1e9;
  out.worker_runnable_s = static_cast<double>(shared.worker_runnable_ns.load()) / 1e9;
}

PartResult RunInProcess(const Options& o, std::vector<BenchSample>& samples, int prep_threads) {
  PartResult out;
  out.name = "(i)  in-process IngestService::Ingest";
  const std::string dir = MakeDataDir(o, "inproc");
  Progress("(i) opening a fresh store in " + dir);
  Stack stack(dir);
  PrepareSamplesFor(stack, samples, prep_threads);
  Progress("(i) running " + std::to_string(o.threads) + " ingest threads");
  const std::string api_key = stack.project.api_key;
  RunWorkers("bench-ingest", o.threads, o, samples.size(), stack, out,
             [&](size_t, Shared& shared, std::vector<int64_t>& lat) {
               size_t i = 0;
               while (shared.Take(i)) {
                 service::IngestRequest r;
                 r.api_key = api_key;
                 r.category = "training";
                 r.file_name = samples[i].file_name;
                 r.content_type = "application/json";
                 r.body = samples[i].body;
                 const int64_t start = MonotonicNanos();
                 auto result = stack.ingest->Ingest(std::move(r));
                 lat.push_back(MonotonicNanos() - start);
                 if (!result.ok()) {
                   shared.Fail(result.status().ToString());
                   continue;
                 }
                 shared.acked.fetch_add(1);
                 for (const auto& f : result->findings) {
                   if (f.kind == "duplicate") shared.duplicates.fetch_add(1);
                 }
               }
             });
  Progress("(i) counting stored samples, closing the store");
  out.stored = stack.StoredSamples();
  return out;
}

std::string BuildRequest(int port, const std::string& api_key, const BenchSample& s) {
  std::string r;
  r.reserve(s.body.size() + 256);
  r += "POST /api/training/data HTTP/1.1\r\nHost: 127.0.0.1:";
  r += std::to_string(port);
  r += "\r\nContent-Type: application/json\r\nx-api-key: ";
  r += api_key;
  r += "\r\nx-file-name: ";
  r += s.file_name;
  r += "\r\nContent-Length: ";
  r += std::to_string(s.body.size());
  r += "\r\n\r\n";
  r += s.body;
  return r;
}

// Feeds one event loop of part (ii) from the shared pool of requests, in order, and records
// its latencies and results the way part (i) does.
class BenchLoadSource : public LoadSource {
 public:
  BenchLoadSource(Shared& shared, const std::vector<std::string>& requests,
                  std::vector<int64_t>& latencies)
      : shared_(shared), requests_(requests), latencies_(latencies) {}

  bool Next(std::string_view& request) override {
    size_t i = 0;
    if (!shared_.Take(i)) return false;
    request = requests_[i];
    return true;
  }
  void OnResponse(const HttpResponseView& response, int64_t latency_ns) override {
    latencies_.push_back(latency_ns);
    if (response.status != 200) {
      shared_.Fail("HTTP " + std::to_string(response.status) + ": " +
                   std::string(response.body.substr(0, 200)));
      return;
    }
    shared_.acked.fetch_add(1, std::memory_order_relaxed);
  }
  // Stored or not, the sample was not acknowledged; the final count tells.
  void OnError(const Status& error, int64_t latency_ns) override {
    latencies_.push_back(latency_ns);
    shared_.Fail(error.ToString());
  }

 private:
  Shared& shared_;
  const std::vector<std::string>& requests_;
  std::vector<int64_t>& latencies_;
};

PartResult RunHttp(const Options& o, std::vector<BenchSample>& samples, int prep_threads) {
  PartResult out;
  out.name = "(ii) HTTP POST /api/training/data";
  out.over_http = true;
  const std::string dir = MakeDataDir(o, "http");
  Progress("(ii) opening a fresh store in " + dir + ", starting the API server");
  Stack stack(dir);
  PrepareSamplesFor(stack, samples, prep_threads);
  api::ApiServerOptions server_options;
  server_options.host = "127.0.0.1";
  server_options.port = 0;
  server_options.ingestion_port = -1;
  api::ApiServer server(*stack.services, server_options);
  if (Status st = server.Start(); !st.ok()) Die("start the API server", st);
  const int port = server.port();
  std::vector<std::string> requests(samples.size());
  ParallelFor(samples.size(), prep_threads, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      requests[i] = BuildRequest(port, stack.project.api_key, samples[i]);
    }
  });

  // Open the connections one by one before the clock starts, each proven by one request
  // (an unknown path, answered 404); connects that find the accept queue full can stall or be
  // dropped (counted in connect_retries). Connection c goes to event loop c % client_threads.
  const int loops = o.client_threads;
  std::vector<std::vector<int>> sockets(static_cast<size_t>(loops));
  const std::string probe =
      "GET /bench-connection-check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n";
  const int64_t c0 = MonotonicNanos();
  for (int c = 0; c < o.clients; ++c) {
    for (int attempt = 1;; ++attempt) {
      auto conn = KeepAliveConnection::Connect("127.0.0.1", port);
      if (!conn.ok()) Die("connect to the API server", conn.status());
      auto answer = conn->RoundTrip(probe);
      if (answer.ok() && !answer->close) {
        sockets[static_cast<size_t>(c % loops)].push_back(conn->Release());
        break;
      }
      if (attempt == 5) {
        Die("open a keep-alive connection to the API server",
            answer.ok() ? UnavailableError("the server closed it") : answer.status());
      }
      ++out.connect_retries;
    }
  }
  out.connect_ms = static_cast<double>(MonotonicNanos() - c0) / 1e6;

  Progress("(ii) running " + std::to_string(o.clients) + " HTTP clients on " +
           std::to_string(loops) + " event-loop threads, port " + std::to_string(port));
  std::atomic<int64_t> loop_wakeups{0};
  RunWorkers("bench-client", loops, o, requests.size(), stack, out,
             [&](size_t w, Shared& shared, std::vector<int64_t>& lat) {
               HttpLoadLoop loop("127.0.0.1", port, std::move(sockets[w]), kRequestTimeoutNs);
               BenchLoadSource source(shared, requests, lat);
               if (Status st = loop.Run(source); !st.ok()) shared.Fail(st.ToString());
               loop_wakeups.fetch_add(loop.wakeups());
             });
  out.workers = o.clients;
  out.client_threads = loops;
  out.client_wakeups = loop_wakeups.load();
  Progress("(ii) stopping the server, counting stored samples, closing the store");
  server.Stop();
  out.stored = stack.StoredSamples();
  return out;
}

Json PartJson(const PartResult& p) {
  const double wall_ns = p.seconds * 1e9;
  return {{"ran", p.ran},
          {"workers", p.workers},
          {"acked", p.acked},
          {"errors", p.errors},
          {"stored", p.stored},
          {"verified", p.verified()},
          {"seconds", p.seconds},
          {"samples_per_s", p.rate()},
          {"p50_ms", p.latency.p50_ms},
          {"p90_ms", p.latency.p90_ms},
          {"p99_ms", p.latency.p99_ms},
          {"max_ms", p.latency.max_ms},
          {"connect_ms", p.connect_ms},
          {"connect_retries", p.connect_retries},
          {"client_threads", p.client_threads},
          {"client_wakeups", p.client_wakeups},
          {"client_wait_frac", p.ClientWaitFraction()},
          {"cpu_us_per_sample", p.PerSampleUs(p.SystemCpuS())},
          {"worker_cpu_us_per_sample", p.PerSampleUs(p.worker_cpu_s)},
          {"server_cpu_us_per_sample", p.PerSampleUs(p.server.on_cpu_ns / 1e9)},
          {"writer_cpu_us_per_sample", p.PerSampleUs(p.writer.on_cpu_ns / 1e9)},
          {"writer_on_cpu_frac", wall_ns > 0 ? p.writer.on_cpu_ns / wall_ns : 0},
          {"writer_runnable_frac", wall_ns > 0 ? p.writer.runnable_ns / wall_ns : 0}};
}

void PrintPart(const PartResult& p) {
  if (!p.ran) {
    std::printf("%-38s (skipped)\n", p.name.c_str());
    return;
  }
  std::printf("%-38s %4d %8lld %6.2f %10.0f %7.2f %7.2f %8.2f %6lld %8lld  %s\n", p.name.c_str(),
              p.workers, static_cast<long long>(p.acked), p.seconds, p.rate(), p.latency.p50_ms,
              p.latency.p99_ms, p.latency.max_ms, static_cast<long long>(p.errors),
              static_cast<long long>(p.stored), p.verified() ? "ok" : "MISMATCH");
  if (!p.first_error.empty()) std::printf("     first error: %s\n", p.first_error.c_str());
  if (p.duplicates > 0) {
    std::printf("     %lld samples were stored as duplicates: the generator repeated itself\n",
                static_cast<long long>(p.duplicates));
  }
}

void PrintCpu(const PartResult& p) {
  if (!p.ran) return;
  const double wall_ns = p.seconds * 1e9;
  const double w_cpu = wall_ns > 0 ? 100 * p.writer.on_cpu_ns / wall_ns : 0;
  const double w_run = wall_ns > 0 ? 100 * p.writer.runnable_ns / wall_ns : 0;
  const bool http = p.over_http;
  std::printf("%-38s %9.0f %12.0f %12.0f %9.0f %%  %9.0f %%  %9.0f %%\n", p.name.c_str(),
              p.PerSampleUs(p.SystemCpuS()),
              http ? p.PerSampleUs(p.server.on_cpu_ns / 1e9) : p.PerSampleUs(p.worker_cpu_s),
              p.PerSampleUs(p.writer.on_cpu_ns / 1e9), w_cpu, w_run,
              std::max(0.0, 100 - w_cpu - w_run));
  if (http) {
    std::printf(
        "     load generator (%d connections on %d event-loop threads, connected in %.0f ms with "
        "%d retries before the clock): %.0f us CPU per sample, not counted\n"
        "     its threads waited for a CPU %.0f %% of the part's wall time; %.1f samples per "
        "epoll wakeup\n",
        p.workers, p.client_threads, p.connect_ms, p.connect_retries, p.PerSampleUs(p.worker_cpu_s),
        100 * p.ClientWaitFraction(),
        p.client_wakeups > 0 ? static_cast<double>(p.acked + p.errors) / p.client_wakeups : 0);
  }
}

int Main(int argc, char** argv) {
  Options o;
  if (!ParseOptions(argc, argv, o)) return 2;
  SetLogLevel(LogLevel::kWarning);
  g_start_ns = MonotonicNanos();
  const long nproc = ::sysconf(_SC_NPROCESSORS_ONLN);
  const int prep_threads = static_cast<int>(std::max(1L, nproc));
  const bool all = o.part == "all";

  const SampleShape shape;
  const size_t to_generate = o.part == "raw" ? 0 : o.samples;
  Progress("generating " + std::to_string(to_generate) + " signed samples");
  std::vector<BenchSample> samples = MakeSignedSamples(to_generate, shape, "unset", prep_threads);
  size_t body_bytes = 0;
  for (const auto& s : samples) body_bytes += s.body.size();
  const double mean_body =
      samples.empty() ? 0 : static_cast<double>(body_bytes) / static_cast<double>(samples.size());

  PartResult in_process;
  in_process.name = "(i)  in-process IngestService::Ingest";
  PartResult http;
  http.name = "(ii) HTTP POST /api/training/data";
  if (all || o.part == "in_process") in_process = RunInProcess(o, samples, prep_threads);
  if (all) {
    // Part (i) leaves hundreds of MB of dirty pages (its closed store); their writeback would
    // compete with (ii)'s fsyncs for the disk and the kernel's CPU.
    Progress("sync: writing back what (i) left before (ii) starts");
    ::sync();
  }
  if (all || o.part == "http") http = RunHttp(o, samples, prep_threads);
  RawStoreResult raw;
  raw.verified = true;
  if ((all || o.part == "raw") && o.raw_seconds > 0) {
    const std::string dir = MakeDataDir(o, "raw");
    Progress("(iii) raw store cases in " + dir);
    raw = RunRawStoreCases(dir, o.raw_seconds);
  }
  const double ratio = in_process.rate() > 0 ? http.rate() / in_process.rate() : 0;

  std::printf(
      "tinyloop ingest benchmark   nproc=%ld   data dirs under %s   cap %.1f s/part, "
      "%zu samples/part\n",
      nproc, o.tmp_root.c_str(), o.seconds, samples.size());
  std::printf(
      "sample: Edge Impulse acquisition JSON, HS256-signed, %d axes x %d rows, %.0f bytes "
      "mean; SqliteStore (WAL, synchronous=FULL) + blob pack files, group commit\n\n",
      shape.axes, shape.rows, mean_body);
  std::printf("%-38s %4s %8s %6s %10s %7s %7s %8s %6s %8s  %s\n", "part", "wrk", "acked", "sec",
              "samples/s", "p50 ms", "p99 ms", "max ms", "errors", "stored", "stored==acked");
  PrintPart(in_process);
  PrintPart(http);
  std::printf("ratio (ii)/(i) = %.2f\n\n", ratio);

  std::printf("%-38s %9s %12s %12s %11s %11s %11s\n", "CPU per durable sample (us)", "total",
              "request thr", "writer thr", "writer cpu", "wait cpu", "blocked");
  PrintCpu(in_process);
  PrintCpu(http);
  std::printf(
      "     request thr = ingest threads in (i), HTTP server threads in (ii); writer = "
      "the store's group-commit thread,\n     its share of wall time on a CPU, runnable "
      "but waiting for one, and blocked (fdatasync, idle)\n\n");

  const bool goal_rate = http.rate() >= kGoalHttpSamplesPerSecond;
  const bool goal_p99 = http.ran && http.latency.p99_ms < kGoalHttpP99Ms;
  const bool goal_ratio = ratio >= kGoalRatio;
  std::printf("%-34s %12s %12s\n", "goal", "target", "measured");
  std::printf("%-34s %12s %12.0f  %s\n", "HTTP durable samples/s", ">= 20000", http.rate(),
              goal_rate ? "met" : "MISSED");
  std::printf("%-34s %12s %12.2f  %s\n", "HTTP p99 latency (ms)", "< 50", http.latency.p99_ms,
              goal_p99 ? "met" : "MISSED");
  std::printf("%-34s %12s %12.2f  %s\n\n", "ratio (ii)/(i)", ">= 0.5", ratio,
              goal_ratio ? "met" : "MISSED");

  Json raw_json = Json::array();
  if (!raw.cases.empty()) {
    std::printf(
        "(iii) raw store, one thread, SqliteStore::InsertSamples (WAL, synchronous=FULL)\n");
    std::printf("  %-40s %10s %10s\n", "case", "tx/s", "rows/s");
    for (const RawCase& c : raw.cases) {
      std::printf("  %-40s %10.0f %10.0f\n", c.name.c_str(), c.tx_per_s(), c.rows_per_s());
      raw_json.push_back({{"case", c.name},
                          {"rows_per_tx", c.rows_per_tx},
                          {"new_blobs", c.new_blobs},
                          {"tx_per_s", c.tx_per_s()},
                          {"rows_per_s", c.rows_per_s()}});
    }
    std::printf("  stored == inserted: %s\n\n", raw.verified ? "ok" : "MISMATCH");
  }

  const bool verified = in_process.verified() && http.verified() && raw.verified;
  const Json summary = {{"bench", "ingest"},
                        {"nproc", nproc},
                        {"tmp", o.tmp_root},
                        {"sample_bytes", mean_body},
                        {"in_process", PartJson(in_process)},
                        {"http", PartJson(http)},
                        {"ratio", ratio},
                        {"raw_store", raw_json},
                        {"goals",
                         {{"http_samples_per_s", kGoalHttpSamplesPerSecond},
                          {"http_p99_ms", kGoalHttpP99Ms},
                          {"ratio", kGoalRatio},
                          {"met", goal_rate && goal_p99 && goal_ratio}}},
                        {"verified", verified}};
  std::printf("%s\n", DumpJson(summary).c_str());
  std::fflush(stdout);
  if (!verified) {
    std::fprintf(stderr,
                 "ingest_bench: the store does not hold exactly the acknowledged "
                 "samples (see the stored column)\n");
  }
  RemoveDataDirs(o);
  return verified ? 0 : 1;
}

}  // namespace
}  // namespace tinyloop::bench

int main(int argc, char** argv) { return tinyloop::bench::Main(argc, argv); }
