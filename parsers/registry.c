/*
 * registry.c - the table of every shipped parser, built from
 * parser_list.h, handed to the analyses that read with it.
 */
#include <stdarg.h>
#include <string.h>

#include "casebrief/analysis.h"
#include "parser_list.h"
#include "registry.h"

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

struct cb_analysis *cb_analysis_create_all(const struct cb_limits *limits)
{
    struct cb_analysis *an = cb_analysis_create(limits);
    if (an)
        cb_analysis_use_parsers(an, parsers, NPARSERS);
    return an;
}
