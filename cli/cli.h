/*
 * cli.h - what the subcommands of the casebrief tool share: the exit
 * codes, the options table (options.c) from which getopt's arrays, the
 * --help text and batch's pass-through are all built, and the options an
 * analysis runs with.
 */
#ifndef CASEBRIEF_CLI_H
#define CASEBRIEF_CLI_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "casebrief/casebrief.h"
#include "platform.h"

/* Appended only, never renumbered: scripts test them. */
enum cli_exit {
    EXIT_NOTHING_FOUND = 0,
    EXIT_FINDINGS = 1,
    EXIT_USAGE = 2,
    EXIT_NO_INPUT = 3, /* nothing could be opened, recognised or read */
    EXIT_INTERNAL = 4  /* out of memory, output not created or written */
};

/* The subcommands, as bits of cli_option.cmds. */
enum cli_cmd {
    CMD_ANALYZE = 1u << 0,
    CMD_TIMELINE = 1u << 1,
    CMD_RULES = 1u << 2,
    CMD_BATCH = 1u << 3,
    CMD_FORMATS = 1u << 4
};

/* Ids of the options without a short letter (getopt's return value). */
enum cli_opt_id {
    OPT_MAX_TOTAL = 256,
    OPT_MAX_MEMBERS,
    OPT_MAX_DEPTH,
    OPT_MAX_MEMBER_SIZE,
    OPT_MAX_RATIO,
    OPT_MAX_MEMORY,
    OPT_RULES,
    OPT_TESTS,
    OPT_WINDOW,
    OPT_HOST,
    OPT_DATE_ORDER,
    OPT_TZ,
    OPT_NO_DEFAULT_RULES,
    OPT_KEEP_ALL,
    OPT_CASE_TIMEOUT,
    OPT_CASE_MEMORY,
    OPT_FORCE,
    OPT_MERGE,
    OPT_CASES_DIR,
    OPT_NO_INDEX
};

/* Where an option is listed in --help. */
enum cli_group { GROUP_OPTIONS = 0, GROUP_LIMITS };

/* One row of the options table. */
struct cli_option {
    const char *name; /* long name, without "--" */
    int id;           /* the short letter, or an OPT_ id */
    const char *arg;  /* the argument's name in --help, NULL: none */
    unsigned cmds;    /* CMD_ bits: the subcommands that take it */
    int pass;         /* batch passes it to each case's analyze */
    enum cli_group group;
    const char *help; /* lines separated by '\n' */
};

/* The options an analysis (analyze, timeline, rules) runs with. */
struct options {
    const char *outdir;
    const char *format;
    int quiet;
    struct cb_limits limits;
    const struct cb_parser_ops *forced;
    const char *rules_dir;    /* --rules: added to (or replacing) the shipped */
    const char *tests_dir;    /* --tests: rule test cases for 'rules check' */
    struct cb_scope scope;    /* --window, --host */
    int no_rules;
    int keep_all;                                  /* --keep-all */
    unsigned jobs;                                 /* -j; 0: number of cores */
    enum cb_date_order date_order;                 /* --date-order */
    struct cb_tz_override tz[CB_LIMIT_TZ_OVERRIDES]; /* --tz */
    unsigned ntz;
};

/* The table, terminated by a row with a NULL name. */
extern const struct cli_option cli_options[];

/* The row of id taken by the subcommand cmd, or NULL. */
const struct cli_option *cli_option_find(int id, unsigned cmd);

/* The row of id that batch passes through, or NULL. */
const struct cli_option *cli_option_passed(int id);

/* getopt_long's arrays for the options of cmd (and, with with_pass, those
 * batch passes through); shorts starts with prefix. */
struct cli_getopt {
    char shorts[64];
    struct option longs[64];
};
void cli_getopt_build(struct cli_getopt *g, unsigned cmd, int with_pass,
                      const char *prefix);

/* The --help lines of cmd's options of group. */
void cli_help_options(FILE *out, unsigned cmd, enum cli_group group);
/* "--a, --b, -F/--c, ..." of the options batch passes through, wrapped
 * to 80 columns after indent spaces. */
void cli_help_pass(FILE *out, int indent);

/* Defaults: limits, every core, no window. */
void cli_options_init(struct options *opt);
/* Apply option id with its argument arg (NULL for flags) to opt. 0, or
 * -1 with the reason on stderr (prefixed by prog). */
int cli_option_apply(const char *prog, struct options *opt, int id, char *arg);

/* -j N: 1 to 256 into *jobs; -1 with the reason on stderr. */
int parse_jobs(const char *prog, const char *arg, unsigned *jobs);
/* "500M", "4G", "123": bytes (K, M, G, T are powers of 1024). */
int parse_size(const char *s, uint64_t *out);
/* --max-memory's default on this machine. */
uint64_t cli_default_memory(void);
/* The shipped knowledge base's directory, or NULL. */
const char *default_rules_dir(void);
/* The rules directories in force into dirs: the shipped set (unless
 * --no-default-rules; a warning when it is not found), then --rules DIR.
 * Returns how many (0 to 2). */
size_t rules_dirs(const char *prog, const struct options *opt,
                  const char *dirs[2]);
/* Each rule file problem on stderr as "file:line: message"; how many. */
int print_rule_errors(const struct cb_rule_error *errs);
/* The rules in force (rules_dirs). NULL with *failed set when a rule file
 * or directory is broken (messages printed). */
struct cb_rules *load_rules(const char *prog, const struct options *opt,
                            int *failed);

/* casebrief rules list | check [DIR]: argv[0] is "list" or "check". */
int cmd_rules(int argc, char **argv, const struct options *opt);
/* casebrief batch ...: argv[0] is "batch". */
int cmd_batch(int argc, char **argv);

/* One line to stderr, printf-style, with customer text in it made safe
 * for a terminal (term.h): no escape sequence in a member, host or volume
 * name reaches the engineer's terminal. The newline is added. */
void cli_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Create (or truncate) path for writing, never through a link: a
 * symbolic link where an output should go fails with ELOOP (customer
 * archives unpacked beside the output could plant one). -1 / NULL with
 * errno set. */
int cli_create_fd(const char *path);
FILE *cli_create(const char *path);
/* strerror, with ELOOP said as what it means here. */
const char *cli_create_error(int err);

#endif
