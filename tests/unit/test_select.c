#include "tests/unit/unit.h"

#include "pkg/key.h"
#include "pkg/select.h"
#include "pkg/select_test.h"

TEST(defaults_match_everything)
{
    cs_selection s;
    cs_selection_init(&s);
    CHECK_EQ_INT(s.n_sections, 6);
    CHECK(cs_selection_match(&s, 0, NULL));
    CHECK(cs_selection_match(&s, 87.3, "Gm"));
    CHECK(cs_selection_match(&s, 300, ""));
    cs_selection_free(&s);
}

TEST(bpm_delta_inclusive)
{
    cs_selection s;
    cs_selection_init(&s);
    cs_selection_set_bpm(&s, 122.5, 2);
    CHECK(cs_selection_match_bpm(&s, 120.5));
    CHECK(cs_selection_match_bpm(&s, 124.5));
    CHECK(cs_selection_match_bpm(&s, 122.5));
    CHECK(!cs_selection_match_bpm(&s, 120.49));
    CHECK(!cs_selection_match_bpm(&s, 124.51));
    CHECK(!cs_selection_match_bpm(&s, NAN));
    CHECK(!cs_selection_match_bpm(&s, 0));
    cs_selection_free(&s);
}

/* Bounds that are equal on paper but not in binary: 122.3 - 0.1 is
 * 122.19999999999999, and 0.1 + 0.2 is 0.30000000000000004. */
TEST(bpm_bounds_survive_rounding)
{
    cs_selection s;
    cs_selection_init(&s);
    cs_selection_set_bpm(&s, 122.3, 0.1);
    CHECK(cs_selection_match_bpm(&s, 122.2));
    CHECK(cs_selection_match_bpm(&s, 122.4));
    CHECK(!cs_selection_match_bpm(&s, 122.4 + 1e-6));
    cs_selection_set_bpm(&s, 0.1 + 0.2, 0);
    CHECK(cs_selection_match_bpm(&s, 0.3));
    /* A negative delta means the same window. */
    cs_selection_set_bpm(&s, 120, -2);
    CHECK(cs_selection_match_bpm(&s, 118) && cs_selection_match_bpm(&s, 122));
    cs_selection_free(&s);
}

TEST(min_only_max_only)
{
    cs_selection s;
    cs_selection_init(&s);
    s.has_min = true;
    s.bpm_min = 118;
    CHECK(cs_selection_match_bpm(&s, 118));
    CHECK(cs_selection_match_bpm(&s, 500));
    CHECK(!cs_selection_match_bpm(&s, 117.99));
    s.has_min = false;
    s.has_max = true;
    s.bpm_max = 125;
    CHECK(cs_selection_match_bpm(&s, 125));
    CHECK(cs_selection_match_bpm(&s, 0));
    CHECK(!cs_selection_match_bpm(&s, 125.01));
    cs_selection_free(&s);
}

TEST(key_list_parsing)
{
    cs_selection s;
    cs_err e = {0};
    cs_selection_init(&s);
    CHECK_EQ_INT(cs_selection_set_keys(&s, "Gm,Cm", &e), 0);
    CHECK_EQ_INT(s.n_keys, 2);
    CHECK_STR(s.keys[0], "Gm");
    CHECK_STR(s.keys[1], "Cm");
    CHECK_EQ_INT(s.key_codes[0], 10);
    CHECK_EQ_INT(s.key_codes[1], 8);
    CHECK_EQ_INT(cs_selection_set_keys(&s, " gm , 5A ", &e), 0);   /* replaces */
    CHECK_EQ_INT(s.n_keys, 2);
    CHECK_STR(s.keys[0], "gm");
    CHECK_STR(s.keys[1], "5A");
    CHECK_EQ_INT(s.key_codes[0], 10);
    CHECK_EQ_INT(s.key_codes[1], 8);
    CHECK_EQ_INT(cs_selection_set_keys(&s, ",,Am,, ,", &e), 0);
    CHECK_EQ_INT(s.n_keys, 1);
    CHECK_STR(s.keys[0], "Am");
    cs_selection_free(&s);
}

TEST(key_list_empty_is_error)
{
    cs_selection s;
    cs_err e = {0};
    cs_selection_init(&s);
    CHECK_EQ_INT(cs_selection_set_keys(&s, " , ,", &e), CS_ERR_USAGE);
    CHECK(strstr(e.msg, "no key") != NULL);
    CHECK_EQ_INT(s.n_keys, 0);
    CHECK_EQ_INT(cs_selection_set_keys(&s, "", &e), CS_ERR_USAGE);
    CHECK_EQ_INT(cs_selection_set_keys(&s, NULL, &e), CS_ERR_USAGE);
    CHECK(cs_selection_match_key(&s, "Gm"));    /* no keys: all match */
    cs_selection_free(&s);
}

TEST(key_matching_across_notations)
{
    cs_selection s;
    cs_err e = {0};
    cs_selection_init(&s);
    CHECK_EQ_INT(cs_selection_set_keys(&s, "Gm", &e), 0);
    CHECK(cs_selection_match_key(&s, "6A"));
    CHECK(cs_selection_match_key(&s, "Gm"));
    CHECK(cs_selection_match_key(&s, "gm"));
    CHECK(cs_selection_match_key(&s, " G minor "));
    CHECK(!cs_selection_match_key(&s, "6B"));
    CHECK(!cs_selection_match_key(&s, "Cm"));
    CHECK(!cs_selection_match_key(&s, ""));
    CHECK(!cs_selection_match_key(&s, NULL));
    CHECK_EQ_INT(cs_selection_set_keys(&s, " gm , 5A ", &e), 0);
    CHECK(cs_selection_match_key(&s, "Cm"));
    CHECK(cs_selection_match_key(&s, "Cmin"));
    CHECK(cs_selection_match_key(&s, "6a"));
    CHECK(!cs_selection_match_key(&s, "Dm"));
    cs_selection_free(&s);
}

/* A notation nobody parses is compared as text, ignoring case and blanks,
 * and never matches a parsed key. */
TEST(unknown_notation_verbatim)
{
    cs_selection s;
    cs_err e = {0};
    cs_selection_init(&s);
    CHECK_EQ_INT(cs_selection_set_keys(&s, "Gm, Weird-Key ", &e), 0);
    CHECK_EQ_INT(s.key_codes[1], CS_KEY_UNKNOWN);
    CHECK(cs_selection_match_key(&s, "weird-key"));
    CHECK(cs_selection_match_key(&s, " WEIRD-KEY"));
    CHECK(!cs_selection_match_key(&s, "weird-keys"));
    CHECK(!cs_selection_match_key(&s, "weird"));
    CHECK(!cs_selection_match_key(&s, "Am"));
    CHECK(cs_selection_match_key(&s, "6A"));
    cs_selection_free(&s);
}

TEST(bpm_and_key_together)
{
    cs_selection s;
    cs_err e = {0};
    cs_selection_init(&s);
    cs_selection_set_bpm(&s, 122.5, 2);
    CHECK_EQ_INT(cs_selection_set_keys(&s, "Gm,Cm", &e), 0);
    CHECK(cs_selection_match(&s, 120.5, "6A"));
    CHECK(cs_selection_match(&s, 124.5, "Cm"));
    CHECK(!cs_selection_match(&s, 126, "Gm"));
    CHECK(!cs_selection_match(&s, 122, "Am"));
    cs_selection_free(&s);
}
