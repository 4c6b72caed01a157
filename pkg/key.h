/* Musical key notation.  Every key is compared in one canonical code:
 * Camelot number 1..12 and letter A (minor) / B (major), packed as
 * code = (number - 1) * 2 + (letter == 'B'), so 0..23.
 *
 * Accepted inputs (case-insensitive, surrounding blanks ignored):
 *   classic  "Gm", "F#m", "Dbm", "C", "Ab", "G#", "Bbmaj", "a minor", "E major"
 *            (sharp/flat also as the Unicode signs)
 *   min/maj  "Fmin", "Fmaj", "F min"
 *   Camelot  "6A", "12B", "06a"
 *   Open Key "1m", "6d"  (1m = 8A, 1d = 8B)
 *
 * Text after the key is ignored, as Mixxx reads tags, when it is set apart
 * by a blank, a bracket, '/', ',', ';' or a signed number: a tuning suffix
 * or extra words ("A#m +50", "8A energy 6", "Am (432 Hz)", "Cm/Eb" -> Cm).
 * Glued letters or digits make the whole text unknown ("Am7", "Gmi", "G#mm").
 *
 *   int k = cs_key_parse("Gm");      // == cs_key_parse("6A") == 10
 *   cs_key_name(k)                   // "Gm"
 *   cs_key_camelot(k, buf)           // "6A"
 */
#ifndef CS_KEY_H
#define CS_KEY_H

#include <stdbool.h>

#define CS_KEY_NONE    (-1)   /* empty or missing */
#define CS_KEY_UNKNOWN (-2)   /* not a notation we know; keep the text verbatim */

int cs_key_parse(const char *s);
/* The code of the key whose tonic has pitch class pc (0 = C .. 11 = B);
 * CS_KEY_NONE for pc outside 0..11. */
int cs_key_from_pitch(int pc, bool minor);
/* Classic name with sharps for minor keys and flats where DJs use them
 * (Camelot wheel names: "Abm", "Ebm", "Bbm", "Fm", "Cm", "Gm", "Dm", "Am",
 * "Em", "Bm", "F#m", "Dbm"; majors "B", "F#", "Db", "Ab", "Eb", "Bb", "F",
 * "C", "G", "D", "A", "E").  NULL for codes outside 0..23. */
const char *cs_key_name(int code);
/* "6A" into buf (at least 4 bytes); returns buf, or "" for invalid codes. */
char *cs_key_camelot(int code, char *buf);
/* Open Key "1m".."12d" into buf (at least 4 bytes): 1m = 8A, so the number
 * is the Camelot number minus 7, round the wheel.  "" for invalid codes. */
char *cs_key_openkey(int code, char *buf);

#endif
