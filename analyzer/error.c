/*
 * error.c - status texts and the error record.
 */
#include <stdio.h>
#include <string.h>

#include "casebrief/error.h"

static const char *const status_text[CB_E__COUNT] = {
    [CB_OK] = "ok",
    [CB_E_NOMEM] = "out of memory",
    [CB_E_IO] = "read or write failed",
    [CB_E_CORRUPT] = "damaged input",
    [CB_E_LIMIT] = "limit reached",
    [CB_E_USAGE] = "usage error",
    [CB_E_UNSUPPORTED] = "unsupported",
    [CB_E_ENCRYPTED] = "encrypted",
    [CB_E_AMBIGUOUS] = "ambiguous format",
    [CB_E_NOINPUT] = "no readable input",
    [CB_E_UNKNOWN_FORMAT] = "unknown format",
};

const char *cb_status_str(enum cb_status code)
{
    if ((unsigned)code >= CB_E__COUNT || !status_text[code])
        return "unknown error";
    return status_text[code];
}

enum cb_status cb_error_set(struct cb_error *err, enum cb_status code,
                            enum cb_where_kind kind, uint64_t where,
                            const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    err->where_kind = kind;
    err->where = where;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

void cb_error_set_source(struct cb_error *err, const char *source)
{
    if (!err)
        return;
    snprintf(err->source, sizeof err->source, "%s", source ? source : "");
}

void cb_error_format(const struct cb_error *err, char *buf, size_t size)
{
    const char *src = err->source[0] ? err->source : "";
    const char *sep = err->source[0] ? ": " : "";
    const char *msg = err->msg[0] ? err->msg : cb_status_str(err->code);
    switch (err->where_kind) {
    case CB_WHERE_OFFSET:
        snprintf(buf, size, "%s%soffset %llu: %s", src, sep,
                 (unsigned long long)err->where, msg);
        break;
    case CB_WHERE_LINE:
        snprintf(buf, size, "%s%sline %llu: %s", src, sep,
                 (unsigned long long)err->where, msg);
        break;
    default:
        snprintf(buf, size, "%s%s%s", src, sep, msg);
        break;
    }
}
