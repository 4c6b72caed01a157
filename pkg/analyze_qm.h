/* The Queen Mary DSP library (Debian libqm-dsp-dev, C++; the analysis
 * behind Mixxx and Sonic Visualiser) behind a small C interface.  Only
 * pkg/analyze_qm.cpp is C++; it catches every exception, so each function
 * here returns 0, or -1 with the reason in err.
 *
 * Input is always mono float audio at `rate` Hz (frames samples).  Frame
 * k of a detection function is the analysis window centred on sample
 * k * step (zero-padded at both ends).
 *
 *   cs_dvec df = {0}, beats = {0};
 *   cs_qm_detection(mono, n, 44100, CS_QM_DF_COMPLEX, 512, 1024, &df, &e);
 *   cs_qm_beats(&df, 44100, 512, &beats, &e);   // in df frames
 *   ...
 *   free(df.v); free(beats.v);
 */
#ifndef CS_ANALYZE_QM_H
#define CS_ANALYZE_QM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#include "pkg/err.h"
#include "pkg/track.h"

/* Detection-function kinds (qm-dsp's DF_* constants). */
enum { CS_QM_DF_HFC = 1, CS_QM_DF_COMPLEX = 4, CS_QM_DF_BROADBAND = 5 };

/* Onset detection function (qm DetectionFunction) every `step` samples over
 * windows of `frame_len` samples (even, >= step).  out->v is malloc'd, one
 * value per frame, out->n = frames / step + 1. */
int cs_qm_detection(const float *mono, size_t frames, int rate, int type, int step,
                    int frame_len, cs_dvec *out, cs_err *err);

/* Beat tracking (qm TempoTrackV2: comb-filter tempo estimate, Viterbi over
 * the beat period, dynamic-programming beat placement) on a complex-domain
 * detection function made with `step`.  out->v: beat positions in df
 * frames (fractional), ascending; malloc'd. */
int cs_qm_beats(const cs_dvec *df, int rate, int step, cs_dvec *out, cs_err *err);

/* Bar position (qm DownBeat: spectral difference of the beat-synchronous
 * low band, decimated to ~3 kHz) for beats given in df frames of `step`.
 * *phase = index (0..bpb-1) of the first beat that is a downbeat. */
int cs_qm_downbeat_phase(const float *mono, size_t frames, int rate, int step,
                         const cs_dvec *beats, int bpb, int *phase, cs_err *err);

/* Key (qm GetKeyMode: chromagram against Krumhansl-style major/minor
 * profiles, median-filtered over time).  *key is the key the frames agree
 * on most, as a cs_key code (pkg/key.h: Camelot packed 0..23), or
 * CS_KEY_NONE when no frame had one (silence). */
int cs_qm_key(const float *mono, size_t frames, int rate, int *key, cs_err *err);

/* Structural segmentation (qm ClusterMeltSegmenter: constant-Q features,
 * HMM states, histograms clustered into `types` segment types).  starts:
 * segment starts in seconds (the first is 0), labels: their types
 * 0..types-1; both malloc'd, same length. */
int cs_qm_segments(const float *mono, size_t frames, int rate, int types,
                   cs_dvec *starts, cs_ivec *labels, cs_err *err);

#ifdef __cplusplus
}
#endif

#endif
