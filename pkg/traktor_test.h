/* For tests only: parsing NML held in a string.
 * Not part of the product's API (no product code calls it); the code it
 * reaches is the code that ships. */
#ifndef CS_TRAKTOR_TEST_H
#define CS_TRAKTOR_TEST_H

#include <stddef.h>
#include "pkg/traktor.h"

/* cs_traktor_parse_file's parser over an NML document in memory; `name`
 * stands for the file name in messages. */
int cs_traktor_parse_memory(const char *buf, size_t len, const char *name,
                            const cs_rb_handler *h, cs_rb_stats *stats, cs_err *err);

#endif
