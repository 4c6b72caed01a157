/* The status snapshot (cs_control_status, control.h) in the forms readers
 * get: JSON with named fields (/cs/status/json, `cs status --format json`,
 * the --http page's events), labelled text lines (`cs status`) and one
 * terminal line (`cs play`'s status line).  docs/osc.md "Status fields"
 * describes each field; a value that does not exist yet (no movement, an
 * idle deck, no next track) is JSON null and "none"/"-" in text, never a
 * bare -1.  Pure formatting: no I/O except the FILE given. */
#ifndef CS_PLAYER_STATUS_H
#define CS_PLAYER_STATUS_H

#include <stddef.h>
#include <stdio.h>

#include "pkg/err.h"
#include "player/control/control.h"

/* The JSON object (one line, UTF-8); the caller frees it.  NULL: out of
 * memory. */
char *cs_status_json(const cs_control_status *st);
/* Parses what cs_status_json wrote (fields absent or null read as "none").
 * -1 with err set when the text is not a JSON object. */
int cs_status_from_json(const char *json, cs_control_status *st, cs_err *err);
/* Labelled lines, one field each ("bpm          118.20 -> target 120.00"). */
void cs_status_print(FILE *f, const cs_control_status *st);
/* One line (BPM -> target, rung and rate, track and time to the next,
 * movement age, underruns) into buf of n bytes, no newline. */
void cs_status_line(char *buf, size_t n, const cs_control_status *st);

#endif
