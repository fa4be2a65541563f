/*
 * test_registry.c - detection by bids: highest wins, a tie is reported
 * naming both, no bid is "unknown"; the real registry lists each parser
 * once and finds it by name.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "registry.h"
#include "helpers.h"
#include "casebrief/casebrief.h"

/* Fake bidders: each claims inputs starting with its letter, with the
 * strength given by the second byte. */
static int bid_a(const unsigned char *h, size_t n, const char *name)
{
    (void)name;
    return n >= 2 && h[0] == 'A' ? h[1] - '0' : 0;
}
static int bid_ab(const unsigned char *h, size_t n, const char *name)
{
    (void)name;
    return n >= 2 && (h[0] == 'A' || h[0] == 'B') ? 5 : 0;
}
static int bid_name(const unsigned char *h, size_t n, const char *name)
{
    (void)h;
    (void)n;
    return name && strstr(name, ".special") ? 9 : 0;
}

static const struct cb_parser_ops fa = {.name = "fa", .bid = bid_a};
static const struct cb_parser_ops fab = {.name = "fab", .bid = bid_ab};
static const struct cb_parser_ops fname = {.name = "fname", .bid = bid_name};
static const struct cb_parser_ops *const table[] = {&fa, &fab, &fname};

static const struct cb_parser_ops *detect(const char *head, const char *name,
                                          enum cb_status *st,
                                          struct cb_error *err)
{
    const struct cb_parser_ops *out = (void *)1;
    *st = cb_parser_detect_in(table, 3, (const unsigned char *)head,
                              strlen(head), name, &out, err);
    return out;
}

Test(registry, highest_bid_wins)
{
    enum cb_status st;
    struct cb_error err = {0};
    cr_assert_eq(detect("A7", "x.log", &st, &err), &fa);
    cr_assert_eq(st, CB_OK);
    cr_assert_eq(detect("A3", "x.log", &st, &err), &fab, "5 beats 3");
    cr_assert_eq(detect("B1", "x.log", &st, &err), &fab);
    cr_assert_eq(detect("B1", "x.special", &st, &err), &fname,
                 "the name can outbid the bytes");
}

Test(registry, equal_bids_are_reported_never_guessed)
{
    enum cb_status st;
    struct cb_error err = {0};
    const struct cb_parser_ops *p = detect("A5", "x.log", &st, &err);
    cr_assert_eq(st, CB_E_AMBIGUOUS);
    cr_assert_null(p);
    cr_assert(strstr(err.msg, "fa") && strstr(err.msg, "fab"),
              "both named: %s", err.msg);
    cr_assert(strstr(err.msg, "--input-format"), "says how to choose");
}

Test(registry, no_bid_is_unknown)
{
    enum cb_status st;
    struct cb_error err = {0};
    cr_assert_null(detect("Z9", "x.log", &st, &err));
    cr_assert_eq(st, CB_E_UNKNOWN_FORMAT);
}

Test(registry, real_table_lists_each_parser_once_and_finds_by_name)
{
    size_t n;
    const struct cb_parser_ops *const *p = cb_parsers(&n);
    cr_assert_geq(n, 1u);
    for (size_t i = 0; i < n; i++) {
        cr_assert_not_null(p[i]->name);
        cr_assert_not_null(p[i]->description);
        cr_assert_not_null(p[i]->data_type);
        cr_assert_not_null(p[i]->bid);
        cr_assert_not_null(p[i]->next, "%s has no next", p[i]->name);
        cr_assert_eq(cb_parser_find(p[i]->name), p[i]);
        for (size_t j = i + 1; j < n; j++)
            cr_assert_str_neq(p[i]->name, p[j]->name);
    }
    cr_assert_null(cb_parser_find("no-such-format"));
}

Test(registry, bidders_never_claim_empty_input)
{
    size_t n;
    const struct cb_parser_ops *const *p = cb_parsers(&n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(p[i]->bid((const unsigned char *)"", 0, ""), 0,
                     "%s bids on nothing", p[i]->name);
}
