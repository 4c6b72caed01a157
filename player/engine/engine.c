/* The engine: command queue, sample-accurate scheduling and the mix.
 *
 * The callback drains the command queue into a small sorted pending list
 * (by sample time, then by send order) and renders in sub-blocks that end
 * exactly where the next command is due, so a start scheduled for sample N
 * sounds from sample N whatever the device's buffer size. */
#include "player/engine/engine_int.h"
#include "player/engine/limiter.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

/* Flush-to-zero for the callback: decaying filter states must neither slow
 * it (subnormal arithmetic) nor stick at a subnormal for ever (0.97 * 17 ulp
 * rounds back to 17 ulp).  x86: MXCSR FTZ (bit 15) | DAZ (bit 6); arm64:
 * FPCR.FZ (bit 24; Arm Architecture Reference Manual, FPCR), which
 * make check-arm64 found missing (tests/unit/test_engine.c eq_tail_...).
 * Returns the previous mode for fz_restore. */
static inline unsigned long fz_enter(void)
{
#if defined(__SSE__)
    unsigned csr = _mm_getcsr();
    _mm_setcsr(csr | 0x8040);
    return csr;
#elif defined(__aarch64__)
    unsigned long fpcr;
    __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
    __asm__ volatile("msr fpcr, %0" : : "r"(fpcr | (1ul << 24)));
    return fpcr;
#else
    return 0;
#endif
}

static inline void fz_restore(unsigned long saved)
{
#if defined(__SSE__)
    _mm_setcsr((unsigned)saved);
#elif defined(__aarch64__)
    __asm__ volatile("msr fpcr, %0" : : "r"(saved));
#else
    (void)saved;
#endif
}

#define SUB 256              /* frames per internal sub-block */
#define PENDING_MAX 512
#define CMDQ_SIZE 1024
#define RETQ_SIZE 4096

enum cmd_type {
    CMD_ATTACH, CMD_PLAY, CMD_STOP, CMD_RELEASE, CMD_VOLUME, CMD_RATE,
    CMD_LEVEL, CMD_GRATE, CMD_EQ_ON, CMD_EQ_GAIN, CMD_TRIM, CMD_LIMIT,
};

typedef struct cmd {
    uint64_t at, seq;
    int type, slot, deck, band;
    double a, b;
    cs_stream *s;
} cmd;

struct cs_engine {
    cs_ring cmdq;             /* control → audio */
    cs_ring retq;             /* audio → control: cs_stream * */
    uint64_t seq;             /* control-private */

    cmd pending[PENDING_MAX]; /* audio-private, sorted */
    int npending;
    cs_voice voice[CS_MAX_VOICES];
    cs_ramp level[CS_DECKS];
    cs_ramp trim[CS_DECKS];   /* per-track loudness gain, times the level */
    cs_limiter lim;           /* master true-peak limiter (off: the soft clip) */
    cs_xfpow xfp;             /* crossfade power match, with the limiter */
    cs_eq eq[CS_DECKS];
    bool eq_on;
    double grate;
    uint64_t frames;
    float bus[CS_DECKS][2 * SUB];

    atomic_ullong pub_frames, underruns, xruns, dropped;
    atomic_int playing;
    atomic_uint pub_level[CS_DECKS];   /* float bits */
    /* Output clock seqlock: odd while the output side writes. */
    atomic_uint clk_seq;
    atomic_ullong clk_frames, clk_ns;
    atomic_uint latency;      /* output delay, frames: the limiter's while on */
};

cs_engine *cs_engine_new(cs_err *err)
{
    cs_engine *e = calloc(1, sizeof *e);
    if (!e) {
        cs_err_setc(err, CS_ERR_NOMEM, "engine: out of memory");
        return NULL;
    }
    if (cs_ring_init(&e->cmdq, CMDQ_SIZE, sizeof(cmd)) < 0 ||
        cs_ring_init(&e->retq, RETQ_SIZE, sizeof(cs_stream *)) < 0) {
        cs_ring_destroy(&e->cmdq);
        free(e);
        cs_err_setc(err, CS_ERR_NOMEM, "engine: out of memory");
        return NULL;
    }
    for (int d = 0; d < CS_DECKS; d++) {
        cs_ramp_jump(&e->level[d], 1.0f);    /* deck levels start at 1.0 */
        cs_ramp_jump(&e->trim[d], 1.0f);
        cs_eq_reset(&e->eq[d]);
        float one = 1.0f;
        unsigned bits;
        memcpy(&bits, &one, sizeof bits);
        atomic_init(&e->pub_level[d], bits);
    }
    for (int i = 0; i < CS_MAX_VOICES; i++) atomic_init(&e->voice[i].pub_state, CS_VOICE_EMPTY);
    cs_limiter_init(&e->lim, 0, CS_RATE);
    cs_xfpow_init(&e->xfp);
    e->grate = 1.0;
    return e;
}

static void retire(cs_engine *e, cs_voice *v);

void cs_engine_shutdown(cs_engine *e)
{
    cmd c;
    while (cs_ring_pop(&e->cmdq, &c))
        if (c.type == CMD_ATTACH && c.s) cs_ring_push(&e->retq, &c.s);
    for (int i = 0; i < e->npending; i++)
        if (e->pending[i].type == CMD_ATTACH && e->pending[i].s) cs_ring_push(&e->retq, &e->pending[i].s);
    e->npending = 0;
    for (int i = 0; i < CS_MAX_VOICES; i++) retire(e, &e->voice[i]);
}

void cs_engine_free(cs_engine *e)
{
    if (!e) return;
    cs_ring_destroy(&e->cmdq);
    cs_ring_destroy(&e->retq);
    free(e);
}

uint64_t cs_engine_now(const cs_engine *e)
{
    return atomic_load(&((cs_engine *)e)->pub_frames);
}

/* ---- control side ---- */

static int send(cs_engine *e, cmd c)
{
    c.seq = e->seq++;
    if (!cs_ring_push(&e->cmdq, &c)) {
        atomic_fetch_add(&e->dropped, 1);
        return -1;
    }
    return 0;
}

size_t cs_engine_queue_size(const cs_engine *e) { return cs_ring_capacity(&e->cmdq); }
size_t cs_engine_queue_free(const cs_engine *e) { return cs_ring_writable((cs_ring *)&e->cmdq); }

static bool slot_ok(int slot) { return slot >= 0 && slot < CS_MAX_VOICES; }

int cs_engine_attach(cs_engine *e, int slot, cs_stream *s, int deck, uint64_t at)
{
    if (!slot_ok(slot) || deck < 0 || deck >= CS_DECKS) return -1;
    return send(e, (cmd){ .at = at, .type = CMD_ATTACH, .slot = slot, .deck = deck, .s = s });
}

int cs_engine_play(cs_engine *e, int slot, double rate, double volume, uint64_t at)
{
    if (!slot_ok(slot)) return -1;
    return send(e, (cmd){ .at = at, .type = CMD_PLAY, .slot = slot, .a = rate, .b = volume });
}

int cs_engine_stop(cs_engine *e, int slot, uint64_t at)
{
    if (!slot_ok(slot)) return -1;
    return send(e, (cmd){ .at = at, .type = CMD_STOP, .slot = slot });
}

int cs_engine_release(cs_engine *e, int slot, uint64_t at)
{
    if (!slot_ok(slot)) return -1;
    return send(e, (cmd){ .at = at, .type = CMD_RELEASE, .slot = slot });
}

int cs_engine_volume(cs_engine *e, int slot, double volume, uint64_t at)
{
    if (!slot_ok(slot)) return -1;
    return send(e, (cmd){ .at = at, .type = CMD_VOLUME, .slot = slot, .a = volume });
}

int cs_engine_rate(cs_engine *e, int slot, double rate, uint64_t at)
{
    if (!slot_ok(slot)) return -1;
    return send(e, (cmd){ .at = at, .type = CMD_RATE, .slot = slot, .a = rate });
}

int cs_engine_level(cs_engine *e, int deck, double level, double ramp_s, uint64_t at)
{
    if (deck < 0 || deck >= CS_DECKS) return -1;
    return send(e, (cmd){ .at = at, .type = CMD_LEVEL, .deck = deck, .a = level, .b = ramp_s });
}

int cs_engine_trim(cs_engine *e, int deck, double gain, uint64_t at)
{
    if (deck < 0 || deck >= CS_DECKS || !(gain >= 0) || !isfinite(gain)) return -1;
    return send(e, (cmd){ .at = at, .type = CMD_TRIM, .deck = deck, .a = gain });
}

int cs_engine_limiter(cs_engine *e, double ceiling, uint64_t at)
{
    if (!isfinite(ceiling) || ceiling > 1.0) return -1;
    if (send(e, (cmd){ .at = at, .type = CMD_LIMIT, .a = ceiling }) < 0) return -1;
    atomic_store_explicit(&e->latency, ceiling > 0 ? CS_LIM_DELAY : 0, memory_order_relaxed);
    return 0;
}

unsigned cs_engine_latency(const cs_engine *e)
{
    return atomic_load_explicit(&((cs_engine *)e)->latency, memory_order_relaxed);
}

int cs_engine_global_rate(cs_engine *e, double rate, uint64_t at)
{
    return send(e, (cmd){ .at = at, .type = CMD_GRATE, .a = rate });
}

int cs_engine_eq_enable(cs_engine *e, bool on, uint64_t at)
{
    return send(e, (cmd){ .at = at, .type = CMD_EQ_ON, .a = on ? 1 : 0 });
}

int cs_engine_eq_gain(cs_engine *e, int deck, int band, double gain, uint64_t at)
{
    if (deck < 0 || deck >= CS_DECKS || band < 0 || band > 2) return -1;
    return send(e, (cmd){ .at = at, .type = CMD_EQ_GAIN, .deck = deck, .band = band, .a = gain });
}

cs_stream *cs_engine_retired(cs_engine *e)
{
    cs_stream *s;
    return cs_ring_pop(&e->retq, &s) ? s : NULL;
}

void cs_engine_drop_retired(cs_engine *e, cs_reader *r)
{
    cs_stream *s;
    while ((s = cs_engine_retired(e))) cs_reader_drop(r, s);
}

int cs_engine_voice_state(const cs_engine *e, int slot)
{
    if (!slot_ok(slot)) return CS_VOICE_EMPTY;
    return atomic_load(&((cs_engine *)e)->voice[slot].pub_state);
}

void cs_engine_stats_get(const cs_engine *e, cs_engine_stats *st)
{
    cs_engine *m = (cs_engine *)e;
    st->frames = atomic_load(&m->pub_frames);
    st->underruns = atomic_load(&m->underruns);
    st->xruns = atomic_load(&m->xruns);
    st->dropped_cmds = atomic_load(&m->dropped);
    st->playing = atomic_load(&m->playing);
    for (int d = 0; d < CS_DECKS; d++) {
        unsigned bits = atomic_load(&m->pub_level[d]);
        float f;
        memcpy(&f, &bits, sizeof f);
        st->deck_level[d] = f;
    }
}

/* A seqlock (Boehm, "Can seqlocks get along with programming language
 * memory models?"): the fields are atomics read and written relaxed, ordered
 * by the fences, so there is no data race and the writer never blocks. */
void cs_engine_clock_publish(cs_engine *e, uint64_t frames, int64_t mono_ns)
{
    /* What reaches the output now was mixed `latency` frames earlier. */
    unsigned lat = atomic_load_explicit(&e->latency, memory_order_relaxed);
    frames = frames > lat ? frames - lat : 0;
    unsigned s = atomic_load_explicit(&e->clk_seq, memory_order_relaxed);
    atomic_store_explicit(&e->clk_seq, s + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    atomic_store_explicit(&e->clk_frames, frames, memory_order_relaxed);
    atomic_store_explicit(&e->clk_ns, (unsigned long long)mono_ns, memory_order_relaxed);
    atomic_store_explicit(&e->clk_seq, s + 2, memory_order_release);
}

bool cs_engine_clock_read(const cs_engine *e, uint64_t *frames, int64_t *mono_ns)
{
    cs_engine *m = (cs_engine *)e;
    for (;;) {
        unsigned s1 = atomic_load_explicit(&m->clk_seq, memory_order_acquire);
        if (s1 == 0) return false;
        if (s1 & 1) continue;     /* a write in progress: a few stores long */
        uint64_t f = atomic_load_explicit(&m->clk_frames, memory_order_relaxed);
        int64_t ns = (int64_t)atomic_load_explicit(&m->clk_ns, memory_order_relaxed);
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&m->clk_seq, memory_order_relaxed) == s1) {
            *frames = f;
            *mono_ns = ns;
            return true;
        }
    }
}

void cs_engine_count_xrun(cs_engine *e) { atomic_fetch_add(&e->xruns, 1); }
void cs_engine_count_underrun(cs_engine *e) { atomic_fetch_add(&e->underruns, 1); }

/* ---- audio side ---- */

static int ramp_frames(double seconds)
{
    if (!(seconds > CS_RAMP_SECONDS)) seconds = CS_RAMP_SECONDS;
    if (seconds > 3600) seconds = 3600;
    return (int)lrint(seconds * CS_RATE);
}

static void retire(cs_engine *e, cs_voice *v)
{
    if (v->s && !cs_ring_push(&e->retq, &v->s)) {
        /* Cannot free here; a full queue means the control thread is gone.
         * The stream leaks rather than the callback blocking. */
    }
    v->s = NULL;
    v->state = CS_VOICE_EMPTY;
}

static void apply(cs_engine *e, const cmd *c)
{
    cs_voice *v = (c->type <= CMD_RATE) ? &e->voice[c->slot] : NULL;
    switch (c->type) {
    case CMD_ATTACH:
        retire(e, v);
        cs_voice_reset(v, c->s, c->deck);
        v->state = c->s ? CS_VOICE_CUED : CS_VOICE_EMPTY;
        break;
    case CMD_PLAY:
        if (!v->s) break;
        v->rate = isfinite(c->a) && c->a > 0 ? c->a : 1.0;
        v->stopping = false;
        v->release_after = false;
        cs_ramp_jump(&v->vol, (float)c->b);
        if (v->state == CS_VOICE_CUED) v->state = CS_VOICE_PLAYING;
        break;
    case CMD_STOP:
    case CMD_RELEASE:
        if (v->state == CS_VOICE_PLAYING) {
            v->stopping = true;
            v->release_after = c->type == CMD_RELEASE;
            cs_ramp_to(&v->vol, 0.0f, ramp_frames(0));
        } else if (c->type == CMD_RELEASE) {
            retire(e, v);
        }
        break;
    case CMD_VOLUME:
        cs_ramp_to(&v->vol, (float)c->a, ramp_frames(0));
        break;
    case CMD_RATE:
        if (isfinite(c->a) && c->a > 0) v->rate = c->a;
        break;
    case CMD_LEVEL:
        cs_ramp_to(&e->level[c->deck], (float)c->a, ramp_frames(c->b));
        break;
    case CMD_GRATE:
        if (isfinite(c->a) && c->a > 0) e->grate = c->a;
        break;
    case CMD_EQ_ON:
        if ((c->a != 0) != e->eq_on) {
            e->eq_on = c->a != 0;
            for (int d = 0; d < CS_DECKS; d++) {
                float t[3] = { e->eq[d].t[0], e->eq[d].t[1], e->eq[d].t[2] };
                cs_eq_reset(&e->eq[d]);
                for (int b = 0; b < 3; b++) e->eq[d].g[b] = e->eq[d].t[b] = t[b];
            }
        }
        break;
    case CMD_EQ_GAIN:
        cs_eq_set(&e->eq[c->deck], c->band, (float)c->a);
        break;
    case CMD_TRIM:
        cs_ramp_to(&e->trim[c->deck], (float)c->a, ramp_frames(0));
        break;
    case CMD_LIMIT:
        if ((float)c->a != e->lim.ceiling) {
            cs_limiter_init(&e->lim, (float)c->a, CS_RATE);
            cs_xfpow_init(&e->xfp);
        }
        break;
    }
    if (v) {
        CS_VOICE_ASSERT(v);
        atomic_store_explicit(&v->pub_state, v->state, memory_order_release);
    }
}

static void drain_queue(cs_engine *e)
{
    cmd c;
    while (e->npending < PENDING_MAX && cs_ring_pop(&e->cmdq, &c)) {
        /* A stamp already passed (CS_NOW, or a command sent late, as the
         * ladder's deferred ones, ladder_cmd.c) means "now": it sorts with
         * the other "now"s by send order, so a later CS_NOW command never
         * jumps ahead of it (a late release ending the stream attached
         * after it, a late level undoing a newer one). */
        if (c.at < e->frames) c.at = e->frames;
        int i = e->npending++;
        while (i > 0 && (e->pending[i - 1].at > c.at ||
                         (e->pending[i - 1].at == c.at && e->pending[i - 1].seq > c.seq))) {
            e->pending[i] = e->pending[i - 1];
            i--;
        }
        e->pending[i] = c;
        /* The pending commands stay sorted by (at, seq), none before now. */
        assert(e->npending <= PENDING_MAX && c.at >= e->frames);
        assert(i == 0 || e->pending[i - 1].at < c.at ||
               (e->pending[i - 1].at == c.at && e->pending[i - 1].seq <= c.seq));
        assert(i + 1 == e->npending || c.at < e->pending[i + 1].at ||
               (c.at == e->pending[i + 1].at && c.seq < e->pending[i + 1].seq));
    }
}

static void render(cs_engine *e, float *out, int n)
{
    unsigned active = 0;
    int playing = 0;
    for (int i = 0; i < CS_MAX_VOICES; i++) {
        cs_voice *v = &e->voice[i];
        if (v->state != CS_VOICE_PLAYING) continue;
        unsigned bit = 1u << v->deck;
        if (!(active & bit)) {
            memset(e->bus[v->deck], 0, sizeof(float) * 2 * (size_t)n);
            active |= bit;
        }
        if (cs_voice_render(v, e->bus[v->deck], n, e->grate))
            atomic_fetch_add_explicit(&e->underruns, 1, memory_order_relaxed);
        if (v->stopping && v->vol.n == 0) {
            v->stopping = false;
            v->state = CS_VOICE_CUED;
            if (v->release_after) retire(e, v);
        }
        CS_VOICE_ASSERT(v);
        if (v->state != CS_VOICE_PLAYING)
            atomic_store_explicit(&v->pub_state, v->state, memory_order_release);
        else
            playing++;
    }
    atomic_store_explicit(&e->playing, playing, memory_order_relaxed);

    memset(out, 0, sizeof(float) * 2 * (size_t)n);
    if (!active) {
        /* Nothing plays: silence is exact (the soft clip maps 0 to 0), so an
         * idle player costs the device a memset per buffer.  The limiter
         * still plays out its delay line and releases. */
        for (int d = 0; d < CS_DECKS; d++) {
            cs_ramp_skip(&e->level[d], n);
            cs_ramp_skip(&e->trim[d], n);
        }
        if (e->lim.ceiling > 0) cs_limiter_process(&e->lim, out, n, CS_MASTER_GAIN);
        return;
    }
    const bool lim = e->lim.ceiling > 0;
    double ed = 0;    /* energy of the decks' contributions one by one (lim only) */
    for (int d = 0; d < CS_DECKS; d++) {
        cs_ramp *lv = &e->level[d], *tr = &e->trim[d];
        if (!(active & (1u << d))) {
            cs_ramp_skip(lv, n);
            cs_ramp_skip(tr, n);
            continue;
        }
        float *bus = e->bus[d];
        if (e->eq_on) cs_eq_process(&e->eq[d], bus, n);
        if (lv->n == 0 && tr->n == 0) {
            /* trim 1 (every deck of the OSC surface): g is the level, exact. */
            float g = lv->cur * tr->cur;
            for (int i = 0; i < 2 * n; i++) out[i] += g * bus[i];
            if (lim)
                for (int i = 0; i < 2 * n; i++) ed += (double)(g * bus[i]) * (g * bus[i]);
        } else {
            for (int i = 0; i < n; i++) {
                float g = cs_ramp_next(lv) * cs_ramp_next(tr);
                out[2 * i] += g * bus[2 * i];
                out[2 * i + 1] += g * bus[2 * i + 1];
                if (lim) ed += (double)(g * bus[2 * i]) * (g * bus[2 * i]) +
                               (double)(g * bus[2 * i + 1]) * (g * bus[2 * i + 1]);
            }
        }
    }
    if (lim) {
        double em = 0;
        for (int i = 0; i < 2 * n; i++) em += (double)out[i] * out[i];
        cs_xfpow_apply(&e->xfp, out, n, ed, em, CS_RATE);
    }
    /* With the true-peak limiter on (loudness-matched sets), it replaces the
     * soft clip: nothing reaches it above the ceiling, and the tanh would
     * only bend (compress, distort) the levels the gains just matched. */
    if (lim) cs_limiter_process(&e->lim, out, n, CS_MASTER_GAIN);
    else
        for (int i = 0; i < 2 * n; i++) out[i] = cs_soft_clip(CS_MASTER_GAIN * out[i]);
}

void cs_engine_process(cs_engine *e, float *out, size_t frames)
{
    unsigned long fp_mode = fz_enter();
    drain_queue(e);
    size_t done = 0;
    while (done < frames) {
        uint64_t t = e->frames;
        int k = 0;
        while (k < e->npending && e->pending[k].at <= t) apply(e, &e->pending[k++]);
        if (k) {
            memmove(e->pending, e->pending + k, sizeof(cmd) * (size_t)(e->npending - k));
            e->npending -= k;
            drain_queue(e);   /* room freed: take any waiting commands */
            continue;
        }
        size_t n = frames - done;
        if (n > SUB) n = SUB;
        if (e->npending && e->pending[0].at < t + n) n = (size_t)(e->pending[0].at - t);
        render(e, out + 2 * done, (int)n);
        done += n;
        e->frames += n;
    }
    for (int d = 0; d < CS_DECKS; d++) {
        unsigned bits;
        memcpy(&bits, &e->level[d].cur, sizeof bits);
        atomic_store_explicit(&e->pub_level[d], bits, memory_order_relaxed);
    }
    atomic_store_explicit(&e->pub_frames, e->frames, memory_order_release);
    fz_restore(fp_mode);
}
