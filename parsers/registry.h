/*
 * registry.h - every shipped parser (parser_list.h) as one table, and an
 * analysis that reads with it. The table is static and read-only.
 */
#ifndef CASEBRIEF_REGISTRY_H
#define CASEBRIEF_REGISTRY_H

#include <stddef.h>

#include "casebrief/analysis.h"
#include "casebrief/parser.h"

/* All shipped parsers, in registry order. */
const struct cb_parser_ops *const *cb_parsers(size_t *count);
/* By name, or NULL. */
const struct cb_parser_ops *cb_parser_find(const char *name);

/* cb_parser_detect_in over every shipped parser. */
enum cb_status cb_parser_detect(const unsigned char *head, size_t len,
                                const char *name,
                                const struct cb_parser_ops **out,
                                struct cb_error *err);

/* cb_analysis_create, reading with every shipped parser. NULL on out of
 * memory; free with cb_analysis_destroy. */
struct cb_analysis *cb_analysis_create_all(const struct cb_limits *limits);

#endif
