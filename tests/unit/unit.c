#include "tests/unit/unit.h"

#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>
#include <libgen.h>

#define MAX_TESTS 512

static struct { const char *file, *name; unit_fn fn; } tests[MAX_TESTS];
static int n_tests;
static int cur_failed, cur_skipped;
static char tmpdir[256];

void unit_register(const char *file, const char *name, unit_fn fn)
{
    if (n_tests < MAX_TESTS) {
        tests[n_tests].file = file;
        tests[n_tests].name = name;
        tests[n_tests].fn = fn;
        n_tests++;
    }
}

static const char *base(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static int idx;

void unit_fail(const char *file, int line, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    printf("FAIL %s:%s: line %d: %s\n", base(file), tests[idx].name, line, msg);
    cur_failed = 1;
}

void unit_skip(const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    printf("SKIP %s:%s: %s\n", base(tests[idx].file), tests[idx].name, msg);
    cur_skipped = 1;
}

const char *unit_realdata(void)
{
    static char buf[1024];
    const char *env = getenv("CS_REALDATA");
    if (env && *env) return access(env, R_OK) == 0 ? env : NULL;
    snprintf(buf, sizeof buf, "../shared/realdata");
    return access(buf, R_OK) == 0 ? buf : NULL;
}

const char *unit_tmpdir(void)
{
    if (!tmpdir[0]) {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/cs-unit-XXXXXX");
        if (!mkdtemp(tmpdir)) { perror("mkdtemp"); exit(2); }
    }
    return tmpdir;
}

const char *unit_tmp_file(const char *name)
{
    static char buf[8][512];
    static int i;
    char *p = buf[i++ % 8];
    snprintf(p, sizeof buf[0], "%s/%s", unit_tmpdir(), name);
    return p;
}

static void cleanup(void)
{
    if (tmpdir[0]) {
        char cmd[512];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0) { /* best effort */ }
    }
}

int main(int argc, char **argv)
{
    int failed = 0;
    atexit(cleanup);
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (idx = 0; idx < n_tests; idx++) {
        if (argc > 1 && strstr(tests[idx].name, argv[1]) == NULL) continue;
        cur_failed = cur_skipped = 0;
        tests[idx].fn();
        if (!cur_failed && !cur_skipped)
            printf("PASS %s:%s\n", base(tests[idx].file), tests[idx].name);
        failed |= cur_failed;
    }
    return failed ? 1 : 0;
}
