/* Rekordbox Location URIs and path matching.
 *
 * Decoding (DESIGN.md): strip "file://localhost" (or "file://"), decode %XX
 * only (upper or lower case hex; '+' and '#' stay literal), keep Windows drive
 * paths ("C:/Music/x.mp3"; "/C:/..." loses the leading slash), accept
 * unencoded third-party paths as they are.  Invalid escapes stay literal.
 *
 * Matching keys fold case and Unicode normalisation so that an NFD macOS name
 * and an NFC Rekordbox name compare equal: cs_path_fold() returns a new
 * string in NFC with Latin letters lower-cased (a small built-in table covers
 * Latin-1, Latin Extended-A/B and the common combining marks; other code
 * points pass through unchanged).  Backslashes become '/'.
 */
#ifndef CS_LOCATION_H
#define CS_LOCATION_H

/* Newly allocated decoded path; NULL only when out of memory. */
char *cs_location_decode(const char *location);
/* Newly allocated folded key for equality tests (see above). */
char *cs_path_fold(const char *path);
/* Pointer into path after the last '/' or '\\'. */
const char *cs_path_basename(const char *path);

#endif
