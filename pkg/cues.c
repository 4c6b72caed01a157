/* Mix cues from allin1 segments, as the original struct_loader.py chose them. */
#include "pkg/cues.h"
#include "pkg/cues_test.h"

#include <stddef.h>
#include <strings.h>

/* Segment times are on a 10 ms grid but pass through float arithmetic in
 * other writers; a boundary a hair before the intro's end still counts. */
#define CUE_TOLERANCE 1e-6

/* Index of the last "intro" segment, or -1.  The last one wins: allin1
 * repeats labels, and an intro can come back after a verse. */
static long last_intro(const cs_segvec *segs)
{
    for (size_t i = segs->n; i-- > 0;) {
        const char *l = segs->v[i].label;
        if (l && strcasecmp(l, "intro") == 0) return (long)i;
    }
    return -1;
}

/* First segment starting at or after ini_cue (segments are sorted). */
static size_t first_after(const cs_segvec *segs, double ini_cue)
{
    size_t i = 0;
    while (i < segs->n && segs->v[i].start < ini_cue - CUE_TOLERANCE) i++;
    return i;
}

int cs_cues_sections_after_intro(const cs_segvec *segs)
{
    long intro = segs ? last_intro(segs) : -1;
    if (intro < 0) return -1;
    return (int)(segs->n - first_after(segs, segs->v[intro].end));
}

int cs_cues_compute(const cs_segvec *segs, int n_sections, cs_cues *out)
{
    long intro = segs ? last_intro(segs) : -1;
    if (intro < 0) return CS_CUES_NO_INTRO;
    if (n_sections < 1) return CS_CUES_TOO_FEW;
    double ini = segs->v[intro].end;
    size_t first = first_after(segs, ini);
    if (segs->n - first < (size_t)n_sections) return CS_CUES_TOO_FEW;
    const cs_segment *nth = &segs->v[first + (size_t)n_sections - 1];
    out->ini_cue = ini;
    out->begin_cue = nth->start;
    out->end_cue = nth->end;
    /* A zero-length cut (an empty intro at 0 counted as its own section)
     * would reach the decoder as "to the end of the file" (fuzz_cuts). */
    if (!(out->end_cue > out->ini_cue + CUE_TOLERANCE)) return CS_CUES_EMPTY;
    return CS_CUES_OK;
}

const char *cs_cues_strerror(int rc)
{
    switch (rc) {
    case CS_CUES_OK: return "ok";
    case CS_CUES_NO_INTRO: return "no intro segment";
    case CS_CUES_TOO_FEW: return "too few sections after the intro";
    case CS_CUES_EMPTY: return "the cut is empty (end_cue at ini_cue)";
    default: return "unknown cue error";
    }
}
