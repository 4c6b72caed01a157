/* cs export --shard: the shard manifest and journal; the run (export_shard.h). */
#include "cmd/export_shard.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/export_shard_run.h"
#include "pkg/fsutil.h"
#include "pkg/stretch.h"

const char *const cs_shard_status_names[N_COUNTS] = { "rendered", "up_to_date", "skipped", "failed" };

uint64_t cs_shard_hash_more(uint64_t h, const char *s)
{
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (h ^ '\n') * 1099511628211ULL;
}

const char *cs_shard_method_label(const cs_export_opts *o)
{
    if (o->method != CS_STRETCH_RUBBERBAND) return cs_stretch_label(o->method, o->plain_atempo);
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
    cJSON_AddStringToObject(s, "stretch", cs_shard_method_label(o));
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
    cJSON_AddNumberToObject(root, "started", r->started);
    if (strcmp(state, "running")) cJSON_AddNumberToObject(root, "finished", (double)time(NULL));
    cJSON_AddItemToObject(root, "selection", selection_json(r));
    snprintf(plan, sizeof plan, "%016llx", (unsigned long long)r->plan_hash);
    cJSON *pl = cJSON_AddObjectToObject(root, "plan");
    cJSON_AddNumberToObject(pl, "jobs", (double)r->plan_jobs);
    cJSON_AddStringToObject(pl, "hash", plan);
    cJSON *c = cJSON_AddObjectToObject(root, "counts");
    long mine = 0;
    for (int i = 0; i < N_COUNTS; i++) {
        cJSON_AddNumberToObject(c, cs_shard_status_names[i], (double)r->counts[i]);
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
    r->plan_hash = cs_shard_hash_more(r->plan_hash, p->key);
    r->plan_jobs++;
    if (!cs_shard_mine(&r->sh, p->key)) return;
    int s = status_index(p->status);
    r->counts[s]++;
    if (!r->jobs && !(r->jobs = cJSON_CreateArray())) return;
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "key", p->key);
    cJSON_AddStringToObject(j, "part", p->name);
    cJSON_AddStringToObject(j, "status", cs_shard_status_names[s]);
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

static bool journal_up_to_date(void *ctx, const char *out_path, const char *fingerprint, long long *frames, int *rate,
                               bool *measured, cs_loudness *loud)
{
    cs_shard_run *r = ctx;
    const cs_render_cache *in = r->cache;
    if (in->up_to_date(in->ctx, out_path, fingerprint, frames, rate, measured, loud)) return true;
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
    /* The journal keeps no loudness: the pipeline measures it from the file. */
    *measured = false;
    *loud = CS_LOUDNESS_NONE;
    return true;
}

static int journal_record_loudness(void *ctx, const char *out_path, const cs_loudness *loud, cs_err *err)
{
    cs_shard_run *r = ctx;
    return r->cache->record_loudness(r->cache->ctx, out_path, loud, err);
}

static int journal_record(void *ctx, const cs_render_rec *rec, cs_err *err)
{
    cs_shard_run *r = ctx;
    if (r->cache->record(r->cache->ctx, rec, err) < 0) return -1;
    const char *name = name_in_parts(r, rec->out_path);
    if (!r->journal || !name || strpbrk(name, "\t\n")) return 0;
    if (fprintf(r->journal, "%s\t%lld\t%lld\t%d\t%s\n", rec->fingerprint, rec->out_size, rec->frames, rec->rate,
                name) < 0 || fflush(r->journal) != 0)
        return cs_err_setc(err, CS_ERR_IO, "%s: %s", r->journal_path, strerror(errno));
    return 0;
}

/* ---- the run -------------------------------------------------------------------- */

int cs_shard_args_check(const cs_shard_args *a)
{
    cs_shard sh;
    cs_err e = {0};
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
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    r->started = (double)now.tv_sec + (double)(now.tv_nsec / 1000) / 1e6;
    if (a->shard) {
        cs_err e = {0};
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
        o->plan_hook = cs_merge_plan;
        o->report = cs_merge_report;
        if (cs_merge_load(r, a->merge, a->n_merge) < 0) {
            cs_log_error("export: merge: out of memory");
            return CS_EXIT_FAIL;
        }
        return 0;
    }
    if (a->dry_run) {
        r->mode = MODE_DRY;
        o->plan_hook = cs_dry_plan;
        struct stat sb;
        r->dry_made_dir = stat(o->parts_dir, &sb) < 0;   /* the pipeline creates it: removed again if empty */
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
    r->cache_wrap = (cs_render_cache){ r, journal_up_to_date, journal_record, journal_record_loudness };
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
    cs_merge_check_plans((cs_shard_run *)r);
    return r->problems == 0 && r->orphans == 0;
}

int cs_shard_run_finish(cs_shard_run *r, const cs_export_stats *st, int rc)
{
    if (!r) return rc;
    if (r->mode == MODE_DRY) {
        if (rc == CS_EXIT_OK || st->tracks) cs_dry_summary(r);
        if (r->dry_made_dir) rmdir(r->o->parts_dir);     /* fails, harmlessly, unless empty */
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
    return cs_merge_finish(r, rc);
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
