/* A track structure from Rekordbox's own analysis: its beat grid (TEMPO
 * rows) and the DJ's memory cues (POSITION_MARK Num="-1"), for tracks no
 * one ran allin1 or `cs analyze` on.
 *
 * Beats: from each TEMPO row's Inizio every 60/Bpm s up to the next row
 * (a beat closer than a quarter beat to the next row belongs to it), the
 * last row up to `duration`; so variable-tempo grids (a row per beat or per
 * change) come out as Rekordbox plays them.  Battito is the beat's number
 * in the bar at Inizio; the count runs on from there, Metro's numerator
 * beats to the bar (4 when unreadable).  Downbeats: beats numbered 1.
 *
 * Sections: "start" up to the first downbeat.  With at least `min_cues`
 * memory cues at or after the first downbeat (each moved to its nearest
 * downbeat, duplicates dropped, one within a beat of the first downbeat
 * not counted), the intro runs from the first downbeat to the first cue
 * and each cue starts a section labelled "cue" up to the next (the last
 * to `duration`); else the track is cut into 16-bar phrases from the first
 * downbeat: the first is the intro, the others "phrase", the remainder
 * "end".  bpm: the first row's Bpm (Rekordbox's AverageBpm overrides it in
 * the library anyway); source: "rekordbox".
 *
 *   cs_struct s;
 *   if (cs_struct_from_rekordbox(t->tempos, t->n_tempos, t->marks, t->n_marks,
 *                                t->total_time, 7, &s, &err) < 0) ...;
 */
#ifndef CS_ANALYZE_RB_H
#define CS_ANALYZE_RB_H

#include <stddef.h>
#include "pkg/err.h"
#include "pkg/rekordbox.h"
#include "pkg/track.h"

#define CS_RB_PHRASE_BARS 16

/* Fails (err without a file name) when there is no usable TEMPO row (none,
 * or Bpm <= 0) or duration <= the first Inizio (-1), or out of memory
 * (CS_ERR_NOMEM). */
int cs_struct_from_rekordbox(const cs_rb_tempo *tempos, size_t n_tempos, const cs_rb_mark *marks,
                             size_t n_marks, double duration, int min_cues, cs_struct *out,
                             cs_err *err);

#endif
