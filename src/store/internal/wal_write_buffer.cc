#include "store/internal/wal_write_buffer.h"

#include <sqlite3.h>

#include <cstdint>
#include <cstring>
#include <mutex>

namespace tinyloop::store::internal {
namespace {

// The default (unix) VFS writes at most 128 KiB - 1 bytes per call (it masks the length with
// 0x1ffff), so a buffer must stay below that.
constexpr int kBufferBytes = 124 * 1024;
constexpr char kVfsName[] = "tinyloop-wal-write-buffer";

// Our part of an open file; the default VFS's file object follows it in the same allocation.
struct File {
  sqlite3_file base;   // pMethods = &kMethods
  sqlite3_file* real;  // the default VFS's file, right after this struct
  bool is_wal;
  // WAL file: the database file whose WAL it is (null when that file is not ours).
  File* database;
  // Database file: its open WAL, so xShmBarrier can write the WAL's buffer out.
  File* wal;
  // WAL file: buffered bytes [buffer_offset, buffer_offset + buffer_used) of the file.
  char* buffer;
  int buffer_used;
  sqlite3_int64 buffer_offset;
  // A write-out that failed where SQLite expects no error (xShmBarrier); the next call fails.
  int deferred_error;
};

constexpr size_t kFileHeaderBytes = (sizeof(File) + 7) & ~size_t{7};

sqlite3_vfs* RealVfs(sqlite3_vfs* vfs) { return static_cast<sqlite3_vfs*>(vfs->pAppData); }
File* Ours(sqlite3_file* file) { return reinterpret_cast<File*>(file); }

// Writes the buffer out (one write call) and empties it, even when the write failed: the
// bytes belong to frames that SQLite will now treat as not written.
int Flush(File* f) {
  if (f->deferred_error != SQLITE_OK) {
    const int rc = f->deferred_error;
    f->deferred_error = SQLITE_OK;
    return rc;
  }
  if (f->buffer_used == 0) return SQLITE_OK;
  const int rc = f->real->pMethods->xWrite(f->real, f->buffer, f->buffer_used, f->buffer_offset);
  f->buffer_used = 0;
  return rc;
}

int Close(sqlite3_file* file) {
  File* f = Ours(file);
  int rc = f->is_wal ? Flush(f) : SQLITE_OK;
  if (f->is_wal && f->database != nullptr) f->database->wal = nullptr;
  if (!f->is_wal && f->wal != nullptr) f->wal->database = nullptr;
  sqlite3_free(f->buffer);
  f->buffer = nullptr;
  const int close_rc = f->real->pMethods->xClose(f->real);
  return rc != SQLITE_OK ? rc : close_rc;
}

int Read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  File* f = Ours(file);
  if (f->is_wal) {
    const int rc = Flush(f);
    if (rc != SQLITE_OK) return rc;
  }
  return f->real->pMethods->xRead(f->real, out, amount, offset);
}

int Write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  File* f = Ours(file);
  if (!f->is_wal) return f->real->pMethods->xWrite(f->real, data, amount, offset);
  const bool appends = f->buffer_used > 0 && offset == f->buffer_offset + f->buffer_used;
  if (appends && f->buffer_used + amount <= kBufferBytes) {
    std::memcpy(f->buffer + f->buffer_used, data, static_cast<size_t>(amount));
    f->buffer_used += amount;
    return SQLITE_OK;
  }
  // Anything else (a rewrite of an earlier frame, a new WAL header, a full buffer) goes after
  // what is buffered, in order.
  const int rc = Flush(f);
  if (rc != SQLITE_OK) return rc;
  if (amount >= kBufferBytes) return f->real->pMethods->xWrite(f->real, data, amount, offset);
  if (f->buffer == nullptr) {
    f->buffer = static_cast<char*>(sqlite3_malloc(kBufferBytes));
    if (f->buffer == nullptr) return f->real->pMethods->xWrite(f->real, data, amount, offset);
  }
  std::memcpy(f->buffer, data, static_cast<size_t>(amount));
  f->buffer_used = amount;
  f->buffer_offset = offset;
  return SQLITE_OK;
}

int Truncate(sqlite3_file* file, sqlite3_int64 size) {
  File* f = Ours(file);
  if (f->is_wal) {
    const int rc = Flush(f);
    if (rc != SQLITE_OK) return rc;
  }
  return f->real->pMethods->xTruncate(f->real, size);
}

int Sync(sqlite3_file* file, int flags) {
  File* f = Ours(file);
  if (f->is_wal) {
    const int rc = Flush(f);
    if (rc != SQLITE_OK) return rc;
  }
  return f->real->pMethods->xSync(f->real, flags);
}

int FileSize(sqlite3_file* file, sqlite3_int64* size) {
  File* f = Ours(file);
  if (f->is_wal) {
    const int rc = Flush(f);
    if (rc != SQLITE_OK) return rc;
  }
  return f->real->pMethods->xFileSize(f->real, size);
}

int Lock(sqlite3_file* file, int level) {
  return Ours(file)->real->pMethods->xLock(Ours(file)->real, level);
}
int Unlock(sqlite3_file* file, int level) {
  return Ours(file)->real->pMethods->xUnlock(Ours(file)->real, level);
}
int CheckReservedLock(sqlite3_file* file, int* out) {
  return Ours(file)->real->pMethods->xCheckReservedLock(Ours(file)->real, out);
}

int FileControl(sqlite3_file* file, int op, void* arg) {
  File* f = Ours(file);
  if (f->is_wal) {
    const int rc = Flush(f);
    if (rc != SQLITE_OK) return rc;
  }
  const int rc = f->real->pMethods->xFileControl(f->real, op, arg);
  if (op == SQLITE_FCNTL_VFSNAME && rc == SQLITE_OK) {
    // Shims name themselves before the VFS they wrap: "tinyloop-wal-write-buffer/unix".
    char** name = static_cast<char**>(arg);
    char* ours = sqlite3_mprintf("%s/%s", kVfsName, *name != nullptr ? *name : "");
    sqlite3_free(*name);
    *name = ours;
  }
  return rc;
}

int SectorSize(sqlite3_file* file) {
  return Ours(file)->real->pMethods->xSectorSize(Ours(file)->real);
}
int DeviceCharacteristics(sqlite3_file* file) {
  return Ours(file)->real->pMethods->xDeviceCharacteristics(Ours(file)->real);
}

int ShmMap(sqlite3_file* file, int region, int size, int extend, void volatile** out) {
  sqlite3_file* real = Ours(file)->real;
  if (real->pMethods->iVersion < 2) return SQLITE_IOERR_SHMMAP;
  return real->pMethods->xShmMap(real, region, size, extend, out);
}
int ShmLock(sqlite3_file* file, int offset, int n, int flags) {
  sqlite3_file* real = Ours(file)->real;
  if (real->pMethods->iVersion < 2) return SQLITE_IOERR_SHMLOCK;
  return real->pMethods->xShmLock(real, offset, n, flags);
}
void ShmBarrier(sqlite3_file* file) {
  File* f = Ours(file);
  // SQLite calls this before it publishes a new WAL-index header, i.e. before other
  // connections may read the frames just written: they must be in the file by then.
  if (f->wal != nullptr && f->wal->deferred_error == SQLITE_OK) {
    f->wal->deferred_error = Flush(f->wal);
  }
  if (f->real->pMethods->iVersion >= 2) f->real->pMethods->xShmBarrier(f->real);
}
int ShmUnmap(sqlite3_file* file, int delete_flag) {
  sqlite3_file* real = Ours(file)->real;
  if (real->pMethods->iVersion < 2) return SQLITE_OK;
  return real->pMethods->xShmUnmap(real, delete_flag);
}
int Fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
  sqlite3_file* real = Ours(file)->real;
  *out = nullptr;
  if (Ours(file)->is_wal || real->pMethods->iVersion < 3) return SQLITE_OK;  // no mapping
  return real->pMethods->xFetch(real, offset, amount, out);
}
int Unfetch(sqlite3_file* file, sqlite3_int64 offset, void* page) {
  sqlite3_file* real = Ours(file)->real;
  if (real->pMethods->iVersion < 3) return SQLITE_OK;
  return real->pMethods->xUnfetch(real, offset, page);
}

const sqlite3_io_methods kMethods = {
    3,
    Close,
    Read,
    Write,
    Truncate,
    Sync,
    FileSize,
    Lock,
    Unlock,
    CheckReservedLock,
    FileControl,
    SectorSize,
    DeviceCharacteristics,
    ShmMap,
    ShmLock,
    ShmBarrier,
    ShmUnmap,
    Fetch,
    Unfetch,
};

int Open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  File* f = Ours(file);
  std::memset(f, 0, sizeof(File));
  f->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(f) + kFileHeaderBytes);
  sqlite3_vfs* real_vfs = RealVfs(vfs);
  const int rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    // SQLite calls xClose only when pMethods is set; the real file may need closing itself.
    if (f->real->pMethods != nullptr) f->real->pMethods->xClose(f->real);
    f->base.pMethods = nullptr;
    return rc;
  }
  f->base.pMethods = &kMethods;
  f->is_wal = (flags & SQLITE_OPEN_WAL) != 0;
  if (f->is_wal && name != nullptr) {
    sqlite3_file* database = sqlite3_database_file_object(name);
    if (database != nullptr && database->pMethods == &kMethods) {
      f->database = Ours(database);
      f->database->wal = f;
    }
  }
  return SQLITE_OK;
}

int Delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  return RealVfs(vfs)->xDelete(RealVfs(vfs), name, sync_dir);
}
int Access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return RealVfs(vfs)->xAccess(RealVfs(vfs), name, flags, out);
}
int FullPathname(sqlite3_vfs* vfs, const char* name, int size, char* out) {
  return RealVfs(vfs)->xFullPathname(RealVfs(vfs), name, size, out);
}
void* DlOpen(sqlite3_vfs* vfs, const char* name) {
  return RealVfs(vfs)->xDlOpen(RealVfs(vfs), name);
}
void DlError(sqlite3_vfs* vfs, int size, char* out) {
  RealVfs(vfs)->xDlError(RealVfs(vfs), size, out);
}
void (*DlSym(sqlite3_vfs* vfs, void* handle, const char* symbol))(void) {
  return RealVfs(vfs)->xDlSym(RealVfs(vfs), handle, symbol);
}
void DlClose(sqlite3_vfs* vfs, void* handle) { RealVfs(vfs)->xDlClose(RealVfs(vfs), handle); }
int Randomness(sqlite3_vfs* vfs, int size, char* out) {
  return RealVfs(vfs)->xRandomness(RealVfs(vfs), size, out);
}
int Sleep(sqlite3_vfs* vfs, int micros) { return RealVfs(vfs)->xSleep(RealVfs(vfs), micros); }
int CurrentTime(sqlite3_vfs* vfs, double* out) {
  return RealVfs(vfs)->xCurrentTime(RealVfs(vfs), out);
}
int GetLastError(sqlite3_vfs* vfs, int size, char* out) {
  return RealVfs(vfs)->xGetLastError(RealVfs(vfs), size, out);
}
int CurrentTimeInt64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  return RealVfs(vfs)->xCurrentTimeInt64(RealVfs(vfs), out);
}

}  // namespace

const char* WalWriteBufferVfsName() {
  static sqlite3_vfs vfs;
  static bool registered = false;
  static std::once_flag once;
  std::call_once(once, [] {
    sqlite3_vfs* real = sqlite3_vfs_find(nullptr);
    // Version 2 covers every method forwarded here; the system-call overrides of version 3
    // are for SQLite's own tests.
    if (real == nullptr || real->iVersion < 2) return;
    vfs.iVersion = 2;
    vfs.szOsFile = static_cast<int>(kFileHeaderBytes) + real->szOsFile;
    vfs.mxPathname = real->mxPathname;
    vfs.zName = kVfsName;
    vfs.pAppData = real;
    vfs.xOpen = Open;
    vfs.xDelete = Delete;
    vfs.xAccess = Access;
    vfs.xFullPathname = FullPathname;
    vfs.xDlOpen = DlOpen;
    vfs.xDlError = DlError;
    vfs.xDlSym = DlSym;
    vfs.xDlClose = DlClose;
    vfs.xRandomness = Randomness;
    vfs.xSleep = Sleep;
    vfs.xCurrentTime = CurrentTime;
    vfs.xGetLastError = GetLastError;
    vfs.xCurrentTimeInt64 = CurrentTimeInt64;
    registered = sqlite3_vfs_register(&vfs, /*makeDflt=*/0) == SQLITE_OK;
  });
  return registered ? kVfsName : nullptr;
}

}  // namespace tinyloop::store::internal
