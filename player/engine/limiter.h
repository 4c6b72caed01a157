/* The master true-peak limiter (engine internal; audio thread only, except
 * cs_limiter_init).  Real-time safe: every buffer is inside the struct (no
 * allocation), no locks, bounded work per frame.
 *
 * Method: a feed-forward look-ahead peak limiter (U. Zölzer (ed.), DAFX,
 * 2nd ed., Wiley 2011, §4.2.2 "Limiter": the gain is computed from a
 * look-ahead of the input and applied to the delayed signal; gain computer
 * and release smoothing as D. Giannoulis, M. Massberg, J. D. Reiss, "Digital
 * Dynamic Range Compressor Design - A Tutorial and Analysis", JAES 60(6),
 * 2012) whose detector is the true peak of ITU-R BS.1770-4 Annex 2: 4x
 * oversampling by its 48-tap polyphase FIR (4 phases x 12 taps).
 *
 * Per input frame j: q[j] = min(1, ceiling / p[j]), p[j] the largest of the
 * four interpolated values and the two samples around them (both channels;
 * they lie between x[j-6] and x[j-5]).  t = the minimum of q over the last
 * CS_LIM_LOOKAHEAD + 2 frames (a monotonic deque, O(1) per frame); r =
 * min(t, r released towards 1 with a CS_LIM_RELEASE_S time constant); the
 * applied gain is the mean of r over the last CS_LIM_LOOKAHEAD + 1 frames,
 * applied to x delayed by CS_LIM_DELAY frames.  Every r in that mean covers
 * the peak of the frame it is applied to, so the gain never exceeds what
 * that frame needs (no overshoot, no clipping), and it falls linearly over
 * the look-ahead (1.45 ms) before a peak: no click.
 *
 * Latency: CS_LIM_DELAY frames (1.6 ms at 44.1 kHz) while enabled. */
#ifndef CS_PLAYER_LIMITER_H
#define CS_PLAYER_LIMITER_H

#include <stdint.h>

#define CS_LIM_LOOKAHEAD 64                         /* frames of attack */
#define CS_LIM_TAPS 12                              /* BS.1770-4 interpolator, per phase */
#define CS_LIM_TP_DELAY 6                           /* its peak lies after x[j-6] */
#define CS_LIM_WIN (CS_LIM_LOOKAHEAD + 2)           /* minimum window */
#define CS_LIM_DELAY (CS_LIM_LOOKAHEAD + CS_LIM_TP_DELAY)   /* audio latency, frames */
#define CS_LIM_RELEASE_S 0.15                       /* release time constant, s */
/* The detector aims this far under the ceiling: BS.1770-4's short (12-tap)
 * interpolator under-reads steep transients by up to ~0.1 dB against
 * longer ones (libebur128's, FFmpeg's ebur128 filter), measured on a
 * rectangular click (tests/unit/test_loudness.c). */
#define CS_LIM_MARGIN_DB 0.2

typedef struct cs_limiter {
    float ceiling;                    /* linear; <= 0: off */
    float aim;                        /* ceiling less CS_LIM_MARGIN_DB */
    float rel;                        /* release coefficient per frame */
    float r;                          /* held, released gain */
    double sum;                       /* sum of box[] */
    float box[CS_LIM_LOOKAHEAD + 1];
    int bpos;
    float hist[2][2 * CS_LIM_TAPS];   /* input history, mirrored for a linear read */
    int hpos;
    float delay[2 * CS_LIM_DELAY];    /* interleaved stereo ring */
    int dpos;
    float dq_val[CS_LIM_WIN];         /* sliding minimum: values ascending */
    uint64_t dq_idx[CS_LIM_WIN];
    int dq_head, dq_n;
    uint64_t n;                       /* frames processed */
    float min_gain;                   /* lowest gain applied since the last reset of it */
} cs_limiter;

/* Off (ceiling <= 0) or on at `ceiling` (linear, e.g. 0.891 for -1 dBTP),
 * at `rate` Hz; clears the state.  Any thread while the audio side does not
 * use it; the engine calls it from its command (audio thread). */
void cs_limiter_init(cs_limiter *l, float ceiling, int rate);
/* Limits n interleaved stereo frames in place, after scaling them by
 * `pre` (the master gain).  Output delayed by CS_LIM_DELAY frames. */
void cs_limiter_process(cs_limiter *l, float *buf, int n, float pre);

/* Crossfade power match (loudness-matched sets, with the limiter): an
 * equal-power crossfade keeps the level of two UNcorrelated tracks (their
 * powers add) but raises two correlated ones by up to 3 dB (their
 * amplitudes add: the same track looped into itself measured +2.7 dB).
 * This scales the mix by sqrt(Pd / Pm), Pd the power of the decks'
 * contributions taken one by one, Pm the power of their sum, both smoothed
 * over CS_XFPOW_S (the momentary-loudness window, EBU Tech 3341): whatever
 * the correlation, the mix then has the power the fade law meant, so a
 * crossfade stays level.  With one deck playing Pd = Pm: the scale is 1.
 * It only ever lowers (>= CS_XFPOW_MIN, -3 dB: the most correlation can
 * add), ramped per sample.  Audio thread only; no allocation. */
#define CS_XFPOW_S 0.4
#define CS_XFPOW_MIN 0.70710678f

typedef struct cs_xfpow {
    double pd, pm;     /* smoothed power per frame: decks apart, mix */
    float c;           /* the scale applied at the end of the last block */
} cs_xfpow;

void cs_xfpow_init(cs_xfpow *x);
/* mix: n interleaved stereo frames, scaled in place; ed, em: the energy
 * (sum of squares) over those frames of the decks apart and of mix. */
void cs_xfpow_apply(cs_xfpow *x, float *mix, int n, double ed, double em, int rate);

#endif
