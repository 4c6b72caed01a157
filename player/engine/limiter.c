/* The master true-peak limiter (see limiter.h). */
#include "player/engine/limiter.h"

#include <math.h>
#include <string.h>

/* ITU-R BS.1770-4 Annex 2, Table 1: the 4x oversampling interpolator,
 * 48 taps as 4 phases of 12, stored tap-major (tp_coef[k][phase]) so
 * the four phases are one 4-wide multiply-add per tap (vectorised). */
static const float tp_coef[CS_LIM_TAPS][4] = {
    { 0.0017089843750f, -0.0291748046875f, -0.0189208984375f, -0.0083007812500f },
    { 0.0109863281250f, 0.0292968750000f, 0.0330810546875f, 0.0148925781250f },
    { -0.0196533203125f, -0.0517578125000f, -0.0582275390625f, -0.0266113281250f },
    { 0.0332031250000f, 0.0891113281250f, 0.1015625000000f, 0.0476074218750f },
    { -0.0594482421875f, -0.1665039062500f, -0.2003173828125f, -0.1022949218750f },
    { 0.1373291015625f, 0.4650878906250f, 0.7797851562500f, 0.9721679687500f },
    { 0.9721679687500f, 0.7797851562500f, 0.4650878906250f, 0.1373291015625f },
    { -0.1022949218750f, -0.2003173828125f, -0.1665039062500f, -0.0594482421875f },
    { 0.0476074218750f, 0.1015625000000f, 0.0891113281250f, 0.0332031250000f },
    { -0.0266113281250f, -0.0582275390625f, -0.0517578125000f, -0.0196533203125f },
    { 0.0148925781250f, 0.0330810546875f, 0.0292968750000f, 0.0109863281250f },
    { -0.0083007812500f, -0.0189208984375f, -0.0291748046875f, 0.0017089843750f },
};

void cs_limiter_init(cs_limiter *l, float ceiling, int rate)
{
    memset(l, 0, sizeof *l);
    l->ceiling = ceiling > 0 ? ceiling : 0;
    l->aim = l->ceiling * powf(10.0f, -CS_LIM_MARGIN_DB / 20.0f);
    l->rel = (float)(1.0 - exp(-1.0 / (CS_LIM_RELEASE_S * rate)));
    l->r = 1.0f;
    for (int i = 0; i <= CS_LIM_LOOKAHEAD; i++) l->box[i] = 1.0f;
    l->sum = CS_LIM_LOOKAHEAD + 1;
    l->min_gain = 1.0f;
}

/* The true peak between the last two history samples and of them. */
static inline float true_peak(const float *h)
{
    /* h[0] is the newest sample x[j], h[k] = x[j-k]. */
    float y[4] = { 0, 0, 0, 0 };
    for (int k = 0; k < CS_LIM_TAPS; k++)
        for (int ph = 0; ph < 4; ph++) y[ph] += tp_coef[k][ph] * h[k];
    float p = fmaxf(fabsf(h[CS_LIM_TP_DELAY]), fabsf(h[CS_LIM_TP_DELAY - 1]));
    for (int ph = 0; ph < 4; ph++) p = fmaxf(p, fabsf(y[ph]));
    return p;
}

void cs_limiter_process(cs_limiter *l, float *buf, int n, float pre)
{
    const float ceil_ = l->ceiling, aim = l->aim;
    const float inv_box = 1.0f / (CS_LIM_LOOKAHEAD + 1);
    for (int i = 0; i < n; i++) {
        float x0 = pre * buf[2 * i], x1 = pre * buf[2 * i + 1];
        /* History newest first, kept twice so h[hpos..hpos+TAPS) is linear. */
        l->hpos = l->hpos == 0 ? CS_LIM_TAPS - 1 : l->hpos - 1;
        l->hist[0][l->hpos] = l->hist[0][l->hpos + CS_LIM_TAPS] = x0;
        l->hist[1][l->hpos] = l->hist[1][l->hpos + CS_LIM_TAPS] = x1;
        float p = fmaxf(true_peak(&l->hist[0][l->hpos]), true_peak(&l->hist[1][l->hpos]));
        float q = p > aim ? aim / p : 1.0f;
        /* Sliding minimum over the last CS_LIM_WIN frames. */
        uint64_t j = l->n++;
        /* Expired first, so the push always has room (at most WIN held). */
        while (l->dq_n > 0 && l->dq_idx[l->dq_head] + CS_LIM_WIN <= j) {
            l->dq_head = (l->dq_head + 1) % CS_LIM_WIN;
            l->dq_n--;
        }
        while (l->dq_n > 0 && l->dq_val[(l->dq_head + l->dq_n - 1) % CS_LIM_WIN] >= q) l->dq_n--;
        int tail = (l->dq_head + l->dq_n) % CS_LIM_WIN;
        l->dq_val[tail] = q;
        l->dq_idx[tail] = j;
        l->dq_n++;
        float t = l->dq_val[l->dq_head];
        float r = l->r + (1.0f - l->r) * l->rel;
        l->r = r = r < t ? r : t;
        l->sum += (double)r - (double)l->box[l->bpos];
        l->box[l->bpos] = r;
        if (++l->bpos > CS_LIM_LOOKAHEAD) l->bpos = 0;
        float g = (float)l->sum * inv_box;
        if (g > 1.0f) g = 1.0f;
        if (g < l->min_gain) l->min_gain = g;
        float *d = &l->delay[2 * l->dpos];
        float y0 = d[0] * g, y1 = d[1] * g;
        d[0] = x0;
        d[1] = x1;
        if (++l->dpos == CS_LIM_DELAY) l->dpos = 0;
        /* Numerical slop only (the gain already covers the peak). */
        buf[2 * i] = fminf(fmaxf(y0, -ceil_), ceil_);
        buf[2 * i + 1] = fminf(fmaxf(y1, -ceil_), ceil_);
    }
}

void cs_xfpow_init(cs_xfpow *x)
{
    x->pd = x->pm = 0;
    x->c = 1.0f;
}

void cs_xfpow_apply(cs_xfpow *x, float *mix, int n, double ed, double em, int rate)
{
    if (n <= 0) return;
    double a = 1.0 - exp(-(double)n / (CS_XFPOW_S * rate));
    x->pd += a * (ed / n - x->pd);
    x->pm += a * (em / n - x->pm);
    float target = 1.0f;
    if (x->pm > x->pd && x->pm > 1e-12) target = (float)sqrt(x->pd / x->pm);
    if (target < CS_XFPOW_MIN) target = CS_XFPOW_MIN;
    if (target == 1.0f && x->c == 1.0f) return;
    float c = x->c, step = (target - c) / (float)n;
    for (int i = 0; i < n; i++) {
        c += step;
        mix[2 * i] *= c;
        mix[2 * i + 1] *= c;
    }
    x->c = target;
}
