#include "store/blob_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <filesystem>

#include "base/crypto.h"

namespace tinyloop::store {
namespace {

constexpr std::string_view kTempDir = "tmp";
// Temp files of the layout before packs: `<2 hex>/.tmp-<sha>-<hex>`.
constexpr std::string_view kOldTempPrefix = ".tmp-";
constexpr std::string_view kRecordMagic = "tlb1";
constexpr int64_t kRecordHeaderBytes = 4 + 8 + 32;
// Read descriptors kept open; beyond this the cache starts over (reads in flight keep theirs).
constexpr size_t kMaxReadFiles = 64;

Status ErrnoStatus(int err, const std::string& what) {
  std::string message = what + ": " + std::strerror(err);
  if (err == ENOSPC || err == EDQUOT) return ResourceExhaustedError(std::move(message));
  return InternalError(std::move(message));
}

Status CheckSha(std::string_view sha) {
  if (IsValidSha256Hex(sha)) return OkStatus();
  return InvalidArgumentError("blob sha256 must be 64 lower-case hex characters, got " +
                              std::to_string(sha.size()) + " characters");
}

bool IsHex(std::string_view s) {
  // No early exit: the loop over a 64-byte name compiles to a few vector operations, and it
  // runs several times per ingested sample.
  bool bad = s.empty();
  for (const char c : s) bad |= !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  return !bad;
}

// Only names this class generates are ever opened: "pack-<digits>-<hex>.dat".
bool IsValidPackName(std::string_view name) {
  constexpr std::string_view kPrefix = "pack-", kSuffix = ".dat";
  if (name.size() <= kPrefix.size() + kSuffix.size() || name.substr(0, kPrefix.size()) != kPrefix ||
      name.substr(name.size() - kSuffix.size()) != kSuffix) {
    return false;
  }
  const std::string_view middle =
      name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
  const size_t dash = middle.find('-');
  if (dash == std::string_view::npos) return false;
  const std::string_view millis = middle.substr(0, dash);
  return !millis.empty() &&
         std::all_of(millis.begin(), millis.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
         IsHex(middle.substr(dash + 1));
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

// pwritev of every byte of `iov` at `offset`, resuming after short writes. Modifies `iov`.
Status PWriteAll(int fd, std::vector<iovec>& iov, int64_t offset, const std::string& path) {
  size_t first = 0;
  while (first < iov.size()) {
    const int count = static_cast<int>(std::min<size_t>(iov.size() - first, IOV_MAX));
    const ssize_t n = ::pwritev(fd, &iov[first], count, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "write " + path);
    }
    offset += n;
    auto left = static_cast<size_t>(n);
    while (first < iov.size() && left >= iov[first].iov_len) {
      left -= iov[first].iov_len;
      ++first;
    }
    if (left > 0) {
      iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + left;
      iov[first].iov_len -= left;
    }
  }
  return OkStatus();
}

Status FsyncDir(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open directory " + path);
  Status status = ::fsync(fd) == 0 ? OkStatus() : ErrnoStatus(errno, "fsync " + path);
  ::close(fd);
  return status;
}

void AppendLe64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// Precondition: `hex` is valid lower-case hex of even length.
void AppendRawSha(std::string& out, std::string_view hex) {
  const auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1])));
  }
}

}  // namespace

bool IsValidSha256Hex(std::string_view sha) { return sha.size() == 64 && IsHex(sha); }

// An O_RDONLY descriptor shared by concurrent reads; closed when the last reader lets go.
class BlobStore::ReadFile {
 public:
  explicit ReadFile(int fd) : fd_(fd) {}
  ~ReadFile() { ::close(fd_); }
  ReadFile(const ReadFile&) = delete;
  ReadFile& operator=(const ReadFile&) = delete;
  int fd() const { return fd_; }

 private:
  const int fd_;
};

// --- WriteBatch

BlobStore::WriteBatch::WriteBatch(BlobStore* store, std::unique_lock<std::mutex> lock,
                                  Cursor cursor)
    : store_(store), lock_(std::move(lock)), cursor_(std::move(cursor)) {}

BlobStore::WriteBatch::~WriteBatch() = default;

const BlobLocation& BlobStore::WriteBatch::Add(const PendingBlob& blob) {
  Entry entry;
  entry.blob = blob;
  entry.before = cursor_;
  entry.location.length = static_cast<int64_t>(blob.bytes.size());
  if (entry.location.length <= store_->options_.pack_threshold_bytes) {
    const int64_t record = kRecordHeaderBytes + entry.location.length;
    if (cursor_.pack.empty() ||
        (cursor_.end > 0 && cursor_.end + record > store_->options_.pack_max_bytes)) {
      cursor_ = Cursor{store_->NewPackName(), 0};
    }
    entry.location.pack = cursor_.pack;
    entry.location.offset = cursor_.end + kRecordHeaderBytes;
    cursor_.end += record;
  }
  entries_.push_back(std::move(entry));
  return entries_.back().location;
}

void BlobStore::WriteBatch::RemoveLast() {
  if (entries_.empty()) return;
  cursor_ = std::move(entries_.back().before);
  entries_.pop_back();
}

std::vector<Status> BlobStore::WriteBatch::Write() {
  std::vector<Status> results(entries_.size());
  // Pack records first, in runs of one pack each (the cursor only moves forward, so every
  // pack's entries are contiguous among the pack entries).
  size_t i = 0;
  while (i < entries_.size()) {
    const std::string& pack = entries_[i].location.pack;
    if (pack.empty()) {
      ++i;
      continue;
    }
    size_t end = i + 1;
    while (end < entries_.size() &&
           (entries_[end].location.pack.empty() || entries_[end].location.pack == pack)) {
      ++end;
    }
    const Status status = WritePack(pack, i, end);
    for (size_t k = i; k < end; ++k) {
      if (entries_[k].location.pack == pack) results[k] = status;
    }
    i = end;
  }
  for (size_t k = 0; k < entries_.size(); ++k) {
    if (entries_[k].location.pack.empty()) results[k] = store_->WriteOwnFile(entries_[k].blob);
  }
  return results;
}

// Appends the records of entries [first, last) that belong to `pack`, then fdatasync.
Status BlobStore::WriteBatch::WritePack(const std::string& pack, size_t first, size_t last) {
  BlobStore& s = *store_;
  const std::string path = s.dir_ + "/" + pack;
  bool created = false;
  if (pack != s.pack_name_ || s.pack_fd_ < 0) {
    // A new pack (the first of this store, or after roll-over): retire the old one.
    if (s.pack_fd_ >= 0) ::close(s.pack_fd_);
    s.pack_fd_ = -1;
    s.pack_name_.clear();
    s.pack_end_ = 0;
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return ErrnoStatus(errno, "create " + path);
    s.pack_fd_ = fd;
    s.pack_name_ = pack;
    created = true;
  }

  std::string headers;
  headers.reserve((last - first) * kRecordHeaderBytes);
  int64_t offset = -1;
  int64_t end = s.pack_end_;
  for (size_t k = first; k < last; ++k) {
    const Entry& e = entries_[k];
    if (e.location.pack != pack) continue;
    if (offset < 0) offset = e.location.offset - kRecordHeaderBytes;
    headers += kRecordMagic;
    AppendLe64(headers, static_cast<uint64_t>(e.location.length));
    AppendRawSha(headers, e.blob.sha256);
    end = e.location.offset + e.location.length;
  }
  std::vector<iovec> iov;
  iov.reserve(2 * (last - first));
  size_t header_at = 0;
  for (size_t k = first; k < last; ++k) {
    const Entry& e = entries_[k];
    if (e.location.pack != pack) continue;
    iov.push_back({headers.data() + header_at, static_cast<size_t>(kRecordHeaderBytes)});
    header_at += kRecordHeaderBytes;
    // Zero-length iovecs are fine for pwritev; the cast drops const for the POSIX signature.
    iov.push_back({const_cast<char*>(e.blob.bytes.data()), e.blob.bytes.size()});
  }

  Status status = offset == s.pack_end_ ? OkStatus()
                                        : InternalError("pack " + pack + " planned at offset " +
                                                        std::to_string(offset) + " but ends at " +
                                                        std::to_string(s.pack_end_));
  if (status.ok()) status = PWriteAll(s.pack_fd_, iov, offset, path);
  // One fdatasync makes every record of the batch durable (size included). After a failed
  // write or sync the file's state is unknown: it is never appended to again.
  if (status.ok() && ::fdatasync(s.pack_fd_) != 0) status = ErrnoStatus(errno, "fdatasync " + path);
  if (status.ok() && created && ::fsync(s.dir_fd_) != 0) {
    status = ErrnoStatus(errno, "fsync " + s.dir_);
  }
  if (!status.ok()) {
    ::close(s.pack_fd_);
    s.pack_fd_ = -1;
    s.pack_name_.clear();
    s.pack_end_ = 0;
    return status;
  }
  s.pack_end_ = end;
  return OkStatus();
}

// --- BlobStore

BlobStore::BlobStore(std::string dir, int dir_fd, const BlobStoreOptions& options)
    : dir_(std::move(dir)), dir_fd_(dir_fd), options_(options) {}

BlobStore::~BlobStore() {
  if (pack_fd_ >= 0) ::close(pack_fd_);
  ::close(dir_fd_);
}

StatusOr<std::unique_ptr<BlobStore>> BlobStore::Open(const std::string& dir,
                                                     const BlobStoreOptions& options,
                                                     bool remove_temp_files) {
  if (options.pack_threshold_bytes < 0) {
    return InvalidArgumentError("blob pack threshold must be >= 0, got " +
                                std::to_string(options.pack_threshold_bytes));
  }
  if (options.pack_max_bytes < 1) {
    return InvalidArgumentError("blob pack size limit must be >= 1, got " +
                                std::to_string(options.pack_max_bytes));
  }
  const std::string temp_dir = dir + "/" + std::string(kTempDir);
  std::error_code ec;
  std::filesystem::create_directories(temp_dir, ec);
  if (ec) return InternalError("cannot create blob directory " + temp_dir + ": " + ec.message());
  if (remove_temp_files) {
    for (const auto& entry : std::filesystem::directory_iterator(temp_dir, ec)) {
      // Own-file blobs a crash interrupted before their rename: never referenced.
      std::error_code remove_ec;
      std::filesystem::remove(entry.path(), remove_ec);
    }
    if (ec) return InternalError("cannot scan " + temp_dir + ": " + ec.message());
  }
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open blob directory " + dir);
  return std::unique_ptr<BlobStore>(new BlobStore(dir, fd, options));
}

BlobStore::WriteBatch BlobStore::NewWriteBatch() {
  std::unique_lock<std::mutex> lock(write_mu_);
  WriteBatch::Cursor cursor{pack_name_, pack_end_};
  return WriteBatch(this, std::move(lock), std::move(cursor));
}

std::string BlobStore::OwnFilePath(std::string_view sha) const {
  std::string path = dir_;
  path += '/';
  path += sha.substr(0, 2);
  path += '/';
  path += sha;
  return path;
}

std::string BlobStore::NewPackName() const {
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  return "pack-" + std::to_string(millis) + "-" + RandomHex(8) + ".dat";
}

Status BlobStore::WriteOwnFile(const PendingBlob& blob) {
  const std::string temp =
      dir_ + "/" + std::string(kTempDir) + "/" + blob.sha256 + "-" + RandomHex(8);
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus(errno, "create " + temp);
  Status status = WriteAll(fd, blob.bytes, temp);
  // The data must be durable before the rename can expose it under its final name.
  if (status.ok() && ::fsync(fd) != 0) status = ErrnoStatus(errno, "fsync " + temp);
  if (::close(fd) != 0 && status.ok()) status = ErrnoStatus(errno, "close " + temp);

  const std::string sub_dir = dir_ + "/" + blob.sha256.substr(0, 2);
  bool created_sub_dir = false;
  if (status.ok()) {
    if (::mkdir(sub_dir.c_str(), 0755) == 0) {
      created_sub_dir = true;
    } else if (errno != EEXIST) {
      status = ErrnoStatus(errno, "mkdir " + sub_dir);
    }
  }
  const std::string final_path = OwnFilePath(blob.sha256);
  if (status.ok() && ::rename(temp.c_str(), final_path.c_str()) != 0) {
    status = ErrnoStatus(errno, "rename into " + final_path);
  }
  if (!status.ok()) {
    ::unlink(temp.c_str());
    return status;
  }
  // The rename is durable once its directory is synced (and the directory's own entry when it
  // was just created).
  TL_RETURN_IF_ERROR(FsyncDir(sub_dir));
  if (created_sub_dir && ::fsync(dir_fd_) != 0) return ErrnoStatus(errno, "fsync " + dir_);
  return OkStatus();
}

StatusOr<std::shared_ptr<const BlobStore::ReadFile>> BlobStore::OpenPackForRead(
    const std::string& pack) const {
  {
    std::lock_guard<std::mutex> lock(read_mu_);
    auto it = read_files_.find(pack);
    if (it != read_files_.end()) return it->second;
  }
  const std::string path = dir_ + "/" + pack;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return DataLossError("blob pack " + pack + " is missing");
    return ErrnoStatus(errno, "open " + path);
  }
  auto file = std::make_shared<const ReadFile>(fd);
  std::lock_guard<std::mutex> lock(read_mu_);
  if (read_files_.size() >= kMaxReadFiles) read_files_.clear();
  // A concurrent reader may have opened it too: keep one, close the other with its shared_ptr.
  return read_files_.emplace(pack, std::move(file)).first->second;
}

StatusOr<std::string> BlobStore::Read(std::string_view sha, const BlobLocation* location) const {
  TL_RETURN_IF_ERROR(CheckSha(sha));
  std::string data;
  if (location != nullptr && !location->pack.empty()) {
    if (!IsValidPackName(location->pack)) {
      return InvalidArgumentError("blob index names an invalid pack file '" + location->pack + "'");
    }
    if (location->offset < 0 || location->length < 0) {
      return DataLossError("blob index holds a negative offset or length for " + std::string(sha));
    }
    TL_ASSIGN_OR_RETURN(std::shared_ptr<const ReadFile> file, OpenPackForRead(location->pack));
    data.resize(static_cast<size_t>(location->length));
    size_t done = 0;
    while (done < data.size()) {
      const ssize_t n = ::pread(file->fd(), data.data() + done, data.size() - done,
                                static_cast<off_t>(location->offset + static_cast<int64_t>(done)));
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus(errno, "read " + dir_ + "/" + location->pack);
      }
      if (n == 0) {
        return DataLossError("blob pack " + location->pack + " ends before blob " +
                             std::string(sha));
      }
      done += static_cast<size_t>(n);
    }
  } else {
    const std::string path = OwnFilePath(sha);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return NotFoundError("blob " + std::string(sha) + " not found");
      return ErrnoStatus(errno, "open " + path);
    }
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
  }
  if (Sha256Hex(data) != sha) {
    return DataLossError("blob " + std::string(sha) + " is corrupt: content hash differs");
  }
  return data;
}

Status BlobStore::ForEachOwnFile(const std::string& dir, bool remove_temp_files,
                                 const std::function<Status(const std::string&, int64_t)>& fn) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec) && !ec) return OkStatus();
  for (const auto& sub : std::filesystem::directory_iterator(dir, ec)) {
    const std::string prefix = sub.path().filename().string();
    std::error_code type_ec;
    if (prefix.size() != 2 || !IsHex(prefix) || !sub.is_directory(type_ec)) continue;
    std::error_code inner_ec;
    for (const auto& entry : std::filesystem::directory_iterator(sub.path(), inner_ec)) {
      const std::string name = entry.path().filename().string();
      if (name.compare(0, kOldTempPrefix.size(), kOldTempPrefix) == 0) {
        // Left by a crash between write and rename: never referenced.
        std::error_code remove_ec;
        if (remove_temp_files) std::filesystem::remove(entry.path(), remove_ec);
        continue;
      }
      if (!IsValidSha256Hex(name) || name.compare(0, 2, prefix) != 0) continue;
      std::error_code size_ec;
      const auto size = entry.file_size(size_ec);
      if (size_ec) continue;
      TL_RETURN_IF_ERROR(fn(name, static_cast<int64_t>(size)));
    }
    if (inner_ec) {
      return InternalError("cannot scan " + sub.path().string() + ": " + inner_ec.message());
    }
  }
  if (ec) return InternalError("cannot scan blob directory " + dir + ": " + ec.message());
  return OkStatus();
}

}  // namespace tinyloop::store
