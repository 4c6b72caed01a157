/* Track selection by BPM range and key list. */
#include "pkg/select.h"
#include "pkg/select_test.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pkg/key.h"

/* Bounds come from sums like 122.5 - 2 and BPMs from decimal text; a bound
 * that is equal on paper must stay inclusive after rounding. */
#define BPM_EPS 1e-9

void cs_selection_init(cs_selection *s)
{
    memset(s, 0, sizeof *s);
    s->n_sections = 6;
}

static void free_keys(cs_selection *s)
{
    for (size_t i = 0; i < s->n_keys; i++) free(s->keys[i]);
    free(s->keys);
    free(s->key_codes);
    s->keys = NULL;
    s->key_codes = NULL;
    s->n_keys = 0;
}

void cs_selection_free(cs_selection *s)
{
    free_keys(s);
}

void cs_selection_set_bpm(cs_selection *s, double bpm, double delta)
{
    delta = fabs(delta);
    s->has_min = s->has_max = true;
    s->bpm_min = bpm - delta;
    s->bpm_max = bpm + delta;
}

/* [*b, *e) trimmed of blanks. */
static void trim(const char **b, const char **e)
{
    while (*b < *e && isspace((unsigned char)**b)) (*b)++;
    while (*e > *b && isspace((unsigned char)(*e)[-1])) (*e)--;
}

static int add_key(cs_selection *s, const char *b, size_t n, cs_err *err)
{
    char *text = malloc(n + 1);
    char **keys = realloc(s->keys, (s->n_keys + 1) * sizeof *keys);
    if (keys) s->keys = keys;
    int *codes = keys ? realloc(s->key_codes, (s->n_keys + 1) * sizeof *codes) : NULL;
    if (codes) s->key_codes = codes;
    if (!text || !codes) {
        free(text);
        return cs_err_nomem(err);   /* CS_ERR_NOMEM through set_keys */
    }
    memcpy(text, b, n);
    text[n] = '\0';
    s->keys[s->n_keys] = text;
    s->key_codes[s->n_keys] = cs_key_parse(text);
    s->n_keys++;
    return 0;
}

int cs_selection_set_keys(cs_selection *s, const char *list, cs_err *err)
{
    free_keys(s);
    const char *p = list ? list : "";
    for (;;) {
        const char *comma = strchr(p, ',');
        const char *b = p, *e = comma ? comma : p + strlen(p);
        trim(&b, &e);
        int r = e > b ? add_key(s, b, (size_t)(e - b), err) : 0;
        if (r < 0) {
            free_keys(s);
            return r;
        }
        if (!comma) break;
        p = comma + 1;
    }
    if (s->n_keys == 0) return cs_err_setc(err, CS_ERR_USAGE, "no key in \"%s\"", list ? list : "");
    return 0;
}

bool cs_selection_match_bpm(const cs_selection *s, double bpm)
{
    if (s->has_min && !(bpm >= s->bpm_min - BPM_EPS)) return false;
    if (s->has_max && !(bpm <= s->bpm_max + BPM_EPS)) return false;
    return true;
}

/* Case-insensitive comparison of trimmed texts, for notations we cannot
 * parse: the user typed what the collection says. */
static bool same_text(const char *a, const char *b)
{
    const char *ae = a + strlen(a), *be = b + strlen(b);
    trim(&a, &ae);
    trim(&b, &be);
    return ae - a == be - b && strncasecmp(a, b, (size_t)(ae - a)) == 0;
}

bool cs_selection_match_key(const cs_selection *s, const char *track_key)
{
    if (s->n_keys == 0) return true;
    if (!track_key) return false;
    int code = cs_key_parse(track_key);
    for (size_t i = 0; i < s->n_keys; i++) {
        if (code >= 0 && s->key_codes[i] == code) return true;
        if (code < 0 && s->key_codes[i] < 0 && same_text(s->keys[i], track_key)) return true;
    }
    return false;
}

bool cs_selection_match(const cs_selection *s, double bpm, const char *track_key)
{
    return cs_selection_match_bpm(s, bpm) && cs_selection_match_key(s, track_key);
}
