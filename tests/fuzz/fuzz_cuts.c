/* libFuzzer: from a struct through the cues to the decoder (issue 22 item
 * 7).  The bytes are an allin1 struct JSON; whatever its times, the cues it
 * gives are cut from a short WAV exactly as cs export cuts them.  The cut
 * must never crash, never be longer than the file or the cue range, and a
 * range past the audio must come back short (the exporter's "cues outside
 * the audio"), never as a giant allocation. */
#include "pkg/allin1.h"
#include "pkg/audio.h"
#include "pkg/cues.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { RATE = 8000, FRAMES = 4000 };     /* half a second, mono: fast to decode */
static char wav[64];

static void make_wav(void)
{
    if (wav[0]) return;
    snprintf(wav, sizeof wav, "/tmp/cs-fuzz-cuts-%ld.wav", (long)getpid());
    cs_audio a;
    cs_err e = {0};
    if (cs_audio_alloc(&a, FRAMES, 1, RATE) < 0) abort();
    for (size_t i = 0; i < FRAMES; i++) a.data[i] = (float)((i % 64) / 128.0);
    if (cs_audio_write(wav, &a, CS_FMT_WAV16, &e) < 0) abort();
    cs_audio_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    make_wav();
    cs_struct s = {0};
    cs_err err = {0};
    if (cs_allin1_parse((const char *)data, size, "fuzz.json", &s, &err) == 0) {
        for (int n = 1; n <= 3; n++) {
            cs_cues c;
            if (cs_cues_compute(&s.segments, n, &c) != CS_CUES_OK) continue;
            assert(isfinite(c.ini_cue) && isfinite(c.end_cue) && c.ini_cue >= 0 && c.end_cue <= CS_TIME_MAX_S);
            cs_audio cut;
            if (cs_audio_decode(wav, 0, 0, c.ini_cue, c.end_cue, &cut, &err) == 0) {
                assert(cut.frames <= FRAMES);
                assert((double)cut.frames <= (c.end_cue - c.ini_cue) * RATE + 1);
                assert(cut.channels == 1 && cut.rate == RATE);
                cs_audio_free(&cut);
            }
        }
    }
    cs_struct_free(&s);
    return 0;
}
