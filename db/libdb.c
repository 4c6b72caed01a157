/* Read-only opening of other programs' SQLite libraries (libdb.h). */
#include "db/libdb.h"
#include "db/db.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* "file:<path>?<query>" with the path percent-encoded (RFC 3986 unreserved
 * characters and '/' kept), so '?', '#' and '%' in names stay names. */
static char *file_uri(const char *path, const char *query)
{
    size_t n = strlen(path);
    if (n > (SIZE_MAX - 64 - strlen(query)) / 3) return NULL;
    char *u = malloc(3 * n + strlen(query) + 16);
    if (!u) return NULL;
    char *o = u + sprintf(u, "file:");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        unsigned char c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '/' || c == '-' || c == '.' || c == '_' || c == '~')
            *o++ = (char)c;
        else
            o += sprintf(o, "%%%02X", c);
    }
    sprintf(o, "?%s", query);
    return u;
}

/* Opens with the query and reads the schema: SQLITE_OK or the error code,
 * message in err. */
static int try_open(const char *path, const char *query, int busy_ms, sqlite3 **out, cs_err *err)
{
    *out = NULL;
    char *uri = file_uri(path, query);
    if (!uri) {
        cs_err_nomem(err);
        return SQLITE_NOMEM;
    }
    sqlite3 *h = NULL;
    int rc = sqlite3_open_v2(uri, &h, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
                             NULL);
    free(uri);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(h, busy_ms);
        sqlite3_extended_result_codes(h, 1);
        rc = sqlite3_exec(h, "SELECT COUNT(*) FROM sqlite_master", NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK) {
        cs_err_setc(err, cs_db_code(h), "%s: %s", path, h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
        sqlite3_close_v2(h);
        return rc;
    }
    *out = h;
    return SQLITE_OK;
}

int cs_libdb_open(const char *path, int busy_ms, sqlite3 **out, bool *immutable, cs_err *err)
{
    *out = NULL;
    *immutable = false;
    struct stat sb;
    if (stat(path, &sb) != 0) return cs_err_setc(err, CS_ERR_IO, "%s: %s", path, strerror(errno));
    if (S_ISDIR(sb.st_mode)) return cs_err_setc(err, CS_ERR_IO, "%s: %s", path, strerror(EISDIR));
    if (sb.st_size == 0) return cs_err_setc(err, CS_ERR_FORMAT, "%s: empty file", path);
    int rc = try_open(path, "mode=ro", busy_ms, out, err);
    if (rc == SQLITE_OK) return 0;
    int primary = rc & 0xff;
    if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT || primary == SQLITE_NOMEM)
        return -1;
    /* Locked past the timeout, or a WAL file we may not add an -shm to. */
    cs_err e2 = {0};
    rc = try_open(path, "mode=ro&immutable=1", busy_ms, out, &e2);
    if (rc != SQLITE_OK) return cs_err_setc(err, e2.code, "%s", e2.msg);
    *immutable = true;
    return 0;
}

int cs_libdb_has_table(sqlite3 *h, const char *path, const char *table, cs_err *err)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(h, "SELECT 1 FROM sqlite_master WHERE type IN ('table','view') AND "
                              "name = ? COLLATE NOCASE", -1, &q, NULL) != SQLITE_OK)
        return cs_err_setc(err, cs_db_code(h), "%s: %s", path, sqlite3_errmsg(h));
    sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    int out = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
    if (out < 0) cs_err_setc(err, cs_db_code(h), "%s: %s", path, sqlite3_errmsg(h));
    sqlite3_finalize(q);
    return out;
}
