/*
 * rules.c - casebrief rules: 'list' the knowledge base in force, 'check'
 * a rules directory (errors as file:line) and that every rule has a
 * positive and a near-miss test case.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *prog = "casebrief";

/* Text of a file, NUL-terminated, or NULL. */
static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[8192];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        memcpy(buf + len, chunk, n);
        len += n;
    }
    fclose(f);
    if (buf)
        buf[len] = '\0';
    return buf;
}

/*
 * Every rule needs a case where it fires and one where it must not: in
 * TESTS/<case>/expected.json, its id under "findings" and under "absent"
 * (the format tests/rules/make_cases.py writes). Returns the number of
 * rules lacking one, each named on stderr; -1 when TESTS is unreadable.
 */
static int check_rule_tests(const struct cb_rules *rs, const char *tests)
{
    DIR *d = opendir(tests);
    if (!d)
        return -1;
    char **texts = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%.3000s/%.200s/expected.json", tests,
                 de->d_name);
        char *t = read_text(path);
        if (!t)
            continue;
        char **nt = realloc(texts, (n + 1) * sizeof *nt);
        if (!nt) {
            free(t);
            break;
        }
        texts = nt;
        texts[n++] = t;
    }
    closedir(d);
    int missing = 0;
    for (size_t i = 0; i < cb_rules_count(rs); i++) {
        const char *id = cb_rule_id(cb_rules_at(rs, i));
        char quoted[300], field[320];
        snprintf(quoted, sizeof quoted, "\"%.280s\"", id);
        snprintf(field, sizeof field, "\"id\": %s", quoted);
        int pos = 0, neg = 0;
        for (size_t k = 0; k < n; k++) {
            const char *absent = strstr(texts[k], "\"absent\"");
            const char *hit = strstr(texts[k], field);
            pos |= hit && (!absent || hit < absent);
            const char *q = absent ? strstr(absent, quoted) : NULL;
            const char *end = absent ? strchr(absent, ']') : NULL;
            neg |= q && end && q < end;
        }
        if (!pos || !neg) {
            fprintf(stderr, "%s: rule %s has no %s test case in %s\n", prog, id,
                    !pos ? "positive" : "near-miss (absent)", tests);
            missing++;
        }
    }
    for (size_t k = 0; k < n; k++)
        free(texts[k]);
    free(texts);
    return missing;
}

int cmd_rules(int argc, char **argv, const struct options *opt)
{
    if (argc < 1 || (strcmp(argv[0], "list") && strcmp(argv[0], "check"))) {
        fprintf(stderr, "%s rules: list or check [DIR]\n", prog);
        return EXIT_USAGE;
    }
    if (strcmp(argv[0], "check") == 0) {
        const char *dir = argc > 1 ? argv[1] : default_rules_dir();
        if (!dir) {
            fprintf(stderr, "%s: no rules directory found\n", prog);
            return EXIT_USAGE;
        }
        struct cb_rules *rs = NULL;
        struct cb_rule_error *errs = NULL;
        enum cb_status st = cb_rules_load_dir(&rs, dir, &errs);
        if (st == CB_OK && !errs && cb_rules_lint(rs, &errs) < 0)
            st = CB_E_NOMEM;
        int nerr = print_rule_errors(errs);
        cb_rule_errors_free(&errs);
        if (st == CB_E_IO)
            fprintf(stderr, "%s: cannot read %s\n", prog, dir);
        /* the rules' tests: --tests DIR, else DIR/../tests/rules */
        char tests[PATH_MAX];
        if (opt->tests_dir)
            snprintf(tests, sizeof tests, "%s", opt->tests_dir);
        else
            snprintf(tests, sizeof tests, "%.3000s/../tests/rules", dir);
        int untested = 0;
        if (st == CB_OK && !nerr) {
            untested = check_rule_tests(rs, tests);
            if (untested < 0) {
                fprintf(stderr,
                        "%s: no rule tests at %s (use --tests DIR)"
                        "\n",
                        prog, tests);
                untested = (int)cb_rules_count(rs);
            }
        }
        printf("%s: %zu rules, %d errors, %d without tests\n", dir,
               cb_rules_count(rs), nerr, untested);
        cb_rules_free(&rs);
        return st != CB_OK || nerr || untested ? 1 : 0;
    }
    int failed;
    struct cb_rules *rs = load_rules(prog, opt, &failed);
    if (failed)
        return 1;
    for (size_t i = 0; i < cb_rules_count(rs); i++) {
        const struct cb_rule *r = cb_rules_at(rs, i);
        printf("%-36s %s  %-8s  %s\n", cb_rule_id(r), cb_rule_pattern(r),
               cb_severity_name(cb_rule_severity(r)), cb_rule_title(r));
    }
    cb_rules_free(&rs);
    return 0;
}
