/* The set's sample rate: one constant for every place that means it.
 *
 * cs play runs at one rate end to end: the reader decodes every part and
 * file to it (FFmpeg resamples on load), every stream ring holds it, the
 * engine mixes at it, the audio device and an offline render run at it,
 * and a set's frame positions (sample time, OSC time tags, plan offsets,
 * rung lengths) count frames of it.  44,100 Hz, the CD rate: the rate of
 * the original audio server, and the rate most DJ music is sold at, so the
 * common case is decoded without resampling.
 *
 * A literal 44100 elsewhere means something else (a file's own rate in a
 * test fixture, a WAV header, an assumed source rate) and says so.  DSP
 * coefficients that depend on the rate are derived from CS_RATE
 * (player/engine/eq.c). */
#ifndef CS_RATE_H
#define CS_RATE_H

#define CS_RATE 44100 /* frames per second in the player, its rings and its sets */

#endif
