/* Small file-system helpers shared by the library and the commands.
 *
 *   if (cs_mkdirs("parts/118") < 0) perror("parts/118");
 *   struct stat sb;
 *   if (cs_is_file(path, &sb)) ...   // sb may be NULL
 */
#ifndef CS_FSUTIL_H
#define CS_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

/* Creates dir and its missing parents (like `mkdir -p`); 0 or -1 with errno. */
int cs_mkdirs(const char *dir);
/* Creates the missing folders above a file path (not the file's own name). */
int cs_mkdirs_for(const char *file);
/* true when p names a regular file (symlinks followed); fills sb if given. */
bool cs_is_file(const char *p, struct stat *sb);

/* The temporary an output `path` is written to before its rename:
 * "<dir>/.<name>.tmp.<pid>.<seq>" (the same folder, so rename(2) is atomic;
 * seq tells apart the temporaries of threads writing the same name).  0, or
 * -1 when path has no file name or buf[n] is too small. */
int cs_temp_name(char *buf, size_t n, const char *path, unsigned seq);

/* Outputs are written as "<dir>/.<name>.tmp.<pid>.<n>" and renamed (see
 * cs_audio_write).  This removes the temporaries of `path` (exactly that
 * name, then "<pid>.<n>") whose process is gone (a killed run); a live
 * process's, this one's included, may be an export writing it now, and stay.
 * Liveness is kill(pid, 0): a folder shared by several hosts (NFS) could
 * lose another host's temporary. */
void cs_remove_stale_temps(const char *path);

/* The whole file as a NUL-terminated string (malloc'd; *n its length when
 * n is given), or NULL with errno (ENOMEM, or the open/read error). */
char *cs_read_file(const char *path, size_t *n);

/* Writes n bytes of data to path through "<dir>/.<name>.tmp.<pid>.0",
 * fsync and rename, so a reader sees the old file or the whole new one.
 * 0, or -1 with errno (the temporary removed). */
int cs_write_atomic(const char *path, const void *data, size_t n);

#endif
