/*
 * fuzz_jsonv.c - the JSON reader batch mode uses on report.json and
 * case.json (which --merge takes from other machines): arbitrary bytes
 * either fail cleanly or give a tree whose every string is a C string of
 * at most the input's length, and whose counts match its children.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonv.h"

static void walk(const struct cb_jv *v, size_t n, int depth)
{
    if (depth > CB_LIMIT_JSON_DEPTH + 1)
        abort();
    if ((v->type == CB_JSTR || v->type == CB_JNUM) && strlen(v->str) > n)
        abort();
    if (v->key && strlen(v->key) > n)
        abort();
    size_t k = 0;
    for (const struct cb_jv *c = v->child; c; c = c->next, k++) {
        if ((v->type == CB_JOBJ) != (c->key != NULL))
            abort();
        walk(c, n, depth + 1);
    }
    if (k != v->len)
        abort();
    (void)cb_json_int(v, "count", 0);
    (void)cb_json_str(v, "id");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *err = NULL;
    size_t at = 0;
    struct cb_jdoc *d = cb_json_parse((const char *)data, size, &err, &at);
    if (!d) {
        if (!err || at > size)
            abort();
        return 0;
    }
    walk(cb_json_root(d), size, 0);
    cb_json_free(&d);
    return 0;
}
