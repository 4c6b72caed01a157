/* libFuzzer: the Traktor NML reader (pkg/traktor.c) from memory, and its
 * LOCATION path builder.  The callbacks touch
 * every field they are given, so a dangling or unterminated string shows up
 * under ASan. */
#include "pkg/traktor.h"
#include "pkg/traktor_test.h"

#include <stdlib.h>

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t sink;

static void touch(const char *s)
{
    if (s) sink += strlen(s);
}

static int on_info(void *ud, const cs_rb_info *i)
{
    (void)ud;
    touch(i->product);
    touch(i->version);
    touch(i->company);
    return 0;
}

static int on_track(void *ud, const cs_rb_track *t)
{
    (void)ud;
    const char *f[] = { t->track_id, t->name, t->artist, t->album, t->genre, t->kind, t->location,
                        t->tonality, t->composer, t->grouping, t->remixer, t->label, t->mix,
                        t->comments, t->date_added, t->colour, t->path };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) touch(f[i]);
    for (size_t i = 0; i < t->n_tempos; i++) sink += strnlen(t->tempos[i].metro, sizeof t->tempos[i].metro);
    for (size_t i = 0; i < t->n_marks; i++) touch(t->marks[i].name);
    return 0;
}

static int on_playlist(void *ud, const cs_rb_playlist *p)
{
    (void)ud;
    touch(p->path);
    touch(p->name);
    for (size_t i = 0; i < p->n_keys; i++) touch(p->keys[i]);
    return 0;
}

/* The input split at its first two NULs as VOLUME, DIR, FILE. */
static void fuzz_path(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 3);
    if (!buf) return;
    memcpy(buf, data, size);
    buf[size] = buf[size + 1] = buf[size + 2] = '\0';
    const char *vol = buf, *dir = vol + strlen(vol) + 1;
    const char *file = (size_t)(dir - buf) <= size ? dir + strlen(dir) + 1 : dir;
    char *p = cs_traktor_path(vol, dir, file);
    touch(p);
    free(p);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_path(data, size);
    cs_rb_handler h = { .on_info = on_info, .on_track = on_track, .on_playlist = on_playlist };
    cs_rb_stats st = {0};
    cs_err err = {0};
    cs_traktor_parse_memory((const char *)data, size, "fuzz.nml", &h, &st, &err);
    return 0;
}
