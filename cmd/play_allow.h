/* cs play's --allow-dir list (player/control/allow.h): the folders given, else the
 * defaults, the working directory and the folders of the library's audio
 * files and rendered parts; plus the files named on the command line. */
#ifndef CS_CMD_PLAY_ALLOW_H
#define CS_CMD_PLAY_ALLOW_H

#include "player/control/allow.h"

/* dirs: --allow-dir values (n of them; 0 = defaults); files: command-line
 * audio files (NULLs skipped).  NULL with err when a given folder does not
 * exist, or out of memory (a default folder or file left out would refuse
 * its loads later for the wrong reason).  A default that is gone is
 * skipped; a library that cannot be read is a warning. */
cs_allow *cs_play_allow_build(const char *const *dirs, int n, const char *const *files, int nfiles,
                              const char *db_path, cs_err *err);

#endif
