/*
 * error.h - one status enum for the whole library and the error record a
 * caller hands down to be filled in.
 *
 * Codes are appended only, never renumbered: scripts and tests rely on them.
 * Ownership: a cb_error is the caller's, filled in place (no allocation).
 */
#ifndef CASEBRIEF_ERROR_H
#define CASEBRIEF_ERROR_H

#include <stdarg.h>
#include <stdint.h>

enum cb_status {
    CB_OK = 0,
    CB_E_NOMEM,       /* allocation failed */
    CB_E_IO,          /* read or write failed (errno kept) */
    CB_E_CORRUPT,     /* input damaged beyond what can be skipped */
    CB_E_LIMIT,       /* a cap from limits.h was reached */
    CB_E_USAGE,       /* bad arguments */
    CB_E_UNSUPPORTED, /* format or feature not handled */
    CB_E_ENCRYPTED,   /* archive member is encrypted */
    CB_E_AMBIGUOUS,   /* two parsers claim the same input */
    CB_E_NOINPUT,     /* nothing readable was found */
    CB_E_UNKNOWN_FORMAT, /* no parser recognises the input */
    CB_E__COUNT
};

/* Where an error happened inside its source. */
enum cb_where_kind { CB_WHERE_NONE = 0, CB_WHERE_OFFSET, CB_WHERE_LINE };

struct cb_error {
    enum cb_status code;
    int sys_errno;            /* errno at the failure, or 0 */
    char source[512];         /* nested member path, may be empty */
    enum cb_where_kind where_kind;
    uint64_t where;           /* byte offset or 1-based line */
    char msg[512];
};

/* Static text for a code ("out of memory", ...). Never NULL. */
const char *cb_status_str(enum cb_status code);

/*
 * Fill err (which may be NULL) and return code, so a failure is one
 * statement: return cb_error_set(err, CB_E_CORRUPT, ...).
 */
enum cb_status cb_error_set(struct cb_error *err, enum cb_status code,
                            enum cb_where_kind kind, uint64_t where,
                            const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

void cb_error_set_source(struct cb_error *err, const char *source);

/* "source: line 12: message" into buf. */
void cb_error_format(const struct cb_error *err, char *buf, size_t size);

#endif
