/*
 * batch.h - what batch mode keeps on disk beside the per-case reports:
 * the case record (OUT/<case>/case.json), the up-to-date stamp
 * (OUT/<case>/stamp) and the batch index built from every case directory
 * (OUT/summary.json, OUT/findings.jsonl, OUT/index.html).
 *
 * The index is a pure function of the case directories, read in case-name
 * order, so an index rebuilt from merged partial outputs is byte for byte
 * the one a single run would have written. Wall-clock figures live only
 * in case.json's "timing" member and in index.html, never in summary.json
 * or findings.jsonl.
 */
#ifndef CASEBRIEF_BATCH_H
#define CASEBRIEF_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "casebrief/error.h"

/* How one case ended. Strings are borrowed. */
struct cb_case_result {
    const char *name;   /* directory name under OUT */
    const char *input;  /* the input's base name */
    int ok;             /* analyze ran to the end (exit 0 or 1) */
    int partial;        /* ok, but the input could not be read completely
                         * (report.json summary.complete false): status
                         * "partial", counted apart from "ok" */
    const char *reason; /* failed or partial: why, for a person; else
                         * NULL */
    int exit_code;      /* analyze's exit status, -1 when it had none */
    int signal;         /* the signal that ended it, 0 when none */
    double seconds;     /* wall time (timing only) */
    uint64_t peak_rss_kb; /* (timing only) */
};

/* Write DIR/case.json: status "ok", "partial" or "failed". */
enum cb_status cb_batch_write_case(const char *dir,
                                   const struct cb_case_result *r);

/* A directory name for the case at input: its base name with every byte
 * outside [A-Za-z0-9._+~-] replaced by '_', at most 120 bytes, never
 * empty, "." or "..", never starting with '.'. */
void cb_batch_case_name(const char *input, char *out, size_t size);

/* Fingerprint of a file or a directory tree: names, sizes and
 * modification times of every entry (sorted; depth capped at 32). Returns
 * -1 when path cannot be read. */
int cb_stamp_tree(const char *path, uint64_t *hash, uint64_t *files,
                  uint64_t *bytes);
/* Hash of the *.xml files of dir (names and contents, sorted); *hash is
 * mixed in, so several directories chain. -1 when dir cannot be read. */
int cb_stamp_rules(const char *dir, uint64_t *hash);

/* A case.json status a case need not be run again for: "ok" or
 * "partial" (the same input gives the same damage). */
int cb_batch_status_done(const char *status);

/* Rebuild OUT/summary.json, OUT/findings.jsonl and OUT/index.html from
 * every OUT/<case>/case.json (and report.json), each file written to a
 * temporary name and renamed. Returns CB_E_IO (message in *err, may be
 * NULL) when a file cannot be written; unreadable case directories are
 * listed as failed. *ncases (may be NULL) gets the number of cases. */
enum cb_status cb_batch_index(const char *outdir, size_t *ncases,
                              const char **err);

#endif
