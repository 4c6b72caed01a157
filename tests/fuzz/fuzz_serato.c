/* libFuzzer: Serato payloads (pkg/serato.c).  The first byte picks the
 * reader (BeatGrid, Markers2 as stored, Markers2 decoded, a FLAC/MP4
 * base64 envelope, a crate, Markers_ merged over a Markers2); the rest is
 * its input.  Everything returned
 * is read and freed. */
#include "pkg/serato.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile double sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    cs_err err = {0};
    switch (data[0] % 6) {
    case 0: {
        cs_rb_tempo *rows;
        size_t nr;
        double bpm;
        if (cs_serato_beatgrid(p, n, &rows, &nr, &bpm, &err) == 0) {
            for (size_t i = 0; i < nr; i++) sink += rows[i].inizio + rows[i].bpm + rows[i].battito;
            free(rows);
        }
        break;
    }
    case 1:
    case 2: {
        cs_rb_mark *m;
        size_t nm;
        int lock;
        if (data[0] % 6 == 1) cs_serato_markers2(p, n, &m, &nm, &lock, &err);
        else cs_serato_markers2_decoded(p, n, &m, &nm, &lock, &err);
        for (size_t i = 0; i < nm; i++) sink += m[i].start + m[i].end + m[i].num + (m[i].name ? m[i].name[0] : 0);
        cs_serato_free_marks(m, nm);
        break;
    }
    case 3: {
        uint8_t *o;
        size_t no;
        if (cs_serato_unwrap((const char *)p, n, "Serato BeatGrid", &o, &no, &err) == 0) {
            for (size_t i = 0; i < no; i++) sink += o[i];
            free(o);
        }
        break;
    }
    case 5: {
        cs_rb_mark *o, *m = NULL;
        size_t no, nm = 0;
        unsigned slots;
        if (cs_serato_markers_(p, n, &o, &no, &slots, &err) == 0) {
            static const uint8_t m2[] = { 1, 1, 'C', 'U', 'E', 0, 0, 0, 0, 13, 0, 1, 0, 0, 1, 0, 0,
                                          1, 2, 3, 0, 0, 0, 0 };
            cs_serato_markers2_decoded(m2, sizeof m2, &m, &nm, NULL, &err);
            cs_serato_merge_markers(&m, &nm, o, no, slots, &err);
            for (size_t i = 0; i < nm; i++) sink += m[i].start + m[i].num;
        }
        cs_serato_free_marks(o, no);
        cs_serato_free_marks(m, nm);
        break;
    }
    default: {
        char **paths;
        size_t np;
        cs_serato_crate(p, n, &paths, &np, &err);
        for (size_t i = 0; i < np; i++) sink += paths[i][0];
        cs_serato_free_paths(paths, np);
        break;
    }
    }
    return 0;
}
