/*
 * test_jsonv.c - the JSON reader batch mode uses to read report.json back:
 * values, escapes, and hostile input (cut, nested, malformed).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "jsonv.h"

static struct cb_jdoc *parse(const char *s)
{
    return cb_json_parse(s, strlen(s), NULL, NULL);
}

Test(jsonv, object_members_and_types)
{
    struct cb_jdoc *d = parse(" {\"a\": 1, \"b\": [true, false, null, -2.5e3],"
                              " \"c\": {\"d\": \"x\"}, \"e\": 12345678901} ");
    cr_assert_not_null(d);
    const struct cb_jv *r = cb_json_root(d);
    cr_assert_eq(r->type, CB_JOBJ);
    cr_assert_eq(r->len, 4);
    cr_assert_eq(cb_json_int(r, "a", -1), 1);
    cr_assert_eq(cb_json_int(r, "e", -1), 12345678901LL);
    const struct cb_jv *b = cb_json_get(r, "b");
    cr_assert_eq(b->type, CB_JARR);
    cr_assert_eq(b->len, 4);
    cr_assert_eq(b->child->type, CB_JTRUE);
    cr_assert_eq(b->child->next->type, CB_JFALSE);
    cr_assert_eq(b->child->next->next->type, CB_JNULL);
    const struct cb_jv *num = b->child->next->next->next;
    cr_assert_eq(num->type, CB_JNUM);
    cr_assert_str_eq(num->str, "-2.5e3");
    cr_assert_str_eq(cb_json_str(cb_json_get(r, "c"), "d"), "x");
    /* a number with a fraction is not an integer; absent keys give dflt */
    cr_assert_eq(cb_json_int(b, "x", 7), 7);
    cr_assert_null(cb_json_get(r, "zz"));
    cr_assert_null(cb_json_str(r, "a"));
    cb_json_free(&d);
    cr_assert_null(d);
}

Test(jsonv, string_escapes_decoded)
{
    struct cb_jdoc *d = parse("[\"q\\\"b\\\\s\\/n\\n\\t\", \"\\u00e9\\u20ac\","
                              " \"\\ud83d\\ude00\", \"\\u0000x\","
                              " \"\\udc00\"]");
    cr_assert_not_null(d);
    const struct cb_jv *v = cb_json_root(d)->child;
    cr_assert_str_eq(v->str, "q\"b\\s/n\n\t");
    cr_assert_str_eq(v->next->str, "\xC3\xA9\xE2\x82\xAC");
    cr_assert_str_eq(v->next->next->str, "\xF0\x9F\x98\x80");
    /* NUL and a lone surrogate: U+FFFD, so strings stay C strings */
    cr_assert_str_eq(v->next->next->next->str, "\xEF\xBF\xBDx");
    cr_assert_str_eq(v->next->next->next->next->str, "\xEF\xBF\xBD");
    cb_json_free(&d);
}

Test(jsonv, malformed_rejected_with_offset)
{
    static const char *const bad[] = {
        "", "{", "[1,]", "{\"a\" 1}", "{\"a\": 1,}", "[1 2]", "\"abc",
        "\"a\\", "\"\\x\"", "\"\\u12\"", "tru", "nul", "-", "1.", "1e",
        "[1] x", "{1: 2}", "\"a\nb\"", "01x", NULL};
    for (int i = 0; bad[i]; i++) {
        const char *err = NULL;
        size_t at = 999;
        struct cb_jdoc *d = cb_json_parse(bad[i], strlen(bad[i]), &err, &at);
        cr_assert_null(d, "accepted: %s", bad[i]);
        cr_assert_not_null(err, "no message for: %s", bad[i]);
        cr_assert_leq(at, strlen(bad[i]), "offset past the end for %s",
                      bad[i]);
    }
}

Test(jsonv, length_bound_respected)
{
    /* the text after n bytes is never looked at */
    const char *s = "[1, 2]garbage";
    struct cb_jdoc *d = cb_json_parse(s, 6, NULL, NULL);
    cr_assert_not_null(d);
    cr_assert_eq(cb_json_root(d)->len, 2);
    cb_json_free(&d);
    /* a string cut by n is unterminated, even though the text goes on */
    cr_assert_null(cb_json_parse("\"abc\"", 3, NULL, NULL));
}

Test(jsonv, nesting_capped)
{
    char deep[2 * (CB_LIMIT_JSON_DEPTH + 10) + 1];
    size_t n = CB_LIMIT_JSON_DEPTH + 10;
    memset(deep, '[', n);
    memset(deep + n, ']', n);
    deep[2 * n] = '\0';
    const char *err = NULL;
    cr_assert_null(cb_json_parse(deep, 2 * n, &err, NULL));
    cr_assert_str_eq(err, "nested too deeply");
    /* at the cap it is fine */
    n = CB_LIMIT_JSON_DEPTH;
    memset(deep, '[', n);
    memset(deep + n, ']', n);
    struct cb_jdoc *d = cb_json_parse(deep, 2 * n, NULL, NULL);
    cr_assert_not_null(d);
    cb_json_free(&d);
}
