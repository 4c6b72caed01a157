// The C interface to TagLib for Serato's tags (serato_taglib.h): it finds
// the frames, comments and atoms and copies their bytes out; the parsing is
// pkg/serato.c's.
extern "C" {
#include "pkg/err.h"
#include "pkg/serato.h"
}
#include "pkg/serato_taglib.h"

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>

#include <taglib/aifffile.h>
#include <taglib/fileref.h>
#include <taglib/flacfile.h>
#include <taglib/generalencapsulatedobjectframe.h>
#include <taglib/id3v2tag.h>
#include <taglib/mp4file.h>
#include <taglib/mpegfile.h>
#include <taglib/tdebuglistener.h>
#include <taglib/vorbisfile.h>
#include <taglib/wavfile.h>
#include <taglib/xiphcomment.h>

namespace {

// TagLib prints its own debug lines on stderr; ours are one line per file.
class Quiet : public TagLib::DebugListener {
public:
    void printMessage(const TagLib::String &) override {}
};
Quiet quiet;
std::once_flag quiet_once;

struct Out {
    cs_serato_raw *r;
    int oversize = 0;
    bool nomem = false;
};

uint8_t *copy_bytes(Out &o, const char *p, size_t n, size_t *n_out)
{
    if (n > CS_SERATO_TAG_MAX) {
        o.oversize++;
        return nullptr;
    }
    uint8_t *b = static_cast<uint8_t *>(std::malloc(n + 1));
    if (!b) {
        o.nomem = true;
        return nullptr;
    }
    std::memcpy(b, p, n);
    b[n] = 0;
    *n_out = n;
    return b;
}

void set_bytes(Out &o, uint8_t **dst, size_t *n, const TagLib::ByteVector &v)
{
    if (*dst) return;   // the first frame of a kind wins
    *dst = copy_bytes(o, v.data(), v.size(), n);
}

void set_text(Out &o, char **dst, const TagLib::String &s)
{
    if (*dst || s.isEmpty()) return;
    std::string u = s.to8Bit(true);
    size_t n;
    *dst = reinterpret_cast<char *>(copy_bytes(o, u.data(), u.size(), &n));
}

void read_id3(Out &o, TagLib::ID3v2::Tag *tag)
{
    if (!tag) return;
    const TagLib::ID3v2::FrameListMap &map = tag->frameListMap();
    if (map.contains("GEOB"))
        for (TagLib::ID3v2::Frame *f : map["GEOB"]) {
            auto *g = dynamic_cast<TagLib::ID3v2::GeneralEncapsulatedObjectFrame *>(f);
            if (!g) continue;
            TagLib::String d = g->description();
            if (d == "Serato BeatGrid") set_bytes(o, &o.r->beatgrid, &o.r->n_beatgrid, g->object());
            else if (d == "Serato Markers2") set_bytes(o, &o.r->markers2, &o.r->n_markers2, g->object());
            else if (d == "Serato Markers_") set_bytes(o, &o.r->markers, &o.r->n_markers, g->object());
        }
    if (map.contains("TKEY") && !map["TKEY"].isEmpty()) set_text(o, &o.r->key, map["TKEY"].front()->toString());
    if (map.contains("TBPM") && !map["TBPM"].isEmpty()) set_text(o, &o.r->bpm, map["TBPM"].front()->toString());
}

void read_xiph(Out &o, TagLib::Ogg::XiphComment *x, bool ogg)
{
    if (!x) return;
    o.r->enc = CS_SERATO_B64;
    const TagLib::Ogg::FieldListMap &m = x->fieldListMap();
    if (ogg) {   // field names are upper-cased by TagLib
        for (auto it = m.begin(); it != m.end(); ++it)
            if (it->first.startsWith("SERATO_")) o.r->ogg_serato = true;
    }
    for (const char *k : { "INITIALKEY", "KEY" })
        if (m.contains(k) && !m[k].isEmpty()) set_text(o, &o.r->key, m[k].front());
    if (m.contains("BPM") && !m["BPM"].isEmpty()) set_text(o, &o.r->bpm, m["BPM"].front());
    if (ogg) return;
    struct { const char *field; uint8_t **dst; size_t *n; } want[] = {
        { "SERATO_BEATGRID", &o.r->beatgrid, &o.r->n_beatgrid },
        { "SERATO_MARKERS_V2", &o.r->markers2, &o.r->n_markers2 },
        { "SERATO_MARKERS", &o.r->markers, &o.r->n_markers },
    };
    for (auto &w : want)
        if (m.contains(w.field) && !m[w.field].isEmpty()) {
            std::string u = m[w.field].front().to8Bit(true);
            if (!*w.dst) *w.dst = copy_bytes(o, u.data(), u.size(), w.n);
        }
}

// A freeform atom's value: text as written (TagLib gives UTF-8 data as a
// string list), else its first binary item.
void mp4_value(Out &o, const TagLib::MP4::Item &it, uint8_t **dst, size_t *n)
{
    if (*dst || !it.isValid()) return;
    TagLib::StringList sl = it.toStringList();
    if (!sl.isEmpty()) {
        std::string u = sl.front().to8Bit(true);
        *dst = copy_bytes(o, u.data(), u.size(), n);
        return;
    }
    TagLib::ByteVectorList bl = it.toByteVectorList();
    if (!bl.isEmpty()) *dst = copy_bytes(o, bl.front().data(), bl.front().size(), n);
}

void read_mp4(Out &o, TagLib::MP4::Tag *t)
{
    if (!t) return;
    o.r->enc = CS_SERATO_B64;
    const TagLib::MP4::ItemMap &m = t->itemMap();
    struct { const char *atom; uint8_t **dst; size_t *n; } want[] = {
        { "----:com.serato.dj:beatgrid", &o.r->beatgrid, &o.r->n_beatgrid },
        { "----:com.serato.dj:markersv2", &o.r->markers2, &o.r->n_markers2 },
        { "----:com.serato.dj:markers", &o.r->markers, &o.r->n_markers },
    };
    for (auto &w : want)
        if (m.contains(w.atom)) mp4_value(o, m[w.atom], w.dst, w.n);
    for (const char *k : { "----:com.apple.iTunes:initialkey", "----:com.apple.iTunes:KEY" })
        if (m.contains(k)) {
            uint8_t *b = nullptr;
            size_t n = 0;
            mp4_value(o, m[k], &b, &n);
            if (b && !o.r->key) o.r->key = reinterpret_cast<char *>(b);
            else std::free(b);
        }
    if (m.contains("tmpo") && m["tmpo"].toInt() > 0)
        set_text(o, &o.r->bpm, TagLib::String::number(m["tmpo"].toInt()));
}

int read(const char *path, Out &o, cs_err *err)
{
    TagLib::FileRef ref(path, true, TagLib::AudioProperties::Fast);
    if (ref.isNull() || !ref.file() || !ref.file()->isValid())
        return cs_err_set(err, "%s: not an audio file TagLib can read", path);
    TagLib::File *f = ref.file();
    cs_serato_raw *r = o.r;
    if (auto *mp = dynamic_cast<TagLib::MPEG::File *>(f)) {
        r->mp3 = true;
        read_id3(o, mp->ID3v2Tag(false));
    } else if (auto *aiff = dynamic_cast<TagLib::RIFF::AIFF::File *>(f)) {
        read_id3(o, aiff->hasID3v2Tag() ? aiff->tag() : nullptr);
    } else if (auto *wav = dynamic_cast<TagLib::RIFF::WAV::File *>(f)) {
        read_id3(o, wav->hasID3v2Tag() ? wav->ID3v2Tag() : nullptr);
    } else if (auto *fl = dynamic_cast<TagLib::FLAC::File *>(f)) {
        read_xiph(o, fl->xiphComment(false), false);
    } else if (auto *ov = dynamic_cast<TagLib::Ogg::Vorbis::File *>(f)) {
        read_xiph(o, ov->tag(), true);
    } else if (auto *m4 = dynamic_cast<TagLib::MP4::File *>(f)) {
        read_mp4(o, m4->tag());
    }
    if (TagLib::Tag *t = ref.tag()) {
        set_text(o, &r->title, t->title());
        set_text(o, &r->artist, t->artist());
        set_text(o, &r->album, t->album());
        set_text(o, &r->genre, t->genre());
    }
    if (TagLib::AudioProperties *ap = ref.audioProperties()) {
        r->length_s = ap->lengthInMilliseconds() / 1000.0;
        r->sample_rate = ap->sampleRate();
    }
    return 0;
}

}  // namespace

extern "C" void cs_serato_raw_free(cs_serato_raw *r)
{
    if (!r) return;
    std::free(r->beatgrid);
    std::free(r->markers2);
    std::free(r->markers);
    std::free(r->key);
    std::free(r->bpm);
    std::free(r->title);
    std::free(r->artist);
    std::free(r->album);
    std::free(r->genre);
    std::memset(r, 0, sizeof *r);
}

extern "C" int cs_serato_read_tags(const char *path, cs_serato_raw *out, int *oversize, cs_err *err)
{
    std::call_once(quiet_once, [] { TagLib::setDebugListener(&quiet); });
    std::memset(out, 0, sizeof *out);
    Out o;
    o.r = out;
    int rc;
    try {
        rc = read(path, o, err);
    } catch (const std::bad_alloc &) {
        o.nomem = true;
        rc = -1;
    } catch (...) {
        rc = cs_err_set(err, "%s: TagLib failed to read it", path);
    }
    if (oversize) *oversize = o.oversize;
    if (o.nomem) {
        cs_serato_raw_free(out);
        return cs_err_nomem(err);
    }
    if (rc < 0) cs_serato_raw_free(out);
    return rc;
}
