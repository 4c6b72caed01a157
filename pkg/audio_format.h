/* The names of the export's output formats, one table each, read by
 * `cs export --audio-format/--bits` (parsing and --help), set.json's
 * "format", the render cache's fingerprint and the part file extensions.
 *
 *   cs_audio_format f;
 *   cs_audio_format_compose(CS_CONTAINER_FLAC, CS_FMT_WAV24, &f);   // CS_FMT_FLAC24
 *   cs_audio_format_name(f);   // "flac24"
 *   cs_audio_format_ext(f);    // "flac"
 */
#ifndef CS_AUDIO_FORMAT_H
#define CS_AUDIO_FORMAT_H

#include "pkg/audio.h"
#include "pkg/names.h"

typedef enum cs_audio_container { CS_CONTAINER_WAV = 0, CS_CONTAINER_FLAC = 1 } cs_audio_container;

/* "wav", "flac" -> cs_audio_container (--audio-format). */
extern const cs_name cs_audio_container_names[];
/* "16", "24", "32f" -> the WAV format of that sample format (--bits). */
extern const cs_name cs_audio_bits_names[];
/* "wav16", "wav24", "wav32f", "flac16", "flac24" -> cs_audio_format. */
extern const cs_name cs_audio_format_names[];

/* The format's name ("wav16"...), "?" when out of range. */
const char *cs_audio_format_name(cs_audio_format f);
/* Its file extension, without the dot: "wav" or "flac". */
const char *cs_audio_format_ext(cs_audio_format f);
/* The format of a container and a sample format given as its WAV format
 * (cs_audio_bits_names' values).  0, or -1 when the container cannot hold it
 * (FLAC has no float samples). */
int cs_audio_format_compose(cs_audio_container c, cs_audio_format bits, cs_audio_format *out);

#endif
