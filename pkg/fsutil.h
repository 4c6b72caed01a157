/* Small file-system helpers shared by the library and the commands.
 *
 *   if (cs_mkdirs("parts/118") < 0) perror("parts/118");
 *   struct stat sb;
 *   if (cs_is_file(path, &sb)) ...   // sb may be NULL
 *
 * and the one way outputs are written (a temporary renamed into place,
 * below), which every writer in the tree uses.
 */
#ifndef CS_FSUTIL_H
#define CS_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>

/* Creates dir and its missing parents (like `mkdir -p`); 0 or -1 with errno. */
int cs_mkdirs(const char *dir);
/* Creates the missing folders above a file path (not the file's own name). */
int cs_mkdirs_for(const char *file);
/* true when p names a regular file (symlinks followed); fills sb if given. */
bool cs_is_file(const char *p, struct stat *sb);

/* ---- outputs: a temporary, then rename ----
 * Every output file (parts, renders, CSVs, set.json, plots, analyze JSONs;
 * not the live --trace log, which grows while a set plays) is
 * written to "<dir>/.<name>.tmp.<pid>.<n>" (the same folder, so rename(2) is
 * atomic; n counts per process, so threads writing one name never share a
 * temporary) and renamed onto its name when complete: a killed run leaves no
 * half file under the real name, only a temporary cs_remove_stale_temps
 * clears.  The temporary's name lives in the caller's buffer (nothing to
 * free, no allocation to fail but fdopen's).
 *
 *   char tmp[CS_TEMP_NAME_MAX];
 *   int fd = cs_temp_open("out.wav", tmp);      // or FILE *f = cs_temp_fopen(...)
 *   if (fd < 0) fail(strerror(errno));
 *   ... write fd ...
 *   if (cs_temp_commit(fd, tmp, "out.wav") < 0) fail(strerror(errno));
 * or, for text already in memory, cs_write_atomic(path, text, len). */
#define CS_TEMP_NAME_MAX 4096

/* The temporary name of `path` with counter seq (the rule above).  0, or -1
 * when path has no file name or buf[n] is too small. */
int cs_temp_name(char *buf, size_t n, const char *path, unsigned seq);
/* Creates path's next temporary (O_EXCL, mode 0666 less the umask) and
 * returns its descriptor; tmp gets its name.  -1 with errno (EINVAL: path has no file name; ENAMETOOLONG). */
int cs_temp_open(const char *path, char tmp[CS_TEMP_NAME_MAX]);
/* The same as a stdio stream ("wb"); NULL with errno. */
FILE *cs_temp_fopen(const char *path, char tmp[CS_TEMP_NAME_MAX]);
/* Completes a temporary: fsync, close (fd), rename onto path.  On any
 * failure the temporary is removed.  Always closes fd.  0, or -1 with errno. */
int cs_temp_commit(int fd, const char *tmp, const char *path);
/* The same for a stream from cs_temp_fopen (flush and write errors count;
 * always closes f). */
int cs_temp_fcommit(FILE *f, const char *tmp, const char *path);
/* Gives a temporary up: closes fd (when >= 0), removes it; errno kept. */
void cs_temp_abort(int fd, const char *tmp);
/* Writes n bytes of data to path through a temporary (stale ones of path
 * removed first; cs_temp_fopen, cs_temp_fcommit), so a reader sees the old
 * file or the whole new one.  0, or -1 with errno (the temporary removed). */
int cs_write_atomic(const char *path, const void *data, size_t n);

/* Removes the temporaries of `path` (exactly that name, then "<pid>.<n>")
 * whose process is gone (a killed run); a live process's, this one's
 * included, may be an export writing it now, and stay.  Liveness is
 * kill(pid, 0): a folder shared by several hosts (NFS) could lose another
 * host's temporary. */
void cs_remove_stale_temps(const char *path);

/* The whole file as a NUL-terminated string (malloc'd; *n its length when
 * n is given), or NULL with errno (ENOMEM, or the open/read error). */
char *cs_read_file(const char *path, size_t *n);

#endif
