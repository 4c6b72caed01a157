/* libsndfile helpers for code that calls libsndfile itself (pkg/audio_write.c,
 * the player's offline render).  Kept out of pkg/audio.h so that header
 * does not pull <sndfile.h> into every file that handles audio buffers. */
#ifndef CS_AUDIO_SF_H
#define CS_AUDIO_SF_H

#include <sndfile.h>

/* Why a libsndfile write (sf_writef_float, sf_close) fell short, for the
 * error line: errno when the system set one (callers clear errno before
 * the call and pass it right after: ENOSPC, EIO...), else libsndfile's own
 * error for sf, else "Input/output error" (a short count with no reason is
 * still a failed write, never "No Error.").  sf may be NULL.  Returns a
 * static string.  Any thread. */
const char *cs_sf_write_error(SNDFILE *sf, int saved_errno);

#endif
