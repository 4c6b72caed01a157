/* Key notation: parse classic, min/maj, Camelot and Open Key spellings into
 * one Camelot code (see key.h) so that "Gm", "6A", "G minor" and "3m" compare
 * equal.  Classic names go through the pitch class of the tonic: a step of a
 * fifth (7 semitones) is one step round the Camelot wheel, with Am (pitch
 * class 9) at 8A and C (0) at 8B, so every enharmonic spelling lands on the
 * same code without a table of names.
 */
#include "pkg/key.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const char *const minor_names[12] = {
    "Abm", "Ebm", "Bbm", "Fm", "Cm", "Gm", "Dm", "Am", "Em", "Bm", "F#m", "Dbm",
};
static const char *const major_names[12] = {
    "B", "F#", "Db", "Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E",
};

static int lower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }
static bool is_blank(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
static bool is_digit(int c) { return c >= '0' && c <= '9'; }

/* Case-insensitive "does s start with word"; returns the length or 0. */
static size_t starts_with(const char *s, const char *word)
{
    size_t n = strlen(word);
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)s[i]) != word[i]) return 0;
    return n;
}

static int pack(int number, bool major) { return (number - 1) * 2 + (major ? 1 : 0); }

/* Camelot number (1..12) of a key whose tonic has pitch class pc. */
static int camelot_number(int pc, bool major)
{
    int ref = major ? 0 : 9;  /* C is 8B, A minor is 8A */
    int steps = (7 * (pc - ref)) % 12;
    return ((7 + steps) % 12 + 12) % 12 + 1;
}

/* What may follow a key and start the ignored rest ("A#m +50", "8A energy
 * 6", "Am (tuning)", "Cm/Eb"): a blank, an opening bracket, a slash, a comma
 * or semicolon, or a sign before a digit (a tuning offset in cents).  A
 * letter, digit or '#' there continues the word, so "Am7", "G#mm" and "A##"
 * stay unknown notations. */
static bool ends_key(const char *s, const char *end)
{
    if (s >= end) return true;
    if (is_blank((unsigned char)*s) || strchr("([{/,;", *s)) return true;
    return (*s == '+' || *s == '-') && s + 1 < end && is_digit((unsigned char)s[1]);
}

/* "6A", "06a", "12B" (Camelot) and "1m", "6d" (Open Key), then the rest. */
static int parse_numeric(const char *s, const char *end)
{
    const char *p = s;
    int n = 0;
    while (p < end && is_digit((unsigned char)*p)) {
        n = n * 10 + (*p - '0');
        if (n > 12) return CS_KEY_UNKNOWN;
        p++;
    }
    if (p == s || p == end || n < 1 || !ends_key(p + 1, end)) return CS_KEY_UNKNOWN;
    switch (lower((unsigned char)*p)) {
    case 'a': return pack(n, false);
    case 'b': return pack(n, true);
    /* Open Key n sits six steps round the wheel from Camelot n. */
    case 'm': return pack((n + 6) % 12 + 1, false);
    case 'd': return pack((n + 6) % 12 + 1, true);
    default: return CS_KEY_UNKNOWN;
    }
}

/* Accidental after the letter: '#', 'b', the Unicode signs or the words.
 * Returns the semitone shift and advances *p; 0 when there is none. */
static int parse_accidental(const char **p, const char *end)
{
    const char *s = *p;
    size_t n;
    if (s >= end) return 0;
    if (*s == '#') { *p = s + 1; return 1; }
    /* 'b' is a flat only when it cannot start a word such as a mode. */
    if (*s == 'b' || *s == 'B') { *p = s + 1; return -1; }
    if (end - s >= 3 && (unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x99) {
        if ((unsigned char)s[2] == 0xAF) { *p = s + 3; return 1; }   /* U+266F ♯ */
        if ((unsigned char)s[2] == 0xAD) { *p = s + 3; return -1; }  /* U+266D ♭ */
    }
    const char *t = s;
    while (t < end && is_blank((unsigned char)*t)) t++;
    if ((n = starts_with(t, "sharp")) != 0) { *p = t + n; return 1; }
    if ((n = starts_with(t, "flat")) != 0) { *p = t + n; return -1; }
    return 0;
}

/* Mode word after the tonic: none (major), m/min/minor, maj/major, each
 * ending the key (see ends_key).  Returns 1 major, 0 minor, -1 for anything
 * else. */
static int parse_mode(const char *s, const char *end)
{
    const char *t = s;
    while (t < end && is_blank((unsigned char)*t)) t++;
    if (t == end) return 1;
    static const struct { const char *word; int major; } modes[] = {
        {"minor", 0}, {"major", 1}, {"min", 0}, {"maj", 1}, {"m", 0},
    };
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        size_t n = strlen(modes[i].word);
        if ((size_t)(end - t) >= n && starts_with(t, modes[i].word) == n && ends_key(t + n, end))
            return modes[i].major;
    }
    /* No mode word: a major key when the tonic ends the key ("A energy"). */
    return ends_key(s, end) ? 1 : -1;
}

static int parse_classic(const char *s, const char *end)
{
    static const int letter_pc[7] = {9, 11, 0, 2, 4, 5, 7};  /* A..G */
    int letter = lower((unsigned char)*s);
    if (letter < 'a' || letter > 'g') return CS_KEY_UNKNOWN;
    const char *p = s + 1;
    int pc = letter_pc[letter - 'a'] + parse_accidental(&p, end);
    int major = parse_mode(p, end);
    if (major < 0) return CS_KEY_UNKNOWN;
    return pack(camelot_number((pc + 12) % 12, major == 1), major == 1);
}

int cs_key_parse(const char *s)
{
    if (!s) return CS_KEY_NONE;
    while (is_blank((unsigned char)*s)) s++;
    const char *end = s + strlen(s);
    while (end > s && is_blank((unsigned char)end[-1])) end--;
    if (end == s) return CS_KEY_NONE;
    if (is_digit((unsigned char)*s)) return parse_numeric(s, end);
    return parse_classic(s, end);
}

int cs_key_from_pitch(int pc, bool minor)
{
    if (pc < 0 || pc > 11) return CS_KEY_NONE;
    return pack(camelot_number(pc, !minor), !minor);
}

const char *cs_key_name(int code)
{
    if (code < 0 || code > 23) return NULL;
    return (code & 1) ? major_names[code / 2] : minor_names[code / 2];
}

char *cs_key_camelot(int code, char *buf)
{
    if (code < 0 || code > 23) {
        buf[0] = '\0';
        return buf;
    }
    snprintf(buf, 4, "%d%c", code / 2 + 1, (code & 1) ? 'B' : 'A');
    return buf;
}

char *cs_key_openkey(int code, char *buf)
{
    if (code < 0 || code > 23) {
        buf[0] = '\0';
        return buf;
    }
    int n = ((code / 2 + 1 - 7) % 12 + 12) % 12;
    snprintf(buf, 4, "%d%c", n ? n : 12, (code & 1) ? 'd' : 'm');
    return buf;
}
