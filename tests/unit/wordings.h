/*
 * wordings.h - shared by test_wordings.c and test_corpus_wordings.c: every
 * row of tests/rules/wordings.tsv is a wording one named match of one rule
 * is meant to take (rule, match, shape, language, Windows version, where
 * the wording comes from, the event's provider, id, component, channel,
 * level, fields and text, the entities it must capture). The test builds
 * the event and asks cb_rule_takes; a matcher edited so that it no longer
 * takes its wording fails here, naming the row.
 *
 * Rows whose text is "@FILE:START" take the text from the real-world
 * corpus (../shared/corpus/realworld/FILE: the line holding START, from
 * START on), so the wording is Windows', not a copy made here.
 */
#ifndef CB_TEST_WORDINGS_H
#define CB_TEST_WORDINGS_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casebrief/casebrief.h"
#include "casebrief/rules.h"

#define W_COLS 14
enum {
    W_RULE,
    W_MATCH,
    W_SHAPE,
    W_LANG,
    W_VERSION,
    W_SOURCE,
    W_PROVIDER,
    W_ID,
    W_COMPONENT,
    W_CHANNEL,
    W_LEVEL,
    W_FIELDS,
    W_TEXT,
    W_EXPECT
};

static char *w_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    cr_assert_not_null(b);
    size_t got = fread(b, 1, (size_t)n, f);
    fclose(f);
    b[got] = '\0';
    return b;
}

/* The corpus line holding start, from start to its end (trailing blanks
 * cut), in buf; NULL when the file or the text is not there. */
static const char *w_corpus_text(const char *corpus, const char *ref, char *buf,
                                 size_t size)
{
    const char *colon = strchr(ref, ':');
    if (!colon)
        return NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/realworld/%.*s", corpus, (int)(colon - ref),
             ref);
    char *text = w_slurp(path);
    if (!text)
        return NULL;
    const char *p = strstr(text, colon + 1);
    if (!p) {
        free(text);
        return NULL;
    }
    size_t n = strcspn(p, "\r\n");
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    snprintf(buf, size, "%.*s", (int)n, p);
    free(text);
    return buf;
}

static int w_level(const char *s)
{
    static const char *const names[] = {"-",       "critical", "error",
                                        "warning", "info",     "verbose"};
    for (int i = 0; i < 6; i++) {
        if (strcmp(s, names[i]) == 0)
            return i;
    }
    cr_assert_fail("level '%s'", s);
    return 0;
}

static const char *w_or_null(const char *s)
{
    return strcmp(s, "-") == 0 ? NULL : s;
}

/*
 * Check the rows of the table: corpus rows (text "@...") when corpus is
 * not NULL, the others when it is NULL. Returns the number checked.
 */
static int w_check_table(const char *rules_dir, const char *tsv,
                         const char *corpus)
{
    struct cb_rules *rs = NULL;
    struct cb_rule_error *errs = NULL;
    cr_assert_eq(cb_rules_load_dir(&rs, rules_dir, &errs), CB_OK);
    cr_assert_null(errs, "rule errors in %s", rules_dir);
    char *table = w_slurp(tsv);
    cr_assert_not_null(table, "cannot read %s", tsv);
    struct cb_arena *arena = cb_arena_create();
    cr_assert_not_null(arena);
    int checked = 0, line = 0;
    for (char *row = strtok(table, "\n"); row; row = strtok(NULL, "\n")) {
        line++;
        if (row[0] == '#' || strncmp(row, "rule\t", 5) == 0)
            continue;
        char *col[W_COLS];
        int n = 0;
        for (char *p = row; n < W_COLS; n++) {
            col[n] = p;
            char *tab = strchr(p, '\t');
            if (!tab) {
                n++;
                break;
            }
            *tab = '\0';
            p = tab + 1;
        }
        cr_assert_eq(n, W_COLS, "%s row %d: %d columns", tsv, line, n);
        int from_corpus = col[W_TEXT][0] == '@';
        if (from_corpus != (corpus != NULL))
            continue;
        char buf[4096];
        const char *text = col[W_TEXT];
        if (from_corpus) {
            text = w_corpus_text(corpus, col[W_TEXT] + 1, buf, sizeof buf);
            cr_assert_not_null(text, "row %d: %s not in the corpus", line,
                               col[W_TEXT]);
        }
        const struct cb_rule *r = NULL;
        for (size_t i = 0; i < cb_rules_count(rs) && !r; i++) {
            if (strcmp(cb_rule_id(cb_rules_at(rs, i)), col[W_RULE]) == 0)
                r = cb_rules_at(rs, i);
        }
        cr_assert_not_null(r, "row %d: no rule %s", line, col[W_RULE]);
        struct cb_field fields[16];
        uint32_t nf = 0;
        char fbuf[2048];
        snprintf(fbuf, sizeof fbuf, "%s", col[W_FIELDS]);
        if (strcmp(fbuf, "-") != 0) {
            for (char *save = NULL, *f = strtok_r(fbuf, "|", &save);
                 f && nf < 16; f = strtok_r(NULL, "|", &save)) {
                char *eq = strchr(f, '=');
                cr_assert_not_null(eq, "row %d: field %s", line, f);
                *eq = '\0';
                fields[nf++] = (struct cb_field){f, eq + 1};
            }
        }
        struct cb_event e;
        memset(&e, 0, sizeof e);
        e.host = "HV-NODE1";
        e.channel = w_or_null(col[W_CHANNEL]) ? col[W_CHANNEL] : "System";
        if (strcmp(col[W_SHAPE], "cluster.log") == 0 &&
            !w_or_null(col[W_CHANNEL]))
            e.channel = "cluster.log";
        e.provider = w_or_null(col[W_PROVIDER]);
        e.component = w_or_null(col[W_COMPONENT]);
        if (w_or_null(col[W_ID])) {
            e.event_id = (uint32_t)atoi(col[W_ID]);
            e.flags |= CB_EV_HAS_EVENT_ID;
        }
        e.level = (uint8_t)w_level(col[W_LEVEL]);
        e.message = w_or_null(text) ? text : "";
        e.fields = fields;
        e.nfields = nf;
        struct cb_entity ents[32];
        unsigned ne = 0;
        int took = cb_rule_takes(rs, r, col[W_MATCH], &e, arena, ents, 32, &ne);
        cr_expect_eq(took, 1, "row %d: %s '%s' does not take: %s", line,
                     col[W_RULE], col[W_MATCH], text);
        char ebuf[1024];
        snprintf(ebuf, sizeof ebuf, "%s", col[W_EXPECT]);
        if (took == 1 && strcmp(ebuf, "-") != 0) {
            for (char *save = NULL, *x = strtok_r(ebuf, ";", &save); x;
                 x = strtok_r(NULL, ";", &save)) {
                char *eq = strchr(x, '=');
                cr_assert_not_null(eq);
                *eq = '\0';
                int found = 0;
                for (unsigned k = 0; k < ne && !found; k++)
                    found = !strcmp(ents[k].name, x) &&
                            !strcmp(ents[k].value, eq + 1);
                cr_expect(found, "row %d: %s '%s' should capture %s=%s", line,
                          col[W_RULE], col[W_MATCH], x, eq + 1);
            }
        }
        checked++;
    }
    cb_arena_destroy(&arena);
    free(table);
    cb_rules_free(&rs);
    return checked;
}

#endif
