/*
 * cli.h - what the subcommands of the casebrief tool share across files.
 */
#ifndef CASEBRIEF_CLI_H
#define CASEBRIEF_CLI_H

#include <stdint.h>

/* "500M", "4G", "123": bytes (K, M, G, T are powers of 1024). */
int parse_size(const char *s, uint64_t *out);
/* The shipped knowledge base's directory, or NULL. */
const char *default_rules_dir(void);
/* casebrief batch ...: argv[0] is "batch". */
int cmd_batch(int argc, char **argv);

#endif
