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
    if (stat(path, &st) < 0) { cs_err_set(err, "%s: %s", path, strerror(errno)); return NULL; }
    if (!S_ISREG(st.st_mode)) { cs_err_set(err, "%s: not a regular file", path); return NULL; }
    if (max_bytes && (unsigned long long)st.st_size > max_bytes) {
        cs_err_set(err, "%s: too large (%lld bytes, limit %zu)", path, (long long)st.st_size, max_bytes);
        return NULL;
    }
    FILE *f = fopen(path, "rb");
    if (!f) { cs_err_set(err, "%s: %s", path, strerror(errno)); return NULL; }
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
        cs_err_set(err, "%s: %s", path, why);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    n = cs_text_normalize(buf, n);
    if (len) *len = n;
    return buf;
}
