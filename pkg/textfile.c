/* One text reader for every input file (see textfile.h).  Small and our own:
 * stdio has no "text mode" on POSIX and iconv would not drop the BOM or fold
 * line ends, so the two byte rewrites live here, once. */
#include "pkg/textfile.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char bom[3] = { '\xEF', '\xBB', '\xBF' };

int cs_text_is_utf16(const char *buf, size_t len)
{
    if (len < 2) return 0;
    unsigned char a = (unsigned char)buf[0], b = (unsigned char)buf[1];
    return (a == 0xFF && b == 0xFE) || (a == 0xFE && b == 0xFF);
}

size_t cs_text_normalize(char *buf, size_t len)
{
    size_t i = 0, n = 0;
    if (len >= 3 && memcmp(buf, bom, 3) == 0) i = 3;
    for (; i < len; i++) {
        if (buf[i] == '\r') {
            buf[n++] = '\n';
            if (i + 1 < len && buf[i + 1] == '\n') i++;
        } else {
            buf[n++] = buf[i];
        }
    }
    /* Keep the caller's terminator when there was one. */
    if (n < len) buf[n] = '\0';
    return n;
}

char *cs_text_load(const char *path, size_t max_bytes, size_t *len, cs_err *err)
{
    struct stat st;
    if (stat(path, &st) < 0) { cs_err_setc(err, CS_ERR_IO, "%s: %s", path, strerror(errno)); return NULL; }
    if (!S_ISREG(st.st_mode)) { cs_err_setc(err, CS_ERR_IO, "%s: not a regular file", path); return NULL; }
    if (max_bytes && (unsigned long long)st.st_size > max_bytes) {
        cs_err_setc(err, CS_ERR_RANGE, "%s: too large (%lld bytes, limit %zu)", path, (long long)st.st_size, max_bytes);
        return NULL;
    }
    FILE *f = fopen(path, "rb");
    if (!f) { cs_err_setc(err, CS_ERR_IO, "%s: %s", path, strerror(errno)); return NULL; }
    /* One byte more than stat() said tells a file that grew meanwhile. */
    size_t cap = (size_t)st.st_size + 1;
    char *buf = malloc(cap + 1);
    size_t n = buf ? fread(buf, 1, cap, f) : 0;
    bool bad = buf && ferror(f);
    fclose(f);
    const char *why = !buf ? "out of memory" : bad ? "read error"
                    : n == cap ? "changed while being read"
                    : cs_text_is_utf16(buf, n) ? "UTF-16 text (save it as UTF-8)" : NULL;
    if (why) {
        cs_err_setc(err, !buf ? CS_ERR_NOMEM : bad || n == cap ? CS_ERR_IO : CS_ERR_FORMAT, "%s: %s", path, why);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    n = cs_text_normalize(buf, n);
    if (len) *len = n;
    return buf;
}

/* ---- Python surrogateescape in JSON (textfile.h) ---- */

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Python writes a file name that is not UTF-8 with surrogateescape: byte
 * 0xXX (0x80..0xff) as the lone surrogate U+DCXX, which json.dump escapes as
 * "\udcXX" (issue 22 item 3).  cJSON refuses a lone surrogate, so each such
 * escape (not after a high surrogate) becomes the raw byte again, which is
 * the file's real name.  Returns a malloc'd copy (*n_out bytes), NULL when
 * the text has none (or out of memory: *oom set). */
char *cs_text_undo_surrogateescape(const char *t, size_t len, size_t *n_out, bool *oom)
{
    *oom = false;
    char *o = NULL;
    size_t w = 0, from = 0;
    for (size_t i = 0; i + 6 <= len; i++) {
        if (t[i] != '\\') continue;
        if (t[i + 1] != 'u') { i++; continue; }       /* another escape: skip its letter */
        int h[4];
        for (int k = 0; k < 4; k++) h[k] = hexval(t[i + 2 + k]);
        if (h[0] < 0 || h[1] < 0 || h[2] < 0 || h[3] < 0) continue;
        unsigned u = (unsigned)(h[0] << 12 | h[1] << 8 | h[2] << 4 | h[3]);
        if (u >= 0xd800 && u <= 0xdbff) { i += 11; continue; }   /* a pair: cJSON reads it */
        if (u < 0xdc80 || u > 0xdcff) { i += 5; continue; }
        if (!o && !(o = malloc(len + 1))) { *oom = true; return NULL; }
        memcpy(o + w, t + from, i - from);
        w += i - from;
        o[w++] = (char)(u & 0xff);
        from = i + 6;
        i += 5;
    }
    if (!o) return NULL;
    memcpy(o + w, t + from, len - from);
    w += len - from;
    o[w] = 0;
    *n_out = w;
    return o;
}
