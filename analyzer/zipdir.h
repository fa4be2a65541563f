/*
 * zipdir.h - a zip's central directory checked against its local headers.
 * Internal to casebrief (ingest.c calls it on a top-level zip before
 * libarchive reads it). Nothing here allocates past the call; warnings go
 * to the analysis arena.
 */
#ifndef CASEBRIEF_ZIPDIR_H
#define CASEBRIEF_ZIPDIR_H

#include <stddef.h>
#include <stdint.h>

#include "casebrief/analysis.h"

/* Read n bytes at off into buf: 0 when all of them were read. */
typedef int (*cb_zipdir_read_fn)(void *ctx, uint64_t off, void *buf, size_t n);

/*
 * Compare the central directory of the zip of size bytes (read through rd)
 * with the local file headers it points to, and warn, under label, about
 * each member named differently in the two, each entry with no local header
 * and each run of bytes between members that the directory does not list
 * (a member smuggled in). streamed: libarchive reads the local headers in
 * order (1) rather than the directory's entries (0), which decides what the
 * warnings say was read. A zip without a readable directory is left to
 * libarchive, unwarned. Returns CB_OK or CB_E_NOMEM.
 */
enum cb_status cb_zipdir_check(struct cb_analysis *an, const char *label,
                               uint64_t size, cb_zipdir_read_fn rd, void *ctx,
                               int streamed);

/* Whether the zip of size bytes ends with its own end-of-central-directory
 * record (22 bytes, "PK\5\6", its comment reaching the end of the file).
 * A zip cut short does not; the end record libarchive's seeking reader
 * would find instead may be that of a zip stored inside it, which would
 * then be read in place of the upload. 1 yes, 0 no, -1 unreadable. */
int cb_zipdir_ends_whole(int fd, uint64_t size);

/* The same over a file descriptor (pread) or over memory. */
enum cb_status cb_zipdir_check_fd(struct cb_analysis *an, const char *label,
                                  int fd, uint64_t size);
enum cb_status cb_zipdir_check_mem(struct cb_analysis *an, const char *label,
                                   const void *data, size_t len);

#endif
