/*
 * rules.c - casebrief rules: 'list' the knowledge base in force, 'check'
 * a rules directory (errors as file:line) and that every rule has a
 * positive and a near-miss test case, 'coverage': per rule, the input
 * shapes and languages its tests exercise.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "registry.h"

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

/* ---- coverage ------------------------------------------------------------ */

#define COV_SHAPES 6
static const char *const shape_names[COV_SHAPES] = {
    "evtx", "xml", "csv", "text", "cluster.log", "other"};

/* A parser's name as an input shape. */
static int shape_of_format(const char *format)
{
    static const char *const formats[COV_SHAPES - 1] = {
        "evtx", "evtx-xml", "evtx-csv", "evtx-text", "clusterlog"};
    for (int i = 0; i < COV_SHAPES - 1; i++) {
        if (format && strcmp(format, formats[i]) == 0)
            return i;
    }
    return COV_SHAPES - 1;
}

static int shape_of_name(const char *name)
{
    for (int i = 0; i < COV_SHAPES; i++) {
        if (strcmp(name, shape_names[i]) == 0)
            return i;
    }
    return COV_SHAPES - 1;
}

#define COV_LANGS 8
struct cov {
    unsigned cases, wordings;
    unsigned case_shapes, wording_shapes; /* bit per shape */
    char langs[COV_LANGS][8];
    unsigned nlangs;
};

static void cov_lang(struct cov *c, const char *lang, size_t len)
{
    if (len == 0 || len >= sizeof c->langs[0])
        return;
    for (size_t i = 0; i < len; i++) { /* a language tag, nothing else */
        unsigned char ch = (unsigned char)lang[i];
        if (!(ch == '-' || (ch >= '0' && ch <= '9') ||
              ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z')))
            return;
    }
    for (unsigned i = 0; i < c->nlangs; i++) {
        if (strlen(c->langs[i]) == len && !strncmp(c->langs[i], lang, len))
            return;
    }
    if (c->nlangs < COV_LANGS) {
        memcpy(c->langs[c->nlangs], lang, len);
        c->langs[c->nlangs++][len] = '\0';
    }
}

static long rule_index(const struct cb_rules *rs, const char *id)
{
    for (size_t i = 0; i < cb_rules_count(rs); i++) {
        if (strcmp(cb_rule_id(cb_rules_at(rs, i)), id) == 0)
            return (long)i;
    }
    return -1;
}

/* Is id among the findings (not the "absent" list) of expected.json? */
static int expected_finding(const char *json, const char *id)
{
    char field[320];
    snprintf(field, sizeof field, "\"id\": \"%.280s\"", id);
    const char *absent = strstr(json, "\"absent\"");
    const char *hit = strstr(json, field);
    return hit && (!absent || hit < absent);
}

/* One case: analyze its input with the rules of dir; every expected
 * finding counts the shapes of its evidence and the case's language. */
static void cover_case(const char *dir, const char *casedir,
                       const struct cb_rules *rs, struct cov *cov)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%.3500s/expected.json", casedir);
    char *json = read_text(path);
    if (!json)
        return;
    const char *lang = "en";
    size_t langlen = 2;
    const char *l = strstr(json, "\"language\": \"");
    if (l) {
        lang = l + 13;
        langlen = strcspn(lang, "\"");
    }
    snprintf(path, sizeof path, "%.3500s/input", casedir);
    struct cb_analyze_input in = {path, NULL, 0};
    const char *dirs[1] = {dir};
    struct cb_analyze_opts o = {.inputs = &in, .ninputs = 1,
                                .rules_dirs = dirs, .nrules_dirs = 1};
    o.parsers = cb_parsers(&o.nparsers);
    struct cb_analyze_result res;
    struct cb_error err = {0};
    if (cb_analyze(&o, &res, &err) == CB_OK) {
        for (size_t i = 0; i < res.findings.count; i++) {
            const struct cb_finding *f = &res.findings.items[i];
            long r = rule_index(rs, f->id);
            if (r < 0 || !expected_finding(json, f->id))
                continue;
            struct cov *c = &cov[r];
            c->cases++;
            for (size_t k = 0; k < f->nevidence; k++) {
                const struct cb_source *src = f->evidence[k].ev->source;
                c->case_shapes |=
                    1u << shape_of_format(src ? src->format : NULL);
            }
            cov_lang(c, lang, langlen);
        }
    }
    cb_analyze_result_fini(&res);
    free(json);
}

/* The rows of TESTS/wordings.tsv: rule, match, shape, language, ... */
static void cover_wordings(const char *tests, const struct cb_rules *rs,
                           struct cov *cov)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%.3500s/wordings.tsv", tests);
    char *t = read_text(path);
    if (!t)
        return;
    char *save = NULL;
    for (char *row = strtok_r(t, "\n", &save); row;
         row = strtok_r(NULL, "\n", &save)) {
        char *col[4];
        int n = 0;
        for (char *p = row; n < 4 && p; n++) {
            col[n] = p;
            p = strchr(p, '\t');
            if (p)
                *p++ = '\0';
        }
        if (n < 4 || row[0] == '#')
            continue;
        long r = rule_index(rs, col[0]);
        if (r < 0)
            continue;
        cov[r].wordings++;
        cov[r].wording_shapes |= 1u << shape_of_name(col[2]);
        cov_lang(&cov[r], col[3], strlen(col[3]));
    }
    free(t);
}

static void shapes_text(unsigned bits, char *buf, size_t size)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int i = 0; i < COV_SHAPES; i++) {
        if (bits & (1u << i))
            k += (size_t)snprintf(buf + k, size - k, "%s%s", k ? " " : "",
                                  shape_names[i]);
        if (k >= size)
            break;
    }
    if (!buf[0])
        snprintf(buf, size, "-");
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * casebrief rules coverage [DIR]: per rule of DIR, how many test cases of
 * TESTS make it fire (as expected) and on which input shapes (the parsers
 * that read the evidence), how many rows of TESTS/wordings.tsv check its
 * matchers and on which shapes, and the languages of both. Derived from
 * running the tests' inputs, not from claims in the rules.
 */
static int rules_coverage(const char *dir, const char *tests)
{
    struct cb_rules *rs = NULL;
    struct cb_rule_error *errs = NULL;
    enum cb_status st = cb_rules_load_dir(&rs, dir, &errs);
    int nerr = print_rule_errors(errs);
    cb_rule_errors_free(&errs);
    if (st != CB_OK || nerr) {
        cb_rules_free(&rs);
        return 1;
    }
    struct cov *cov = calloc(cb_rules_count(rs) + 1, sizeof *cov);
    DIR *d = opendir(tests);
    if (!cov || !d) {
        fprintf(stderr, "%s: cannot read %s\n", prog, tests);
        free(cov);
        if (d)
            closedir(d);
        cb_rules_free(&rs);
        return 1;
    }
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *de; (de = readdir(d)) != NULL;) {
        char **nn = de->d_name[0] == '.' ? names
                                         : realloc(names, (n + 1) * sizeof *nn);
        if (!nn || de->d_name[0] == '.')
            continue;
        names = nn;
        names[n] = strdup(de->d_name);
        if (names[n])
            n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_cstr);
    for (size_t i = 0; i < n; i++) {
        char casedir[PATH_MAX];
        snprintf(casedir, sizeof casedir, "%.3000s/%.200s", tests, names[i]);
        cover_case(dir, casedir, rs, cov);
        free(names[i]);
    }
    free(names);
    cover_wordings(tests, rs, cov);
    printf("%-32s %5s %8s  %-30s %-30s %s\n", "rule", "cases", "wordings",
           "shapes (cases)", "shapes (wordings)", "languages");
    for (size_t i = 0; i < cb_rules_count(rs); i++) {
        char a[96], b[96], langs[80] = "";
        shapes_text(cov[i].case_shapes, a, sizeof a);
        shapes_text(cov[i].wording_shapes, b, sizeof b);
        for (unsigned k = 0; k < cov[i].nlangs; k++) {
            size_t len = strlen(langs);
            snprintf(langs + len, sizeof langs - len, "%s%s", k ? " " : "",
                     cov[i].langs[k]);
        }
        printf("%-32s %5u %8u  %-30s %-30s %s\n",
               cb_rule_id(cb_rules_at(rs, i)), cov[i].cases, cov[i].wordings,
               a, b, langs[0] ? langs : "-");
    }
    free(cov);
    cb_rules_free(&rs);
    return 0;
}

int cmd_rules(int argc, char **argv, const struct options *opt)
{
    if (argc < 1 || (strcmp(argv[0], "list") && strcmp(argv[0], "check") &&
                     strcmp(argv[0], "coverage"))) {
        fprintf(stderr, "%s rules: list, check [DIR] or coverage [DIR]\n",
                prog);
        return EXIT_USAGE;
    }
    if (strcmp(argv[0], "coverage") == 0) {
        const char *dir = argc > 1 ? argv[1] : default_rules_dir();
        if (!dir) {
            fprintf(stderr, "%s: no rules directory found\n", prog);
            return EXIT_USAGE;
        }
        char tests[PATH_MAX];
        if (opt->tests_dir)
            snprintf(tests, sizeof tests, "%s", opt->tests_dir);
        else
            snprintf(tests, sizeof tests, "%.3000s/../tests/rules", dir);
        return rules_coverage(dir, tests);
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
