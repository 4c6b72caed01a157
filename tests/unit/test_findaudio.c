/* Issue 10: audio found by file name in a folder whatever the Unicode form
 * (NFD struct path, NFC file and the reverse), and by the struct's stem. */
#include "tests/unit/unit.h"

#include <errno.h>
#include <stdio.h>
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

/* cs_find_track_audio(w) finds want, at place; frees what it found. */
static int found_at(const cs_audio_where *w, const char *want, cs_audio_place place)
{
    cs_audio_place pl;
    char *got = cs_find_track_audio(w, &pl);
    int ok = got && strcmp(got, want) == 0 && pl == place;
    if (!ok) fprintf(stderr, "got %s at %d, want %s at %d\n", got ? got : "(null)", (int)pl, want, (int)place);
    free(got);
    return ok;
}

/* Issue 24: one lookup for index, export and play, its places in one order
 * (the copies disagreed: only index looked in the struct file's folder).
 * Each place is taken away in turn: the next one answers. */
TEST(track_audio_places_in_order)
{
    char root[1024], ad[1100], sd[1100], ld[1100], kd[1100], sp[1200], want[1200];
    snprintf(root, sizeof root, "%s/order", unit_tmpdir());
    snprintf(ad, sizeof ad, "%s/audio", root);
    snprintf(sd, sizeof sd, "%s/struct", root);
    snprintf(ld, sizeof ld, "%s/loc", root);
    snprintf(kd, sizeof kd, "%s/known", root);
    mkdir(root, 0755);
    mkdir(ad, 0755);
    mkdir(sd, 0755);
    mkdir(ld, 0755);
    mkdir(kd, 0755);
    touch(sd, "Song.json");
    snprintf(sp, sizeof sp, "%s/Song.json", sd);
    char at_path[1200], loc[1200], known[1200];
    snprintf(at_path, sizeof at_path, "%s/" NFC_ETE ".wav", root);
    snprintf(loc, sizeof loc, "%s/" NFC_ETE ".wav", ld);
    snprintf(known, sizeof known, "%s/old.wav", kd);
    touch(root, NFC_ETE ".wav");
    touch(ad, NFD_ETE ".wav");   /* the other Unicode form: found folded */
    touch(sd, NFC_ETE ".WAV");
    touch(ld, NFC_ETE ".wav");
    touch(kd, "old.wav");
    cs_audio_where w = { .path = at_path, .struct_path = sp, .audio_dir = ad, .location = loc, .known = known };
    cs_audio_place pl;
    CHECK(found_at(&w, at_path, CS_AUDIO_AT_PATH));
    remove(at_path);
    snprintf(want, sizeof want, "%s/" NFD_ETE ".wav", ad);
    CHECK(found_at(&w, want, CS_AUDIO_IN_AUDIO_DIR));
    remove(want);
    snprintf(want, sizeof want, "%s/" NFC_ETE ".WAV", sd);
    CHECK(found_at(&w, want, CS_AUDIO_BESIDE_STRUCT));
    remove(want);
    CHECK(found_at(&w, loc, CS_AUDIO_AT_LOCATION));
    remove(loc);
    CHECK(found_at(&w, known, CS_AUDIO_KNOWN));
    remove(known);
    errno = ENOMEM;   /* not found is errno 0 whatever came before */
    CHECK(cs_find_track_audio(&w, &pl) == NULL && errno == 0 && pl == CS_AUDIO_NOWHERE);

    /* No path: the struct's stem names the audio, in --audio-dir first, then
     * beside the struct file. */
    cs_audio_where s = { .struct_path = sp, .audio_dir = ad };
    touch(sd, "Song.flac");
    snprintf(want, sizeof want, "%s/Song.flac", sd);
    CHECK(found_at(&s, want, CS_AUDIO_BESIDE_STRUCT));
    touch(ad, "song.mp3");
    snprintf(want, sizeof want, "%s/song.mp3", ad);
    CHECK(found_at(&s, want, CS_AUDIO_IN_AUDIO_DIR));
    /* Nothing known: nowhere to look. */
    cs_audio_where none = { 0 };
    CHECK(cs_find_track_audio(&none, NULL) == NULL && errno == 0);
}
