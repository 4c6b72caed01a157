/* A deterministic synthesiser for test fixtures and the demo: audio whose
 * beats, sections and pitch are known exactly, plus the matching cs_struct
 * (what allin1 would say about it, without allin1's errors).
 *
 * The sound: a steady sine at tone_hz (-12 dBFS), a bright click on every
 * beat (a 2.5 kHz sine burst starting at phase 0 exactly at the beat time,
 * with sub-sample precision, decaying in ~1.5 ms; -6 dBFS on downbeats,
 * -10.5 dBFS on other beats) and, optionally, a bass note on every bar
 * (a four-bar progression, -14 dBFS); with `chord`, the tone is a major or
 * minor triad and the progression is in its key (key-detection tests).  The peak stays below 0.9.  No noise,
 * no randomness: the same parameters give the same samples.
 *
 * The struct: bpm; beats from first_beat every 60/bpm s up to the end;
 * beat_positions 1..beats_per_bar (first_beat is a downbeat); segments
 * "start" [0, first_beat) when first_beat > 0, then the sections in order
 * (each `bars` bars long), then "end" to `duration` when audio remains.
 *
 *   static const cs_synth_section secs[] = {
 *       { "intro", 8 }, { "verse", 8 }, { "chorus", 8 }, { "outro", 4 } };
 *   cs_synth_params p = { .bpm = 122.5, .first_beat = 0.5, .tone_hz = 440,
 *                         .sections = secs, .n_sections = 4, .path = "a.wav" };
 *   cs_audio a;
 *   cs_struct s;
 *   if (cs_synth_render(&p, &a, &s, &err) < 0) ...;
 *   cs_audio_write("a.wav", &a, CS_FMT_WAV16, &err);
 *   cs_audio_free(&a);
 *   cs_struct_free(&s);
 */
#ifndef CS_SYNTH_H
#define CS_SYNTH_H

#include <stddef.h>
#include "pkg/audio.h"
#include "pkg/err.h"
#include "pkg/track.h"

typedef struct cs_synth_section {
    const char *label;
    int bars;
} cs_synth_section;

typedef struct cs_synth_params {
    double bpm;              /* > 0 */
    double duration;         /* seconds; 0: to the end of the last section */
    double first_beat;       /* seconds; the first section starts here */
    double tone_hz;          /* steady sine; 0: none */
    int rate;                /* 0: CS_RATE (pkg/rate.h), the set's rate */
    int channels;            /* 0: 2 (all channels identical) */
    int beats_per_bar;       /* 0: 4 */
    int bass;                /* non-zero: a bass note on every bar */
    int chord;               /* 0: tone_hz alone, bass A-F-C-G; 1 (major) or
                                -1 (minor): a triad on tone_hz (the same total
                                level) and the bass a progression in that key,
                                I-vi-IV-V or i-VI-III-VII, an octave below */
    const cs_synth_section *sections;
    size_t n_sections;
    const char *path;        /* copied into the struct (NULL: none) */
    const char *key;         /* copied into the struct (NULL: none) */
} cs_synth_params;

/* Synthesis levels (linear), for tests that check them. */
#define CS_SYNTH_TONE_AMP 0.25          /* -12 dBFS */
#define CS_SYNTH_DOWNBEAT_AMP 0.5
#define CS_SYNTH_BEAT_AMP 0.3
#define CS_SYNTH_BASS_AMP 0.2
#define CS_SYNTH_CLICK_HZ 2500.0

/* Renders the audio into *out and/or the struct into *st (either may be
 * NULL).  Fails on bpm <= 0, a negative first_beat, non-positive bars,
 * nothing to render, or out of memory. */
int cs_synth_render(const cs_synth_params *p, cs_audio *out, cs_struct *st, cs_err *err);

#endif
