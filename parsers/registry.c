/*
 * registry.c - the parser table built from parser_list.h, and format
 * detection by bids: the highest bid wins, a tie is reported, never
 * guessed (as The Sleuth Kit does: "X or Y").
 */
#include <stdarg.h>
#include <string.h>

#include "casebrief/parser.h"
#include "parser_list.h"

#define DECLARE(name) extern const struct cb_parser_ops cb_parser_##name;
CB_PARSER_LIST(DECLARE)
#undef DECLARE

#define ENTRY(name) &cb_parser_##name,
static const struct cb_parser_ops *const parsers[] = {CB_PARSER_LIST(ENTRY)};
#undef ENTRY

#define NPARSERS (sizeof parsers / sizeof *parsers)

const struct cb_parser_ops *const *cb_parsers(size_t *count)
{
    *count = NPARSERS;
    return parsers;
}

const struct cb_parser_ops *cb_parser_find(const char *name)
{
    for (size_t i = 0; i < NPARSERS; i++) {
        if (strcmp(parsers[i]->name, name) == 0)
            return parsers[i];
    }
    return NULL;
}

enum cb_status cb_parser_detect(const unsigned char *head, size_t len,
                                const char *name,
                                const struct cb_parser_ops **out,
                                struct cb_error *err)
{
    return cb_parser_detect_in(parsers, NPARSERS, head, len, name, out, err);
}

enum cb_status cb_parser_detect_in(const struct cb_parser_ops *const *table,
                                   size_t count, const unsigned char *head,
                                   size_t len, const char *name,
                                   const struct cb_parser_ops **out,
                                   struct cb_error *err)
{
    const struct cb_parser_ops *best = NULL, *second = NULL;
    int best_bid = 0, second_bid = 0;
    for (size_t i = 0; i < count; i++) {
        int b = table[i]->bid(head, len, name);
        if (b > best_bid) {
            second = best;
            second_bid = best_bid;
            best = table[i];
            best_bid = b;
        } else if (b > 0 && b == best_bid) {
            second = table[i];
            second_bid = b;
        } else if (b > second_bid) {
            second = table[i];
            second_bid = b;
        }
    }
    *out = NULL;
    if (!best)
        return cb_error_set(err, CB_E_UNKNOWN_FORMAT, CB_WHERE_NONE, 0,
                            "no parser recognises this input");
    if (second && second_bid == best_bid)
        return cb_error_set(err, CB_E_AMBIGUOUS, CB_WHERE_NONE, 0,
                            "format is %s or %s (equal bids %d); use "
                            "--input-format to choose",
                            best->name, second->name, best_bid);
    *out = best;
    return CB_OK;
}
