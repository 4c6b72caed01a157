/* Option tables: parse, help and list (see opt.h).  Our own small parser
 * because getopt_long can neither print help from its table nor take
 * argparse-style word lists (--dummy_args), and its error texts are not
 * ours; the edit distance is a dozen lines no Debian library offers alone. */
#include "cmd/opt.h"
#include "pkg/err.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define HELP_COL 24   /* where help text starts in --help */

int cs_usage_error(const char *cmd, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (cmd) cs_log_error("%s: %s (see 'cs %s --help')", cmd, msg, cmd);
    else cs_log_error("%s (see 'cs --help')", msg);
    return CS_EXIT_USAGE;
}

bool cs_opt_double(const char *cmd, const char *opt, const char *v, double *out)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (!*v || *end || errno || !isfinite(d)) {
        cs_usage_error(cmd, "%s: '%s' is not a number", opt, v);
        return false;
    }
    *out = d;
    return true;
}

bool cs_opt_int(const char *cmd, const char *opt, const char *v, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long l = strtol(v, &end, 10);
    if (!*v || *end || errno) {
        cs_usage_error(cmd, "%s: '%s' is not a whole number", opt, v);
        return false;
    }
    if (l < lo || l > hi) {
        cs_usage_error(cmd, "%s: %ld is out of range (%ld..%ld)", opt, l, lo, hi);
        return false;
    }
    *out = l;
    return true;
}

/* Levenshtein distance, ASCII case ignored; strings longer than 63 bytes
 * count as far from everything. */
static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63) return 99;
    int row[64];
    for (size_t j = 0; j <= lb; j++) row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            int best = diag + cost;
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *cs_did_you_mean(const char *s, const char *const *cands, size_t n)
{
    const char *best = NULL;
    int bd = 3;
    for (size_t i = 0; i < n; i++) {
        if (!cands[i]) continue;
        int d = edit_distance(s, cands[i]);
        if (d < bd) bd = d, best = cands[i];
    }
    return best && (size_t)bd < strlen(s) ? best : NULL;
}

/* ---- the global options: --db, -q, -v in every command ------------------ */

static int set_verbosity(const cs_option *o, char **w, int n)
{
    (void)w, (void)n;
    ((cs_ctx *)o->value)->verbosity = (int)o->lo;
    cs_log_set_level((int)o->lo);
    return 0;
}

#define N_GLOBAL 4
static void globals(cs_ctx *ctx, cs_option g[N_GLOBAL])
{
    const cs_option t[N_GLOBAL] = {
        OPT_STRING(0, "db", ctx ? &ctx->db_path : NULL, "PATH",
                   "library database (default $CS_DB, else\n"
                   "$XDG_DATA_HOME/crowdstream/library.db, ~/.local/share/...)"),
        { .type = CS_OPT_CALLBACK, .short_name = 'q', .long_name = "quiet", .value = ctx,
          .cb = set_verbosity, .lo = CS_LOG_QUIET, .help = "errors only" },
        { .type = CS_OPT_CALLBACK, .short_name = 'v', .long_name = "verbose", .value = ctx,
          .cb = set_verbosity, .lo = CS_LOG_VERBOSE, .help = "more detail" },
        OPT_END(),
    };
    memcpy(g, t, sizeof t);
}

/* The library path when no --db is given: $CS_DB, else the XDG data folder. */
static const char *default_db(void)
{
    static char buf[4096];
    const char *env = getenv("CS_DB");
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    if (env && *env) return env;
    if (xdg && *xdg) snprintf(buf, sizeof buf, "%s/crowdstream/library.db", xdg);
    else snprintf(buf, sizeof buf, "%s/.local/share/crowdstream/library.db", home && *home ? home : ".");
    return buf;
}

/* ---- help and listing ---------------------------------------------------- */

static const char *argname(const cs_option *o, char *buf, size_t cap)
{
    if (o->type == CS_OPT_ENUM && !o->argh) {
        cs_name_list(o->names, "|", buf, cap);
        for (char *p = buf; (p = strstr(p, ", ")); ) memmove(p, p + 1, strlen(p)), *p = '|';
        return buf;
    }
    if (o->type == CS_OPT_BOOL || (o->type == CS_OPT_CALLBACK && o->nargs == 0)) return NULL;
    return o->argh ? o->argh : "VALUE";
}

static void help_options(FILE *f, const cs_option *opts)
{
    for (const cs_option *o = opts; o->type != CS_OPT_END; o++) {
        if (o->flags & CS_OPT_HIDDEN) continue;
        if (o->type == CS_OPT_GROUP) {
            fprintf(f, "%s\n", o->help);
            continue;
        }
        char ab[256], left[512];
        const char *a = argname(o, ab, sizeof ab);
        int w = snprintf(left, sizeof left, "  %s%c%s%s%s%s%s", o->short_name ? "-" : "",
                         o->short_name ? o->short_name : ' ', o->short_name && o->long_name ? ", " : "",
                         o->long_name ? "--" : "", o->long_name ? o->long_name : "", a ? " " : "",
                         a ? a : "");
        if (!o->short_name) memmove(left + 2, left + 3, strlen(left + 3) + 1), w--;
        fputs(left, f);
        const char *h = o->help ? o->help : "";
        if (w >= HELP_COL - 1) fprintf(f, "\n%*s", HELP_COL, "");
        else fprintf(f, "%*s", HELP_COL - w, "");
        for (const char *nl; (nl = strchr(h, '\n')); h = nl + 1)
            fprintf(f, "%.*s\n%*s", (int)(nl - h), h, HELP_COL, "");
        fprintf(f, "%s\n", h);
    }
}

void cs_opt_help(FILE *f, const cs_optdef *def, const cs_option *opts)
{
    fputs(def->usage, f);
    if (def->intro) fprintf(f, "\n%s", def->intro);
    fputc('\n', f);
    if (!def->cmd) {
        cs_option g[N_GLOBAL];
        globals(NULL, g);
        fputs("global options (also accepted after the command):\n", f);
        help_options(f, g);
    }
    help_options(f, opts);
    fprintf(f, "  -h, --help%*sthis text\n", HELP_COL - 12, "");
    bool yes_no = false;
    for (const cs_option *o = opts; o->type != CS_OPT_END; o++)
        yes_no |= o->type == CS_OPT_BOOL && o->long_name && !(o->flags & CS_OPT_HIDDEN);
    if (yes_no) fprintf(f, "a yes/no option --NAME is turned off by --no-NAME, and --no-NAME by --NAME;\n"
                           "the last one given wins\n");
    if (def->outro) fprintf(f, "\n%s", def->outro);
}

void cs_opt_list(FILE *f, const char *cmd, const cs_option *opts)
{
    if (!cmd) {
        cs_option g[N_GLOBAL];
        globals(NULL, g);
        cs_opt_list(f, "cs", g);
    }
    for (const cs_option *o = opts; o->type != CS_OPT_END; o++) {
        if (o->type == CS_OPT_GROUP) continue;
        char ab[256], cb[256] = "-", sh[3] = "-";
        const char *a = argname(o, ab, sizeof ab);
        if (o->type == CS_OPT_ENUM) cs_name_list(o->names, ",", cb, sizeof cb);
        for (char *p = cb; (p = strstr(p, ", ")); ) memmove(p + 1, p + 2, strlen(p + 2) + 1);
        if (o->short_name) sh[0] = '-', sh[1] = o->short_name;
        const char *h = o->help ? o->help : "";
        int hl = (int)strcspn(h, "\n");
        int nargs = o->type == CS_OPT_CALLBACK ? o->nargs : a ? 1 : 0;
        fprintf(f, "%s\t%s\t%s%s\t%s\t%d\t%s\t%.*s\n", cmd ? cmd : "cs", sh, o->long_name ? "--" : "-",
                o->long_name ? o->long_name : "", a ? a : "-", nargs, cb, hl, h);
    }
}

/* ---- parsing ------------------------------------------------------------- */

typedef struct parser {
    const cs_optdef *def;
    const cs_option *opts, *glob;
} parser;

static const char *display(const cs_option *o, char buf[8])
{
    if (o->long_name) return NULL;
    snprintf(buf, 8, "-%c", o->short_name);
    return buf;
}

/* An option word: "-x..." or "--..." but not a negative number ("-5", "-.5"). */
static bool is_option_word(const char *w)
{
    return w[0] == '-' && w[1] && !isdigit((unsigned char)w[1]) && w[1] != '.';
}

static int apply(const parser *p, const cs_option *o, const char *name, char **words, int n)
{
    const char *cmd = p->def->cmd;
    const char *v = n > 0 ? words[0] : NULL;
    switch (o->type) {
    case CS_OPT_BOOL:
        if (o->value) *(bool *)o->value = true;
        break;
    case CS_OPT_STRING:
        *(const char **)o->value = v;
        break;
    case CS_OPT_DOUBLE:
        if (!cs_opt_double(cmd, name, v, o->value)) return -1;
        break;
    case CS_OPT_INT:
        if (!cs_opt_int(cmd, name, v, o->lo, o->hi, o->value)) return -1;
        break;
    case CS_OPT_ENUM: {
        int x = cs_name_lookup(o->names, v);
        if (x < 0) {
            char list[256];
            const char *cands[32];
            size_t nc = 0;
            for (const cs_name *q = o->names; q->name && nc < 32; q++) cands[nc++] = q->name;
            const char *dym = cs_did_you_mean(v, cands, nc);
            cs_usage_error(cmd, "%s: '%s' is not %s%s%s%s", name, v,
                           cs_name_list(o->names, " or ", list, sizeof list), dym ? "; did you mean '" : "",
                           dym ? dym : "", dym ? "'?" : "");
            return -1;
        }
        *(int *)o->value = x;
        break;
    }
    case CS_OPT_CALLBACK:
        if (o->cb(o, words, n) < 0) return -1;
        break;
    default:
        break;
    }
    if (o->seen) *o->seen = true;
    return 0;
}

static int unknown(const parser *p, const char *word)
{
    const char *cands[128];
    size_t n = 0;
    const cs_option *tabs[2] = { p->opts, p->glob };
    bool is_long = word[1] == '-';
    char shorts[128][3];
    for (int t = 0; t < 2; t++)
        for (const cs_option *o = tabs[t]; o->type != CS_OPT_END && n < 126; o++) {
            if (o->type == CS_OPT_GROUP || (o->flags & CS_OPT_HIDDEN)) continue;
            if (is_long && o->long_name) cands[n++] = o->long_name;
            if (!is_long && o->short_name) {
                snprintf(shorts[n], 3, "%c", o->short_name);
                cands[n] = shorts[n];
                n++;
            }
        }
    if (is_long) cands[n++] = "help";
    char key[128];
    snprintf(key, sizeof key, "%.*s", (int)strcspn(word + (is_long ? 2 : 1), "="), word + (is_long ? 2 : 1));
    const char *dym = is_long ? cs_did_you_mean(key, cands, n) : NULL;
    if (dym) return cs_usage_error(p->def->cmd, "unknown option '%s'; did you mean '--%s'?", word, dym);
    return cs_usage_error(p->def->cmd, "unknown option '%s'", word);
}

/* The option named by "--name" (len bytes): exact, else a unique prefix.
 * Sets *ambiguous when several options start so. */
static const cs_option *find_long(const parser *p, const char *name, size_t len, bool *ambiguous)
{
    const cs_option *tabs[2] = { p->opts, p->glob }, *hit = NULL;
    int hits = 0;
    for (int t = 0; t < 2; t++)
        for (const cs_option *o = tabs[t]; o->type != CS_OPT_END; o++) {
            if (!o->long_name || strncmp(o->long_name, name, len)) continue;
            if (strlen(o->long_name) == len) return o;
            if (hit != o) hits++, hit = o;
        }
    *ambiguous = hits > 1;
    return hits == 1 ? hit : NULL;
}

static const cs_option *find_short(const parser *p, char c)
{
    const cs_option *tabs[2] = { p->opts, p->glob };
    for (int t = 0; t < 2; t++)
        for (const cs_option *o = tabs[t]; o->type != CS_OPT_END; o++)
            if (o->short_name == c && o->type != CS_OPT_GROUP) return o;
    return NULL;
}

/* git's negation of a yes/no option: "--no-NAME" for a yes/no option NAME
 * (exact or a unique prefix), and "--NAME" for one declared "no-NAME".
 * Either way the caller sets the option's variable false: NAME's "yes" or
 * no-NAME's "no" is taken back (the last word given wins, as in git).  NULL
 * when the word is neither; *ambiguous when "--no-PREFIX" starts several. */
static const cs_option *negation(const parser *p, const char *name, size_t len, bool *ambiguous)
{
    bool amb = false;
    const cs_option *o = NULL;
    if (len > 3 && !strncmp(name, "no-", 3)) {
        o = find_long(p, name + 3, len - 3, &amb);
        *ambiguous = amb;
        if (o && o->type == CS_OPT_BOOL && strncmp(o->long_name, "no-", 3)) return o;
        return NULL;
    }
    char full[160];
    if (len + 4 > sizeof full) return NULL;
    snprintf(full, sizeof full, "no-%.*s", (int)len, name);
    o = find_long(p, full, len + 3, &amb);
    return o && o->type == CS_OPT_BOOL && !strcmp(o->long_name, full) ? o : NULL;
}

static int takes(const cs_option *o)
{
    if (o->type == CS_OPT_BOOL) return 0;
    if (o->type == CS_OPT_CALLBACK) return o->nargs;
    return 1;
}

/* One option word at argv[*i]; advances *i past the words it takes. */
static int one(const parser *p, int argc, char **argv, int *i, const char *word)
{
    const cs_option *o;
    const char *inline_v = NULL;
    char nbuf[8], lname[160];
    if (word[1] == '-') {
        const char *name = word + 2;
        size_t len = strcspn(name, "=");
        if (name[len] == '=') inline_v = name + len + 1;
        bool amb = false, neg_amb = false;
        o = find_long(p, name, len, &amb);
        /* An option named in full wins; then a negation named in full; a
         * prefix of both an option and a negation is ambiguous. */
        const cs_option *neg = o && strlen(o->long_name) == len ? NULL : negation(p, name, len, &neg_amb);
        bool neg_full = neg && (strlen(neg->long_name) == len + 3 ||
                                (len > 3 && strlen(neg->long_name) == len - 3));
        if (neg && o && !neg_full) amb = true;
        if (neg_full || (neg && !o)) o = NULL;
        else neg = NULL;
        if (amb || (!o && !neg && neg_amb))
            return cs_usage_error(p->def->cmd, "option '%.*s' is ambiguous", (int)len + 2, word);
        if (!o && !neg) return unknown(p, word);
        if (neg) {
            if (inline_v) return cs_usage_error(p->def->cmd, "%.*s takes no value", (int)len + 2, word);
            if (neg->value) *(bool *)neg->value = false;
            if (neg->seen) *neg->seen = true;
            return 0;
        }
    } else {
        o = find_short(p, word[1]);
        if (!o) return unknown(p, word);
        if (word[2]) inline_v = word + 2;
    }
    const char *name = display(o, nbuf);
    if (!name) snprintf(lname, sizeof lname, "--%s", o->long_name), name = lname;
    int k = takes(o);
    if (k == 0) {
        if (inline_v) return cs_usage_error(p->def->cmd, "%s takes no value", name);
        return apply(p, o, name, NULL, 0);
    }
    /* Values: the inline one first, then following words. */
    char *words[16];
    int n = 0;
    if (inline_v) words[n++] = (char *)inline_v;
    if (k < 0) {
        if (inline_v) return cs_usage_error(p->def->cmd, "%s takes its words after a space", name);
        int first = *i + 1;
        while (*i + 1 < argc && !is_option_word(argv[*i + 1])) (*i)++;
        return apply(p, o, name, argv + first, *i + 1 - first);
    }
    while (n < k && *i + 1 < argc) words[n++] = argv[++*i];
    if (n < k && k == 1) return cs_usage_error(p->def->cmd, "%s needs a value", name);
    if (n < k) return cs_usage_error(p->def->cmd, "%s needs %d values", name, k);
    return apply(p, o, name, words, n);
}

int cs_opt_parse(const cs_optdef *def, const cs_option *opts, int argc, char **argv, cs_ctx *ctx,
                 unsigned flags)
{
    cs_option g[N_GLOBAL];
    globals(ctx, g);
    if (!ctx) g[0].type = CS_OPT_END;
    parser p = { def, opts, g };
    char **pos = calloc((size_t)argc + 1, sizeof *pos);
    if (!pos) {
        cs_log_error("%s%sout of memory", def->cmd ? def->cmd : "", def->cmd ? ": " : "");
        return CS_OPT_RC_FAIL;
    }
    int npos = 0, rc = 0;
    bool words_only = false;
    for (int i = 1; i < argc; i++) {
        const char *w = argv[i];
        if (words_only || w[0] != '-' || !w[1]) {
            pos[npos++] = argv[i];
            if (flags & CS_OPT_STOP_AT_WORD) words_only = true;
            continue;
        }
        if (!strcmp(w, "--")) {
            words_only = true;
            continue;
        }
        if (!strcmp(w, "-h") || !strcmp(w, "--help")) {
            cs_opt_help(stdout, def, opts);
            rc = CS_OPT_RC_HELP;
            break;
        }
        if (!strcmp(w, "--list-options")) {
            cs_opt_list(stdout, def->cmd, opts);
            rc = CS_OPT_RC_HELP;
            break;
        }
        if (one(&p, argc, argv, &i, w) != 0) {
            rc = CS_OPT_RC_USAGE;
            break;
        }
    }
    /* Words a callback kept point into argv at or after their option: the
     * positionals below are only written over earlier slots when a command
     * takes both (none of ours keeps words and takes positionals). */
    if (rc == 0) {
        if (ctx && !ctx->db_path && !(flags & CS_OPT_STOP_AT_WORD)) ctx->db_path = default_db();
        for (int k = 0; k < npos; k++) argv[k] = pos[k];
        rc = npos;
    }
    free(pos);
    return rc;
}
