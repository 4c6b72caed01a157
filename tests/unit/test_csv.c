#include "tests/unit/unit.h"
#include "pkg/csv.h"
#include "pkg/parts.h"

#include <stdlib.h>

TEST(shortest_round_trip)
{
    char b[32];
    CHECK_STR(cs_fmt_double(b, 30.0), "30.0");
    CHECK_STR(cs_fmt_double(b, 122.5), "122.5");
    CHECK_STR(cs_fmt_double(b, 0.1), "0.1");
    CHECK_STR(cs_fmt_double(b, 1.0 / 3.0), "0.3333333333333333");
    CHECK_STR(cs_fmt_double(b, 0.001), "0.001");
    CHECK_STR(cs_fmt_double(b, 1e-7), "1e-07");
    CHECK_STR(cs_fmt_double(b, 122.5 / 120.0), "1.0208333333333333");
    CHECK_STR(cs_fmt_double(b, -2.5), "-2.5");
    CHECK_STR(cs_fmt_double(b, 0.0), "0.0");
    CHECK(strtod(cs_fmt_double(b, 76.123456789012345), NULL) == 76.123456789012345);
}

TEST(duration_m_ss)
{
    char b[32];
    CHECK_STR(cs_fmt_duration(b, 95.5), "1:35.50");
    CHECK_STR(cs_fmt_duration(b, 59.999), "1:00.00");
    CHECK_STR(cs_fmt_duration(b, 5.0), "0:05.00");
    CHECK_STR(cs_fmt_duration(b, 3725.25), "62:05.25");
}

TEST(csv_quoting)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cs_csv_field(f, "plain", 0);
    cs_csv_field(f, "a,b", 1);
    cs_csv_field(f, "say \"hi\"", 1);
    cs_csv_field(f, NULL, 1);
    fclose(f);
    CHECK_STR(buf, "plain,\"a,b\",\"say \"\"hi\"\"\",");
    free(buf);
}

TEST(part_stem_safe)
{
    char *s = cs_part_stem("/s/06 - Greatest Feeling.json");
    CHECK_STR(s, "06 - Greatest Feeling");
    free(s);
    s = cs_part_stem("..json");
    CHECK(s[0] != '.');
    free(s);
    s = cs_part_stem("C:\\x\\..\\evil.json");
    CHECK(!strchr(s, '/') && !strchr(s, '\\'));
    free(s);
    s = cs_part_stem("a\nb.json");
    CHECK_STR(s, "a_b");
    free(s);
}

TEST(ladder_forms)
{
    cs_dvec v;
    cs_err e;
    CHECK_EQ_INT(cs_bpm_list_parse("105,110,115,118,120,125,130", &v, &e), 0);
    CHECK_EQ_INT(v.n, 7);
    CHECK_NEAR(v.v[3], 118, 0);
    free(v.v);
    CHECK_EQ_INT(cs_bpm_list_parse("105:130:5", &v, &e), 0);
    CHECK_EQ_INT(v.n, 6);
    CHECK_NEAR(v.v[5], 130, 0);
    free(v.v);
    CHECK_EQ_INT(cs_bpm_list_parse("120:122:0.1", &v, &e), 0);
    CHECK_EQ_INT(v.n, 21);
    char b[32];
    CHECK_STR(cs_bpm_dirname(b, v.v[5]), "120.5");
    free(v.v);
    CHECK_EQ_INT(cs_bpm_list_parse("130,105,130", &v, &e), 0);
    CHECK_EQ_INT(v.n, 2);
    CHECK_NEAR(v.v[0], 105, 0);
    free(v.v);
    CHECK_EQ_INT(cs_bpm_list_parse("0,120", &v, &e), CS_ERR_USAGE);
    CHECK_EQ_INT(cs_bpm_list_parse("abc", &v, &e), CS_ERR_USAGE);
    CHECK_EQ_INT(cs_bpm_list_parse("130:105:5", &v, &e), CS_ERR_USAGE);
    CHECK_EQ_INT(cs_bpm_list_parse("1:999:0.001", &v, &e), CS_ERR_USAGE);
}
