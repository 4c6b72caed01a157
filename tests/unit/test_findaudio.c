/* Issue 10: audio found by file name in a folder whatever the Unicode form
 * (NFD struct path, NFC file and the reverse), and by the struct's stem. */
#include "tests/unit/unit.h"

#include <stdlib.h>
#include <sys/stat.h>

#include "pkg/findaudio.h"

#define NFC_ETE "\xc3\x89t\xc3\xa9"            /* "Été", precomposed */
#define NFD_ETE "E\xcc\x81te\xcc\x81"          /* E + U+0301, t, e + U+0301 */

static void touch(const char *dir, const char *name)
{
    char p[2100];   /* dir (at most 1024, the callers') + name: -O2 checks the bound */
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    if (f) fclose(f);
}

/* Checks that got is dir/want, frees got. */
static int is_in(char *got, const char *dir, const char *want)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, want);
    int ok = got && strcmp(got, p) == 0;
    if (!ok) fprintf(stderr, "got %s, want %s\n", got ? got : "(null)", p);
    free(got);
    return ok;
}

TEST(by_name_across_unicode_forms)
{
    char a[1024], b[1024];
    snprintf(a, sizeof a, "%s/nfc", unit_tmpdir());
    snprintf(b, sizeof b, "%s/nfd", unit_tmpdir());
    mkdir(a, 0755);
    mkdir(b, 0755);
    touch(a, NFC_ETE ".wav");
    touch(a, "notes " NFD_ETE ".json");
    touch(b, NFD_ETE " \xc3\xa0 No\xc3\xabl.WAV");   /* mixed: NFD É, NFC à and ë */
    CHECK(is_in(cs_find_audio_by_name(a, NFD_ETE ".wav"), a, NFC_ETE ".wav"));
    CHECK(is_in(cs_find_audio_by_name(a, NFC_ETE ".wav"), a, NFC_ETE ".wav"));
    CHECK(is_in(cs_find_audio_by_name(b, NFC_ETE " a\xcc\x80 Noe\xcc\x88l.wav"), b,
                NFD_ETE " \xc3\xa0 No\xc3\xabl.WAV"));
    CHECK(cs_find_audio_by_name(a, "Ete.wav") == NULL);        /* accents still count */
    CHECK(cs_find_audio_by_name(a, NFD_ETE ".mp3") == NULL);   /* so does the extension */
    CHECK(cs_find_audio_by_name(NULL, "x.wav") == NULL);
    /* Two files that fold alike: ambiguous, no guess. */
    touch(a, "Song.wav");
    touch(a, "SONG.wav");
    CHECK(cs_find_audio_by_name(a, "song.wav") == NULL);
    CHECK(is_in(cs_find_audio_by_name(a, "SONG.wav"), a, "SONG.wav"));   /* exact wins */
}

TEST(by_stem_any_audio_extension)
{
    char d[1024];
    snprintf(d, sizeof d, "%s/stem", unit_tmpdir());
    mkdir(d, 0755);
    touch(d, NFC_ETE ".json");
    CHECK(cs_find_audio_by_stem(d, NFD_ETE) == NULL);          /* a JSON is not audio */
    touch(d, NFC_ETE ".mp3");
    CHECK(is_in(cs_find_audio_by_stem(d, NFD_ETE), d, NFC_ETE ".mp3"));
    touch(d, NFC_ETE ".FLAC");
    CHECK(is_in(cs_find_audio_by_stem(d, NFD_ETE), d, NFC_ETE ".FLAC"));   /* lossless first */
    char *s = cs_file_stem("/x/y/kitaharalab__06 - Song.v2.json");
    CHECK_STR(s, "kitaharalab__06 - Song.v2");
    free(s);
}
