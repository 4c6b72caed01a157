/* CSV writing (RFC 4180 quoting) and number formatting.
 *
 * Numbers print with full precision as the shortest text that reads back to
 * the same double (like Python's repr): 0.1 -> "0.1", 1/3 -> "0.3333333333333333".
 * Durations print as M:SS.ss like the original exporter.
 *
 *   cs_csv_field(f, "a,b", 0);  cs_csv_number(f, 122.5, 1);  fputs(CS_CSV_EOL, f);
 */
#ifndef CS_CSV_H
#define CS_CSV_H

#include <stdio.h>

/* Record terminator of the CSVs we write: CRLF, as RFC 4180 and Python's
 * csv module (the original exporter's writer) end every row. */
#define CS_CSV_EOL "\r\n"

/* buf must hold at least 32 bytes; returns buf. */
char *cs_fmt_double(char *buf, double v);
/* "M:SS.ss" (minutes unbounded), e.g. 95.5 -> "1:35.50". */
char *cs_fmt_duration(char *buf, double seconds);
/* Writes a separator first when `sep` is non-zero. */
void cs_csv_field(FILE *f, const char *s, int sep);
void cs_csv_number(FILE *f, double v, int sep);

#endif
