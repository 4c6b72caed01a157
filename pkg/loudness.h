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

#include <stddef.h>
#include "pkg/err.h"

typedef struct cs_loudness {
    double lufs;   /* integrated loudness, LUFS (-INFINITY: none, see above) */
    double dbtp;   /* true peak over all channels, dBTP (-INFINITY: silence) */
} cs_loudness;

/* Loudness of an audio file libsndfile reads (the parts cs export writes:
 * WAV, FLAC), read in blocks; channels 1..8 (BS.1770 weights: channels 0-2
 * 1.0, 3-4 1.41 as libebur128 defaults), rate 8000..384000 Hz.  < 0 with err
 * "<path>: <reason>" when it cannot be opened or read (err->code: CS_ERR_IO,
 * CS_ERR_CODEC, CS_ERR_NOMEM). */
int cs_loudness_measure_file(const char *path, cs_loudness *out, cs_err *err);

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
