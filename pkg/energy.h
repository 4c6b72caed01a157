/* A track's energy: how busy its music is, independent of how loud it was
 * mastered, for the running order (pkg/order.h: as movement rises, tracks
 * of higher energy come first).  Measured once per track by `cs export` on
 * the part it renders; stored in the library (tracks.energy), set.json and
 * shown by `cs search`.
 *
 * Formula: the mean spectral flux of the loudness-normalised part,
 *   x      = the mono mix scaled to unit RMS (loudness normalisation: a
 *            track mastered 12 dB lower measures the same),
 *   Y_n(k) = log(1 + 100 |X_n(k)|), X_n the 2048-point real FFT of frame n
 *            (Hann window, hop 1024) (log compression, Klapuri 1999),
 *   SF(n)  = sum over k of max(0, Y_n(k) - Y_n-1(k))  (half-wave rectified
 *            spectral flux: Bello et al., "A tutorial on onset detection in
 *            music signals", IEEE TSALP 2005, eq. 4; Dixon, "Onset detection
 *            revisited", DAFx 2006),
 *   flux   = mean SF(n) / number of bins, and
 *   energy = flux / (flux + 0.05)  in 0..1 (0.5 at a flux of 0.05: between
 *            a sparse kick-only loop and a busy full mix here).
 * Onsets, their density and their spread over the spectrum all raise it;
 * sustained sound does not.  The running order compares tracks by their
 * rank in the pool, so only the order of the values matters there.
 * The FFT is FFmpeg's (libavutil av_tx). */
#ifndef CS_ENERGY_H
#define CS_ENERGY_H

#include "pkg/audio.h"

/* The energy (0..1) of a (frames × channels interleaved, any rate); -1 when
 * it cannot be measured (shorter than two frames, silent, out of memory).
 * Any thread; allocates scratch and frees it. */
double cs_energy_measure(const cs_audio *a);

#endif
