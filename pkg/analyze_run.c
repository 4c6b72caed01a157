/* cs analyze's batch: inputs to jobs, workers, progress (analyze_run.h). */
#include "pkg/analyze_run.h"
#include "pkg/allin1.h"
#include "pkg/analyze.h"
#include "pkg/err.h"
#include "pkg/fsutil.h"
#include "pkg/workpool.h"

static bool is_audio(const char *name);

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct job {
    char *audio;   /* as found */
    char *out;     /* OUT/<rel>.json */
} job;

typedef struct run {
    const cs_analyze_run_opts *o;
    job *v;
    size_t n, cap, done;
    double *secs;  /* per job: seconds of audio analysed */
    cs_analyze_run_stats *st;
} run;

bool cs_analyze_is_audio_name(const char *name) { return is_audio(name); }

static bool is_audio(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot || !dot[1] || strlen(dot + 1) > 8) return false;
    char ext[10];
    size_t i = 0;
    for (const char *s = dot + 1; *s; s++) ext[i++] = (char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s);
    ext[i] = 0;
    const char *list = CS_ANALYZE_EXTENSIONS;
    size_t el = strlen(ext);
    for (const char *p = list; (p = strstr(p, ext)); p += el)
        if ((p == list || p[-1] == ' ') && (p[el] == ' ' || !p[el])) return true;
    return false;
}

/* rel: the audio's path below its input folder (or its file name). */
static int add_job(run *r, const char *audio, const char *rel)
{
    if (r->n == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 64;
        job *nv = realloc(r->v, nc * sizeof *nv);
        if (!nv) return -1;
        r->v = nv;
        r->cap = nc;
    }
    const char *dot = strrchr(rel, '.');
    int stem = dot ? (int)(dot - rel) : (int)strlen(rel);
    char out[PATH_MAX];
    if (snprintf(out, sizeof out, "%s/%.*s.json", r->o->out_dir, stem, rel) >= (int)sizeof out) {
        cs_log_error("%s: path too long", audio);
        r->st->failed++;
        return 0;
    }
    job j = { strdup(audio), strdup(out) };
    if (!j.audio || !j.out) {
        free(j.audio);
        free(j.out);
        return -1;
    }
    r->v[r->n++] = j;
    return 0;
}

static int walk(run *r, const char *dir, const char *rel, int depth)
{
    DIR *d = opendir(dir);
    if (!d) {
        cs_log_error("%s: %s", dir, strerror(errno));
        r->st->failed++;
        return 0;
    }
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[PATH_MAX], sub[PATH_MAX];
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path ||
            snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", e->d_name) >= (int)sizeof sub)
            continue;
        struct stat sb;
        if (stat(path, &sb) < 0) continue;
        if (S_ISDIR(sb.st_mode)) {
            if (depth < 32) rc = walk(r, path, sub, depth + 1);
        } else if (S_ISREG(sb.st_mode) && is_audio(e->d_name)) {
            rc = add_job(r, path, sub);
        }
    }
    closedir(d);
    return rc;
}

static int cmp_job(const void *a, const void *b)
{
    return strcmp(((const job *)a)->out, ((const job *)b)->out);
}

typedef enum { DO_ANALYSE, UP_TO_DATE, KEEP_ALLIN1 } verdict;

static verdict judge(const job *j, bool force)
{
    struct stat sa, so;
    if (!cs_is_file(j->out, &so)) return DO_ANALYSE;
    cs_struct s;
    cs_err e;
    if (cs_allin1_load(j->out, &s, &e) < 0) return DO_ANALYSE;   /* broken: redo */
    verdict v = DO_ANALYSE;
    if (!s.source) v = KEEP_ALLIN1;
    else if (!force && !strcmp(s.source, cs_analyze_source()) && stat(j->audio, &sa) == 0 &&
             (so.st_mtim.tv_sec > sa.st_mtim.tv_sec ||
              (so.st_mtim.tv_sec == sa.st_mtim.tv_sec && so.st_mtim.tv_nsec >= sa.st_mtim.tv_nsec)))
        v = UP_TO_DATE;
    cs_struct_free(&s);
    return v;
}

/* Analyses one file and writes its JSON; 0, or -1 after logging why. */
static int do_job(const job *j, double *seconds)
{
    char abs[PATH_MAX];
    const char *path = realpath(j->audio, abs) ? abs : j->audio;
    cs_struct s;
    cs_err e = {0};
    if (cs_analyze_file(path, &s, &e) < 0) {
        cs_log_error("%s", e.msg);
        return -1;
    }
    *seconds = s.segments.n ? s.segments.v[s.segments.n - 1].end : 0;
    char *json = cs_allin1_to_json(&s);
    cs_struct_free(&s);
    int rc = -1;
    if (!json) cs_log_error("%s: out of memory", j->audio);
    else if (cs_mkdirs_for(j->out) < 0 || cs_write_atomic(j->out, json, strlen(json)) < 0)
        cs_log_error("%s: cannot write: %s", j->out, strerror(errno));
    else rc = 0;
    free(json);
    return rc;
}

/* One analysis on a pool worker: the result waits in res[i] for the
 * in-order consumer (so the log lists files in name order). */
static int work_one(void *arg, size_t i)
{
    run *r = arg;
    r->secs[i] = 0;
    return do_job(&r->v[i], &r->secs[i]);
}

static int consume_one(void *arg, size_t i, int rc)
{
    run *r = arg;
    if (rc < 0) r->st->failed++;
    else {
        r->st->analysed++;
        r->st->audio_seconds += r->secs[i];
    }
    if (r->o->progress == 1) cs_log_info("analyze: %s%s", rc < 0 ? "FAILED " : "", r->v[i].out);
    r->done = i + 1;
    return 0;
}

static void draw_bar(void *arg, size_t done, size_t n, int last)
{
    (void)arg;
    int width = 30, fill = n ? (int)((size_t)width * done / n) : width;
    fprintf(stderr, "\ranalyze [%.*s%*s] %zu/%zu files%s", fill,
            "##############################", width - fill, "", done, n, last ? "\n" : "");
    fflush(stderr);
}

static void run_workers(run *r)
{
    r->secs = calloc(r->n, sizeof *r->secs);
    if (!r->secs) {
        cs_log_error("analyze: out of memory");
        r->st->failed += (long)r->n;
        return;
    }
    cs_workpool_ops ops = { .work = work_one, .consume = consume_one,
                            .progress = r->o->progress == 2 ? draw_bar : NULL, .progress_every = 0.25 };
    cs_workpool_opts po = { .threads = r->o->jobs < 1 ? 1 : r->o->jobs, .window = 0 };
    cs_workpool_run(r->n, &po, &ops, r);
    free(r->secs);
    r->secs = NULL;
}

int cs_analyze_run(const cs_analyze_run_opts *o, cs_analyze_run_stats *st)
{
    memset(st, 0, sizeof *st);
    run r = { .o = o, .st = st };
    int rc = 0;
    for (size_t i = 0; i < o->n_inputs && rc == 0; i++) {
        struct stat sb;
        const char *in = o->inputs[i];
        if (stat(in, &sb) < 0) {
            cs_log_error("%s: %s", in, strerror(errno));
            st->failed++;
        } else if (S_ISDIR(sb.st_mode)) {
            rc = walk(&r, in, "", 0);
        } else {
            const char *base = strrchr(in, '/');
            rc = add_job(&r, in, base ? base + 1 : in);
        }
    }
    if (rc < 0) cs_log_error("analyze: out of memory");
    qsort(r.v, r.n, sizeof *r.v, cmp_job);
    /* Two audio files with one struct name: the first keeps it. */
    size_t w = 0;
    for (size_t i = 0; i < r.n; i++) {
        if (w > 0 && !strcmp(r.v[w - 1].out, r.v[i].out)) {
            cs_log_error("%s: same struct name as %s (%s); skipped", r.v[i].audio, r.v[w - 1].audio,
                         r.v[i].out);
            st->failed++;
            free(r.v[i].audio);
            free(r.v[i].out);
            continue;
        }
        r.v[w++] = r.v[i];
    }
    r.n = w;
    st->found = (long)r.n + st->failed;
    /* Judge first (cheap), then analyse what is left, in parallel. */
    size_t todo = 0;
    for (size_t i = 0; i < r.n; i++) {
        verdict v = judge(&r.v[i], o->force);
        if (v == UP_TO_DATE) st->up_to_date++;
        else if (v == KEEP_ALLIN1) {
            st->kept_allin1++;
            cs_log_warn("%s: an allin1 struct (no \"source\"); kept, not overwritten", r.v[i].out);
        }
        if (v != DO_ANALYSE) {
            free(r.v[i].audio);
            free(r.v[i].out);
            continue;
        }
        r.v[todo++] = r.v[i];
    }
    r.n = todo;
    if (r.n > 0 && cs_mkdirs(o->out_dir) < 0) {
        cs_log_error("%s: %s", o->out_dir, strerror(errno));
        st->failed += (long)r.n;
    } else if (r.n > 0) {
        run_workers(&r);
    }
    for (size_t i = 0; i < r.n; i++) {
        free(r.v[i].audio);
        free(r.v[i].out);
    }
    free(r.v);
    return rc < 0 || st->failed > 0 ? -1 : 0;
}
