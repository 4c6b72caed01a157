/* A track's audio, and audio lookup by name in a folder; see findaudio.h.  The folded compare
 * needs a walk of the folder (readdir), done only when the exact name is
 * not there. */
#include "pkg/findaudio.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pkg/fsutil.h"
#include "pkg/location.h"

static const char *const audio_ext[] = {
    "wav", "aiff", "aif", "flac", "mp3", "m4a", "aac", "ogg", "opus", "mp4", "wma",
};
enum { N_EXT = sizeof audio_ext / sizeof audio_ext[0] };

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/%s", dir, name);
    return p;
}

char *cs_file_stem(const char *path)
{
    const char *base = cs_path_basename(path);
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    return strndup(base, n);
}

/* Rank of an audio extension (index in audio_ext), -1 when not audio. */
static int ext_rank(const char *ext)
{
    for (int i = 0; i < N_EXT; i++)
        if (strcasecmp(ext, audio_ext[i]) == 0) return i;
    return -1;
}

/* Walks dir; for each regular file whose folded key (the whole name, or the
 * stem when by_stem) equals want, keeps the best one.  by name: exactly one
 * may match; by stem: the lowest extension rank wins. */
static char *scan(const char *dir, const char *want, bool by_stem)
{
    char *key = cs_path_fold(want);
    if (!key) { errno = ENOMEM; return NULL; }
    DIR *d = opendir(dir);
    if (!d) { free(key); errno = 0; return NULL; }   /* unreadable: not found */
    bool oom = false;
    char *best = NULL;
    int best_rank = N_EXT, hits = 0;
    /* Extensions are ASCII: a cheap test that spares folding every other
     * file of a big folder (a struct folder is all ".json"). */
    const char *want_dot = by_stem ? NULL : strrchr(want, '.');
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        int rank = 0;
        char *stem = NULL;
        if (!by_stem) {
            const char *dot = strrchr(de->d_name, '.');
            if ((dot == NULL) != (want_dot == NULL) || (dot && strcasecmp(dot, want_dot) != 0)) continue;
        } else {
            const char *dot = strrchr(de->d_name, '.');
            if (!dot || (rank = ext_rank(dot + 1)) < 0 || rank >= best_rank) continue;
            if (!(stem = strndup(de->d_name, (size_t)(dot - de->d_name)))) { oom = true; break; }
        }
        char *fold = cs_path_fold(stem ? stem : de->d_name);
        free(stem);
        if (!fold) { oom = true; break; }
        bool same = strcmp(fold, key) == 0;
        free(fold);
        if (!same) continue;
        char *path = join(dir, de->d_name);
        if (!path) { oom = true; break; }
        if (!cs_is_file(path, NULL)) { free(path); continue; }
        hits++;
        free(best);
        best = path;
        best_rank = rank;
    }
    closedir(d);
    free(key);
    if (oom || (!by_stem && hits > 1)) {   /* ambiguous: do not guess */
        free(best);
        errno = oom ? ENOMEM : 0;
        return NULL;
    }
    if (!best) errno = 0;
    return best;
}

char *cs_find_audio_by_name(const char *dir, const char *name)
{
    if (!dir || !name || !*name) { errno = 0; return NULL; }
    char *p = join(dir, name);
    if (!p) { errno = ENOMEM; return NULL; }
    if (cs_is_file(p, NULL)) return p;
    free(p);
    return scan(dir, name, false);
}

char *cs_find_audio_by_stem(const char *dir, const char *stem)
{
    if (!dir || !stem || !*stem) { errno = 0; return NULL; }
    /* The common case without a walk: the exact stem with a listed extension. */
    for (int i = 0; i < N_EXT; i++) {
        size_t n = strlen(dir) + strlen(stem) + strlen(audio_ext[i]) + 3;
        char *p = malloc(n);
        if (!p) { errno = ENOMEM; return NULL; }
        snprintf(p, n, "%s/%s.%s", dir, stem, audio_ext[i]);
        if (cs_is_file(p, NULL)) return p;
        free(p);
    }
    return scan(dir, stem, true);
}

/* Steps 2 and 3 of cs_find_track_audio in one folder. */
static char *in_dir(const cs_audio_where *w, const char *dir)
{
    if (!dir || !*dir) { errno = 0; return NULL; }
    if (w->path && *w->path) return cs_find_audio_by_name(dir, cs_path_basename(w->path));
    if (!w->struct_path || !*w->struct_path) { errno = 0; return NULL; }
    char *stem = cs_file_stem(w->struct_path);
    if (!stem) { errno = ENOMEM; return NULL; }
    char *found = cs_find_audio_by_stem(dir, stem);
    int e = errno;
    free(stem);
    errno = e;
    return found;
}

static char *dup_file(const char *p, int *oom)
{
    if (!p || !*p || !cs_is_file(p, NULL)) return NULL;
    char *s = strdup(p);
    if (!s) *oom = 1;
    return s;
}

char *cs_find_track_audio(const cs_audio_where *w, cs_audio_place *place)
{
    cs_audio_place at = CS_AUDIO_NOWHERE;
    char *found = NULL, *struct_dir = NULL;
    int oom = 0;
    if ((found = dup_file(w->path, &oom)) || oom) { at = CS_AUDIO_AT_PATH; goto out; }
    errno = 0;
    if ((found = in_dir(w, w->audio_dir)) || (oom = errno == ENOMEM)) { at = CS_AUDIO_IN_AUDIO_DIR; goto out; }
    if (w->struct_path && *w->struct_path) {
        const char *slash = strrchr(w->struct_path, '/');
        struct_dir = slash ? strndup(w->struct_path, slash == w->struct_path ? 1 : (size_t)(slash - w->struct_path))
                           : strdup(".");
        if (!struct_dir) { oom = 1; goto out; }
        errno = 0;
        if ((found = in_dir(w, struct_dir)) || (oom = errno == ENOMEM)) { at = CS_AUDIO_BESIDE_STRUCT; goto out; }
    }
    if ((found = dup_file(w->location, &oom)) || oom) { at = CS_AUDIO_AT_LOCATION; goto out; }
    if ((found = dup_file(w->known, &oom)) || oom) { at = CS_AUDIO_KNOWN; goto out; }
out:
    free(struct_dir);
    if (!found) at = CS_AUDIO_NOWHERE;
    if (place) *place = at;
    errno = found ? 0 : oom ? ENOMEM : 0;
    return found;
}
