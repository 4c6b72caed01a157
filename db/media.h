/* The files a library points at: every resolved track audio file and every
 * rendered part.  cs play derives its default --allow-dir folders from them.
 *
 *   cs_db_media_files(db, add_parent_dir, allow, &err);
 */
#ifndef CS_DB_MEDIA_H
#define CS_DB_MEDIA_H

#include "db/db.h"

/* Calls fn once per path (audio files first, then parts; a non-zero return
 * stops).  0, or -1 with err on a database error. */
int cs_db_media_files(cs_db *db, int (*fn)(void *ud, const char *path), void *ud, cs_err *err);

#endif
