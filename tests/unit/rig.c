/* Shared unit-test rigs (see rig.h). */
#include "tests/unit/rig.h"
#include "tests/unit/unit.h"
#include "player/surface/osc.h"
#include "player/surface/osc_test.h"

#include <fcntl.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

cs_control_config rig_config(void)
{
    return (cs_control_config){ .base_bpm = 120, .stretch = CS_STRETCH_RATE,
                                .tempo = cs_tempo_config_default(), .render = true, .meter = 4 };
}

int rig_open(rig *g, const cs_control_config *cfg, double seconds)
{
    *g = (rig){ 0 };
    g->e = cs_engine_new(NULL);
    g->r = g->e ? cs_reader_new(false, NULL) : NULL;
    if (g->r && cfg) g->c = cs_control_new(cfg, g->e, g->r, NULL);
    g->cap = seconds > 0 ? (size_t)(seconds * CS_RATE) : 0;
    g->out = g->cap ? calloc(2 * g->cap, sizeof(float)) : NULL;
    if (!g->r || (cfg && !g->c) || (g->cap && !g->out)) {
        rig_close(g);
        return -1;
    }
    return 0;
}

void rig_close(rig *g)
{
    if (g->e) cs_engine_shutdown(g->e);
    if (g->e && g->r) cs_engine_drop_retired(g->e, g->r);
    cs_control_free(g->c);
    cs_reader_free(g->r);
    cs_engine_free(g->e);
    free(g->out);
    *g = (rig){ 0 };
}

void rig_render_to(rig *g, uint64_t until)
{
    float scratch[2 * 1000];
    while (g->t < until && (g->t < g->cap || !g->out)) {
        uint64_t n = until - g->t < 1000 ? until - g->t : 1000;
        if (g->out && g->t + n > g->cap) n = g->cap - g->t;
        if (g->c) cs_control_set_clock(g->c, g->t);
        cs_reader_pump(g->r, true);
        if (g->c) cs_control_tick(g->c);
        cs_engine_process(g->e, g->out ? g->out + 2 * g->t : scratch, (size_t)n);
        g->t += n;
    }
    if (g->c) cs_control_set_clock(g->c, g->t);
}

char *rig_capture_stderr(void (*fn)(void *), void *arg)
{
    char path[512];
    snprintf(path, sizeof path, "%s/stderr.txt", unit_tmpdir());
    fflush(stderr);
    int saved = dup(2);
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    dup2(fd, 2);
    close(fd);
    fn(arg);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    FILE *f = fopen(path, "r");
    static char buf[1 << 16];
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    buf[n] = 0;
    if (f) fclose(f);
    return buf;
}

const char *rig_dc_wav(const char *name, double seconds, float l, float r)
{
    static char paths[4][512];
    static int k;
    char *p = paths[k++ % 4];
    snprintf(p, 512, "%s/%s", unit_tmpdir(), name);
    SF_INFO info = { .samplerate = CS_RATE, .channels = 2, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT };
    SNDFILE *sf = sf_open(p, SFM_WRITE, &info);
    if (!sf) return NULL;
    size_t n = (size_t)(seconds * CS_RATE);
    float *x = malloc(2 * (n ? n : 1) * sizeof(float));
    for (size_t i = 0; x && i < n; i++) x[2 * i] = l, x[2 * i + 1] = r;
    if (x) sf_writef_float(sf, x, (sf_count_t)n);
    free(x);
    sf_close(sf);
    return x ? p : NULL;
}

int rig_count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++) n++;
    return n;
}

int rig_osc(rig *g, const char *path, lo_message m)
{
    size_t n = 0;
    void *d = lo_message_serialise(m, path, NULL, &n);
    int rc = cs_osc_handle_packet(g->c, d, n, NULL, NULL);
    free(d);
    lo_message_free(m);
    return rc;
}

void rig_load(rig *g, int id, const char *path)
{
    lo_message m = lo_message_new();
    lo_message_add_int32(m, id);
    lo_message_add_string(m, path);
    rig_osc(g, "/load_buffer", m);
    cs_reader_pump(g->r, true);
}

lo_message rig_msg_id(int id)
{
    lo_message m = lo_message_new();
    lo_message_add_int32(m, id);
    return m;
}

int rig_ladder_open(rig_ladder *x, cs_lset *set)
{
    cs_control_config cfg = rig_config();
    cfg.stretch_disabled = true;   /* as cs play does for a ladder set */
    if (rig_open(&x->g, &cfg, 0) < 0) {
        cs_lset_free(set);
        return -1;
    }
    cs_lset_probe(set);
    cs_ladder_opts o = { .prepare_s = 0.05, .meter = 4 };
    cs_err err = {0};
    x->l = cs_ladder_new(set, x->g.c, x->g.e, x->g.r, &o, &err);
    cs_lset_free(set);
    if (!x->l) {
        rig_close(&x->g);
        return -1;
    }
    cs_control_ladder h = cs_ladder_hooks(x->l);
    cs_control_set_ladder(x->g.c, &h);
    return 0;
}

void rig_ladder_close(rig_ladder *x)
{
    cs_ladder_free(x->l);
    rig_close(&x->g);
}

void rig_osc_bundle(cs_control *c, lo_bundle b)
{
    size_t n = 0;
    void *d = lo_bundle_serialise(b, NULL, &n);
    cs_osc_handle_packet(c, d, n, NULL, NULL);
    free(d);
    lo_bundle_free_recursive(b);
}

lo_timetag rig_tag(double s)
{
    lo_timetag t = { (uint32_t)s, (uint32_t)((s - (uint32_t)s) * 4294967296.0) };
    return t;
}
