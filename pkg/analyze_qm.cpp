// The C interface to libqm-dsp (analyze_qm.h).  The only C++ in cs: it
// adapts buffers and catches exceptions; the analysis itself is qm-dsp's.
// Parameters follow the Queen Mary Vamp plugins' defaults (qm-vamp-plugins
// BeatTrack/BarBeatTrack/KeyDetector/Segmenter), the set-up Sonic
// Visualiser and Mixxx users get.
#include "pkg/analyze_qm.h"
extern "C" {
#include "pkg/key.h"
}

#include <algorithm>
#include <atomic>
#include <cmath>
#include <dlfcn.h>
#include <mutex>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

#include <dsp/keydetection/GetKeyMode.h>
#include <dsp/onsets/DetectionFunction.h>
#include <dsp/segmentation/ClusterMeltSegmenter.h>
#include <dsp/tempotracking/DownBeat.h>
#include <dsp/tempotracking/TempoTrackV2.h>

// ---- a repeatable segmentation (issue 22 item 5) -------------------------
// qm-dsp's ClusterMeltSegmenter starts its HMM and its k-means clustering
// from rand(), after srand(time(0)) (hmm/hmm.c, dsp/segmentation/
// cluster_segmenter.cpp): the same audio gave different sections on every
// run (msaf#95 is the same cause).  We fix the seed: while a segmentation
// runs, srand() -- which qm-dsp calls through the dynamic linker, so the
// definition below, in the executable, is the one it reaches -- seeds with
// CS_QM_SEED whatever it is given, and one mutex keeps parallel analyses
// from interleaving their rand() sequences.  Outside a segmentation srand()
// passes its seed through unchanged.
#define CS_QM_SEED 22u

namespace {
std::mutex seg_mu;
thread_local bool in_segmenter = false;
}

extern "C" void srand(unsigned seed)
{
    using fn = void (*)(unsigned);
    static std::atomic<fn> real{nullptr};
    fn f = real.load();
    if (!f) {
        f = reinterpret_cast<fn>(dlsym(RTLD_NEXT, "srand"));
        real.store(f);
    }
    if (f) f(in_segmenter ? CS_QM_SEED : seed);
}

namespace {

int to_dvec(const std::vector<double> &v, cs_dvec *out)
{
    out->n = 0;
    out->v = static_cast<double *>(std::malloc((v.empty() ? 1 : v.size()) * sizeof(double)));
    if (!out->v) return -1;
    std::copy(v.begin(), v.end(), out->v);
    out->n = v.size();
    return 0;
}

// Window of `len` samples starting at `start` (may be negative or run past
// the end: zeros there), as doubles.
void window_at(const float *x, size_t n, long start, std::vector<double> &w)
{
    for (size_t i = 0; i < w.size(); i++) {
        long j = start + static_cast<long>(i);
        w[i] = (j >= 0 && static_cast<size_t>(j) < n) ? x[j] : 0.0;
    }
}

}  // namespace

extern "C" int cs_qm_detection(const float *mono, size_t frames, int rate, int type, int step,
                               int frame_len, cs_dvec *out, cs_err *err)
{
    out->v = nullptr;
    out->n = 0;
    if (step <= 0 || frame_len < step || frame_len % 2)
        return cs_err_setc(err, CS_ERR_RANGE, "analyze: bad detection-function step %d / window %d", step, frame_len);
    try {
        DFConfig c;
        c.stepSize = static_cast<unsigned>(step);
        c.frameLength = static_cast<unsigned>(frame_len);
        c.DFType = type;
        c.dbRise = 3;                  // qm's default for the broadband DF
        c.adaptiveWhitening = false;
        c.whiteningRelaxCoeff = -1;    // qm's own defaults
        c.whiteningFloor = -1;
        DetectionFunction df(c);
        std::vector<double> w(static_cast<size_t>(frame_len)), res;
        size_t nf = frames / static_cast<size_t>(step) + 1;
        res.reserve(nf);
        for (size_t k = 0; k < nf; k++) {
            window_at(mono, frames, static_cast<long>(k) * step - frame_len / 2, w);
            res.push_back(df.processTimeDomain(w.data()));
        }
        if (to_dvec(res, out) < 0) throw std::bad_alloc();
        return 0;
    } catch (...) {
        return cs_err_setc(err, CS_ERR_NOMEM, "analyze: onset detection failed (out of memory)");
    }
}

extern "C" int cs_qm_beats(const cs_dvec *df, int rate, int step, cs_dvec *out, cs_err *err)
{
    out->v = nullptr;
    out->n = 0;
    try {
        // As qm's BeatTrack plugin: drop trailing zeros and the first two
        // values (the window warming up); the beat frames are shifted back.
        size_t n = df->n;
        while (n > 0 && df->v[n - 1] <= 0.0) n--;
        const size_t skip = 2;
        if (n <= skip + 4) return to_dvec({}, out) < 0 ? cs_err_setc(err, CS_ERR_NOMEM, "analyze: out of memory") : 0;
        std::vector<double> d(df->v + skip, df->v + n), period(n - skip, 0.0), tempi, beats;
        TempoTrackV2 tt(static_cast<float>(rate), static_cast<size_t>(step));
        tt.calculateBeatPeriod(d, period, tempi);
        tt.calculateBeats(d, period, beats);
        for (double &b : beats) b += skip;
        std::sort(beats.begin(), beats.end());
        if (to_dvec(beats, out) < 0) throw std::bad_alloc();
        return 0;
    } catch (...) {
        return cs_err_setc(err, CS_ERR_NOMEM, "analyze: beat tracking failed (out of memory)");
    }
}

extern "C" int cs_qm_downbeat_phase(const float *mono, size_t frames, int rate, int step,
                                    const cs_dvec *beats, int bpb, int *phase, cs_err *err)
{
    *phase = 0;
    if (beats->n < static_cast<size_t>(bpb) * 2) return 0;   // too short to tell
    try {
        // Decimate to about 3 kHz (a power of two, <= 64, dividing the step),
        // as qm's BarBeatTrack plugin does.
        size_t factor = 1;
        while (factor < 64 && static_cast<double>(rate) / static_cast<double>(factor * 2) >= 2500.0 &&
               static_cast<size_t>(step) % (factor * 2) == 0)
            factor *= 2;
        DownBeat db(static_cast<float>(rate), factor, static_cast<size_t>(step));
        db.setBeatsPerBar(bpb);
        std::vector<float> blk(static_cast<size_t>(step));
        for (size_t pos = 0; pos < frames; pos += static_cast<size_t>(step)) {
            for (size_t i = 0; i < blk.size(); i++)
                blk[i] = pos + i < frames ? mono[pos + i] : 0.0f;
            db.pushAudioBlock(blk.data());
        }
        size_t len = 0;
        const float *dec = db.getBufferedAudio(len);
        std::vector<double> b(beats->v, beats->v + beats->n);
        std::vector<int> downs;
        db.findDownBeats(dec, len, b, downs);
        if (!downs.empty()) *phase = ((downs[0] % bpb) + bpb) % bpb;
        return 0;
    } catch (...) {
        return cs_err_setc(err, CS_ERR_NOMEM, "analyze: downbeat detection failed (out of memory)");
    }
}

extern "C" int cs_qm_key(const float *mono, size_t frames, int rate, int *key, cs_err *err)
{
    *key = -1;   // CS_KEY_NONE
    try {
        // 440 Hz tuning, 10 chroma frames of averaging and a 10-frame median
        // (qm's KeyDetector plugin defaults).
        // One key detection at a time: two in parallel (cs analyze -j 2)
        // gave different keys for the same audio (Db and Bm for one module,
        // seen by inputs22.sh), so qm-dsp's GetKeyMode is taken as not
        // thread-safe.
        static std::mutex key_mu;
        std::lock_guard<std::mutex> lock(key_mu);
        GetKeyMode gk(rate, 440.0f, 10, 10);
        size_t block = gk.getBlockSize(), hop = gk.getHopSize();
        std::vector<double> w(block);
        int votes[25] = { 0 };
        for (size_t pos = 0; pos + block <= frames || pos == 0; pos += hop) {
            window_at(mono, frames, static_cast<long>(pos), w);
            int k = gk.process(w.data());
            if (k >= 1 && k <= 24) votes[k]++;
            if (pos + block > frames) break;
        }
        int best = 0;
        for (int k = 1; k <= 24; k++)
            if (votes[k] > votes[best]) best = k;
        // GetKeyMode numbers 1..12 the major keys from C upwards by
        // semitone and 13..24 the minor keys the same way.
        if (best > 0) *key = cs_key_from_pitch((best - 1) % 12, best > 12);
        return 0;
    } catch (...) {
        return cs_err_setc(err, CS_ERR_NOMEM, "analyze: key detection failed (out of memory)");
    }
}

extern "C" int cs_qm_segments(const float *mono, size_t frames, int rate, int types,
                              cs_dvec *starts, cs_ivec *labels, cs_err *err)
{
    starts->v = nullptr;
    starts->n = 0;
    labels->v = nullptr;
    labels->n = 0;
    try {
        // qm's Segmenter plugin defaults: constant-Q ("hybrid") features,
        // 0.2 s hop, 0.6 s window, 4 s minimum segment length.
        ClusterMeltSegmenterParams p;
        p.featureType = FEATURE_TYPE_CONSTQ;
        p.hopSize = 0.2;
        p.windowSize = 0.6;
        p.neighbourhoodLimit = static_cast<int>(4.0 / p.hopSize + 0.0001);
        p.nclusters = types;
        ClusterMeltSegmenter seg(p);
        seg.initialise(rate);
        size_t win = static_cast<size_t>(seg.getWindowsize()), hop = static_cast<size_t>(seg.getHopsize());
        std::vector<double> w(win);
        for (size_t pos = 0; pos + win <= frames; pos += hop) {
            window_at(mono, frames, static_cast<long>(pos), w);
            seg.extractFeatures(w.data(), static_cast<int>(win));
        }
        std::vector<double> s;
        std::vector<int> l;
        if (frames >= win * 8) {   // the HMM needs a few frames
            {
                std::lock_guard<std::mutex> lock(seg_mu);
                struct flag {
                    flag() { in_segmenter = true; }
                    ~flag() { in_segmenter = false; }
                } during;
                ::srand(CS_QM_SEED);     // also when qm-dsp does not seed itself
                seg.segment(types);
            }
            const Segmentation &sg = seg.getSegmentation();
            for (const Segment &x : sg.segments) {
                s.push_back(static_cast<double>(x.start) / rate);
                l.push_back(x.type);
            }
        }
        if (s.empty() || s[0] > 0) {
            s.insert(s.begin(), 0.0);
            l.insert(l.begin(), l.empty() ? 0 : l[0]);
        }
        if (to_dvec(s, starts) < 0) throw std::bad_alloc();
        labels->v = static_cast<int *>(std::malloc(l.size() * sizeof(int)));
        if (!labels->v) throw std::bad_alloc();
        std::copy(l.begin(), l.end(), labels->v);
        labels->n = l.size();
        return 0;
    } catch (...) {
        std::free(starts->v);
        starts->v = nullptr;
        starts->n = 0;
        return cs_err_setc(err, CS_ERR_NOMEM, "analyze: segmentation failed (out of memory)");
    }
}
