#include "store/blob_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <unordered_set>

#include "base/crypto.h"

namespace tinyloop::store {
namespace {

constexpr std::string_view kTempPrefix = ".tmp-";

Status ErrnoStatus(int err, const std::string& what) {
  std::string message = what + ": " + std::strerror(err);
  if (err == ENOSPC || err == EDQUOT) return ResourceExhaustedError(std::move(message));
  return InternalError(std::move(message));
}

Status WriteAll(int fd, std::string_view bytes, const std::string& path) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "write " + path);
    }
    done += static_cast<size_t>(n);
  }
  return OkStatus();
}

Status WriteNewFile(const std::string& path, std::string_view bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus(errno, "create " + path);
  Status status = WriteAll(fd, bytes, path);
  if (::close(fd) != 0 && status.ok()) status = ErrnoStatus(errno, "close " + path);
  if (!status.ok()) ::unlink(path.c_str());
  return status;
}

Status MakeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
    return ErrnoStatus(errno, "mkdir " + path);
  }
  return OkStatus();
}

bool FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// Precondition: `c` is a lower-case hex digit.
int HexDigit(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

struct TempFile {
  std::string temp_path;
  std::string final_path;
  int64_t size = 0;
};

void RemoveTemps(const std::vector<TempFile>& temps, size_t from) {
  for (size_t i = from; i < temps.size(); ++i) ::unlink(temps[i].temp_path.c_str());
}

}  // namespace

bool IsValidSha256Hex(std::string_view sha) {
  if (sha.size() != 64) return false;
  for (char c : sha) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

namespace {
Status CheckSha(std::string_view sha) {
  if (IsValidSha256Hex(sha)) return OkStatus();
  return InvalidArgumentError("blob sha256 must be 64 lower-case hex characters, got " +
                              std::to_string(sha.size()) + " characters");
}
}  // namespace

StatusOr<std::unique_ptr<BlobStore>> BlobStore::Open(const std::string& dir,
                                                   bool remove_temp_files) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return InternalError("cannot create blob directory " + dir + ": " + ec.message());
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open blob directory " + dir);
  std::unique_ptr<BlobStore> store(new BlobStore(dir, fd));
  TL_RETURN_IF_ERROR(store->ScanAndCleanUp(remove_temp_files));
  return store;
}

BlobStore::~BlobStore() { ::close(dir_fd_); }

std::string BlobStore::PathFor(std::string_view sha) const {
  std::string path = dir_;
  path += '/';
  path += sha.substr(0, 2);
  path += '/';
  path += sha;
  return path;
}

Status BlobStore::ScanAndCleanUp(bool remove_temp_files) {
  int64_t count = 0;
  int64_t bytes = 0;
  std::error_code ec;
  for (const auto& sub : std::filesystem::directory_iterator(dir_, ec)) {
    const std::string prefix = sub.path().filename().string();
    if (prefix.size() != 2 || !sub.is_directory(ec)) continue;
    if (IsValidSha256Hex(prefix + std::string(62, '0'))) {
      sub_dir_exists_[static_cast<size_t>(HexDigit(prefix[0]) * 16 + HexDigit(prefix[1]))] = true;
    }
    std::error_code inner_ec;
    for (const auto& entry : std::filesystem::directory_iterator(sub.path(), inner_ec)) {
      const std::string name = entry.path().filename().string();
      if (name.compare(0, kTempPrefix.size(), kTempPrefix) == 0) {
        // Left by a crash between write and rename: never referenced, safe to drop.
        if (remove_temp_files) std::filesystem::remove(entry.path(), inner_ec);
        continue;
      }
      if (!IsValidSha256Hex(name) || name.compare(0, 2, prefix) != 0) continue;
      const auto size = entry.file_size(inner_ec);
      if (inner_ec) continue;
      ++count;
      bytes += static_cast<int64_t>(size);
    }
    if (inner_ec)
      return InternalError("cannot scan " + sub.path().string() + ": " + inner_ec.message());
  }
  if (ec) return InternalError("cannot scan blob directory " + dir_ + ": " + ec.message());
  blob_count_ = count;
  blob_bytes_ = bytes;
  return OkStatus();
}

Status BlobStore::EnsureSubDir(std::string_view sha) {
  const size_t index = static_cast<size_t>(HexDigit(sha[0]) * 16 + HexDigit(sha[1]));
  if (sub_dir_exists_[index]) return OkStatus();
  TL_RETURN_IF_ERROR(MakeDir(dir_ + "/" + std::string(sha.substr(0, 2))));
  sub_dir_exists_[index] = true;
  return OkStatus();
}

StatusOr<std::string> BlobStore::Put(std::string_view bytes) {
  std::string sha = Sha256Hex(bytes);
  TL_RETURN_IF_ERROR(PutBatch({PendingBlob{sha, bytes}}));
  return sha;
}

Status BlobStore::PutBatch(const std::vector<PendingBlob>& blobs) {
  for (const PendingBlob& blob : blobs) TL_RETURN_IF_ERROR(CheckSha(blob.sha256));

  std::lock_guard<std::mutex> lock(write_mu_);
  std::vector<TempFile> temps;
  std::unordered_set<std::string_view> seen;
  for (const PendingBlob& blob : blobs) {
    if (!seen.insert(blob.sha256).second) continue;
    TempFile temp;
    temp.final_path = PathFor(blob.sha256);
    if (FileExists(temp.final_path)) continue;
    const std::string sub_dir = dir_ + "/" + blob.sha256.substr(0, 2);
    Status status = MakeDir(sub_dir);
    if (status.ok()) {
      temp.temp_path = sub_dir + "/" + std::string(kTempPrefix) + blob.sha256 + "-" + RandomHex(8);
      temp.size = static_cast<int64_t>(blob.bytes.size());
      status = WriteNewFile(temp.temp_path, blob.bytes);
    }
    if (!status.ok()) {
      RemoveTemps(temps, 0);
      return status;
    }
    temps.push_back(std::move(temp));
  }
  if (temps.empty()) return OkStatus();

  // One syncfs for all temps instead of one fsync per file; after it, every temp is complete
  // on disk, so renaming it can never expose a partial blob.
  if (::syncfs(dir_fd_) != 0) {
    const int err = errno;
    RemoveTemps(temps, 0);
    return ErrnoStatus(err, "syncfs " + dir_);
  }
  for (size_t i = 0; i < temps.size(); ++i) {
    if (::rename(temps[i].temp_path.c_str(), temps[i].final_path.c_str()) != 0) {
      const int err = errno;
      RemoveTemps(temps, i);
      return ErrnoStatus(err, "rename into " + temps[i].final_path);
    }
    ++blob_count_;
    blob_bytes_ += temps[i].size;
  }
  if (::syncfs(dir_fd_) != 0) return ErrnoStatus(errno, "syncfs " + dir_);
  return OkStatus();
}

StatusOr<std::string> BlobStore::Get(std::string_view sha) const {
  TL_RETURN_IF_ERROR(CheckSha(sha));
  const std::string path = PathFor(sha);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFoundError("blob " + std::string(sha) + " not found");
    return ErrnoStatus(errno, "open " + path);
  }
  std::string data;
  struct stat st;
  if (::fstat(fd, &st) == 0 && st.st_size > 0) data.reserve(static_cast<size_t>(st.st_size));
  char buf[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return ErrnoStatus(err, "read " + path);
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  if (Sha256Hex(data) != sha) {
    return DataLossError("blob " + std::string(sha) + " is corrupt: content hash differs");
  }
  return data;
}

StatusOr<bool> BlobStore::Exists(std::string_view sha) const {
  TL_RETURN_IF_ERROR(CheckSha(sha));
  return FileExists(PathFor(sha));
}

}  // namespace tinyloop::store
