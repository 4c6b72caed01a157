/* Library tracks (track.h): their name and their release. */
#include "pkg/track.h"

#include <stdlib.h>

const char *cs_lib_track_name(const cs_lib_track *t)
{
    return t->analysed_path ? t->analysed_path : t->struct_path;
}

void cs_lib_track_clear(cs_lib_track *t)
{
    free(t->struct_path);
    free(t->analysed_path);
    free(t->audio_path);
    free(t->key);
    free(t->rb_name);
    free(t->rb_artist);
    free(t->source);
    for (size_t i = 0; i < t->segments.n; i++) free(t->segments.v[i].label);
    free(t->segments.v);
    free(t->beats.v);
    free(t->downbeats.v);
    *t = (cs_lib_track){ 0 };
}

void cs_lib_tracks_free(cs_lib_track *t, size_t n)
{
    for (size_t i = 0; i < n; i++) cs_lib_track_clear(&t[i]);
    free(t);
}
