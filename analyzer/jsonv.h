/*
 * jsonv.h - a small, bounds-checked JSON reader for casebrief's own files
 * (report.json, the batch case records): the whole text becomes a tree of
 * values. Ownership: every value and string belongs to the cb_jdoc that
 * cb_json_parse returned and dies with cb_json_free.
 *
 * Strings are decoded to UTF-8 (escapes resolved; \u0000 and lone
 * surrogates become U+FFFD, so a string is always a C string); numbers
 * keep their text. Nesting deeper than CB_LIMIT_JSON_DEPTH is an error.
 */
#ifndef CASEBRIEF_JSONV_H
#define CASEBRIEF_JSONV_H

#include <stddef.h>
#include <stdint.h>

#include "casebrief/limits.h"

enum cb_jtype { CB_JNULL, CB_JFALSE, CB_JTRUE, CB_JNUM, CB_JSTR, CB_JARR,
                CB_JOBJ };

struct cb_jv {
    enum cb_jtype type;
    const char *str;     /* JSTR: decoded text; JNUM: the number's text */
    const char *key;     /* member of an object: its name; else NULL */
    struct cb_jv *child; /* JARR, JOBJ: first element or member */
    struct cb_jv *next;  /* next element or member of the parent */
    size_t len;          /* JARR, JOBJ: elements or members */
};

struct cb_jdoc;

/* Parse text[0..n). Returns NULL on malformed input or no memory; *err
 * (may be NULL) then gets a static message and *at the byte offset. */
struct cb_jdoc *cb_json_parse(const char *text, size_t n, const char **err,
                              size_t *at);
const struct cb_jv *cb_json_root(const struct cb_jdoc *d);
void cb_json_free(struct cb_jdoc **d);

/* The member called key of an object (NULL when absent or not an object). */
const struct cb_jv *cb_json_get(const struct cb_jv *obj, const char *key);
/* A string member's text, else NULL. */
const char *cb_json_str(const struct cb_jv *obj, const char *key);
/* An integer member (JNUM without fraction or exponent, in range), else
 * dflt. */
int64_t cb_json_int(const struct cb_jv *obj, const char *key, int64_t dflt);

/* Read a whole file (at most max bytes) and parse it; NULL on any error. */
struct cb_jdoc *cb_json_load(const char *path, size_t max);

#endif
