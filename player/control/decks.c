/* The original server's deck and EQ knob rules (see decks.h). */
#include "player/control/decks.h"

#include <math.h>

int cs_deck_of_id(long id)
{
    if (id >= 100 && id <= 1099) return 0;
    if (id >= 1100 && id <= 2099) return 1;
    if (id >= 2100 && id <= 3099) return 2;
    return 3;
}

int cs_deck_of_name(const char *name)
{
    if (!name) return -1;
    while (*name == ' ' || *name == '\t') name++;
    char c = *name;
    if (c >= 'a' && c <= 'd') c = (char)(c - 'a' + 'A');
    if (c < 'A' || c > 'D') return -1;
    for (const char *p = name + 1; *p; p++)
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') return -1;
    return c - 'A';
}

double cs_eq_percent_gain(double p)
{
    if (!isfinite(p)) p = 50.0;
    if (p <= 0.0) return 0.0;
    if (p >= 50.0) return 1.0;
    return pow(10.0, ((p / 50.0) - 1.0) * 24.0 / 20.0);
}

