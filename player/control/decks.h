/* The original audio server's rules for naming decks and turning EQ knobs
 * (docs/osc.md "Messages of the original audio server", docs/osc.md
 * "The deck EQ"): which deck a buffer id plays on, a deck letter, and the
 * cut-only EQ knob's gain.  The engine knows decks only by
 * number (0..CS_DECKS-1) and bands only by linear gain. */
#ifndef CS_PLAYER_DECKS_H
#define CS_PLAYER_DECKS_H

/* Deck of an original-server buffer id: A 100–1099, B 1100–2099,
 * C 2100–3099, D everything else (ids < 100 and >= 3100 included). */
int cs_deck_of_id(long id);
/* 'A'..'D' (case-insensitive, surrounding blanks ignored) → 0..3, else -1. */
int cs_deck_of_name(const char *name);

/* Cut-only EQ knob of the original: p <= 0 → 0 (kill), p >= 50 → 1 (flat),
 * else 10^(((p/50) - 1)·24/20).  Non-finite counts as 50. */
double cs_eq_percent_gain(double percent);

#endif
