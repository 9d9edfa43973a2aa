// Content-addressed blob store for original sample bodies in `<data_dir>/blobs/`. A blob is
// named only by the SHA-256 of its bytes (never by a client-supplied name). Small blobs are
// appended to pack files; large ones get a file each. This class writes and reads bytes only:
// where each blob lives (BlobLocation) is recorded by the SQLite store's blob_locations table,
// in the same transaction as the rows that reference the blob.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"

namespace tinyloop::store {

// True when `sha` is 64 lower-case hex characters (the only names the store accepts).
bool IsValidSha256Hex(std::string_view sha);

struct BlobStoreOptions {
  // Blobs of at most this many bytes are appended to a pack file; larger ones get a file each.
  // Default 1 MiB; must be >= 0.
  int64_t pack_threshold_bytes = int64_t{1} << 20;
  // A pack is not appended to once it holds this many bytes; the next blob starts a new pack.
  // Default 256 MiB; must be >= 1.
  int64_t pack_max_bytes = int64_t{256} << 20;
};

// Where a blob's bytes are.
struct BlobLocation {
  // A pack file name in the blob directory ("pack-<unix ms>-<16 hex>.dat"), or empty for a
  // blob in its own file `<dir>/<first 2 hex>/<sha256 hex>`.
  std::string pack;
  int64_t offset = 0;  // of the blob's first byte in the pack; 0 for an own file
  int64_t length = 0;  // the blob's size in bytes
};

// Layout of `dir`:
//  - pack-<unix ms>-<16 hex>.dat: append-only packs. Each store object appends only to packs
//    it created (one at its first write after opening, a new one on roll-over), so processes
//    sharing a data dir never write the same pack. A pack is a sequence of records, each a 44-byte
//    header followed by the blob: "tlb1", the length as uint64 little-endian, the raw 32-byte
//    SHA-256. The header makes a pack self-describing; readers use only BlobLocation. Bytes after
//    the last record an index row names (a crash or a failed batch between append and commit) are
//    never read.
//  - <first 2 hex>/<sha256 hex>: blobs above the pack threshold, and every blob written before
//    packs existed. A file under its final name is always complete.
//  - tmp/: own-file blobs being written; leftovers of a crash are removed at open.
//
// Thread-safe. Writes go through WriteBatch, which holds the write lock for its lifetime (the
// SQLite store's writer thread is the only writer). Reads run concurrently with writes and
// with each other. Blobs are immutable and never deleted by this class. Owns the directory
// descriptor, the current pack's descriptor and a bounded cache of read descriptors.
class BlobStore {
 public:
  // A blob to write with its precomputed digest. Precondition: sha256 == Sha256Hex(bytes).
  struct PendingBlob {
    std::string sha256;
    std::string_view bytes;
  };

  // New blobs of one group commit. Add() each one (which says where it will be), then Write()
  // once. Holds the store's write lock until destroyed. Not thread-safe; Write() may run on
  // another thread than the one that created the batch when the calls do not overlap.
  class WriteBatch {
   public:
    WriteBatch(WriteBatch&&) = default;
    ~WriteBatch();

    // Assigns the location `blob` gets when written: the next bytes of this store's current
    // pack (a new pack when there is none yet or it is full), or its own file for blobs above
    // the pack threshold. The bytes must stay valid until Write returns.
    // Precondition: IsValidSha256Hex(blob.sha256).
    const BlobLocation& Add(const PendingBlob& blob);
    // Forgets the blob added last (the caller found it already stored); its pack bytes are
    // reused by the next Add.
    void RemoveLast();
    size_t size() const { return entries_.size(); }
    // The location of the i-th blob added (and not removed).
    const BlobLocation& location(size_t i) const { return entries_[i].location; }

    // Writes every added blob durably. Pack records: one pwritev and one fdatasync per pack
    // touched, and an fsync of the directory when the pack file was created. Own files: temp
    // file, fsync, rename, fsync of the directory. Result i belongs to the i-th blob added (and
    // not removed). A failed pack write fails every blob of that pack and retires the pack: the
    // next batch starts a new one. ResourceExhausted when the disk is full, Internal on other
    // I/O errors. Call once.
    std::vector<Status> Write();

   private:
    friend class BlobStore;
    struct Cursor {
      std::string pack;  // empty: no pack yet, the next Add starts one
      int64_t end = 0;   // offset of the next record
    };
    struct Entry {
      PendingBlob blob;
      BlobLocation location;
      Cursor before;  // the pack cursor before this entry was added, for RemoveLast
    };
    WriteBatch(BlobStore* store, std::unique_lock<std::mutex> lock, Cursor cursor);
    Status WritePack(const std::string& pack, size_t first, size_t last);

    BlobStore* store_;
    std::unique_lock<std::mutex> lock_;
    Cursor cursor_;
    std::vector<Entry> entries_;
  };

  // Opens `dir`, creating it and tmp/ if needed; reads no other directory, so opening costs the
  // same however many blobs are stored. With remove_temp_files, empties tmp/ (leftovers of a
  // crash): only safe when no other process writes to `dir`. InvalidArgument for bad options,
  // Internal on I/O errors.
  static StatusOr<std::unique_ptr<BlobStore>> Open(const std::string& dir,
                                                   const BlobStoreOptions& options = {},
                                                   bool remove_temp_files = true);
  ~BlobStore();
  BlobStore(const BlobStore&) = delete;
  BlobStore& operator=(const BlobStore&) = delete;

  // Starts a batch of writes; blocks while another batch is alive.
  WriteBatch NewWriteBatch();

  // The blob's bytes, verified against `sha`. `location` is where the index says the blob is;
  // null means "not indexed": its own file (blobs written before the index existed).
  // InvalidArgument for a malformed sha or pack name; NotFound when its own file is absent;
  // DataLoss when the pack is missing or too short, or the bytes hash differently.
  StatusOr<std::string> Read(std::string_view sha, const BlobLocation* location) const;

  // Calls `fn(sha, size)` for every blob in its own file (a full directory scan; the schema
  // migration that introduced the index uses it once). With remove_temp_files, also removes
  // temp files an earlier version of this class left beside the blobs. Stops at the first
  // error of `fn`; Internal on I/O errors.
  static Status ForEachOwnFile(const std::string& dir, bool remove_temp_files,
                               const std::function<Status(const std::string&, int64_t)>& fn);

  const std::string& dir() const { return dir_; }

 private:
  class ReadFile;

  BlobStore(std::string dir, int dir_fd, const BlobStoreOptions& options);
  std::string OwnFilePath(std::string_view sha) const;
  std::string NewPackName() const;
  Status WriteOwnFile(const PendingBlob& blob);
  StatusOr<std::shared_ptr<const ReadFile>> OpenPackForRead(const std::string& pack) const;

  const std::string dir_;
  const int dir_fd_;
  const BlobStoreOptions options_;

  std::mutex write_mu_;  // held by the live WriteBatch
  // The pack this store appends to; guarded by write_mu_. fd -1 with an empty name: none yet.
  std::string pack_name_;
  int pack_fd_ = -1;
  int64_t pack_end_ = 0;

  mutable std::mutex read_mu_;
  // Read descriptors by pack name, at most kMaxReadFiles; guarded by read_mu_.
  mutable std::unordered_map<std::string, std::shared_ptr<const ReadFile>> read_files_;
};

}  // namespace tinyloop::store
