/* Rekordbox Location URIs and path matching.
 *
 * Decoding (docs/contract.md "The library"): strip "file://localhost" (or
 * "file://"), decode %XX
 * only (upper or lower case hex; '+' and '#' stay literal), keep Windows drive
 * paths ("C:/Music/x.mp3"; "/C:/..." loses the leading slash), accept
 * unencoded third-party paths as they are.  Invalid escapes stay literal.
 * Legacy code pages: decoded bytes that do not form valid UTF-8 (Windows
 * Rekordbox and old taggers write "%DC" for U+00DC instead of "%C3%9C") are
 * read one by one as Windows-1252 (Latin-1 for its five undefined bytes) and
 * stored as UTF-8, so the path matches the UTF-8 name on disk and in the
 * struct JSON; valid UTF-8 sequences in the same path are kept as they are.
 *
 * Matching keys fold case and Unicode normalisation so that an NFD macOS name
 * and an NFC Rekordbox name compare equal: cs_path_fold() returns a new
 * string in NFC with letters lower-cased (built-in tables cover Latin-1,
 * Latin Extended-A/B and Additional, Greek and Cyrillic with the combining
 * marks U+0300-036F, kana voicing marks and Hangul jamo; other code points
 * pass through unchanged, as do bytes that are not valid UTF-8).
 * Backslashes become '/'.  Several marks on one letter compose only when they
 * arrive in canonical order (as NFD writes them).
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
