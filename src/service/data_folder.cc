#include "service/data_folder.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace tinyloop::service {
namespace {

namespace fs = std::filesystem;

bool IsCategoryName(const std::string& name) {
  return name == "training" || name == "testing" || name == "anomaly";
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Adds every ingestible regular file under `dir` (recursively) with the given label/category.
void AddTree(const fs::path& dir, const std::optional<std::string>& label,
             const std::string& category, DataFolder& out) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const std::string name = it->path().filename().string();
    if (!IsIngestibleFile(name)) {
      ++out.skipped;
      continue;
    }
    out.files.push_back({it->path().string(), name, label, category});
  }
}

}  // namespace

bool IsIngestibleFile(const std::string& file_name) {
  const auto dot = file_name.rfind('.');
  if (dot == std::string::npos) return false;
  // Dataset documentation sits beside recordings (README.txt, SOURCE.txt, LICENSE.csv…).
  const std::string stem = Lower(file_name.substr(0, dot));
  for (const char* doc : {"readme", "license", "licence", "source", "notice", "copying",
                          "changelog", "authors", "dataset_info", "manifest"}) {
    if (stem == doc) return false;
  }
  const std::string ext = Lower(file_name.substr(dot + 1));
  for (const char* ok : {"json", "cbor", "csv", "txt", "wav", "png", "jpg", "jpeg"}) {
    if (ext == ok) return true;
  }
  return false;
}

StatusOr<DataFolder> ScanDataPaths(const std::vector<std::string>& paths,
                                   const std::optional<std::string>& label,
                                   const std::string& category) {
  DataFolder out;
  for (const std::string& p : paths) {
    std::error_code ec;
    const fs::path path(p);
    if (!fs::exists(path, ec)) return NotFoundError("no such file or folder: " + p);
    if (fs::is_regular_file(path, ec)) {
      const std::string name = path.filename().string();
      if (!IsIngestibleFile(name)) {
        return InvalidArgumentError(p + ": unsupported file type (expected .json .cbor .csv .txt "
                                        ".wav .png .jpg .jpeg)");
      }
      out.files.push_back({p, name, label, category});
      continue;
    }
    // Sub-folders give categories (training/testing/anomaly) or labels; loose files use the
    // given label and category.
    std::vector<fs::path> children;
    for (auto it = fs::directory_iterator(path, ec); !ec && it != fs::end(it); it.increment(ec)) {
      children.push_back(it->path());
    }
    if (ec) return UnavailableError("cannot read folder " + p + ": " + ec.message());
    std::sort(children.begin(), children.end());
    for (const fs::path& child : children) {
      const std::string name = child.filename().string();
      if (fs::is_directory(child, ec)) {
        if (IsCategoryName(name)) {
          for (auto it = fs::directory_iterator(child, ec); !ec && it != fs::end(it);
               it.increment(ec)) {
            const std::string sub = it->path().filename().string();
            if (it->is_directory()) {
              AddTree(it->path(), label ? label : std::optional<std::string>(sub), name, out);
            } else if (IsIngestibleFile(sub)) {
              out.files.push_back({it->path().string(), sub, label, name});
            } else {
              ++out.skipped;
            }
          }
        } else {
          AddTree(child, label ? label : std::optional<std::string>(name), category, out);
        }
      } else if (IsIngestibleFile(name)) {
        out.files.push_back({child.string(), name, label, category});
      } else {
        ++out.skipped;
      }
    }
  }
  std::sort(out.files.begin(), out.files.end(),
            [](const DataFile& a, const DataFile& b) { return a.path < b.path; });
  if (out.files.empty()) {
    return InvalidArgumentError("no ingestible files (.json .cbor .csv .txt .wav .png .jpg .jpeg) "
                                "found in the given paths");
  }
  return out;
}

}  // namespace tinyloop::service
