/* Issue 24, "One of each": cs_err carries a code saying which kind of
 * failure it was (pkg/err.h), so callers and tests read the kind from the
 * code, not from the text. */
#include "tests/unit/unit.h"

#include <stdlib.h>

#include "pkg/allin1.h"
#include "pkg/err.h"
#include "pkg/parts.h"
#include "pkg/textfile.h"

TEST(set_and_setc_return_and_keep_the_code)
{
    cs_err e = {0};
    CHECK_EQ_INT(e.code, CS_ERR_OK);
    CHECK_EQ_INT(cs_err_set(&e, "x %d", 1), CS_ERR_FAIL);
    CHECK_EQ_INT(e.code, CS_ERR_FAIL);
    CHECK_STR(e.msg, "x 1");
    CHECK_EQ_INT(cs_err_setc(&e, CS_ERR_IO, "%s: %s", "a.wav", "gone"), CS_ERR_IO);
    CHECK_EQ_INT(e.code, CS_ERR_IO);
    CHECK_STR(e.msg, "a.wav: gone");
    CHECK_EQ_INT(cs_err_nomem(&e), CS_ERR_NOMEM);
    CHECK_EQ_INT(e.code, CS_ERR_NOMEM);
    CHECK_STR(e.msg, "out of memory");
    /* No error is ever reported as a success or an unknown kind. */
    CHECK_EQ_INT(cs_err_setc(&e, 0, "zero"), CS_ERR_FAIL);
    CHECK_EQ_INT(cs_err_setc(&e, 5, "positive"), CS_ERR_FAIL);
    CHECK_EQ_INT(cs_err_setc(&e, -CS_ERR_CODES, "past the list"), CS_ERR_FAIL);
    CHECK_EQ_INT(e.code, CS_ERR_FAIL);
    /* No cs_err: the code is still returned. */
    CHECK_EQ_INT(cs_err_setc(NULL, CS_ERR_RANGE, "r"), CS_ERR_RANGE);
    CHECK_EQ_INT(cs_err_nomem(NULL), CS_ERR_NOMEM);
}

TEST(every_code_has_a_name)
{
    CHECK_STR(cs_err_name(CS_ERR_OK), "CS_ERR_OK");
    CHECK_STR(cs_err_name(CS_ERR_NOMEM), "CS_ERR_NOMEM");
    CHECK_STR(cs_err_name(CS_ERR_NOT_FOUND), "CS_ERR_NOT_FOUND");
    CHECK_STR(cs_err_name(CS_ERR_SYSTEM), "CS_ERR_SYSTEM");
    for (int c = 0; c > -CS_ERR_CODES; c--) CHECK(strcmp(cs_err_name(c), "CS_ERR_?") != 0);
    CHECK_STR(cs_err_name(1), "CS_ERR_?");
    CHECK_STR(cs_err_name(-CS_ERR_CODES), "CS_ERR_?");
}

/* The kinds the library gives, each from a real call site: a bad option
 * value, a malformed file, a file that cannot be read. */
TEST(library_failures_carry_their_kind)
{
    cs_err e = {0};
    cs_dvec v;
    CHECK(cs_bpm_list_parse("abc", &v, &e) < 0);
    CHECK_EQ_INT(e.code, CS_ERR_USAGE);

    const char *bad = unit_tmp_file("bad.json");
    FILE *f = fopen(bad, "w");
    CHECK(f != NULL);
    if (!f) return;
    fputs("{\"segments\": 3}", f);
    fclose(f);
    cs_struct s;
    e = (cs_err){0};
    CHECK(cs_allin1_load(bad, &s, &e) < 0);
    CHECK_EQ_INT(e.code, CS_ERR_FORMAT);

    e = (cs_err){0};
    size_t len;
    CHECK(cs_text_load(unit_tmpdir(), CS_TEXT_NO_LIMIT, &len, &e) == NULL);   /* a folder */
    CHECK_EQ_INT(e.code, CS_ERR_IO);
    e = (cs_err){0};
    CHECK(cs_text_load("/nonexistent/x.json", CS_TEXT_NO_LIMIT, &len, &e) == NULL);
    CHECK_EQ_INT(e.code, CS_ERR_IO);
}
