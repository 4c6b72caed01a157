/* cs export --merge: shard manifests in, checked parts into the set
 * (export_shard.h, export_shard_run.h). */
#include <dirent.h>
#include <fcntl.h>
#include <sndfile.h>
#include <stdarg.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/export_shard_run.h"
#include "pkg/fsutil.h"

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

static double dnum(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
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
    for (int i = 0; i < N_COUNTS; i++) m->counts[i] = num(c, cs_shard_status_names[i], 0);
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
int cs_merge_load(cs_shard_run *r, char **dirs, int n)
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
    /* A folder shared by runs with another N keeps the older manifests: the
     * newest shard's N is the merge's, the others are left out, said once each. */
    size_t newest = 0;
    for (size_t k = 1; k < r->nm; k++)
        if (dnum(r->m[k].root, "started") > dnum(r->m[newest].root, "started")) newest = k;
    r->count = r->m[newest].count;
    for (size_t k = 0; k < r->nm; k++)
        if (r->m[k].count != r->count)
            cs_log_warn("export: merge: %s/cs-shard-%u-of-%u.json left out: an older run's (the newest shard, in %s, "
                        "is one of %u)", r->m[k].dir, r->m[k].index, r->m[k].count, r->m[newest].dir, r->count);
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
        if (r->m[k].count != r->count) continue;
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

int cs_merge_plan(void *arg, cs_export_part *p)
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

void cs_merge_report(void *arg, const cs_export_part *p)
{
    cs_shard_run *r = arg;
    r->plan_hash = cs_shard_hash_more(r->plan_hash, p->key);
    r->plan_jobs++;
}

/* The plans match: every shard planned the jobs this merge plans. */
void cs_merge_check_plans(cs_shard_run *r)
{
    if (r->checked) return;
    r->checked = true;
    char plan[17];
    snprintf(plan, sizeof plan, "%016llx", (unsigned long long)r->plan_hash);
    for (size_t k = 0; k < r->nm; k++) {
        const manifest *m = &r->m[k];
        if (m->count == r->count && usable(m) && (!m->plan_hash || strcmp(m->plan_hash, plan) || m->plan_jobs != r->plan_jobs))
            problem(r, false, "shard %u/%u (%s) planned another export (%ld jobs, plan %s; this merge: %ld jobs, "
                    "plan %s): give the merge the shards' selection and rendering options", m->index, m->count,
                    m->dir, m->plan_jobs, m->plan_hash ? m->plan_hash : "?", r->plan_jobs, plan);
    }
}

int cs_merge_finish(cs_shard_run *r, int rc)
{
    cs_merge_check_plans(r);
    for (size_t k = 0; k < r->nm; k++) {
        const manifest *m = &r->m[k];
        if (m->count != r->count) continue;
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
