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

/* Writes len bytes to path atomically: to "<dir>/.<name>.tmp.<pid>.<n>",
 * fsync, rename(2); on failure the temporary is removed, path is left as it
 * was, and -1 is returned with errno set.  Thread-safe. */
int cs_write_file_atomic(const char *path, const char *data, size_t len);

/* Outputs are written as "<dir>/.<name>.tmp.<pid>.<n>" and renamed (see
 * cs_audio_write).  This removes the temporaries of `path` (exactly that
 * name, then "<pid>.<n>") whose process is gone (a killed run); a live
 * process's, this one's included, may be an export writing it now, and stay.
 * Liveness is kill(pid, 0): a folder shared by several hosts (NFS) could
 * lose another host's temporary. */
void cs_remove_stale_temps(const char *path);

#endif
