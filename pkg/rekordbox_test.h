/* For tests only: parsing XML held in a string.
 * Not part of the product's API (no product code calls it); the code it
 * reaches is the code that ships. */
#ifndef CS_REKORDBOX_TEST_H
#define CS_REKORDBOX_TEST_H

#include <stddef.h>
#include "pkg/rekordbox.h"

/* cs_rekordbox_parse_file's parser over an XML document in memory; `name`
 * stands for the file name in messages. */
int cs_rekordbox_parse_memory(const char *buf, size_t len, const char *name,
                              const cs_rb_handler *h, cs_rb_stats *stats, cs_err *err);

#endif
