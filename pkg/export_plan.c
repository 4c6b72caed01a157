/* The export's job list (export_int.h): for each selected track its audio
 * (pkg/findaudio.h, the one lookup), its part file names (unique stems), a
 * fingerprint per part and, from the render cache, what is already up to
 * date (an interrupted run resumes here) or left to another shard (the plan
 * hook).  Runs before any worker; no locking. */
#include "pkg/export_int.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/audio_format.h"
#include "pkg/budget.h"
#include "pkg/findaudio.h"
#include "pkg/fsutil.h"
#include "pkg/parts.h"
#include "pkg/shard.h"

static unsigned long long fnv1a(const char *s)
{
    unsigned long long h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static void fingerprint(const ctx *c, const part_job *p, char out[17])
{
    const track_job *tj = p->tj;
    const cs_export_opts *o = c->o;
    char buf[PATH_MAX + 512];
    snprintf(buf, sizeof buf, "v%d|%s|%lld|%lld.%09ld|%.17g|%.17g|%.17g|%.17g|%s|%d|%s|%d",
             RENDER_VERSION, tj->audio, (long long)tj->audio_sb.st_size,
             (long long)tj->audio_sb.st_mtim.tv_sec, tj->audio_sb.st_mtim.tv_nsec,
             tj->t->cues.ini_cue, tj->t->cues.end_cue, tj->t->bpm, p->target,
             p->target > 0 ? cs_xp_method_name(o) : "orig", (int)o->quality,
             cs_audio_format_name(o->format), o->rate);
    snprintf(out, 17, "%016llx", fnv1a(buf));
}

static char *join3(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 3;
    char *s = malloc(n);
    if (!s) return NULL;
    if (*b) snprintf(s, n, "%s/%s/%s", a, b, c);
    else snprintf(s, n, "%s/%s", a, c);
    return s;
}

/* The track's audio as cs index finds it (cs_find_track_audio: the JSON
 * path, then --audio-dir, the struct file's folder, and last the library's
 * audio_path, which holds the Rekordbox Location index found); made absolute
 * so fingerprints do not depend on the working directory.  *name gets the
 * path as found (before symlinks resolve): the parts are named after its
 * stem. */
static char *find_audio(const cs_lib_track *t, const char *audio_dir, struct stat *sb, char **name,
                        bool *oom)
{
    char real[PATH_MAX];
    /* An out of memory anywhere here is not "audio not found" (make faults:
     * a track was skipped with that warning and the export exited 0). */
    cs_audio_where w = { .path = t->analysed_path, .struct_path = t->struct_path, .audio_dir = audio_dir,
                         .known = t->audio_path };
    char *found = cs_find_track_audio(&w, NULL);
    *oom = !found && errno == ENOMEM;
    *name = found;
    if (!found || !cs_is_file(found, sb)) return NULL;
    char *abs = strdup(realpath(found, real) ? real : found);
    *oom = !abs;
    return abs;
}

/* The part as the hooks see it; key[n] holds its portable key. */
void cs_xp_part_info(const ctx *c, const part_job *p, cs_export_part *info, char *key, size_t n)
{
    const cs_export_opts *o = c->o;
    const track_job *tj = p->tj;
    const char *name = p->rel + strlen(o->parts_dir) + 1;
    cs_shard_job j = { .part = name, .source_bytes = (long long)tj->audio_sb.st_size,
                       .ini_cue = tj->t->cues.ini_cue, .end_cue = tj->t->cues.end_cue, .bpm = tj->t->bpm,
                       .target = p->target, .method = cs_xp_method_name(o),
                       .quality = o->quality == CS_STRETCH_FAST ? "fast" : "best",
                       .format = cs_audio_format_name(o->format), .rate = o->rate, .version = RENDER_VERSION };
    if (cs_shard_key(key, n, &j) < 0) snprintf(key, n, "?");
    *info = (cs_export_part){ .track = tj->t, .audio = tj->audio, .target = p->target, .speed = p->speed,
                              .seconds = (tj->t->cues.end_cue - tj->t->cues.ini_cue) / p->speed,
                              .rel = p->rel, .name = name, .out_abs = p->out_abs, .key = key,
                              .fingerprint = p->fingerprint, .frames = p->frames, .rate = p->rate,
                              .why = tj->skipped ? tj->why : NULL };
}

/* plan_hook's verdict on p; 1 when it settled the part, 0 to go on. */
static int ask_plan_hook(ctx *c, part_job *p)
{
    if (!c->o->plan_hook) return 0;
    char key[PATH_MAX + 256];
    cs_export_part info;
    cs_xp_part_info(c, p, &info, key, sizeof key);
    int v = c->o->plan_hook(c->o->hook_arg, &info);
    if (v == CS_PART_UP_TO_DATE) {
        p->done = true;
        p->frames = info.frames;
        p->rate = info.rate;
        c->st->up_to_date++;
        /* The hook knows the part, not its loudness: measured from the file. */
        p->loud = CS_LOUDNESS_NONE;
        p->measure_only = p->todo = true;
        return 1;
    }
    if (v == CS_PART_SKIPPED) p->tj->skipped = true;
    p->elsewhere = v == CS_PART_ELSEWHERE || v == CS_PART_SKIPPED;
    return p->elsewhere;
}

static int plan_part(ctx *c, track_job *tj, part_job *p, double target, const char *parts_abs,
                     cs_err *err)
{
    const cs_export_opts *o = c->o;
    char name[PATH_MAX], sub[40];
    snprintf(name, sizeof name, "%s_sectioned.%s", tj->stem, cs_audio_format_ext(o->format));
    if (target <= 0) snprintf(sub, sizeof sub, "orig");
    else if (o->ladder) cs_bpm_dirname(sub, target);
    else sub[0] = 0;
    p->tj = tj;
    p->target = target;
    p->speed = target > 0 ? target / tj->t->bpm : 1.0;
    p->out_abs = join3(parts_abs, sub, name);
    p->rel = join3(o->parts_dir, sub, name);
    if (!p->out_abs || !p->rel) return cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
    fingerprint(c, p, p->fingerprint);
    if (ask_plan_hook(c, p)) return 0;
    /* A killed run may have left a temporary even for a part that is up to
     * date (it was being redone with --force). */
    cs_remove_stale_temps(p->out_abs);
    bool measured = false;
    p->loud = CS_LOUDNESS_NONE;
    if (!o->force && c->cache->up_to_date(c->cache->ctx, p->out_abs, p->fingerprint, &p->frames, &p->rate,
                                          &measured, &p->loud)) {
        p->done = true;
        c->st->up_to_date++;
        p->measure_only = p->todo = !measured;
    } else {
        p->todo = true;
        tj->remaining++;
    }
    return 0;
}

/* Two struct files with the same name (in different folders) would write
 * the same part files: the later one gets " (2)", " (3)"... and a warning. */
static bool stem_taken(const ctx *c, size_t i, const char *stem)
{
    for (size_t k = 0; k < i; k++)
        if (!strcmp(c->tracks[k].stem, stem)) return true;
    return false;
}

static int unique_stem(ctx *c, size_t i, char **stem)
{
    char *orig = *stem;
    for (int n = 2; stem_taken(c, i, *stem); n++) {
        char *s = malloc(strlen(orig) + 16);
        if (!s) return -1;
        sprintf(s, "%s (%d)", orig, n);
        if (*stem != orig) free(*stem);
        *stem = s;
    }
    if (*stem != orig) {
        cs_log_warn("%s: another selected track has the same file name; its parts are named \"%s\"",
                    c->tracks[i].t->struct_path, *stem);
        free(orig);
    }
    return 0;
}

static void warn_no_audio(const cs_lib_track *t, const char *audio_dir)
{
    const char *name = cs_lib_track_name(t);
    bool has_path = t->analysed_path && *t->analysed_path;
    if (!audio_dir)
        cs_log_warn("%s: skipped: audio not found (%s; give --audio-dir)", name,
                    has_path ? "neither at its path nor beside the struct file"
                             : "the struct names no path and its folder has no audio file named after it");
    else if (has_path)
        cs_log_warn("%s: skipped: audio not found (neither at its path, nor in %s, nor beside the struct "
                    "file)", name, audio_dir);
    else
        cs_log_warn("%s: skipped: audio not found (the struct names no path and neither %s nor the struct "
                    "file's folder has an audio file named after it)", name, audio_dir);
}

int cs_xp_plan(ctx *c, const cs_lib_track *tracks, const char *parts_abs, cs_err *err)
{
    const cs_export_opts *o = c->o;
    size_t per = 1 + cs_xp_targets_per_track(o);
    /* The stretch budget applies to ladders (a single --target-bpm is the
     * original exporter's: every track at it). */
    unsigned char *keep = NULL;
    if (o->ladder && o->max_stretch > 0 && o->targets.n && !(keep = malloc(o->targets.n)))
        return cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < c->n_tracks; i++) {
        track_job *tj = &c->tracks[i];
        tj->t = &tracks[i];
        tj->energy = -1;
        char *audio_name;
        bool oom;
        tj->audio = find_audio(tj->t, o->audio_dir, &tj->audio_sb, &audio_name, &oom);
        if (oom) {
            free(audio_name);
            free(keep);
            return cs_err_setc(err, CS_ERR_NOMEM, "%s: finding its audio: out of memory", cs_lib_track_name(tj->t));
        }
        /* Named after the audio file, as the original exporter does. */
        tj->stem = cs_part_stem(tj->audio ? audio_name : tj->t->struct_path);
        free(audio_name);
        if (!tj->stem || unique_stem(c, i, &tj->stem) < 0) {
            free(keep);
            return cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
        }
        if (!tj->audio) {
            tj->skipped = true;
            warn_no_audio(tj->t, o->audio_dir);
            continue;
        }
        bool nearest = false;
        if (keep) cs_budget_pick(tj->t->bpm, o->targets.v, o->targets.n, o->max_stretch, keep, &nearest);
        if (nearest) {
            c->st->budget_nearest++;
            for (size_t k = 0; k < o->targets.n; k++)
                if (keep[k])
                    cs_log_warn("%s: %g BPM: no rung within +-%g %%; only its nearest, %g BPM (%+.1f %%)",
                                cs_lib_track_name(tj->t), tj->t->bpm, o->max_stretch, o->targets.v[k],
                                100.0 * (o->targets.v[k] / tj->t->bpm - 1.0));
        }
        for (size_t k = 0; k < per; k++) {
            double target = k == 0 ? 0.0 : o->targets.n ? o->targets.v[k - 1] : tj->t->bpm;
            if (k > 0 && keep && !keep[k - 1]) {
                c->parts[i * per + k].beyond_budget = true;
                c->st->budget_saved++;
                continue;
            }
            if (plan_part(c, tj, &c->parts[i * per + k], target, parts_abs, err) < 0) { free(keep); return -1; }
        }
    }
    free(keep);
    c->todo = malloc((c->n_parts ? c->n_parts : 1) * sizeof *c->todo);
    if (!c->todo) return cs_err_setc(err, CS_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < c->n_parts; i++)
        if (c->parts[i].todo) c->todo[c->n_todo++] = &c->parts[i];
    return 0;
}

