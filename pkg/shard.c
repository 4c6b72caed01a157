/* Sharding the export's render jobs (shard.h). */
#include "pkg/shard.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/csv.h"
#include "pkg/stretch.h"

static int parse_uint(const char *s, const char *end, unsigned long *v)
{
    if (s == end || end - s > 9) return -1;
    unsigned long x = 0;
    for (const char *p = s; p < end; p++) {
        if (*p < '0' || *p > '9') return -1;
        x = x * 10 + (unsigned long)(*p - '0');
    }
    *v = x;
    return 0;
}

int cs_shard_parse(const char *s, cs_shard *sh, cs_err *err)
{
    const char *slash = s ? strchr(s, '/') : NULL;
    unsigned long i, n;
    if (!slash || parse_uint(s, slash, &i) < 0 || parse_uint(slash + 1, slash + strlen(slash), &n) < 0)
        return cs_err_setc(err, CS_ERR_USAGE, "'%s' is not I/N (shard I of N, counted from 0: 0/4 .. 3/4)", s ? s : "");
    if (n < 1 || n > CS_SHARD_MAX)
        return cs_err_setc(err, CS_ERR_USAGE, "'%s': N must be 1..%d", s, CS_SHARD_MAX);
    if (i >= n)
        return cs_err_setc(err, CS_ERR_USAGE, "'%s': I must be 0..%lu (shards are counted from 0)", s, n - 1);
    sh->index = (unsigned)i;
    sh->count = (unsigned)n;
    return 0;
}

int cs_shard_key(char *buf, size_t n, const cs_shard_job *j)
{
    char ini[32], end[32], bpm[32], target[32], how[64];
    cs_fmt_double(ini, j->ini_cue);
    cs_fmt_double(end, j->end_cue);
    cs_fmt_double(bpm, j->bpm);
    cs_fmt_double(target, j->target > 0 ? j->target : 0);
    /* The cut does not depend on the stretcher, nor a non-rubberband
     * stretch on --quality: such options do not make other jobs. */
    if (j->target <= 0) snprintf(how, sizeof how, "orig");
    else if (j->method && !strcmp(j->method, cs_stretch_label(CS_STRETCH_RUBBERBAND, false)))
        snprintf(how, sizeof how, "rubberband/%s", j->quality ? j->quality : "best");
    else snprintf(how, sizeof how, "%s", j->method ? j->method : "?");
    int len = snprintf(buf, n, "v%d|%s|%lld|%s|%s|%s|%s|%s|%s|%d", j->version, j->part,
                       j->source_bytes, ini, end, bpm, target, how, j->format ? j->format : "?", j->rate);
    return len < 0 || (size_t)len >= n ? -1 : len;
}

uint64_t cs_shard_fnv1a(const char *s)
{
    uint64_t h = 14695981039346656037ULL;   /* FNV-1a 64 offset basis */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;   /* FNV 64 prime */
    return h;
}

unsigned cs_shard_jump(uint64_t h, unsigned count)
{
    /* Lamping & Veach 2014, figure 1, with the division done in integers:
     * j = floor((b + 1) * 2^31 / ((key >> 33) + 1)); (b + 1) <= 2^31 keeps
     * the product below 2^62. */
    uint64_t b = 0, j = 0;
    if (count <= 1) return 0;
    while (j < count) {
        b = j;
        h = h * 2862933555777941757ULL + 1;
        j = ((b + 1) << 31) / ((h >> 33) + 1);
    }
    return (unsigned)b;
}

unsigned cs_shard_of(const char *key, unsigned count)
{
    return cs_shard_jump(cs_shard_fnv1a(key), count);
}

bool cs_shard_mine(const cs_shard *sh, const char *key)
{
    return !sh || sh->count <= 1 || cs_shard_of(key, sh->count) == sh->index;
}

void cs_shard_manifest_name(char *buf, size_t n, const cs_shard *sh)
{
    snprintf(buf, n, "cs-shard-%u-of-%u.json", sh->index, sh->count);
}
