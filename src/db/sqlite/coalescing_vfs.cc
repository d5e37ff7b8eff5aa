#include "db/sqlite/coalescing_vfs.h"

#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <unordered_map>

namespace pb::db {
namespace {

// Past this a write goes out. SQLite's unix VFS writes at most 128 KB - 1
// per call (seekAndWrite masks the count with 0x1ffff and reports the rest
// as a full disk): 31 WAL frames or pages of 4 KB.
constexpr size_t kBufferBytes = 0x1ffff;
// SQLite's WAL frame header (WAL_FRAME_HDRSIZE); bytes 4-7 hold the database
// size in pages on a transaction's commit frame, 0 on the others.
constexpr int kFrameHeaderBytes = 24;

sqlite3_vfs* real_vfs = nullptr;
sqlite3_vfs vfs;

struct alignas(8) File {
  sqlite3_file base;  // first: SQLite sees a File as its sqlite3_file
  bool is_main = false, is_wal = false, is_journal = false;
  bool coalesce = false;           // the database file's switch (kFcntlCoalesceWrites)
  File* db = nullptr;              // a WAL's or rollback journal's database file
  File* wal = nullptr;             // a database file's open WAL
  File* journal = nullptr;         // a database file's open rollback journal
  const char* name = nullptr;      // a database file's key in Registry()
  std::unique_ptr<char[]> buf;     // allocated on first use
  size_t len = 0;                  // bytes waiting in buf
  sqlite3_int64 at = 0;            // their offset in the file
  bool commit_pending = false;     // a commit frame's header is waiting for its page

  // The file of the VFS underneath, allocated right after this object.
  sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
  bool Gathering() const { return is_main ? coalesce : (is_wal || is_journal) && db && db->coalesce; }
};

// Database files by the name pointer SQLite opened them with, which is what
// sqlite3_filename_database() gives for their WAL's name: how a WAL finds its
// own connection's database file (each connection opens both itself).
std::mutex registry_mu;
std::unordered_map<const char*, File*>& Registry() {
  static auto* r = new std::unordered_map<const char*, File*>;
  return *r;
}

File* Self(sqlite3_file* f) { return reinterpret_cast<File*>(f); }

int Flush(File* f) {
  // A database page goes out only after what the journal holds of it: SQLite
  // syncs the journal before it writes the database, and the sync flushes,
  // but this keeps the order whatever SQLite's sync settings.
  if (f->journal && f->journal->len != 0) {
    if (int rc = Flush(f->journal); rc != SQLITE_OK) return rc;
  }
  if (f->len == 0) return SQLITE_OK;
  size_t n = f->len;
  f->len = 0;
  f->commit_pending = false;
  return f->real()->pMethods->xWrite(f->real(), f->buf.get(), static_cast<int>(n), f->at);
}

// This file's buffer and that of its database or WAL: whatever the call
// that follows is about, nothing written before it is still held back.
int FlushAll(File* f) {
  int rc = Flush(f);
  if (f->wal) {
    int r = Flush(f->wal);
    if (rc == SQLITE_OK) rc = r;
  }
  if (f->journal) {
    int r = Flush(f->journal);
    if (rc == SQLITE_OK) rc = r;
  }
  if (f->db) {
    int r = Flush(f->db);
    if (rc == SQLITE_OK) rc = r;
  }
  return rc;
}

int Close(sqlite3_file* p) {
  File* f = Self(p);
  int rc = FlushAll(f);
  if (f->is_main) {
    std::lock_guard lock(registry_mu);
    Registry().erase(f->name);
    if (f->wal) f->wal->db = nullptr;
    if (f->journal) f->journal->db = nullptr;
  }
  if (f->is_wal && f->db) f->db->wal = nullptr;
  if (f->is_journal && f->db) f->db->journal = nullptr;
  int r = f->real()->pMethods->xClose(f->real());
  f->~File();
  return rc == SQLITE_OK ? r : rc;
}

// Only this file's own buffer: what a read returns never depends on bytes
// waiting for the other file. A checkpoint reads each page from the WAL and
// then writes it to the database; flushing the database's buffer at every
// such read had sent each copy out alone (11,840 pwrite() of 4 KB for the
// 5,000-mail archive), so a checkpoint's copies were not gathered at all.
int Read(sqlite3_file* p, void* out, int amt, sqlite3_int64 at) {
  File* f = Self(p);
  if (int rc = Flush(f); rc != SQLITE_OK) return rc;
  return f->real()->pMethods->xRead(f->real(), out, amt, at);
}

int Write(sqlite3_file* p, const void* data, int amt, sqlite3_int64 at) {
  File* f = Self(p);
  if (!f->Gathering()) {
    if (int rc = Flush(f); rc != SQLITE_OK) return rc;
    return f->real()->pMethods->xWrite(f->real(), data, amt, at);
  }
  const auto n = static_cast<size_t>(amt);
  if (f->len == 0 || at != f->at + static_cast<sqlite3_int64>(f->len) || f->len + n > kBufferBytes) {
    if (int rc = Flush(f); rc != SQLITE_OK) return rc;
    if (n >= kBufferBytes) return f->real()->pMethods->xWrite(f->real(), data, amt, at);
    if (!f->buf) f->buf.reset(new (std::nothrow) char[kBufferBytes]);
    if (!f->buf) return f->real()->pMethods->xWrite(f->real(), data, amt, at);
    f->at = at;
  }
  std::memcpy(f->buf.get() + f->len, data, n);
  f->len += n;
  if (f->is_wal) {
    const auto* b = static_cast<const unsigned char*>(data);
    if (amt == kFrameHeaderBytes) {
      // The commit frame goes out with its page, before COMMIT can return.
      if (b[4] | b[5] | b[6] | b[7]) f->commit_pending = true;
    } else if (f->commit_pending) {
      return Flush(f);
    }
  }
  return SQLITE_OK;
}

int Truncate(sqlite3_file* p, sqlite3_int64 size) {
  File* f = Self(p);
  if (int rc = FlushAll(f); rc != SQLITE_OK) return rc;
  return f->real()->pMethods->xTruncate(f->real(), size);
}

int Sync(sqlite3_file* p, int flags) {
  File* f = Self(p);
  if (int rc = FlushAll(f); rc != SQLITE_OK) return rc;
  return f->real()->pMethods->xSync(f->real(), flags);
}

int FileSize(sqlite3_file* p, sqlite3_int64* size) {
  File* f = Self(p);
  if (int rc = FlushAll(f); rc != SQLITE_OK) return rc;
  return f->real()->pMethods->xFileSize(f->real(), size);
}

int Lock(sqlite3_file* p, int level) {
  File* f = Self(p);
  if (int rc = FlushAll(f); rc != SQLITE_OK) return rc;
  return f->real()->pMethods->xLock(f->real(), level);
}

int Unlock(sqlite3_file* p, int level) {
  File* f = Self(p);
  if (int rc = FlushAll(f); rc != SQLITE_OK) return rc;
  return f->real()->pMethods->xUnlock(f->real(), level);
}

int CheckReservedLock(sqlite3_file* p, int* out) {
  File* f = Self(p);
  if (int rc = FlushAll(f); rc != SQLITE_OK) return rc;
  return f->real()->pMethods->xCheckReservedLock(f->real(), out);
}

int FileControl(sqlite3_file* p, int op, void* arg) {
  File* f = Self(p);
  if (op == kFcntlCoalesceWrites && f->is_main) {
    f->coalesce = *static_cast<int*>(arg) != 0;
    int rc = FlushAll(f);
    if (!f->coalesce) {
      f->buf.reset();
      if (f->wal) f->wal->buf.reset();
      if (f->journal) f->journal->buf.reset();
    }
    return rc;
  }
  if (int rc = FlushAll(f); rc != SQLITE_OK) return rc;
  return f->real()->pMethods->xFileControl(f->real(), op, arg);
}

int SectorSize(sqlite3_file* p) { return Self(p)->real()->pMethods->xSectorSize(Self(p)->real()); }

int DeviceCharacteristics(sqlite3_file* p) {
  return Self(p)->real()->pMethods->xDeviceCharacteristics(Self(p)->real());
}

// The shared-memory calls come to the database file; they order the WAL's
// frames against the WAL index that readers go by.
int ShmMap(sqlite3_file* p, int page, int size, int extend, void volatile** out) {
  File* f = Self(p);
  if (int rc = FlushAll(f); rc != SQLITE_OK) return rc;
  return f->real()->pMethods->xShmMap(f->real(), page, size, extend, out);
}

int ShmLock(sqlite3_file* p, int offset, int n, int flags) {
  File* f = Self(p);
  if (int rc = FlushAll(f); rc != SQLITE_OK) return rc;
  return f->real()->pMethods->xShmLock(f->real(), offset, n, flags);
}

void ShmBarrier(sqlite3_file* p) {
  File* f = Self(p);
  // Nothing to return an error through; the commit frame was flushed by its
  // own write, which could fail the COMMIT, so this finds nothing in practice.
  (void)FlushAll(f);
  f->real()->pMethods->xShmBarrier(f->real());
}

int ShmUnmap(sqlite3_file* p, int delete_flag) {
  File* f = Self(p);
  if (int rc = FlushAll(f); rc != SQLITE_OK) return rc;
  return f->real()->pMethods->xShmUnmap(f->real(), delete_flag);
}

int Fetch(sqlite3_file* p, sqlite3_int64 at, int amt, void** out) {
  File* f = Self(p);
  if (int rc = FlushAll(f); rc != SQLITE_OK) return rc;
  return f->real()->pMethods->xFetch(f->real(), at, amt, out);
}

int Unfetch(sqlite3_file* p, sqlite3_int64 at, void* page) {
  File* f = Self(p);
  return f->real()->pMethods->xUnfetch(f->real(), at, page);
}

// One table per version of the file underneath, so that SQLite never calls
// through us a method it does not have. Built at compile time: a table
// filled by a constructor would be written, a first-touch page fault, by
// every process before main() (docs/performance.md, start-up round 7).
constexpr sqlite3_io_methods MethodsV(int version) {
  sqlite3_io_methods m{};
  m.iVersion = version;
  m.xClose = Close;
  m.xRead = Read;
  m.xWrite = Write;
  m.xTruncate = Truncate;
  m.xSync = Sync;
  m.xFileSize = FileSize;
  m.xLock = Lock;
  m.xUnlock = Unlock;
  m.xCheckReservedLock = CheckReservedLock;
  m.xFileControl = FileControl;
  m.xSectorSize = SectorSize;
  m.xDeviceCharacteristics = DeviceCharacteristics;
  if (version >= 2) {
    m.xShmMap = ShmMap;
    m.xShmLock = ShmLock;
    m.xShmBarrier = ShmBarrier;
    m.xShmUnmap = ShmUnmap;
  }
  if (version >= 3) {
    m.xFetch = Fetch;
    m.xUnfetch = Unfetch;
  }
  return m;
}
constexpr sqlite3_io_methods methods[3] = {MethodsV(1), MethodsV(2), MethodsV(3)};

// A WAL or rollback journal `f` named `name` joins its database file's
// `slot` (File::wal or File::journal), so that the database's flushes order
// it; a file whose database is not open here, or already has one, stays alone.
void AttachToDatabase(File* f, sqlite3_filename name, File* File::*slot) {
  std::lock_guard lock(registry_mu);
  auto it = Registry().find(sqlite3_filename_database(name));
  if (it != Registry().end() && !(it->second->*slot)) {
    f->db = it->second;
    f->db->*slot = f;
  }
}

int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* p, int flags, int* out_flags) {
  auto* f = new (p) File;
  f->base.pMethods = nullptr;
  int rc = real_vfs->xOpen(real_vfs, name, f->real(), flags, out_flags);
  const sqlite3_io_methods* real = f->real()->pMethods;
  if (rc != SQLITE_OK || !real) {
    // SQLite does not close a file whose open failed: nothing of ours is left.
    if (rc == SQLITE_OK) rc = SQLITE_CANTOPEN;
    if (real) real->xClose(f->real());
    f->~File();
    p->pMethods = nullptr;
    return rc;
  }
  int version = real->iVersion < 1 ? 1 : real->iVersion > 3 ? 3 : real->iVersion;
  f->base.pMethods = &methods[version - 1];
  if (name && (flags & SQLITE_OPEN_MAIN_DB)) {
    f->is_main = true;
    f->name = name;
    std::lock_guard lock(registry_mu);
    Registry()[name] = f;
  } else if (name && (flags & SQLITE_OPEN_WAL)) {
    f->is_wal = true;
    AttachToDatabase(f, name, &File::wal);
  } else if (name && (flags & SQLITE_OPEN_MAIN_JOURNAL)) {
    // A rollback journal (an archive import alone on its database,
    // db::SetBulkLoad): each page is three writes (number, page, checksum),
    // one after the other.
    f->is_journal = true;
    AttachToDatabase(f, name, &File::journal);
  }
  return SQLITE_OK;
}

}  // namespace

const char* CoalescingVfsName() {
  static const char* name = [] {
    real_vfs = sqlite3_vfs_find(nullptr);
    vfs = *real_vfs;  // the other methods ignore their vfs argument's identity
    vfs.pNext = nullptr;
    vfs.zName = "pb-coalesce";
    vfs.szOsFile = static_cast<int>(sizeof(File)) + real_vfs->szOsFile;
    vfs.xOpen = Open;
    if (sqlite3_vfs_register(&vfs, 0) != SQLITE_OK) return static_cast<const char*>(nullptr);
    return vfs.zName;
  }();
  return name;
}

}  // namespace pb::db
