#include "tests/unit/unit.h"

#include "pkg/allin1.h"
#include "pkg/cues.h"
#include "pkg/cues_test.h"

#define SEG(a, b, l) {(a), (b), (char *)(l)}
#define SEGS(arr) ((cs_segvec){(arr), sizeof(arr) / sizeof *(arr)})

#define CHECK_CUES(segs, n, ini, begin, end)                                   \
    do {                                                                       \
        cs_cues _c = {-1, -1, -1};                                             \
        CHECK_EQ_INT(cs_cues_compute((segs), (n), &_c), CS_CUES_OK);           \
        CHECK_NEAR(_c.ini_cue, (ini), 0);                                      \
        CHECK_NEAR(_c.begin_cue, (begin), 0);                                  \
        CHECK_NEAR(_c.end_cue, (end), 0);                                      \
    } while (0)

TEST(basic)
{
    cs_segment v[] = {
        SEG(0, 1, "start"), SEG(1, 10, "intro"), SEG(10, 20, "verse"),
        SEG(20, 30, "chorus"), SEG(30, 40, "verse"), SEG(40, 45, "end"),
    };
    cs_segvec s = SEGS(v);
    CHECK_CUES(&s, 1, 10, 10, 20);
    CHECK_CUES(&s, 3, 10, 30, 40);
    CHECK_CUES(&s, 4, 10, 40, 45);
    CHECK_EQ_INT(cs_cues_sections_after_intro(&s), 4);
}

TEST(too_few_sections)
{
    cs_segment v[] = {SEG(0, 10, "intro"), SEG(10, 20, "verse"), SEG(20, 30, "chorus")};
    cs_segvec s = SEGS(v);
    cs_cues c = {-1, -1, -1};
    CHECK_EQ_INT(cs_cues_compute(&s, 3, &c), CS_CUES_TOO_FEW);
    CHECK_NEAR(c.ini_cue, -1, 0);                /* untouched on failure */
    CHECK_EQ_INT(cs_cues_compute(&s, 0, &c), CS_CUES_TOO_FEW);
    CHECK_EQ_INT(cs_cues_compute(&s, -6, &c), CS_CUES_TOO_FEW);
    CHECK_CUES(&s, 2, 10, 20, 30);
    /* Intro as the last segment: zero sections after it. */
    cs_segment w[] = {SEG(0, 10, "verse"), SEG(10, 20, "intro")};
    cs_segvec t = SEGS(w);
    CHECK_EQ_INT(cs_cues_sections_after_intro(&t), 0);
    CHECK_EQ_INT(cs_cues_compute(&t, 1, &c), CS_CUES_TOO_FEW);
}

TEST(no_intro)
{
    cs_segment v[] = {SEG(0, 10, "verse"), SEG(10, 20, "chorus"), SEG(20, 30, "Introduction")};
    cs_segvec s = SEGS(v);
    cs_cues c;
    CHECK_EQ_INT(cs_cues_compute(&s, 1, &c), CS_CUES_NO_INTRO);
    CHECK_EQ_INT(cs_cues_sections_after_intro(&s), -1);
    cs_segvec empty = {NULL, 0};
    CHECK_EQ_INT(cs_cues_compute(&empty, 1, &c), CS_CUES_NO_INTRO);
    CHECK_EQ_INT(cs_cues_sections_after_intro(&empty), -1);
    CHECK_EQ_INT(cs_cues_compute(NULL, 1, &c), CS_CUES_NO_INTRO);
    CHECK_STR(cs_cues_strerror(CS_CUES_NO_INTRO), "no intro segment");
    CHECK_STR(cs_cues_strerror(CS_CUES_TOO_FEW), "too few sections after the intro");
}

TEST(repeated_intro_last_wins)
{
    cs_segment v[] = {
        SEG(0, 0.69, "start"), SEG(0.69, 13.18, "intro"), SEG(13.18, 41.85, "intro"),
        SEG(41.85, 63.6, "verse"), SEG(63.6, 78.02, "verse"),
    };
    cs_segvec s = SEGS(v);
    CHECK_CUES(&s, 1, 41.85, 41.85, 63.6);
    CHECK_CUES(&s, 2, 41.85, 63.6, 78.02);
}

TEST(intro_after_verse)
{
    cs_segment v[] = {
        SEG(0, 10, "intro"), SEG(10, 20, "verse"), SEG(20, 30, "INTRO"),
        SEG(30, 40, "chorus"), SEG(40, 50, "verse"),
    };
    cs_segvec s = SEGS(v);
    CHECK_CUES(&s, 1, 30, 30, 40);
    CHECK_CUES(&s, 2, 30, 40, 50);
    CHECK_EQ_INT(cs_cues_sections_after_intro(&s), 2);
}

/* Segments are not snapped to beats (real allin1 output, neromehiro
 * benefits: a boundary at 3.86 s, the first beat at 3.87 s): the cues are
 * the segment times, and a segment that starts before the intro's end by
 * more than the tolerance is not a section after it. */
TEST(segments_not_snapped_and_tolerance)
{
    cs_segment v[] = {
        SEG(0, 15.93, "intro"),
        SEG(15.9299995, 31.8, "verse"),     /* 5e-7 early: counts */
        SEG(31.8, 47.66, "chorus"),
    };
    cs_segvec s = SEGS(v);
    CHECK_CUES(&s, 1, 15.93, 15.9299995, 31.8);
    CHECK_EQ_INT(cs_cues_sections_after_intro(&s), 2);

    cs_segment w[] = {
        SEG(0, 15.93, "intro"),
        SEG(15.929998, 31.8, "verse"),      /* 2e-6 early: overlaps the intro */
        SEG(31.8, 47.66, "chorus"),
    };
    cs_segvec t = SEGS(w);
    CHECK_CUES(&t, 1, 15.93, 31.8, 47.66);
    CHECK_EQ_INT(cs_cues_sections_after_intro(&t), 1);

    /* A gap after the intro: the next segment starts later and is first. */
    cs_segment g[] = {SEG(0, 3.86, "intro"), SEG(3.87, 8, "verse"), SEG(8, 9, "end")};
    cs_segvec u = SEGS(g);
    CHECK_CUES(&u, 1, 3.86, 3.87, 8);
}

TEST(cue_adj)
{
    /* 120 -> 122.5 BPM: speed 1.0208333 */
    double speed = 122.5 / 120;
    CHECK_NEAR(cs_cue_adj(127.01, 47.66, speed), (127.01 - 47.66) * 120 / 122.5, 1e-9);
    CHECK_NEAR(cs_cue_adj(47.66, 47.66, speed), 0, 0);
}

/* ---- real files: expected cues read off the JSON by hand ----------------- */

static int load_real(const char *name, cs_struct *s)
{
    char file[1024];
    const char *dir = unit_realdata();
    if (!dir) return 1;
    snprintf(file, sizeof file, "%s/allin1/%s", dir, name);
    cs_err e = {0};
    if (cs_allin1_load(file, s, &e) < 0) { printf("load: %s\n", e.msg); return -1; }
    return 0;
}

#define LOAD(name, s)                                                          \
    do {                                                                       \
        int _r = load_real((name), &(s));                                      \
        if (_r > 0) { unit_skip("no realdata"); return; }                      \
        CHECK(_r == 0);                                                        \
    } while (0)

/* intro x3 ending 47.66 (segment 3); sections from segment 4 (inst 47.66);
 * 3rd = segment 6 chorus 79.4-95.27; 6th = segment 9 chorus 127.01-158.74. */
TEST(real_greatest_feeling)
{
    cs_struct s;
    LOAD("kitaharalab__06 - Greatest Feeling.json", s);
    CHECK_CUES(&s.segments, 3, 47.66, 79.4, 95.27);
    CHECK_CUES(&s.segments, 6, 47.66, 127.01, 158.74);
    CHECK_EQ_INT(cs_cues_sections_after_intro(&s.segments), 17);
    cs_struct_free(&s);
}

/* The last intro is segment 10 (144.02-176.02), after verse/chorus/inst;
 * sections from 11 (verse 176.02): 3rd = 13 verse 224.02-239.52,
 * 6th = 16 verse 272.02-288.01; 34 - 11 = 23 sections. */
TEST(real_operator_intro_after_verse)
{
    cs_struct s;
    LOAD("kitaharalab__09 - Operator (DJ Koze_s 12 inch Extended Disco Version).json", s);
    CHECK_CUES(&s.segments, 3, 176.02, 224.02, 239.52);
    CHECK_CUES(&s.segments, 6, 176.02, 272.02, 288.01);
    CHECK_EQ_INT(cs_cues_sections_after_intro(&s.segments), 23);
    cs_struct_free(&s);
}

/* intro, intro: the second ends at 41.85; sections from segment 3 (verse);
 * 3rd = 5 chorus 78.02-99.61, 6th = 8 verse 136.8-166.79. */
TEST(real_additional_memory_intro_intro)
{
    cs_struct s;
    LOAD("neromehiro__1-03 Additional Memory.json", s);
    CHECK_CUES(&s.segments, 3, 41.85, 78.02, 99.61);
    CHECK_CUES(&s.segments, 6, 41.85, 136.8, 166.79);
    CHECK_EQ_INT(cs_cues_sections_after_intro(&s.segments), 11);
    cs_struct_free(&s);
}

TEST(real_short_and_introless)
{
    cs_struct s;
    cs_cues c;
    LOAD("mir-aidj__test-chunk.json", s);       /* start, intro, verse */
    CHECK_EQ_INT(cs_cues_sections_after_intro(&s.segments), 1);
    CHECK_EQ_INT(cs_cues_compute(&s.segments, 3, &c), CS_CUES_TOO_FEW);
    CHECK_CUES(&s.segments, 1, 18.47, 18.47, 35.49);
    cs_struct_free(&s);
    LOAD("kitaharalab__25 - Bless Me Today (12_ Version).json", s);
    CHECK_EQ_INT(cs_cues_compute(&s.segments, 3, &c), CS_CUES_NO_INTRO);
    cs_struct_free(&s);
}

/* fuzz_cuts found it: an empty intro at 0 is its own first section, and a
 * cut [0, 0) would be decoded as "to the end of the file". */
TEST(zero_length_cut_is_refused)
{
    cs_segment v[] = { {0, 0, (char *)"intro"}, {0, 1e-6, (char *)"verse"}, {1e-6, 0.49, (char *)"verse"} };
    cs_segvec s = { v, 3 };
    cs_cues c;
    CHECK_EQ_INT(cs_cues_compute(&s, 1, &c), CS_CUES_EMPTY);
    CHECK_EQ_INT(cs_cues_compute(&s, 2, &c), CS_CUES_EMPTY);
    CHECK_EQ_INT(cs_cues_compute(&s, 3, &c), CS_CUES_OK);
    CHECK_NEAR(c.end_cue, 0.49, 0);
    CHECK_STR(cs_cues_strerror(CS_CUES_EMPTY), "the cut is empty (end_cue at ini_cue)");
}
