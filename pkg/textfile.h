/* Text files as other tools write them: one reader for every text input
 * (allin1 JSON, bpm_config JSON, the export CSV read back, OSC scripts).
 *
 * Windows editors, spreadsheets and Python's csv module leave a UTF-8 byte
 * order mark (EF BB BF) at the start and CRLF (or, from old Mac tools, lone
 * CR) line ends.  Every reader goes through cs_text_load(), which removes the
 * mark and turns every CRLF and lone CR into LF, so a parser sees the text as
 * if neither were there.  A file starting with a UTF-16 mark (FF FE / FE FF)
 * is refused by name: its bytes are not UTF-8 text and we carry no converter
 * for a format no tool of ours writes.
 *
 *   size_t len;
 *   char *text = cs_text_load("set.csv", CS_TEXT_NO_LIMIT, &len, &err);
 *   ...  // text[len] == '\0'
 *   free(text);
 */
#ifndef CS_TEXTFILE_H
#define CS_TEXTFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "pkg/err.h"

#define CS_TEXT_NO_LIMIT 0

/* Whole file `path` (a regular file of at most max_bytes bytes, 0 = any
 * size) as a newly allocated NUL-terminated buffer, normalised as above;
 * its length after normalisation in *len (may be NULL).  NULL with err set
 * ("PATH: reason": missing, not a regular file, too large, UTF-16, read
 * error, changed while being read, out of memory).  The caller frees. */
char *cs_text_load(const char *path, size_t max_bytes, size_t *len, cs_err *err);

/* The same normalisation on text already in memory, in place (it only ever
 * shrinks); returns the new length.  buf need not be NUL-terminated; when it
 * is, the terminator is moved along. */
size_t cs_text_normalize(char *buf, size_t len);

/* true when buf starts with a UTF-16 byte order mark. */
int cs_text_is_utf16(const char *buf, size_t len);

/* Python writes a file name that is not UTF-8 with surrogateescape: byte
 * 0xXX (0x80..0xff) as the lone surrogate U+DCXX, which json.dump escapes as
 * "\udcXX".  Returns a malloc'd copy of JSON text t[len] with each such
 * escape (not after a high surrogate, not an escaped backslash) turned back
 * into the raw byte (*n_out bytes, NUL-terminated); NULL when t has none, or
 * when out of memory (*oom set). */
char *cs_text_undo_surrogateescape(const char *t, size_t len, size_t *n_out, bool *oom);

#endif
