/* cs demo: synthesise a small library (audio, allin1 struct JSONs and a
 * Rekordbox XML) so the whole flow runs with nothing to download. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <libxml/xmlwriter.h>

#include "cmd/cmd.h"
#include "pkg/fsutil.h"
#include "cmd/opt.h"
#include "pkg/allin1.h"
#include "pkg/audio.h"
#include "pkg/key.h"
#include "pkg/synth.h"

static const cs_optdef def = {
    "demo",
    "usage: cs demo DIR [--tracks N] [--bars N]\n",
    "Writes a demo library into DIR: DIR/audio/*.wav (a tone in the track's key,\n"
    "a click on every beat, a bass note per bar), DIR/struct/*.json (allin1\n"
    "format, with allin1's integer BPM) and DIR/rekordbox.xml (exact AverageBpm,\n"
    "Tonality in classic and Camelot notation, percent-encoded Locations).\n"
    "Existing files are replaced.\n",
    NULL,
};

typedef struct demo_track {
    const char *name;
    double bpm;          /* true tempo (Rekordbox's AverageBpm) */
    const char *key;     /* Rekordbox Tonality as written */
    const char *json_key;/* key in the JSON, NULL for none */
} demo_track;

/* BPMs straddle 122.5 so '--bpm 122.5 --delta 2' selects some; names carry
 * the characters real collections have (comma, apostrophe, ampersand, é). */
static const demo_track demo_tracks[] = {
    { "Demo 01 - Night Drive", 122.5, "Gm", "Gm" },
    { "Demo 02 - Warehouse, Again", 121.0, "5A", NULL },
    { "Demo 03 - Caf\xc3\xa9 l'\xc3\xa9t\xc3\xa9", 123.8, "Cm", "Cm" },
    { "Demo 04 - Slow & Low", 118.0, "Am", "Am" },
    { "Demo 05 - Peak Time", 126.0, "6A", NULL },
    { "Demo 06 - Sunrise", 124.0, "F#m", "F#m" },
    { "Demo 07 - Groove Theory", 120.0, "Dm", "Dm" },
    { "Demo 08 - Late Set", 122.0, "Gm", NULL },
    { "Demo 09 - Bassline", 119.5, "Cm", "Cm" },
    { "Demo 10 - Afterhours", 125.0, "Em", "Em" },
    { "Demo 11 - Rooftop", 121.5, "Bbm", NULL },
    { "Demo 12 - Closing", 123.0, "Fm", "Fm" },
};

/* Tonic of the key, in 110..220 Hz (minor keys are 'A' in Camelot). */
static double tonic_hz(const char *key)
{
    static const int camelot_minor_semitone[12] = { 11, 6, 1, 8, 3, 10, 5, 0, 7, 2, 9, 4 };
    int code = cs_key_parse(key);
    if (code < 0) return 220.0;
    int num = code / 2, major = code % 2;
    /* semitones above A of the tonic; relative major is 3 semitones up */
    int st = (camelot_minor_semitone[num] + (major ? 3 : 0)) % 12;
    return 110.0 * pow(2.0, st / 12.0);
}

static int mkdir_p(const char *d)
{
    if (mkdir(d, 0777) < 0 && errno != EEXIST) {
        cs_log_error("%s: cannot create: %s", d, strerror(errno));
        return -1;
    }
    return 0;
}

/* Rekordbox-style Location: %20 for space, lower-case hex for non-ASCII,
 * %27 %26 %5b %5d, everything else literal. */
static void encode_location(char *out, size_t cap, const char *path)
{
    size_t o = 0;
    o += (size_t)snprintf(out, cap, "file://localhost");
    for (const unsigned char *p = (const unsigned char *)path; *p && o + 4 < cap; p++) {
        if (*p >= 0x80 || strchr(" '&[]%\"<>", *p)) o += (size_t)snprintf(out + o, cap - o, "%%%02x", *p);
        else out[o++] = (char)*p;
    }
    out[o] = 0;
}

static int write_json(const char *file, const cs_struct *s)
{
    char *text = cs_allin1_to_json(s);
    if (!text) {
        cs_log_error("%s: cannot write: out of memory", file);
        return -1;
    }
    /* Through a temporary and a rename, as every output (pkg/fsutil.h). */
    size_t n = strlen(text);
    text[n] = '\n';   /* the terminator becomes the last line's end */
    int rc = cs_write_atomic(file, text, n + 1);
    if (rc < 0) cs_log_error("%s: cannot write: %s", file, strerror(errno));
    free(text);
    return rc;
}

int cmd_demo(int argc, char **argv, cs_ctx *ctx)
{
    long n_tracks = 6, bars = 4;
    const cs_option opts[] = {
        OPT_INT(0, "tracks", &n_tracks, "N", 1, 48,
                "how many tracks (1..48, default 6; past 12 the names repeat\n"
                "as \"(take 2)\" and so on, a little faster each take)"),
        OPT_INT(0, "bars", &bars, "N", 1, 64, "bars per section (default 4)"),
        OPT_END(),
    };
    int n = cs_opt_parse(&def, opts, argc, argv, ctx, 0);
    if (n < 0) return cs_opt_exit(n);
    if (n == 0) return cs_usage_error("demo", "give the folder DIR to write");
    if (n > 1) return cs_usage_error("demo", "unexpected argument '%s'", argv[1]);
    char dir[PATH_MAX], sub[PATH_MAX + 16];
    if (mkdir_p(argv[0]) < 0 || !realpath(argv[0], dir)) {
        cs_log_error("%s: %s", argv[0], strerror(errno));
        return CS_EXIT_FAIL;
    }
    snprintf(sub, sizeof sub, "%s/audio", dir);
    if (mkdir_p(sub) < 0) return CS_EXIT_FAIL;
    snprintf(sub, sizeof sub, "%s/struct", dir);
    if (mkdir_p(sub) < 0) return CS_EXIT_FAIL;

    char xml_path[PATH_MAX + 16];
    snprintf(xml_path, sizeof xml_path, "%s/rekordbox.xml", dir);
    /* Built in memory, written through a temporary and a rename at the end
     * (cs_write_atomic, as every output). */
    xmlBufferPtr xb = xmlBufferCreate();
    xmlTextWriterPtr w = xb ? xmlNewTextWriterMemory(xb, 0) : NULL;
    if (!w) {
        if (xb) xmlBufferFree(xb);
        cs_log_error("%s: cannot write: out of memory", xml_path);
        return CS_EXIT_FAIL;
    }
    xmlTextWriterSetIndent(w, 1);
    xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL);
    xmlTextWriterStartElement(w, BAD_CAST "DJ_PLAYLISTS");
    xmlTextWriterWriteAttribute(w, BAD_CAST "Version", BAD_CAST "1.0.0");
    xmlTextWriterStartElement(w, BAD_CAST "PRODUCT");
    xmlTextWriterWriteAttribute(w, BAD_CAST "Name", BAD_CAST "rekordbox");
    xmlTextWriterWriteAttribute(w, BAD_CAST "Version", BAD_CAST "6.7.3");
    xmlTextWriterWriteAttribute(w, BAD_CAST "Company", BAD_CAST "AlphaTheta");
    xmlTextWriterEndElement(w);
    xmlTextWriterStartElement(w, BAD_CAST "COLLECTION");
    xmlTextWriterWriteFormatAttribute(w, BAD_CAST "Entries", "%ld", n_tracks);

    static const char *const labels[] = { "verse", "chorus", "verse", "bridge", "chorus",
                                          "verse", "chorus", "outro" };
    cs_synth_section secs[1 + sizeof labels / sizeof labels[0]];
    secs[0] = (cs_synth_section){ "intro", (int)bars };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        secs[i + 1] = (cs_synth_section){ labels[i], (int)bars };

    int rc = CS_EXIT_OK;
    for (long i = 0; i < n_tracks && rc == CS_EXIT_OK; i++) {
        /* Past the table, the same tracks again as further takes. */
        const size_t n_base = sizeof demo_tracks / sizeof demo_tracks[0];
        demo_track take = demo_tracks[(size_t)i % n_base];
        char take_name[128];
        if ((size_t)i >= n_base) {
            snprintf(take_name, sizeof take_name, "%s (take %zu)", take.name, (size_t)i / n_base + 1);
            take.name = take_name;
            take.bpm += 0.5 * (double)((size_t)i / n_base);
        }
        const demo_track *d = &take;
        char wav[PATH_MAX + 160], json[PATH_MAX + 160], loc[3 * PATH_MAX + 480];
        snprintf(wav, sizeof wav, "%s/audio/%s.wav", dir, d->name);
        snprintf(json, sizeof json, "%s/struct/%s.json", dir, d->name);
        cs_synth_params p = {
            .bpm = d->bpm, .first_beat = 0.25 + 0.1 * (double)(i % 12), .tone_hz = tonic_hz(d->key),
            .bass = 1, .sections = secs, .n_sections = sizeof secs / sizeof secs[0],
            .path = wav, .key = d->json_key,
        };
        p.duration = p.first_beat + (double)(p.n_sections * (size_t)bars * 4) * 60.0 / d->bpm + 1.0;
        cs_audio a = {0};
        cs_struct s = {0};
        cs_err err = {0};
        if (cs_synth_render(&p, &a, &s, &err) < 0 || cs_audio_write(wav, &a, CS_FMT_WAV16, &err) < 0) {
            cs_log_error("%s", err.msg);
            rc = CS_EXIT_FAIL;
        } else {
            /* allin1 reports an integer mode of the beat intervals. */
            s.bpm = round(d->bpm);
            if (write_json(json, &s) < 0) rc = CS_EXIT_FAIL;
        }
        encode_location(loc, sizeof loc, wav);
        xmlTextWriterStartElement(w, BAD_CAST "TRACK");
        xmlTextWriterWriteFormatAttribute(w, BAD_CAST "TrackID", "%ld", i + 1);
        xmlTextWriterWriteAttribute(w, BAD_CAST "Name", BAD_CAST d->name);
        xmlTextWriterWriteAttribute(w, BAD_CAST "Artist", BAD_CAST "Crowdstream Demo");
        xmlTextWriterWriteAttribute(w, BAD_CAST "Kind", BAD_CAST "WAV File");
        xmlTextWriterWriteFormatAttribute(w, BAD_CAST "TotalTime", "%d", (int)cs_audio_seconds(&a));
        xmlTextWriterWriteFormatAttribute(w, BAD_CAST "AverageBpm", "%.2f", d->bpm);
        xmlTextWriterWriteAttribute(w, BAD_CAST "Tonality", BAD_CAST d->key);
        xmlTextWriterWriteAttribute(w, BAD_CAST "Location", BAD_CAST loc);
        xmlTextWriterStartElement(w, BAD_CAST "TEMPO");
        xmlTextWriterWriteFormatAttribute(w, BAD_CAST "Inizio", "%.3f", p.first_beat);
        xmlTextWriterWriteFormatAttribute(w, BAD_CAST "Bpm", "%.2f", d->bpm);
        xmlTextWriterWriteAttribute(w, BAD_CAST "Metro", BAD_CAST "4/4");
        xmlTextWriterWriteAttribute(w, BAD_CAST "Battito", BAD_CAST "1");
        xmlTextWriterEndElement(w);
        xmlTextWriterEndElement(w);
        if (rc == CS_EXIT_OK && ctx->verbosity >= CS_LOG_NORMAL)
            printf("demo: %s (%.1f BPM, %s, %.0f s)\n", d->name, d->bpm, d->key, cs_audio_seconds(&a));
        cs_audio_free(&a);
        cs_struct_free(&s);
    }
    xmlTextWriterEndElement(w);   /* COLLECTION */
    xmlTextWriterStartElement(w, BAD_CAST "PLAYLISTS");
    xmlTextWriterStartElement(w, BAD_CAST "NODE");
    xmlTextWriterWriteAttribute(w, BAD_CAST "Type", BAD_CAST "0");
    xmlTextWriterWriteAttribute(w, BAD_CAST "Name", BAD_CAST "ROOT");
    xmlTextWriterWriteAttribute(w, BAD_CAST "Count", BAD_CAST "1");
    xmlTextWriterStartElement(w, BAD_CAST "NODE");
    xmlTextWriterWriteAttribute(w, BAD_CAST "Name", BAD_CAST "demo");
    xmlTextWriterWriteAttribute(w, BAD_CAST "Type", BAD_CAST "1");
    xmlTextWriterWriteAttribute(w, BAD_CAST "KeyType", BAD_CAST "0");
    xmlTextWriterWriteFormatAttribute(w, BAD_CAST "Entries", "%ld", n_tracks);
    for (long i = 0; i < n_tracks; i++) {
        xmlTextWriterStartElement(w, BAD_CAST "TRACK");
        xmlTextWriterWriteFormatAttribute(w, BAD_CAST "Key", "%ld", i + 1);
        xmlTextWriterEndElement(w);
    }
    /* A failed write sets the output's error and every later call fails,
     * so the end of the document tells whether the whole XML is there
     * (an out of memory must not be renamed into place as a short file). */
    int ended = xmlTextWriterEndDocument(w);
    xmlFreeTextWriter(w);
    if (ended < 0) {
        cs_log_error("%s: cannot build the XML: out of memory", xml_path);
        rc = CS_EXIT_FAIL;
    } else if (cs_write_atomic(xml_path, xmlBufferContent(xb), (size_t)xmlBufferLength(xb)) < 0) {
        cs_log_error("%s: cannot write: %s", xml_path, strerror(errno));
        rc = CS_EXIT_FAIL;
    }
    xmlBufferFree(xb);
    return rc;
}
