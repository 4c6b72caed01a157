#include "cmd/cmd.h"
#include "pkg/err.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

bool cs_opt_double(const char *cmd, const char *opt, const char *v, double *out)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (!*v || *end || errno || !isfinite(d)) {
        cs_log_error("%s: %s: '%s' is not a number", cmd, opt, v);
        return false;
    }
    *out = d;
    return true;
}

bool cs_opt_int(const char *cmd, const char *opt, const char *v, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long l = strtol(v, &end, 10);
    if (!*v || *end || errno) {
        cs_log_error("%s: %s: '%s' is not a whole number", cmd, opt, v);
        return false;
    }
    if (l < lo || l > hi) {
        cs_log_error("%s: %s: %ld is out of range (%ld..%ld)", cmd, opt, l, lo, hi);
        return false;
    }
    *out = l;
    return true;
}

void cs_print_usage(const char *usage, bool to_stderr)
{
    fputs(usage, to_stderr ? stderr : stdout);
}
