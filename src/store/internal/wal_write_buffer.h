// An SQLite VFS that gathers the writes SQLite makes to a WAL file. SQLite writes each WAL
// frame as two writes (24-byte header, then the page), frame after frame, so a commit of N
// pages costs 2N write system calls; through this VFS, one per 30 pages. Internal to
// src/store (sqlite_db.cc opens the writer's connection with it).
#pragma once

namespace tinyloop::store::internal {

// Registers (once per process) and returns the name of a VFS that forwards everything to the
// default VFS, except that writes to a WAL file which append to the previous one are kept in
// a 124 KiB buffer per open WAL file. The buffer is written out, before anything else happens
// to the file, when SQLite syncs, reads, truncates, asks the size of, or closes the WAL, writes
// elsewhere in it, or marks the WAL index (xShmBarrier of the database file, which precedes
// publishing a commit to other connections). So: with synchronous=FULL, every committed
// frame is written and synced before the commit returns, as without this VFS; a crash can
// only lose frames of a transaction that had not committed. A failed buffered write is
// reported by the call that wrote it out. Returns nullptr when registration failed (then
// callers use the default VFS).
const char* WalWriteBufferVfsName();

}  // namespace tinyloop::store::internal
