#include "uploader.h"

#include <fstream>
#include <sstream>

#include "api/http_client.h"
#include "base/json.h"
#include "progress.h"
#include "service/data_folder.h"

namespace tinyloop::app {
namespace {

// Files per request and bytes per request when uploading over HTTP.
constexpr size_t kFilesPerRequest = 64;
constexpr size_t kBytesPerRequest = 16u << 20;

StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot open " + path);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::string ContentTypeFor(const std::string& name) {
  const auto dot = name.rfind('.');
  std::string ext = dot == std::string::npos ? "" : name.substr(dot + 1);
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == "json") return "application/json";
  if (ext == "cbor") return "application/cbor";
  if (ext == "csv") return "text/csv";
  if (ext == "txt") return "text/plain";
  if (ext == "wav") return "audio/wav";
  if (ext == "png") return "image/png";
  if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
  return "application/octet-stream";
}

std::string PercentEncode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

void NoteError(UploadSummary& summary, const std::string& file, const std::string& message) {
  ++summary.failed;
  if (summary.errors.size() < 20) summary.errors.push_back(file + ": " + message);
}

}  // namespace

StatusOr<UploadSummary> UploadToServer(const std::string& server_url, const std::string& api_key,
                                       const UploadOptions& options) {
  TL_ASSIGN_OR_RETURN(service::DataFolder folder,
                      service::ScanDataPaths(options.paths, options.label, options.category));
  TL_ASSIGN_OR_RETURN(auto client, api::HttpClient::Create(server_url));
  UploadSummary summary;
  summary.files = folder.files.size();
  summary.skipped = folder.skipped;
  Progress progress("ingest", folder.files.size(), options.progress);

  size_t i = 0;
  while (i < folder.files.size()) {
    // One request per run of files sharing label and category.
    const service::DataFile& first = folder.files[i];
    std::vector<api::MultipartPart> parts;
    std::vector<std::string> names;
    size_t bytes = 0;
    while (i < folder.files.size() && parts.size() < kFilesPerRequest && bytes < kBytesPerRequest &&
           folder.files[i].label == first.label && folder.files[i].category == first.category) {
      const service::DataFile& f = folder.files[i++];
      auto body = ReadFile(f.path);
      if (!body.ok()) {
        NoteError(summary, f.path, body.status().message());
        continue;
      }
      bytes += body->size();
      names.push_back(f.path);
      parts.push_back({"data", f.file_name, ContentTypeFor(f.file_name), std::move(*body)});
    }
    if (parts.empty()) continue;
    api::HttpClient::Headers headers = {{"x-api-key", api_key},
                                        {"x-upload-source", "TINYLOOP_CLI"}};
    if (first.label) headers["x-label"] = PercentEncode(*first.label);
    if (options.disallow_duplicates) headers["x-disallow-duplicates"] = "1";
    if (options.interval_ms > 0) headers["x-interval-ms"] = std::to_string(options.interval_ms);
    TL_ASSIGN_OR_RETURN(api::HttpResponse response,
                        client->PostMultipart("/api/" + first.category + "/files", headers, parts));
    auto json = ParseJson(response.body);
    if (!json.ok() || !json->is_object()) {
      return UnavailableError("server answered " + std::to_string(response.status) +
                              " with an unexpected body: " + response.body.substr(0, 200));
    }
    if (response.status != 200) {
      return Status(response.status == 401 ? StatusCode::kUnauthenticated : StatusCode::kInternal,
                    "server refused the upload (" + std::to_string(response.status) +
                        "): " + json->value("error", std::string("unknown error")));
    }
    const Json& files = (*json)["files"];
    for (size_t k = 0; k < files.size() && k < names.size(); ++k) {
      if (files[k].value("success", false)) {
        ++summary.stored;
        for (const auto& kind : files[k].value("findings", Json::array())) {
          ++summary.findings_by_kind[kind.get<std::string>()];
        }
      } else {
        NoteError(summary, names[k], files[k].value("error", std::string("failed")));
      }
    }
    progress.Update(i);
  }
  progress.Finish(std::to_string(summary.stored) + " stored, " + std::to_string(summary.failed) +
                  " failed, " + std::to_string(summary.skipped) + " skipped");
  return summary;
}

StatusOr<UploadSummary> IngestLocally(LocalContext& ctx, int64_t project_id,
                                      const UploadOptions& options) {
  TL_ASSIGN_OR_RETURN(service::DataFolder folder,
                      service::ScanDataPaths(options.paths, options.label, options.category));
  UploadSummary summary;
  summary.files = folder.files.size();
  summary.skipped = folder.skipped;
  Progress progress("ingest", folder.files.size(), options.progress);
  constexpr size_t kBatch = 256;
  for (size_t start = 0; start < folder.files.size(); start += kBatch) {
    std::vector<service::IngestRequest> requests;
    std::vector<std::string> names;
    for (size_t i = start; i < std::min(folder.files.size(), start + kBatch); ++i) {
      const service::DataFile& f = folder.files[i];
      auto body = ReadFile(f.path);
      if (!body.ok()) {
        NoteError(summary, f.path, body.status().message());
        continue;
      }
      service::IngestRequest r;
      r.kind = service::BodyKind::kFile;
      r.category = f.category;
      r.label = f.label;
      r.file_name = f.file_name;
      r.content_type = ContentTypeFor(f.file_name);
      r.body = std::move(*body);
      r.disallow_duplicates = options.disallow_duplicates;
      r.upload_source = "TINYLOOP_CLI";
      r.interval_ms_override = options.interval_ms;
      requests.push_back(std::move(r));
      names.push_back(f.path);
    }
    auto results = ctx.ingest->IngestTrusted(project_id, std::move(requests));
    for (size_t k = 0; k < results.size(); ++k) {
      if (!results[k].ok()) {
        NoteError(summary, names[k], results[k].status().message());
        continue;
      }
      ++summary.stored;
      for (const auto& f : results[k]->findings) ++summary.findings_by_kind[f.kind];
    }
    progress.Update(std::min(folder.files.size(), start + kBatch));
  }
  progress.Finish(std::to_string(summary.stored) + " stored, " + std::to_string(summary.failed) +
                  " failed, " + std::to_string(summary.skipped) + " skipped");
  return summary;
}

}  // namespace tinyloop::app
