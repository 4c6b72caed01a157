/* Output format names (audio_format.h). */
#include "pkg/audio_format.h"

#include <stdbool.h>
#include <stddef.h>

const cs_name cs_audio_container_names[] = {
    { "wav", CS_CONTAINER_WAV, 0 },
    { "flac", CS_CONTAINER_FLAC, 0 },
    { NULL, 0, 0 },
};

const cs_name cs_audio_bits_names[] = {
    { "16", CS_FMT_WAV16, 0 },
    { "24", CS_FMT_WAV24, 0 },
    { "32f", CS_FMT_WAV32F, 0 },
    { NULL, 0, 0 },
};

const cs_name cs_audio_format_names[] = {
    { "wav16", CS_FMT_WAV16, 0 },
    { "wav24", CS_FMT_WAV24, 0 },
    { "wav32f", CS_FMT_WAV32F, 0 },
    { "flac16", CS_FMT_FLAC16, 0 },
    { "flac24", CS_FMT_FLAC24, 0 },
    { NULL, 0, 0 },
};

const char *cs_audio_format_name(cs_audio_format f)
{
    const char *n = cs_name_of(cs_audio_format_names, (int)f);
    return n ? n : "?";
}

const char *cs_audio_format_ext(cs_audio_format f)
{
    bool flac = f == CS_FMT_FLAC16 || f == CS_FMT_FLAC24;
    return cs_name_of(cs_audio_container_names, flac ? CS_CONTAINER_FLAC : CS_CONTAINER_WAV);
}

int cs_audio_format_compose(cs_audio_container c, cs_audio_format bits, cs_audio_format *out)
{
    if (c == CS_CONTAINER_WAV) *out = bits;
    else if (bits == CS_FMT_WAV16) *out = CS_FMT_FLAC16;
    else if (bits == CS_FMT_WAV24) *out = CS_FMT_FLAC24;
    else return -1;
    return 0;
}
