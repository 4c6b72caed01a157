/* The folders cs play may read audio from (--allow-dir), so that an OSC
 * message from anyone on the network cannot make the player open
 * /etc/passwd or ../../something.  Checked once, where a load path is
 * resolved (cs_control's load): the path goes through realpath(3), symlinks
 * and ".." included, and must then lie inside one of the folders, on a path
 * component boundary ("/music" allows "/music/a.wav", not "/music2/a.wav").
 * A path that does not resolve inside is still allowed when, as written
 * (made absolute, with no "." or ".." component), it lies inside an allowed
 * folder: a symlinked folder inside an allowed folder is the user's choice
 * ("/music/usb -> /media/usb" allows "/music/usb/a.wav").  A file that is
 * itself a symlink is judged by its target only.  Single files can be
 * allowed too (the files named on the command line).
 *
 *   cs_allow *a = cs_allow_new();
 *   cs_allow_add(a, "parts", true, &err);          // folder
 *   if (cs_allow_check(a, "/etc/passwd", &err) < 0) puts(err.msg);
 *   cs_allow_free(a);
 *
 * A control without a list (render mode, unit tests) allows everything.
 */
#ifndef CS_PLAYER_ALLOW_H
#define CS_PLAYER_ALLOW_H

#include <stdbool.h>
#include <stddef.h>

#include "pkg/err.h"

typedef struct cs_allow cs_allow;

cs_allow *cs_allow_new(void);
/* Adds a folder (is_dir) or one file.  CS_ERR_IO when it does not exist
 * (err says so); adding the same entry twice keeps one. */
int cs_allow_add(cs_allow *a, const char *path, bool is_dir, cs_err *err);
size_t cs_allow_count(const cs_allow *a);
/* 0 when path is allowed (above); CS_ERR_DENIED with err "<path>: outside the allowed
 * folders (cs play --allow-dir FOLDER allows it)" the first time a load
 * from FOLDER (where the file really is) is refused, "<path>: outside the
 * allowed folders" after that. */
int cs_allow_check(cs_allow *a, const char *path, cs_err *err);
void cs_allow_free(cs_allow *a);

#endif
