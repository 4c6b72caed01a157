#include "pkg/csv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

char *cs_fmt_double(char *buf, double v)
{
    if (!isfinite(v)) {
        strcpy(buf, isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
        return buf;
    }
    /* Shortest digit count that reads back exactly... */
    int prec = 1;
    for (; prec < 17; prec++) {
        snprintf(buf, 32, "%.*e", prec - 1, v);
        if (strtod(buf, NULL) == v) break;
    }
    snprintf(buf, 32, "%.*e", prec - 1, v);
    int exp10 = atoi(strchr(buf, 'e') + 1);
    /* ...printed positionally in Python's range, with at least one decimal. */
    if (exp10 >= -4 && exp10 < 16) {
        int decimals = prec - 1 - exp10;
        snprintf(buf, 32, "%.*f", decimals > 0 ? decimals : 0, v);
        if (decimals <= 0) strcat(buf, ".0");
    }
    return buf;
}

char *cs_fmt_duration(char *buf, double seconds)
{
    if (!isfinite(seconds) || seconds < 0) seconds = 0;
    double cs = round(seconds * 100.0);
    long minutes = (long)(cs / 6000.0);
    double rest = (cs - (double)minutes * 6000.0) / 100.0;
    snprintf(buf, 32, "%ld:%05.2f", minutes, rest);
    return buf;
}

void cs_csv_field(FILE *f, const char *s, int sep)
{
    if (sep) fputc(',', f);
    if (!s) return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void cs_csv_number(FILE *f, double v, int sep)
{
    char buf[32];
    cs_csv_field(f, cs_fmt_double(buf, v), sep);
}
