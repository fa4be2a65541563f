/*
 * helpers.h - shared by the unit tests: building archives in memory with
 * libarchive's writer, and locating test data and the shared corpus.
 */
#ifndef CB_TEST_HELPERS_H
#define CB_TEST_HELPERS_H

#include <stddef.h>

#include "casebrief/casebrief.h"
/* the internal headers the tests reach into */
#include "alloc.h"
#include "crc32.h"
#include "host.h"
#include "jsonv.h"
#include "mta.h"
#include "registry.h"
#include "stream.h"
#include "timebasis.h"

/* One member to put into an archive. */
struct member {
    const char *name;
    const void *data;
    size_t len;
    int symlink; /* data is the link target */
};

/*
 * Build an archive in memory. format: "zip", "tar", "7zip", "cpio";
 * filter: NULL, "gzip", "xz", "bzip2", "zstd". zip_options may be NULL
 * or e.g. "zip:encryption=zipcrypt". Returns malloc'd bytes (free()).
 */
unsigned char *make_archive(const char *format, const char *filter,
                            const char *options, const char *passphrase,
                            const struct member *m, size_t n, size_t *len);

/* A few cluster.log lines starting at the given hour, for host NODE. */
char *clusterlog_lines(int hour, int count, size_t *len);

/* Analysis with defaults, or with these limits. */
struct cb_analysis *analysis(const struct cb_limits *lim);

/* Source by exact path, or NULL. */
const struct cb_source *find_source(const struct cb_analysis *an,
                                    const char *path);
/* Does any bundle warning's source or message contain needle? */
int has_warning(const struct cb_analysis *an, const char *needle);

/* Path of the shared corpus, or NULL (the test should skip). */
const char *corpus_dir(void);

/* Event i of src; fails the test when src has fewer. */
const struct cb_event *source_event(const struct cb_source *src, size_t i);
/* The value of e's field name, or NULL. */
const char *event_field(const struct cb_event *e, const char *name);
/* Fails the test unless e has field name with value want. */
void expect_event_field(const struct cb_event *e, const char *name,
                        const char *want);
/* e's message (cb_event_message), in one of eight buffers used in turn:
 * valid until eight more calls. */
const char *msg_of(const struct cb_event *e);

#endif
