/* cs export --shard, --merge, --dry-run (export_shard.h). */
#include "cmd/export_shard.h"

#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "pkg/fsutil.h"
#include "pkg/stretch.h"

#define MANIFEST_FORMAT "cs-shard"
#define MANIFEST_VERSION 1
#define MAX_PART_LINES 20     /* per-part merge problems named before "... and N more" */

enum { MODE_SHARD, MODE_MERGE, MODE_DRY };
enum { N_RENDERED, N_UP, N_SKIPPED, N_FAILED, N_COUNTS };
static const char *const status_names[N_COUNTS] = { "rendered", "up_to_date", "skipped", "failed" };

typedef struct mjob {          /* one job of a shard manifest (strings in its cJSON) */
    const char *name, *key, *status, *why;
    long long frames, bytes;
    int rate;
    size_t m;                  /* its manifest */
} mjob;

typedef struct manifest {
    char dir[PATH_MAX];
    cJSON *root;
    unsigned index, count;
    const char *state, *host;
    long counts[N_COUNTS], jobs, plan_jobs;
    const char *plan_hash;
} manifest;

struct cs_shard_run {
    int mode;
    cs_shard sh;
    bool sharded;
    cs_export_opts *o;
    const cs_render_cache *cache;
    const cs_selopts *so;
    uint64_t plan_hash;
    long plan_jobs;
    long counts[N_COUNTS];
    /* shard: the journal (render cache of the shard's folder) */
    cs_render_cache cache_wrap;
    char parts_abs[PATH_MAX], journal_path[PATH_MAX];
    FILE *journal;
    struct jent *jents;
    size_t njents;
    char manifest_path[PATH_MAX];
    cJSON *jobs;
    time_t started;
    /* merge */
    manifest *m;
    size_t nm;
    unsigned count;
    mjob *idx;
    size_t nidx;
    long problems, part_problems, placed;
    long orphans;              /* parts of shards already named (missing, unfinished, partial) */
    bool checked;
    /* dry run */
    long dry_todo, dry_up, dry_other, dry_parts_todo_stretch;
    double todo_stretch_s, todo_cut_s;
};

static uint64_t fnv_more(uint64_t h, const char *s)
{
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (h ^ '\n') * 1099511628211ULL;
}

static const char *method_label(const cs_export_opts *o)
{
    if (o->method == CS_STRETCH_WSOLA) return o->plain_atempo ? "atempo" : "wsola";
    if (o->method == CS_STRETCH_RATE) return "rate";
    return o->quality == CS_STRETCH_FAST ? "rubberband fast" : "rubberband best";
}

/* ---- the shard manifest ----------------------------------------------------- */

static cJSON *selection_json(const cs_shard_run *r)
{
    const cs_selopts *so = r->so;
    const cs_export_opts *o = r->o;
    cJSON *s = cJSON_CreateObject();
    if (so->has_bpm) cJSON_AddNumberToObject(s, "bpm", so->bpm);
    if (so->has_delta) cJSON_AddNumberToObject(s, "delta", so->delta);
    if (so->has_min) cJSON_AddNumberToObject(s, "bpm_min", so->bpm_min);
    if (so->has_max) cJSON_AddNumberToObject(s, "bpm_max", so->bpm_max);
    if (so->keys) cJSON_AddStringToObject(s, "keys", so->keys);
    cJSON_AddNumberToObject(s, "n_sections", (double)so->n_sections);
    cJSON *rungs = cJSON_AddArrayToObject(s, "rungs");
    for (size_t i = 0; rungs && i < o->targets.n; i++) cJSON_AddItemToArray(rungs, cJSON_CreateNumber(o->targets.v[i]));
    cJSON_AddStringToObject(s, "stretch", method_label(o));
    cJSON_AddNumberToObject(s, "rate", o->rate);
    return s;
}

static int write_manifest(cs_shard_run *r, const char *state)
{
    char host[256] = "?", plan[17];
    gethostname(host, sizeof host - 1);
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "format", MANIFEST_FORMAT);
    cJSON_AddNumberToObject(root, "format_version", MANIFEST_VERSION);
    cJSON_AddStringToObject(root, "cs_version", CS_VERSION);
    cJSON *sh = cJSON_AddObjectToObject(root, "shard");
    cJSON_AddNumberToObject(sh, "index", r->sh.index);
    cJSON_AddNumberToObject(sh, "count", r->sh.count);
    cJSON_AddStringToObject(root, "state", state);
    cJSON_AddStringToObject(root, "host", host);
    cJSON_AddNumberToObject(root, "started", (double)r->started);
    if (strcmp(state, "running")) cJSON_AddNumberToObject(root, "finished", (double)time(NULL));
    cJSON_AddItemToObject(root, "selection", selection_json(r));
    snprintf(plan, sizeof plan, "%016llx", (unsigned long long)r->plan_hash);
    cJSON *pl = cJSON_AddObjectToObject(root, "plan");
    cJSON_AddNumberToObject(pl, "jobs", (double)r->plan_jobs);
    cJSON_AddStringToObject(pl, "hash", plan);
    cJSON *c = cJSON_AddObjectToObject(root, "counts");
    long mine = 0;
    for (int i = 0; i < N_COUNTS; i++) {
        cJSON_AddNumberToObject(c, status_names[i], (double)r->counts[i]);
        mine += r->counts[i];
    }
    cJSON_AddNumberToObject(c, "jobs", (double)mine);
    cJSON_AddItemToObject(root, "jobs", r->jobs ? r->jobs : cJSON_CreateArray());
    r->jobs = NULL;
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    int rc = text && cs_write_atomic(r->manifest_path, text, strlen(text)) == 0 ? 0 : -1;
    if (rc < 0) cs_log_error("%s: cannot write the shard manifest: %s", r->manifest_path,
                             text ? strerror(errno) : "out of memory");
    free(text);
    return rc;
}

static int shard_plan(void *arg, cs_export_part *p)
{
    cs_shard_run *r = arg;
    return cs_shard_mine(&r->sh, p->key) ? CS_PART_RENDER : CS_PART_ELSEWHERE;
}

static int status_index(cs_part_status s)
{
    return s == CS_PART_RENDERED ? N_RENDERED : s == CS_PART_UP_TO_DATE ? N_UP
         : s == CS_PART_SKIPPED ? N_SKIPPED : N_FAILED;
}

static void shard_report(void *arg, const cs_export_part *p)
{
    cs_shard_run *r = arg;
    r->plan_hash = fnv_more(r->plan_hash, p->key);
    r->plan_jobs++;
    if (!cs_shard_mine(&r->sh, p->key)) return;
    int s = status_index(p->status);
    r->counts[s]++;
    if (!r->jobs && !(r->jobs = cJSON_CreateArray())) return;
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "key", p->key);
    cJSON_AddStringToObject(j, "part", p->name);
    cJSON_AddStringToObject(j, "status", status_names[s]);
    if (s == N_RENDERED || s == N_UP) {
        struct stat sb;
        cJSON_AddNumberToObject(j, "frames", (double)p->frames);
        cJSON_AddNumberToObject(j, "rate", p->rate);
        cJSON_AddNumberToObject(j, "bytes", stat(p->out_abs, &sb) == 0 ? (double)sb.st_size : -1);
    }
    cJSON_AddStringToObject(j, "fingerprint", p->fingerprint);
    if (p->why) cJSON_AddStringToObject(j, "why", p->why);
    cJSON_AddItemToArray(r->jobs, j);
}

/* ---- the shard's journal ------------------------------------------------------
 * PARTS/cs-shard-I-of-N.journal: one line per part finished, appended and
 * flushed as it is recorded ("fingerprint TAB bytes TAB frames TAB rate TAB
 * name").  It makes a shard resumable without the library database that
 * rendered it (a Slurm task re-run on another node, its database on the
 * first node's local disk): a part is up to date when the database says so,
 * or when the journal's last line for its name has its fingerprint and the
 * file still has those bytes.  A killed shard's last line may be cut: it
 * lacks its newline and is ignored. */

typedef struct jent {
    char *name, *fp;
    long long bytes, frames;
    int rate;
    size_t seq;
} jent;

static int by_jname(const void *a, const void *b)
{
    const jent *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int journal_load(cs_shard_run *r)
{
    char *text = cs_read_file(r->journal_path, NULL);
    if (!text) return errno == ENOENT ? 0 : -1;
    char *line = text, *nl;
    while ((nl = strchr(line, '\n'))) {
        *nl = 0;
        char fp[64];
        long long bytes, frames;
        int rate, at = 0;
        if (sscanf(line, "%63[^\t]\t%lld\t%lld\t%d\t%n", fp, &bytes, &frames, &rate, &at) == 4 && at > 0) {
            jent *v = realloc(r->jents, (r->njents + 1) * sizeof *v);
            if (!v) { free(text); return -1; }
            r->jents = v;
            jent *e = &v[r->njents];
            e->name = strdup(line + at);
            e->fp = strdup(fp);
            if (!e->name || !e->fp) { free(e->name); free(e->fp); free(text); return -1; }
            e->bytes = bytes;
            e->frames = frames;
            e->rate = rate;
            e->seq = r->njents++;
        }
        line = nl + 1;
    }
    free(text);
    if (r->njents) qsort(r->jents, r->njents, sizeof *r->jents, by_jname);
    return 0;
}

static const char *name_in_parts(const cs_shard_run *r, const char *out_path)
{
    size_t n = strlen(r->parts_abs);
    return !strncmp(out_path, r->parts_abs, n) && out_path[n] == '/' ? out_path + n + 1 : NULL;
}

static bool journal_up_to_date(void *ctx, const char *out_path, const char *fingerprint, long long *frames, int *rate)
{
    cs_shard_run *r = ctx;
    const cs_render_cache *in = r->cache;
    if (in->up_to_date(in->ctx, out_path, fingerprint, frames, rate)) return true;
    const char *name = name_in_parts(r, out_path);
    if (!name || !r->njents) return false;
    /* The last line for the name: the highest seq among the equal names. */
    const jent *hit = NULL;
    for (size_t lo = 0, hi = r->njents; lo < hi;) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(r->jents[mid].name, name);
        if (c == 0) hit = &r->jents[mid];
        if (c <= 0) lo = mid + 1;
        else hi = mid;
    }
    struct stat sb;
    if (!hit || strcmp(hit->fp, fingerprint) || stat(out_path, &sb) < 0 || !S_ISREG(sb.st_mode) ||
        (long long)sb.st_size != hit->bytes)
        return false;
    *frames = hit->frames;
    *rate = hit->rate;
    return true;
}

static int journal_record(void *ctx, const cs_render_rec *rec, cs_err *err)
{
    cs_shard_run *r = ctx;
    if (r->cache->record(r->cache->ctx, rec, err) < 0) return -1;
    const char *name = name_in_parts(r, rec->out_path);
    if (!r->journal || !name || strpbrk(name, "\t\n")) return 0;
    if (fprintf(r->journal, "%s\t%lld\t%lld\t%d\t%s\n", rec->fingerprint, rec->out_size, rec->frames, rec->rate,
                name) < 0 || fflush(r->journal) != 0)
        return cs_err_set(err, "%s: %s", r->journal_path, strerror(errno));
    return 0;
}

/* ---- the merge ---------------------------------------------------------------- */

static void problem(cs_shard_run *r, bool per_part, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void problem(cs_shard_run *r, bool per_part, const char *fmt, ...)
{
    r->problems++;
    if (per_part && r->part_problems++ >= MAX_PART_LINES) return;
    char line[PATH_MAX * 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    cs_log_error("export: merge: %s", line);
}

static long num(const cJSON *o, const char *name, long dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) ? (long)v->valuedouble : dflt;
}

static const char *str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int load_manifest(cs_shard_run *r, const char *dir, const char *file)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", dir, file) >= (int)sizeof path) return 0;
    char *text = cs_read_file(path, NULL);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    free(text);
    const cJSON *sh = cJSON_GetObjectItemCaseSensitive(root, "shard");
    if (!root || !str(root, "format") || strcmp(str(root, "format"), MANIFEST_FORMAT) ||
        num(sh, "count", 0) < 1 || num(sh, "index", -1) < 0 || num(sh, "index", -1) >= num(sh, "count", 0)) {
        problem(r, false, "%s: not a readable shard manifest", path);
        cJSON_Delete(root);
        return 0;
    }
    if (num(root, "format_version", 0) > MANIFEST_VERSION) {
        problem(r, false, "%s: format_version %ld is newer than this cs reads (%d)", path,
                num(root, "format_version", 0), MANIFEST_VERSION);
        cJSON_Delete(root);
        return 0;
    }
    manifest *m = realloc(r->m, (r->nm + 1) * sizeof *m);
    if (!m) { cJSON_Delete(root); return -1; }
    r->m = m;
    m = &r->m[r->nm++];
    memset(m, 0, sizeof *m);
    snprintf(m->dir, sizeof m->dir, "%s", dir);
    m->root = root;
    m->index = (unsigned)num(sh, "index", 0);
    m->count = (unsigned)num(sh, "count", 0);
    m->state = str(root, "state") ? str(root, "state") : "?";
    m->host = str(root, "host") ? str(root, "host") : "?";
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(root, "counts");
    for (int i = 0; i < N_COUNTS; i++) m->counts[i] = num(c, status_names[i], 0);
    const cJSON *pl = cJSON_GetObjectItemCaseSensitive(root, "plan");
    m->plan_jobs = num(pl, "jobs", -1);
    m->plan_hash = str(pl, "hash");
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const mjob *)a)->name, ((const mjob *)b)->name);
}

static bool usable(const manifest *m)
{
    return !strcmp(m->state, "done");
}

/* Reads the manifests in the folders, names each missing, unfinished or
 * partial shard, and indexes the jobs of the finished ones by part name. */
static int merge_load(cs_shard_run *r, char **dirs, int n)
{
    for (int d = 0; d < n; d++) {
        DIR *dh = opendir(dirs[d]);
        if (!dh) {
            problem(r, false, "%s: %s", dirs[d], strerror(errno));
            continue;
        }
        size_t before = r->nm;
        struct dirent *e;
        while ((e = readdir(dh))) {
            unsigned i, c;
            char tail[8] = "";
            if (sscanf(e->d_name, "cs-shard-%u-of-%u.js%7s", &i, &c, tail) == 3 && !strcmp(tail, "on") &&
                load_manifest(r, dirs[d], e->d_name) < 0) {
                closedir(dh);
                return -1;
            }
        }
        closedir(dh);
        if (r->nm == before) problem(r, false, "%s: no shard manifest (cs-shard-I-of-N.json) in it", dirs[d]);
    }
    if (!r->nm) return 0;
    r->count = r->m[0].count;
    for (size_t k = 1; k < r->nm; k++)
        if (r->m[k].count != r->count)
            problem(r, false, "%s: shard %u/%u, but %s holds shard %u/%u: one N for every shard", r->m[k].dir,
                    r->m[k].index, r->m[k].count, r->m[0].dir, r->m[0].index, r->m[0].count);
    for (unsigned i = 0; i < r->count; i++) {
        const manifest *found = NULL;
        for (size_t k = 0; k < r->nm; k++) {
            const manifest *m = &r->m[k];
            if (m->index != i || m->count != r->count) continue;
            if (found) {
                char a[PATH_MAX], b[PATH_MAX];
                if (!realpath(found->dir, a) || !realpath(m->dir, b) || strcmp(a, b))
                    problem(r, false, "shard %u/%u is in both %s and %s: give one", i, r->count, found->dir, m->dir);
                continue;
            }
            found = m;
            if (!strcmp(m->state, "running"))
                problem(r, false, "shard %u/%u (%s, host %s) did not finish: its manifest still says running "
                        "(killed, or still at work); re-run it, it renders only what is missing", i, r->count,
                        m->dir, m->host);
            else if (!usable(m))
                problem(r, false, "shard %u/%u (%s): unknown state '%s'", i, r->count, m->dir, m->state);
            else if (m->counts[N_FAILED])
                problem(r, false, "shard %u/%u (%s, host %s) is partial: %ld of its parts failed (its log "
                        "says why); re-run it", i, r->count, m->dir, m->host, m->counts[N_FAILED]);
        }
        if (!found) problem(r, false, "shard %u/%u is missing: no cs-shard-%u-of-%u.json in the folders given",
                            i, r->count, i, r->count);
    }
    for (size_t k = 0; k < r->nm; k++) {
        const cJSON *jobs = cJSON_GetObjectItemCaseSensitive(r->m[k].root, "jobs"), *j;
        cJSON_ArrayForEach(j, jobs) {
            mjob mj = { str(j, "part"), str(j, "key"), str(j, "status"), str(j, "why"),
                        num(j, "frames", -1), num(j, "bytes", -1), (int)num(j, "rate", 0), k };
            if (!mj.name || !mj.key || !mj.status) continue;
            mjob *v = realloc(r->idx, (r->nidx + 1) * sizeof *v);
            if (!v) return -1;
            r->idx = v;
            r->idx[r->nidx++] = mj;
        }
    }
    if (r->nidx) qsort(r->idx, r->nidx, sizeof *r->idx, by_name);
    return 0;
}

/* src into dst: nothing when it is the same file, else a hard link (a
 * copy across file systems) under a temporary name renamed onto dst. */
static int place(const char *src, const char *dst)
{
    struct stat a, b;
    if (stat(src, &a) < 0) return -1;
    if (stat(dst, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) return 0;
    if (cs_mkdirs_for(dst) < 0) return -1;
    cs_remove_stale_temps(dst);
    char tmp[CS_TEMP_NAME_MAX];
    int fd = cs_temp_open(dst, tmp);
    if (fd < 0) return -1;
    close(fd);
    unlink(tmp);
    if (link(src, tmp) == 0) {
        if (rename(tmp, dst) == 0) return 0;
        int e = errno;
        unlink(tmp);
        errno = e;
        return -1;
    }
    if ((fd = cs_temp_open(dst, tmp)) < 0) return -1;
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0) { cs_temp_abort(fd, tmp); return -1; }
    char buf[1 << 16];
    ssize_t got;
    while ((got = read(in, buf, sizeof buf)) > 0)
        for (ssize_t off = 0; off < got;) {
            ssize_t w = write(fd, buf + off, (size_t)(got - off));
            if (w < 0) { int e = errno; close(in); cs_temp_abort(fd, tmp); errno = e; return -1; }
            off += w;
        }
    int e = errno;
    close(in);
    if (got < 0) { cs_temp_abort(fd, tmp); errno = e; return -1; }
    return cs_temp_commit(fd, tmp, dst);
}

static int merge_plan(void *arg, cs_export_part *p)
{
    cs_shard_run *r = arg;
    mjob want = { .name = p->name };
    const mjob *j = r->nidx ? bsearch(&want, r->idx, r->nidx, sizeof want, by_name) : NULL;
    unsigned owner = r->count ? cs_shard_of(p->key, r->count) : 0;
    if (!j) {
        /* A shard already named missing or unfinished is not named again per part. */
        bool named = false;
        for (size_t k = 0; k < r->nm; k++)
            named |= r->m[k].index == owner && r->m[k].count == r->count && usable(&r->m[k]) &&
                     !r->m[k].counts[N_FAILED];
        if (named) problem(r, true, "%s: not in shard %u/%u's manifest (its shard by key)", p->name, owner, r->count);
        else r->orphans++;
        return CS_PART_ELSEWHERE;
    }
    const manifest *m = &r->m[j->m];
    if (strcmp(j->key, p->key)) {
        problem(r, true, "%s (shard %u/%u, %s): rendered for another job: its key %s, this merge's %s", p->name,
                m->index, m->count, m->dir, j->key, p->key);
        return CS_PART_ELSEWHERE;
    }
    if (!strcmp(j->status, "skipped")) {
        cs_log_warn("%s: skipped (in shard %u/%u): %s", cs_lib_track_name(p->track), m->index, m->count,
                    j->why ? j->why : "?");
        return CS_PART_SKIPPED;
    }
    if (strcmp(j->status, "rendered") && strcmp(j->status, "up_to_date")) {
        if (usable(m) && !m->counts[N_FAILED]) problem(r, true, "%s: %s in shard %u/%u (%s)", p->name, j->status, m->index, m->count, m->dir);
        else r->orphans++;
        return CS_PART_ELSEWHERE;
    }
    char src[PATH_MAX];
    struct stat sb;
    SF_INFO info = {0};
    SNDFILE *sf = NULL;
    if (snprintf(src, sizeof src, "%s/%s", m->dir, p->name) >= (int)sizeof src || stat(src, &sb) < 0) {
        problem(r, true, "%s: listed by shard %u/%u but missing: %s", src, m->index, m->count, strerror(errno));
        return CS_PART_ELSEWHERE;
    }
    if ((long long)sb.st_size != j->bytes || !(sf = sf_open(src, SFM_READ, &info)) || info.frames != j->frames) {
        problem(r, true, "%s (shard %u/%u): %lld bytes, %lld frames; its manifest says %lld bytes, %lld frames",
                src, m->index, m->count, (long long)sb.st_size, sf ? (long long)info.frames : -1LL, j->bytes,
                j->frames);
        if (sf) sf_close(sf);
        return CS_PART_ELSEWHERE;
    }
    sf_close(sf);
    if (place(src, p->out_abs) < 0) {
        problem(r, true, "%s: cannot put it into the set as %s: %s", src, p->out_abs, strerror(errno));
        return CS_PART_ELSEWHERE;
    }
    r->placed++;
    p->frames = info.frames;
    p->rate = info.samplerate;
    return CS_PART_UP_TO_DATE;
}

static void merge_report(void *arg, const cs_export_part *p)
{
    cs_shard_run *r = arg;
    r->plan_hash = fnv_more(r->plan_hash, p->key);
    r->plan_jobs++;
}

/* The plans match: every shard planned the jobs this merge plans. */
static void merge_check_plans(cs_shard_run *r)
{
    if (r->checked) return;
    r->checked = true;
    char plan[17];
    snprintf(plan, sizeof plan, "%016llx", (unsigned long long)r->plan_hash);
    for (size_t k = 0; k < r->nm; k++) {
        const manifest *m = &r->m[k];
        if (usable(m) && (!m->plan_hash || strcmp(m->plan_hash, plan) || m->plan_jobs != r->plan_jobs))
            problem(r, false, "shard %u/%u (%s) planned another export (%ld jobs, plan %s; this merge: %ld jobs, "
                    "plan %s): give the merge the shards' selection and rendering options", m->index, m->count,
                    m->dir, m->plan_jobs, m->plan_hash ? m->plan_hash : "?", r->plan_jobs, plan);
    }
}

/* ---- the dry run ---------------------------------------------------------------- */

static int dry_plan(void *arg, cs_export_part *p)
{
    cs_shard_run *r = arg;
    if (r->sharded && !cs_shard_mine(&r->sh, p->key)) {
        r->dry_other++;
        return CS_PART_ELSEWHERE;
    }
    long long frames;
    int rate;
    bool up = !r->o->force && r->cache->up_to_date(r->cache->ctx, p->out_abs, p->fingerprint, &frames, &rate);
    if (up) r->dry_up++;
    else {
        r->dry_todo++;
        if (p->target > 0) { r->todo_stretch_s += p->seconds; r->dry_parts_todo_stretch++; }
        else r->todo_cut_s += p->seconds;
    }
    printf("%-10s %7.1f s  %s\n", up ? "up-to-date" : "render", p->seconds, p->name);
    return CS_PART_ELSEWHERE;
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU seconds per second of output of this export's stretcher, measured
 * now: 6 s of synthetic stereo at 44.1 kHz (a chord with a beat every
 * 0.5 s) stretched from 120 to 126 BPM.  -1 when the stretch fails. */
static double measure_stretch(const cs_export_opts *o)
{
    const int rate = 44100;
    cs_audio in = {0}, out = {0};
    if (cs_audio_alloc(&in, (size_t)rate * 6, 2, rate) < 0) return -1;
    for (size_t i = 0; i < in.frames; i++) {
        double t = (double)i / rate, beat = fmod(t, 0.5);
        double x = 0.2 * sin(2 * M_PI * 220 * t) + 0.15 * sin(2 * M_PI * 277.2 * t) +
                   0.3 * exp(-beat * 30) * sin(2 * M_PI * 60 * t);
        in.data[2 * i] = (float)x;
        in.data[2 * i + 1] = (float)(0.9 * x);
    }
    double beats[12];
    for (int i = 0; i < 12; i++) beats[i] = 0.5 * i;
    cs_dvec anchors = { beats, 12 };
    cs_err e = {{0}};
    double t0 = cpu_now();
    int rc = cs_stretch_render_anchored(&in, 126.0 / 120.0, o->method, o->quality, o->plain_atempo ? NULL : &anchors,
                                        &out, &e);
    double cpu = cpu_now() - t0, secs = rc == 0 ? cs_audio_seconds(&out) : 0;
    cs_audio_free(&in);
    cs_audio_free(&out);
    return rc == 0 && secs > 0 ? cpu / secs : -1;
}

static void dry_summary(cs_shard_run *r)
{
    const cs_export_opts *o = r->o;
    if (r->sharded)
        printf("dry run: shard %u/%u: %ld jobs of %ld (%ld are other shards'); up to date %ld, to render %ld\n",
               r->sh.index, r->sh.count, r->dry_todo + r->dry_up, r->dry_todo + r->dry_up + r->dry_other,
               r->dry_other, r->dry_up, r->dry_todo);
    else
        printf("dry run: %ld jobs; up to date %ld, to render %ld\n", r->dry_todo + r->dry_up, r->dry_up, r->dry_todo);
    if (!r->dry_todo) {
        printf("estimate: nothing to render (0 CPU-hours, 0 GB)\n");
        return;
    }
    double ratio = r->dry_parts_todo_stretch ? measure_stretch(o) : 0;
    static const double bytes_per_sample[] = { 2, 3, 4, 2 * 0.6, 3 * 0.6 };   /* wav16 .. flac24 */
    int rate = o->rate ? o->rate : 44100;
    double secs = r->todo_stretch_s + r->todo_cut_s;
    double bytes = secs * rate * 2 * bytes_per_sample[(unsigned)o->format < 5 ? o->format : 0];
    if (ratio < 0) printf("estimate: CPU time unknown: the %s stretch failed on this machine\n", method_label(o));
    else
        printf("estimate: %.3g CPU-hours (%s: %.3g CPU-s per second of output, measured just now on this machine "
               "by stretching 6 s of synthetic stereo; %.0f s of stretched audio to render; decoding and writing "
               "not counted)\n", ratio * r->todo_stretch_s / 3600, method_label(o), ratio, r->todo_stretch_s);
    printf("estimate: %.3g GB of parts (%.0f s of audio at %d Hz%s, stereo assumed%s)\n", bytes / 1e9, secs, rate,
           o->rate ? "" : " (the sources' rate is not read: 44.1 kHz assumed)",
           o->format >= CS_FMT_FLAC16 ? "; FLAC taken as 60% of WAV, typical for music, not measured" : "");
}

/* ---- the run -------------------------------------------------------------------- */

int cs_shard_args_check(const cs_shard_args *a)
{
    cs_shard sh;
    cs_err e = {{0}};
    if (a->n_merge && (a->shard || a->dry_run))
        return cs_usage_error("export", "--merge gathers finished shards: no --shard or --dry-run with it");
    if (a->shard && cs_shard_parse(a->shard, &sh, &e) < 0) return cs_usage_error("export", "--shard: %s", e.msg);
    return 0;
}

int cs_shard_run_start(const cs_shard_args *a, cs_export_opts *o, const cs_render_cache *cache,
                       const cs_selopts *so, cs_shard_run **out)
{
    *out = NULL;
    if (!a->shard && !a->n_merge && !a->dry_run) return 0;
    int rc = cs_shard_args_check(a);
    if (rc) return rc;
    cs_shard_run *r = calloc(1, sizeof *r);
    if (!r) {
        cs_log_error("export: out of memory");
        return CS_EXIT_FAIL;
    }
    r->o = o;
    r->cache = cache;
    r->so = so;
    r->plan_hash = 14695981039346656037ULL;
    r->started = time(NULL);
    if (a->shard) {
        cs_err e = {{0}};
        if (cs_shard_parse(a->shard, &r->sh, &e) < 0) {
            free(r);
            return cs_usage_error("export", "--shard: %s", e.msg);
        }
        r->sharded = true;
    }
    o->hook_arg = r;
    *out = r;
    if (a->n_merge) {
        r->mode = MODE_MERGE;
        o->plan_hook = merge_plan;
        o->report = merge_report;
        if (merge_load(r, a->merge, a->n_merge) < 0) {
            cs_log_error("export: merge: out of memory");
            return CS_EXIT_FAIL;
        }
        return 0;
    }
    if (a->dry_run) {
        r->mode = MODE_DRY;
        o->plan_hook = dry_plan;
        return 0;
    }
    r->mode = MODE_SHARD;
    o->plan_hook = shard_plan;
    o->report = shard_report;
    char name[64];
    cs_shard_manifest_name(name, sizeof name, &r->sh);
    if (cs_mkdirs(o->parts_dir) < 0 ||
        snprintf(r->manifest_path, sizeof r->manifest_path, "%s/%s", o->parts_dir, name) >= (int)sizeof r->manifest_path) {
        cs_log_error("export: %s: cannot create the parts folder: %s", o->parts_dir, strerror(errno));
        return CS_EXIT_FAIL;
    }
    if (!realpath(o->parts_dir, r->parts_abs) ||
        snprintf(r->journal_path, sizeof r->journal_path, "%s/cs-shard-%u-of-%u.journal", o->parts_dir, r->sh.index,
                 r->sh.count) >= (int)sizeof r->journal_path ||
        journal_load(r) < 0 || !(r->journal = fopen(r->journal_path, "a"))) {
        cs_log_error("export: %s: %s", r->journal_path, strerror(errno));
        return CS_EXIT_FAIL;
    }
    r->cache_wrap = (cs_render_cache){ r, journal_up_to_date, journal_record };
    if (write_manifest(r, "running") < 0) return CS_EXIT_FAIL;
    cs_log_info("export: shard %u/%u: parts and %s in %s", r->sh.index, r->sh.count, name, o->parts_dir);
    return 0;
}

const cs_render_cache *cs_shard_run_cache(const cs_shard_run *r, const cs_render_cache *cache)
{
    return r && r->mode == MODE_SHARD ? &r->cache_wrap : cache;
}

bool cs_shard_run_writes_set(const cs_shard_run *r)
{
    if (!r) return true;
    if (r->mode != MODE_MERGE) return false;
    merge_check_plans((cs_shard_run *)r);
    return r->problems == 0 && r->orphans == 0;
}

int cs_shard_run_finish(cs_shard_run *r, const cs_export_stats *st, int rc)
{
    if (!r) return rc;
    if (r->mode == MODE_DRY) {
        if (rc == CS_EXIT_OK || st->tracks) dry_summary(r);
        return rc;
    }
    if (r->mode == MODE_SHARD) {
        long mine = 0;
        for (int i = 0; i < N_COUNTS; i++) mine += r->counts[i];
        /* An export that could not run at all leaves the manifest "running": the merge names it. */
        if (r->plan_jobs || rc == CS_EXIT_OK)
            if (write_manifest(r, "done") < 0) rc = CS_EXIT_FAIL;
        printf("export: shard %u/%u: %ld of %ld jobs: rendered %ld, up to date %ld, skipped %ld, failed %ld; "
               "manifest %s\n", r->sh.index, r->sh.count, mine, r->plan_jobs, r->counts[N_RENDERED],
               r->counts[N_UP], r->counts[N_SKIPPED], r->counts[N_FAILED], r->manifest_path);
        return rc;
    }
    merge_check_plans(r);
    for (size_t k = 0; k < r->nm; k++) {
        const manifest *m = &r->m[k];
        printf("merge: shard %u/%u (%s, host %s, %s): rendered %ld, up to date %ld, skipped %ld, failed %ld\n",
               m->index, m->count, m->dir, m->host, m->state, m->counts[N_RENDERED], m->counts[N_UP],
               m->counts[N_SKIPPED], m->counts[N_FAILED]);
    }
    if (r->part_problems > MAX_PART_LINES)
        cs_log_error("export: merge: ... and %ld more parts like those", r->part_problems - MAX_PART_LINES);
    if (r->problems || r->orphans) {
        cs_log_error("export: merge: incomplete (%ld problems above; %ld parts belong to the shards named): no CSV "
                     "or set.json written", r->problems, r->orphans);
        return CS_EXIT_FAIL;
    }
    printf("merge: %ld parts from %zu shards into %s\n", r->placed, r->nm, r->o->parts_dir);
    return rc;
}

void cs_shard_run_free(cs_shard_run *r)
{
    if (!r) return;
    for (size_t k = 0; k < r->nm; k++) cJSON_Delete(r->m[k].root);
    free(r->m);
    free(r->idx);
    cJSON_Delete(r->jobs);
    for (size_t i = 0; i < r->njents; i++) {
        free(r->jents[i].name);
        free(r->jents[i].fp);
    }
    free(r->jents);
    if (r->journal) fclose(r->journal);
    free(r);
}
