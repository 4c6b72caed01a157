/* Render scripts: timed OSC messages in oscsend's argument syntax, built
 * with liblo and run through the same dispatch as network messages. */
#include "player/surface/osc.h"
#include "pkg/rate.h"
#include "pkg/textfile.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct line {
    uint64_t at;
    int order;
    char *path;
    lo_message msg;
} line;

struct cs_osc_script {
    line *lines;
    int n, next;
};

/* Splits on blanks; "..." and '...' group (no escapes, as a shell would
 * pass oscsend's arguments). */
static int tokenize(char *s, char **tok, int max)
{
    int n = 0;
    while (*s && n < max) {
        while (isspace((unsigned char)*s)) s++;
        if (!*s || *s == '#') break;
        if (*s == '"' || *s == '\'') {
            char q = *s++;
            tok[n++] = s;
            while (*s && *s != q) s++;
            if (*s) *s++ = 0;
        } else {
            tok[n++] = s;
            while (*s && !isspace((unsigned char)*s)) s++;
            if (*s) *s++ = 0;
        }
    }
    return n;
}

static int build(lo_message m, const char *types, char **arg, int nargs, char *why, size_t wl)
{
    int k = 0;
    for (const char *t = types; *t; t++) {
        bool takes = strchr("ifdhsS", *t) != NULL;
        if (takes && k >= nargs) {
            snprintf(why, wl, "type '%c' has no argument", *t);
            return -1;
        }
        char *end = NULL;
        int added;   /* liblo: < 0 when growing the message failed */
        errno = 0;
        switch (*t) {
        case 'i': added = lo_message_add_int32(m, (int32_t)strtol(arg[k], &end, 0)); break;
        case 'h': added = lo_message_add_int64(m, strtoll(arg[k], &end, 0)); break;
        case 'f': added = lo_message_add_float(m, strtof(arg[k], &end)); break;
        case 'd': added = lo_message_add_double(m, strtod(arg[k], &end)); break;
        case 's': case 'S': added = lo_message_add_string(m, arg[k]); break;
        case 'T': added = lo_message_add_true(m); break;
        case 'F': added = lo_message_add_false(m); break;
        case 'N': added = lo_message_add_nil(m); break;
        case 'I': added = lo_message_add_infinitum(m); break;
        default:
            snprintf(why, wl, "unsupported type '%c'", *t);
            return -1;
        }
        if (added < 0) {   /* a line without its arguments is never run */
            snprintf(why, wl, "out of memory");
            return CS_ERR_NOMEM;
        }
        if (takes) {
            if (end && (*end || end == arg[k])) {
                snprintf(why, wl, "'%s' is not a %c", arg[k], *t);
                return -1;
            }
            k++;
        }
    }
    if (k < nargs) {
        snprintf(why, wl, "%d arguments but %d types", nargs, k);
        return -1;
    }
    return 0;
}

static int by_time(const void *a, const void *b)
{
    const line *x = a, *y = b;
    if (x->at != y->at) return x->at < y->at ? -1 : 1;
    return x->order - y->order;
}

cs_osc_script *cs_osc_script_load(const char *path, cs_err *err)
{
    /* Through the shared text reader: a BOM and CRLF lines read as if absent. */
    char *text = cs_text_load(path, CS_TEXT_NO_LIMIT, NULL, err);
    if (!text) return NULL;
    cs_osc_script *s = calloc(1, sizeof *s);
    int cap = 0, lineno = 0;
    for (char *buf = text, *next; s && buf; buf = next) {
        if ((next = strchr(buf, '\n')) != NULL) *next++ = '\0';
        else if (!*buf) break;
        lineno++;
        char *tok[64];
        int n = tokenize(buf, tok, 64);
        if (n == 0) continue;
        char *end;
        double t = strtod(tok[0], &end);
        char why[160] = "";
        if (*end || !isfinite(t) || t < 0) snprintf(why, sizeof why, "'%s' is not a time in seconds", tok[0]);
        else if (n < 2 || tok[1][0] != '/') snprintf(why, sizeof why, "expected an OSC address after the time");
        lo_message m = NULL;
        int brc = 0;
        if (!why[0]) {
            if (!(m = lo_message_new())) goto oom;
            if (n >= 3 && (brc = build(m, tok[2], tok + 3, n - 3, why, sizeof why)) < 0) {
                lo_message_free(m);
                m = NULL;
            }
        }
        if (why[0]) {
            cs_err_setc(err, brc == CS_ERR_NOMEM ? CS_ERR_NOMEM : CS_ERR_FORMAT, "%s:%d: %s", path, lineno, why);
            cs_osc_script_free(s);
            free(text);
            return NULL;
        }
        /* Out of memory is never a shorter script (make faults: a failed
         * realloc ended the file early and a failed strdup left a line
         * without its address). */
        if (s->n == cap) {
            int ncap = cap ? 2 * cap : 64;
            line *nl = realloc(s->lines, (size_t)ncap * sizeof *nl);
            if (!nl) { lo_message_free(m); goto oom; }
            s->lines = nl;
            cap = ncap;
        }
        char *addr = strdup(tok[1]);
        if (!addr) { lo_message_free(m); goto oom; }
        int idx = s->n++;
        s->lines[idx] = (line){ (uint64_t)llround(t * CS_RATE), idx, addr, m };
    }
    free(text);
    if (!s) {
        cs_err_setc(err, CS_ERR_NOMEM, "%s: out of memory", path);
        return NULL;
    }
    /* An empty script has lines == NULL, which qsort must not get (UB;
     * found by tests/fuzz/fuzz_script.c). */
    if (s->n > 1) qsort(s->lines, (size_t)s->n, sizeof *s->lines, by_time);
    return s;
oom:
    cs_osc_script_free(s);
    free(text);
    cs_err_setc(err, CS_ERR_NOMEM, "%s: out of memory", path);
    return NULL;
}

int cs_osc_script_add_strings(cs_osc_script **sp, double seconds, const char *path, char *const *args,
                              int nargs, cs_err *err)
{
    if (!isfinite(seconds) || seconds < 0) return cs_err_setc(err, CS_ERR_RANGE, "%s at %g s: not a time in seconds", path, seconds);
    cs_osc_script *s = *sp ? *sp : calloc(1, sizeof *s);
    if (!s) return cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
    *sp = s;
    line *nl = realloc(s->lines, (size_t)(s->n + 1) * sizeof *nl);
    lo_message m = lo_message_new();
    char *p = strdup(path);
    if (!nl || !m || !p) {
        if (nl) s->lines = nl;
        if (m) lo_message_free(m);
        free(p);
        return cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
    }
    s->lines = nl;
    for (int i = 0; i < nargs; i++)
        if (lo_message_add_string(m, args[i]) < 0) {
            lo_message_free(m);
            free(p);
            return cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
        }
    /* After every line not yet run, ties after the file's own lines. */
    int order = 0;
    for (int i = 0; i < s->n; i++) if (s->lines[i].order >= order) order = s->lines[i].order + 1;
    s->lines[s->n++] = (line){ (uint64_t)llround(seconds * CS_RATE), order, p, m };
    qsort(s->lines + s->next, (size_t)(s->n - s->next), sizeof *s->lines, by_time);
    return 0;
}

uint64_t cs_osc_script_next_time(const cs_osc_script *s)
{
    return s->next < s->n ? s->lines[s->next].at : UINT64_MAX;
}

static void print_reply(void *ctx, const char *path, lo_message m)
{
    (void)ctx;
    printf("reply %s", path);
    const char *types = lo_message_get_types(m);
    lo_arg **argv = lo_message_get_argv(m);
    for (int i = 0; types && types[i]; i++) {
        int32_t iv;
        float fv;
        switch (types[i]) {
        case 'i': memcpy(&iv, argv[i], 4); printf(" %d", iv); break;
        case 'f': memcpy(&fv, argv[i], 4); printf(" %g", fv); break;
        case 's': printf(" \"%s\"", (const char *)argv[i]); break;
        default: printf(" <%c>", types[i]);
        }
    }
    printf("\n");
    fflush(stdout);
}

int cs_osc_script_lines(const cs_osc_script *s) { return s ? s->n : 0; }

void cs_osc_script_run_next(cs_osc_script *s, cs_control *c)
{
    if (s->next >= s->n) return;
    line *l = &s->lines[s->next++];
    cs_osc_dispatch(c, l->path, lo_message_get_types(l->msg), lo_message_get_argv(l->msg),
                    lo_message_get_argc(l->msg), print_reply, NULL);
}

void cs_osc_script_free(cs_osc_script *s)
{
    if (!s) return;
    for (int i = 0; i < s->n; i++) {
        free(s->lines[i].path);
        lo_message_free(s->lines[i].msg);
    }
    free(s->lines);
    free(s);
}
