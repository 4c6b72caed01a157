/* Loudness of rendered audio: integrated loudness (EBU R128 / ITU-R
 * BS.1770-4, in LUFS) and true peak (BS.1770-4 Annex 2, 4x oversampled, in
 * dBTP), measured by libebur128 (Debian libebur128-dev).  Thin wrapper: the
 * library does the K-weighting, gating and oversampling.
 *
 *   cs_loudness L;
 *   // a part already on disk (streamed by libsndfile, no full decode):
 *   if (cs_loudness_measure_file("set/118/a_sectioned.wav", &L, &err) < 0) ...
 *
 * Silence (or audio shorter than one 400 ms gating block, or every block
 * below the -70 LUFS absolute gate) has no integrated loudness:
 * lufs = -INFINITY (written as null / an empty field wherever it is stored).
 * A true peak of digital silence is -INFINITY too.
 * Any thread may call these (no shared state); they allocate. */
#ifndef CS_LOUDNESS_H
#define CS_LOUDNESS_H

#include <math.h>
#include <stddef.h>
#include "pkg/err.h"

/* The loudness over the part's time, in CS_LOUDNESS_SLICES equal slices
 * (slice i covers [i, i + 1) / CS_LOUDNESS_SLICES of the part's frames, as
 * many as were read: not the header's count, which a FLAC written to a pipe
 * leaves unknown):
 * each slice's energy-mean loudness (BS.1770 K-weighted, ungated, from
 * libebur128's loudness of each 100 ms of the part), LUFS, within
 * [CS_LOUDNESS_SLICE_MIN, CS_LOUDNESS_SLICE_MAX]; -INFINITY: a silent slice
 * (under BS.1770's -70 LUFS absolute gate).  What the player gains a track by is the loudness of the
 * stretch it plays alone, not the whole part's (cs_loudness_window): on real
 * music the two differ by up to +-1 LU.  A fixed count keeps cs_loudness a
 * value (copied by assignment from the render to the library, set.json
 * and the player); 32 slices place a window within 1/32 of the part. */
#define CS_LOUDNESS_SLICES 32
/* A slice's range: BS.1770-4's absolute gate (below it: silent), and a
 * ceiling no audio reaches (a full-scale square wave in every channel of
 * 8 reads about +12 LUFS; float audio may go beyond full scale, not 18 dB
 * beyond).  Stored values outside are refused, so a hand-edited set.json
 * cannot gain a track by hundreds of dB. */
#define CS_LOUDNESS_SLICE_MIN (-70.0)
#define CS_LOUDNESS_SLICE_MAX 30.0

typedef struct cs_loudness {
    double lufs;   /* integrated loudness, LUFS (-INFINITY: none, see above) */
    double dbtp;   /* true peak over all channels, dBTP (-INFINITY: silence) */
    int n_slices;  /* 0: slices not measured (parts measured before them); else CS_LOUDNESS_SLICES */
    float slice[CS_LOUDNESS_SLICES];   /* LUFS per slice (-INFINITY: silent), see above */
} cs_loudness;

/* "No loudness": unmeasured, no slices. */
#define CS_LOUDNESS_NONE ((cs_loudness){ .lufs = -INFINITY, .dbtp = -INFINITY })

/* Loudness of an audio file libsndfile reads (the parts cs export writes:
 * WAV, FLAC), read in blocks; channels 1..8 (BS.1770 weights: channels 0-2
 * 1.0, 3-4 1.41 as libebur128 defaults), rate 8000..384000 Hz.  < 0 with err
 * "<path>: <reason>" when it cannot be opened or read (err->code: CS_ERR_IO,
 * CS_ERR_CODEC, CS_ERR_NOMEM). */
int cs_loudness_measure_file(const char *path, cs_loudness *out, cs_err *err);

/* Loudness (LUFS) of the fraction [f0, f1] of a part (0 <= f0 < f1 <= 1:
 * frames from f0 * frames to f1 * frames): the energy mean of its slices,
 * each weighted by how much of it the range covers, silent slices (below
 * BS.1770's -70 LUFS absolute gate) left out.  -INFINITY when the part has
 * no slices, the range is empty or every slice in it is silent.  Our own
 * small piece: libebur128 gates what it was fed, and cannot measure a
 * sub-range of a part afterwards without reading the file again, which the
 * player must not do at a track change.  Pure; any thread. */
double cs_loudness_window(const cs_loudness *l, double f0, double f1);

/* The slices as text, for the library: CS_LOUDNESS_SLICES numbers in
 * LUFS to a hundredth, comma-separated, an empty field for a silent slice
 * ("-14.21,-13.9,,...").  Writes into buf (cap bytes; CS_LOUDNESS_SLICES_TEXT
 * is enough) and returns buf, or NULL when l has no slices.  Parse is the
 * reverse: 0 and l's slices set, -1 (l's slices untouched) when s is not
 * exactly that. */
#define CS_LOUDNESS_SLICES_TEXT (CS_LOUDNESS_SLICES * 12)
char *cs_loudness_slices_format(const cs_loudness *l, char *buf, size_t cap);
int cs_loudness_slices_parse(const char *s, cs_loudness *l);

/* Linear gain (dB) that brings a part measured at `lufs` with true peak
 * `dbtp` to `target` LUFS after a fixed chain gain `chain_db` (what the
 * player adds after the part, e.g. its voice volume and master gain), capped
 * so that its true peak stays at or below `max_peak` dBTP (the ceiling plus
 * whatever gain reduction a limiter after it may take); *capped (may be
 * NULL) says whether the cap bound.  An unmeasured part (lufs not finite)
 * gets 0 dB.  Pure arithmetic. */
double cs_loudness_gain_db(double lufs, double dbtp, double target, double chain_db, double max_peak,
                           int *capped);

#endif
