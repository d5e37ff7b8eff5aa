// LD_PRELOAD shim: logs every SQL statement a dynamically linked patchbay
// runs, with its bound values, its rows and its time inside sqlite3_step,
// without touching src/.
//
//   cc -O2 -shared -fPIC -o /tmp/sqltrace.so bench/sqltrace.c -ldl
//   PB_SQLTRACE=/tmp/sql.log LD_PRELOAD=/tmp/sqltrace.so patchbay serve ...
//
// It wraps sqlite3_prepare_v3 (what src/db/sqlite prepares with; SQLite's
// own internal statements, e.g. of sqlite3_exec, use other entry points and
// are not tracked), sqlite3_step (timing each call with CLOCK_MONOTONIC and
// counting rows) and sqlite3_reset / sqlite3_finalize: src/db/sqlite resets
// every statement after use (before clearing its bindings), and that is when
// one line is written, for statements that were stepped since:
//   "<thread id>\t<µs in sqlite3_step>\t<rows>\t<SQL with values expanded>"
// Newlines and tabs inside the SQL become spaces. The time is SQLite's own
// work (including its page reads), not the caller's column reads. Scripts
// run through sqlite3_exec (PRAGMAs, DDL) are not logged.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int trace_fd = -1;

// The statements prepared so far (patchbay caches up to 512 per connection,
// one connection per server thread), in one table under one mutex: a
// connection may move between threads.
#define SLOTS 16384
struct Acc {
  sqlite3_stmt* st;
  int64_t ns;
  int64_t rows;
  int64_t steps;
};
static struct Acc* acc;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static struct Acc* slot(sqlite3_stmt* st, int create) {
  if (!acc) {
    if (!create) return NULL;
    acc = calloc(SLOTS, sizeof *acc);
    if (!acc) return NULL;
  }
  size_t h = ((uintptr_t)st >> 4) % SLOTS;
  for (size_t i = 0; i < SLOTS; ++i) {
    struct Acc* a = &acc[(h + i) % SLOTS];
    if (a->st == st) return a;
    if (!a->st) {
      if (!create) return NULL;
      a->st = st;
      a->ns = a->rows = a->steps = 0;
      return a;
    }
  }
  return NULL;  // table full: not timed
}

static void drop(struct Acc* a) {
  // Backward-shift deletion keeps linear probing correct.
  size_t i = (size_t)(a - acc);
  a->st = NULL;
  for (size_t j = (i + 1) % SLOTS; acc[j].st; j = (j + 1) % SLOTS) {
    size_t h = ((uintptr_t)acc[j].st >> 4) % SLOTS;
    // Move acc[j] into the hole at i if its home is not in (i, j].
    int between = (i <= j) ? (h > i && h <= j) : (h > i || h <= j);
    if (!between) {
      acc[i] = acc[j];
      acc[j].st = NULL;
      i = j;
    }
  }
}

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void open_log(void) {
  if (trace_fd >= 0) return;
  const char* path = getenv("PB_SQLTRACE");
  int fd = path ? open(path, O_WRONLY | O_CREAT | O_APPEND, 0644) : 2;
  trace_fd = fd < 0 ? 2 : fd;
}

static void report(sqlite3_stmt* st, int finalize) {
  pthread_mutex_lock(&mu);
  struct Acc* a = slot(st, 0);
  if (!a || !a->steps) {
    if (a && finalize) drop(a);
    pthread_mutex_unlock(&mu);
    return;
  }
  struct Acc got = *a;
  a->ns = a->rows = a->steps = 0;
  if (finalize) drop(a);
  pthread_mutex_unlock(&mu);
  open_log();
  char* sql = sqlite3_expanded_sql(st);
  const char* text = sql ? sql : sqlite3_sql(st);
  size_t n = strlen(text);
  char* line = malloc(n + 96);
  if (line) {
    int head = snprintf(line, 96, "%ld\t%.1f\t%lld\t", (long)syscall(SYS_gettid), got.ns / 1000.0,
                        (long long)got.rows);
    for (size_t i = 0; i < n; ++i) line[head + i] = (text[i] == '\n' || text[i] == '\t') ? ' ' : text[i];
    line[head + n] = '\n';
    ssize_t w = write(trace_fd, line, head + n + 1);  // O_APPEND: one write per line
    (void)w;
    free(line);
  }
  sqlite3_free(sql);
}

int sqlite3_prepare_v3(sqlite3* db, const char* sql, int n, unsigned flags, sqlite3_stmt** out,
                       const char** tail) {
  static int (*real)(sqlite3*, const char*, int, unsigned, sqlite3_stmt**, const char**);
  if (!real) {
    real = (int (*)(sqlite3*, const char*, int, unsigned, sqlite3_stmt**, const char**))dlsym(
        RTLD_NEXT, "sqlite3_prepare_v3");
  }
  int rc = real(db, sql, n, flags, out, tail);
  if (rc == SQLITE_OK && out && *out) {
    pthread_mutex_lock(&mu);
    struct Acc* a = slot(*out, 1);  // a new statement may reuse a freed address
    if (a) a->ns = a->rows = a->steps = 0;
    pthread_mutex_unlock(&mu);
  }
  return rc;
}

int sqlite3_step(sqlite3_stmt* st) {
  static int (*real)(sqlite3_stmt*);
  if (!real) real = (int (*)(sqlite3_stmt*))dlsym(RTLD_NEXT, "sqlite3_step");
  int64_t t0 = now_ns();
  int rc = real(st);
  int64_t t1 = now_ns();
  pthread_mutex_lock(&mu);
  struct Acc* a = slot(st, 0);
  if (a) {
    a->ns += t1 - t0;
    ++a->steps;
    if (rc == SQLITE_ROW) ++a->rows;
  }
  pthread_mutex_unlock(&mu);
  return rc;
}

int sqlite3_reset(sqlite3_stmt* st) {
  static int (*real)(sqlite3_stmt*);
  if (!real) real = (int (*)(sqlite3_stmt*))dlsym(RTLD_NEXT, "sqlite3_reset");
  if (st) report(st, 0);
  return real(st);
}

int sqlite3_finalize(sqlite3_stmt* st) {
  static int (*real)(sqlite3_stmt*);
  if (!real) real = (int (*)(sqlite3_stmt*))dlsym(RTLD_NEXT, "sqlite3_finalize");
  if (st) report(st, 1);
  return real(st);
}
