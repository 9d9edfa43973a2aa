// Content-addressed blob store: each blob lives once in `<dir>/<first 2 hex>/<sha256 hex>`,
// named only by the SHA-256 of its bytes (never by a client-supplied name). Used by the
// SQLite store for original sample bodies; a blob under its final name is always complete.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace tinyloop::store {

// True when `sha` is 64 lower-case hex characters (the only names the store accepts).
bool IsValidSha256Hex(std::string_view sha);

// Thread-safe: writes are serialized by an internal mutex; reads need no lock. Owns one
// directory file descriptor (for syncfs). Blobs are immutable once written and never deleted
// by this class. Several BlobStore objects on one directory are not supported.
class BlobStore {
 public:
  // A blob to write with its precomputed digest. Precondition: sha256 == Sha256Hex(bytes).
  struct PendingBlob {
    std::string sha256;
    std::string_view bytes;
  };

  // Opens `dir`, creating it if needed, and counts the blobs present (a full directory scan).
  // With remove_temp_files, also removes temp files a crash left behind: only safe when no
  // other process writes to `dir`. Internal on I/O errors.
  static StatusOr<std::unique_ptr<BlobStore>> Open(const std::string& dir,
                                                   bool remove_temp_files = true);

  ~BlobStore();
  BlobStore(const BlobStore&) = delete;
  BlobStore& operator=(const BlobStore&) = delete;

  // Stores `bytes` durably (skipped when already present) and returns its SHA-256 hex.
  // ResourceExhausted when the disk is full, Internal on other I/O errors.
  StatusOr<std::string> Put(std::string_view bytes);

  // Stores many blobs with two filesystem syncs in total: every new blob is written to a temp
  // file beside its final name, syncfs() makes the data durable, the temps are renamed into
  // place and a second syncfs() makes the renames durable. Blobs already present (or repeated
  // in `blobs`) are skipped. On error some blobs may be stored and others not; each stored
  // blob is complete. InvalidArgument for a malformed sha256; ResourceExhausted / Internal on
  // I/O errors.
  Status PutBatch(const std::vector<PendingBlob>& blobs);

  // The blob's bytes. InvalidArgument for a malformed sha, NotFound when absent, DataLoss when
  // the stored bytes no longer hash to `sha`.
  StatusOr<std::string> Get(std::string_view sha) const;

  // Whether the blob is stored. InvalidArgument for a malformed sha.
  StatusOr<bool> Exists(std::string_view sha) const;

  // Totals over all stored blobs (kept as counters, initialised by the scan at Open).
  int64_t blob_count() const { return blob_count_.load(); }
  int64_t blob_bytes() const { return blob_bytes_.load(); }

 private:
  BlobStore(std::string dir, int dir_fd) : dir_(std::move(dir)), dir_fd_(dir_fd) {}
  Status ScanAndCleanUp(bool remove_temp_files);
  Status EnsureSubDir(std::string_view sha);
  std::string PathFor(std::string_view sha) const;

  const std::string dir_;
  const int dir_fd_;  // open on dir_, the handle syncfs() needs
  std::mutex write_mu_;
  // Which of the 256 "<first 2 hex>" subdirectories are known to exist; guarded by write_mu_.
  std::array<bool, 256> sub_dir_exists_{};
  std::atomic<int64_t> blob_count_{0};
  std::atomic<int64_t> blob_bytes_{0};
};

}  // namespace tinyloop::store
