/* Fault injection for the build/inj flavour (like SQLite's test_malloc.c
 * and its I/O-error VFS): fails the N-th allocation or the N-th write-side
 * I/O call, optionally every one after it, so the "out of memory" and
 * I/O-error branches run.  Test-only: linked into build/inj/cs alone, never
 * into a production build.
 *
 * What is counted (decided so a loop over N ends in reasonable time):
 * - allocations: malloc/calloc/realloc/strdup/strndup/realpath(NULL) called
 *   from OUR objects (the link wraps them with -Wl,--wrap, which only
 *   redirects references in the objects being linked, not in shared
 *   libraries), plus every allocation SQLite makes (routed here by
 *   sqlite3_config(SQLITE_CONFIG_MALLOC)).  FFmpeg, libsndfile, liblo,
 *   libxml2, cJSON, SDL and Rubber Band allocate on their own and are not
 *   counted: their failure paths are theirs to test.
 * - I/O: write/fsync/fdatasync/rename/fflush/fclose and libsndfile's
 *   sf_writef_float/sf_close as called from our objects (libsndfile's own
 *   write(2) calls are reached through these two), and SQLite's xWrite,
 *   xSync and xTruncate through a VFS wrapping the default one, registered
 *   as the new default.  Reads are not failed.
 *
 * Environment:
 *   CS_FAULT_ALLOC=N    the N-th counted allocation returns NULL (ENOMEM)
 *   CS_FAULT_IO=N       the N-th counted I/O call fails with EIO
 *   CS_FAULT_PERSIST=1  every call after the N-th fails too
 *   CS_FAULT_REPORT=F   at exit, writes "alloc A io I failed_alloc FA
 *                       failed_io FI" to F (how many points were reached,
 *                       so a loop knows when N went past the last one)
 * Counters are atomic (threads share one sequence; a multithreaded run may
 * order them differently from run to run, so loops use -j 1). */
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sndfile.h>
#include <sqlite3.h>

#include "tests/faults/shim.h"

typedef struct {
    long target;          /* 0: never fail */
    atomic_long count;    /* calls reached */
    atomic_long failed;   /* calls failed */
} fault_point;

static fault_point alloc_fp, io_fp;
static int persist;

/* true when this call (the count's next) must fail. */
static int should_fail(fault_point *fp)
{
    long n = atomic_fetch_add(&fp->count, 1) + 1;
    if (fp->target <= 0) return 0;
    if (n == fp->target || (persist && n > fp->target)) {
        atomic_fetch_add(&fp->failed, 1);
        return 1;
    }
    return 0;
}

static int alloc_fails(void)
{
    if (!should_fail(&alloc_fp)) return 0;
    errno = ENOMEM;
    return 1;
}

static int io_fails(void)
{
    if (!should_fail(&io_fp)) return 0;
    errno = EIO;
    return 1;
}

/* ---- allocations (-Wl,--wrap=NAME: our references to NAME come here) ---- */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
char *__real_realpath(const char *path, char *resolved);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
char *__wrap_realpath(const char *path, char *resolved);

void *__wrap_malloc(size_t n) { return alloc_fails() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t size) { return alloc_fails() ? NULL : __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t n) { return alloc_fails() ? NULL : __real_realloc(p, n); }
char *__wrap_strdup(const char *s) { return alloc_fails() ? NULL : __real_strdup(s); }
char *__wrap_strndup(const char *s, size_t n) { return alloc_fails() ? NULL : __real_strndup(s, n); }
char *__wrap_realpath(const char *path, char *resolved)
{
    if (!resolved && alloc_fails()) return NULL;
    return __real_realpath(path, resolved);
}

/* ---- I/O ---- */
ssize_t __real_write(int fd, const void *buf, size_t n);
int __real_fsync(int fd);
int __real_fdatasync(int fd);
int __real_rename(const char *from, const char *to);
int __real_fflush(FILE *f);
int __real_fclose(FILE *f);
sf_count_t __real_sf_writef_float(SNDFILE *sf, const float *p, sf_count_t frames);
int __real_sf_close(SNDFILE *sf);
ssize_t __wrap_write(int fd, const void *buf, size_t n);
int __wrap_fsync(int fd);
int __wrap_fdatasync(int fd);
int __wrap_rename(const char *from, const char *to);
int __wrap_fflush(FILE *f);
int __wrap_fclose(FILE *f);
sf_count_t __wrap_sf_writef_float(SNDFILE *sf, const float *p, sf_count_t frames);
int __wrap_sf_close(SNDFILE *sf);

ssize_t __wrap_write(int fd, const void *buf, size_t n) { return io_fails() ? -1 : __real_write(fd, buf, n); }
int __wrap_fsync(int fd) { return io_fails() ? -1 : __real_fsync(fd); }
int __wrap_fdatasync(int fd) { return io_fails() ? -1 : __real_fdatasync(fd); }
int __wrap_rename(const char *from, const char *to) { return io_fails() ? -1 : __real_rename(from, to); }
/* A failed fflush/fclose as the kernel would report it: the stream is in
 * error (fclose still closes it, as fclose(3) does whatever it returns). */
int __wrap_fflush(FILE *f)
{
    if (f && io_fails()) return EOF;
    return __real_fflush(f);
}
int __wrap_fclose(FILE *f)
{
    if (io_fails()) {
        __real_fclose(f);
        errno = EIO;
        return EOF;
    }
    return __real_fclose(f);
}
/* As libsndfile reports a failed write(2) inside it: a short count, errno
 * set (its own sf_error is set too, which a wrapper cannot reach). */
sf_count_t __wrap_sf_writef_float(SNDFILE *sf, const float *p, sf_count_t frames)
{
    if (io_fails()) {
        errno = EIO;
        return 0;
    }
    return __real_sf_writef_float(sf, p, frames);
}
int __wrap_sf_close(SNDFILE *sf)
{
    if (io_fails()) {
        __real_sf_close(sf);
        errno = EIO;
        return SF_ERR_SYSTEM;
    }
    return __real_sf_close(sf);
}

/* ---- SQLite: its allocator ---- */
static void *sq_malloc(int n) { return alloc_fails() ? NULL : __real_malloc((size_t)n); }
static void sq_free(void *p) { free(p); }
static void *sq_realloc(void *p, int n) { return alloc_fails() ? NULL : __real_realloc(p, (size_t)n); }
static int sq_size(void *p) { return p ? (int)malloc_usable_size(p) : 0; }
static int sq_roundup(int n) { return (n + 7) & ~7; }
static int sq_init(void *ctx) { return SQLITE_OK; }
static void sq_shutdown(void *ctx) {}

/* ---- SQLite: a VFS around the default one, failing writes and syncs ---- */
typedef struct {
    sqlite3_file base;       /* pMethods = &inj_io */
    sqlite3_file *real;      /* the default VFS's file, allocated after us */
} inj_file;

static sqlite3_vfs *real_vfs;
static sqlite3_vfs inj_vfs;
static sqlite3_io_methods inj_io;

#define REAL(f) (((inj_file *)(f))->real)
static int x_close(sqlite3_file *f)
{
    int rc = REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f)) : SQLITE_OK;
    return rc;
}
static int x_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o) { return REAL(f)->pMethods->xRead(REAL(f), b, n, o); }
static int x_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o)
{
    return io_fails() ? SQLITE_IOERR_WRITE : REAL(f)->pMethods->xWrite(REAL(f), b, n, o);
}
static int x_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    return io_fails() ? SQLITE_IOERR_TRUNCATE : REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int x_sync(sqlite3_file *f, int flags)
{
    return io_fails() ? SQLITE_IOERR_FSYNC : REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int x_size(sqlite3_file *f, sqlite3_int64 *s) { return REAL(f)->pMethods->xFileSize(REAL(f), s); }
static int x_lock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xLock(REAL(f), l); }
static int x_unlock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xUnlock(REAL(f), l); }
static int x_reserved(sqlite3_file *f, int *r) { return REAL(f)->pMethods->xCheckReservedLock(REAL(f), r); }
static int x_fcntl(sqlite3_file *f, int op, void *a) { return REAL(f)->pMethods->xFileControl(REAL(f), op, a); }
static int x_sector(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }
static int x_devchar(sqlite3_file *f) { return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f)); }
static int x_shmmap(sqlite3_file *f, int pg, int sz, int ext, void volatile **p)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, ext, p);
}
static int x_shmlock(sqlite3_file *f, int o, int n, int fl) { return REAL(f)->pMethods->xShmLock(REAL(f), o, n, fl); }
static void x_shmbarrier(sqlite3_file *f) { REAL(f)->pMethods->xShmBarrier(REAL(f)); }
static int x_shmunmap(sqlite3_file *f, int d) { return REAL(f)->pMethods->xShmUnmap(REAL(f), d); }
static int x_fetch(sqlite3_file *f, sqlite3_int64 o, int n, void **p) { return REAL(f)->pMethods->xFetch(REAL(f), o, n, p); }
static int x_unfetch(sqlite3_file *f, sqlite3_int64 o, void *p) { return REAL(f)->pMethods->xUnfetch(REAL(f), o, p); }

static int v_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
    inj_file *jf = (inj_file *)f;
    jf->real = (sqlite3_file *)(jf + 1);
    jf->real->pMethods = NULL;
    int rc = real_vfs->xOpen(real_vfs, name, jf->real, flags, out);
    /* SQLite calls xClose even after a failed xOpen when pMethods is set. */
    f->pMethods = jf->real->pMethods ? &inj_io : NULL;
    return rc;
}
static int v_delete(sqlite3_vfs *v, const char *n, int s) { return real_vfs->xDelete(real_vfs, n, s); }
static int v_access(sqlite3_vfs *v, const char *n, int fl, int *r) { return real_vfs->xAccess(real_vfs, n, fl, r); }
static int v_full(sqlite3_vfs *v, const char *n, int sz, char *out) { return real_vfs->xFullPathname(real_vfs, n, sz, out); }
static void *v_dlopen(sqlite3_vfs *v, const char *n) { return real_vfs->xDlOpen(real_vfs, n); }
static void v_dlerror(sqlite3_vfs *v, int n, char *m) { real_vfs->xDlError(real_vfs, n, m); }
static void (*v_dlsym(sqlite3_vfs *v, void *h, const char *s))(void) { return real_vfs->xDlSym(real_vfs, h, s); }
static void v_dlclose(sqlite3_vfs *v, void *h) { real_vfs->xDlClose(real_vfs, h); }
static int v_random(sqlite3_vfs *v, int n, char *out) { return real_vfs->xRandomness(real_vfs, n, out); }
static int v_sleep(sqlite3_vfs *v, int us) { return real_vfs->xSleep(real_vfs, us); }
static int v_time(sqlite3_vfs *v, double *t) { return real_vfs->xCurrentTime(real_vfs, t); }
static int v_lasterr(sqlite3_vfs *v, int n, char *m) { return real_vfs->xGetLastError(real_vfs, n, m); }
static int v_time64(sqlite3_vfs *v, sqlite3_int64 *t) { return real_vfs->xCurrentTimeInt64(real_vfs, t); }

void cs_fault_arm(long alloc_n, long io_n, bool persist_after)
{
    alloc_fp.target = 0;
    io_fp.target = 0;
    atomic_store(&alloc_fp.count, 0);
    atomic_store(&io_fp.count, 0);
    persist = persist_after;
    alloc_fp.target = alloc_n;
    io_fp.target = io_n;
}
long cs_fault_allocs(void) { return atomic_load(&alloc_fp.count); }
long cs_fault_ios(void) { return atomic_load(&io_fp.count); }

static const char *report_path;

static void report(void)
{
    if (!report_path) return;
    FILE *f = fopen(report_path, "w");
    if (!f) return;
    fprintf(f, "alloc %ld io %ld failed_alloc %ld failed_io %ld\n", atomic_load(&alloc_fp.count),
            atomic_load(&io_fp.count), atomic_load(&alloc_fp.failed), atomic_load(&io_fp.failed));
    __real_fclose(f);
}

static long env_long(const char *name)
{
    const char *s = getenv(name);
    return s && *s ? strtol(s, NULL, 10) : 0;
}

__attribute__((constructor)) static void inj_init(void)
{
    report_path = getenv("CS_FAULT_REPORT");
    if (report_path && *report_path) atexit(report);
    else report_path = NULL;

    static const sqlite3_mem_methods mem = { sq_malloc, sq_free, sq_realloc, sq_size,
                                             sq_roundup, sq_init, sq_shutdown, NULL };
    /* Must precede sqlite3_initialize (sqlite3_vfs_find below runs it). */
    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &mem) != SQLITE_OK) abort();
    real_vfs = sqlite3_vfs_find(NULL);
    if (!real_vfs) abort();
    inj_io = (sqlite3_io_methods){ 3, x_close, x_read, x_write, x_truncate, x_sync, x_size, x_lock,
                                   x_unlock, x_reserved, x_fcntl, x_sector, x_devchar, x_shmmap,
                                   x_shmlock, x_shmbarrier, x_shmunmap, x_fetch, x_unfetch };
    inj_vfs = (sqlite3_vfs){ 3, (int)sizeof(inj_file) + real_vfs->szOsFile, real_vfs->mxPathname, NULL,
                             "cs-inject", NULL, v_open, v_delete, v_access, v_full, v_dlopen,
                             v_dlerror, v_dlsym, v_dlclose, v_random, v_sleep, v_time, v_lasterr,
                             v_time64, NULL, NULL, NULL };
    if (sqlite3_vfs_register(&inj_vfs, 1) != SQLITE_OK) abort();
    /* Armed last: the set-up above is not the program's to handle. */
    atomic_store(&alloc_fp.count, 0);
    alloc_fp.target = env_long("CS_FAULT_ALLOC");
    io_fp.target = env_long("CS_FAULT_IO");
    persist = env_long("CS_FAULT_PERSIST") != 0;
}
