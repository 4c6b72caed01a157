/* Minimal unit-test harness.  Each tests/unit/test_*.c is its own binary:
 *
 *   #include "tests/unit/unit.h"
 *   TEST(parses_camelot) { CHECK_EQ_INT(cs_key_parse("6A"), 10); }
 *
 * Every test prints "PASS <file>:<name>", "FAIL <file>:<name>: <why>" or
 * "SKIP <file>:<name>: <why>"; tests/run.sh counts those lines.
 */
#ifndef CS_UNIT_H
#define CS_UNIT_H

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef void (*unit_fn)(void);
void unit_register(const char *file, const char *name, unit_fn fn);
void unit_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void unit_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Directory of ../shared/realdata (env CS_REALDATA overrides); NULL if absent. */
const char *unit_realdata(void);
/* A fresh temporary directory for this test (removed at exit). */
const char *unit_tmpdir(void);
/* "<unit_tmpdir()>/<name>" in one of 8 rotating buffers (so a few can be
 * held at once). */
const char *unit_tmp_file(const char *name);

#define TEST(name)                                                             \
    static void name(void);                                                    \
    __attribute__((constructor)) static void reg_##name(void)                  \
    {                                                                          \
        unit_register(__FILE__, #name, name);                                  \
    }                                                                          \
    static void name(void)

#define CHECK(c)                                                               \
    do {                                                                       \
        if (!(c)) { unit_fail(__FILE__, __LINE__, "%s", #c); return; }        \
    } while (0)
#define CHECK_EQ_INT(a, b)                                                     \
    do {                                                                       \
        long long _a = (long long)(a), _b = (long long)(b);                    \
        if (_a != _b) {                                                        \
            unit_fail(__FILE__, __LINE__, "%s == %lld, expected %lld", #a, _a, _b); \
            return;                                                            \
        }                                                                      \
    } while (0)
#define CHECK_NEAR(a, b, eps)                                                  \
    do {                                                                       \
        double _a = (a), _b = (b);                                             \
        if (!(fabs(_a - _b) <= (eps))) {                                       \
            unit_fail(__FILE__, __LINE__, "%s == %.9g, expected %.9g (+-%g)", #a, _a, _b, (double)(eps)); \
            return;                                                            \
        }                                                                      \
    } while (0)
#define CHECK_STR(a, b)                                                        \
    do {                                                                       \
        const char *_a = (a), *_b = (b);                                       \
        if (!_a || !_b || strcmp(_a, _b) != 0) {                               \
            unit_fail(__FILE__, __LINE__, "%s == \"%s\", expected \"%s\"", #a, _a ? _a : "(null)", _b ? _b : "(null)"); \
            return;                                                            \
        }                                                                      \
    } while (0)

#endif
