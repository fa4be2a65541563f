/*
 * test_corpus_wordings.c - the rows of tests/rules/wordings.tsv whose text
 * is read from ../shared/corpus/realworld/ (real Windows wording quoted by
 * Microsoft's support articles): skipped, and reported so, when the corpus
 * is absent (see wordings.h).
 */
#include "helpers.h"
#include "wordings.h"

Test(corpus_wordings, matchers_take_the_real_world_wordings)
{
    const char *corpus = corpus_dir();
    if (!corpus)
        cr_skip_test("shared corpus absent");
    const char *data = getenv("CB_TEST_DATA");
    cr_assert_not_null(data);
    char rules[4096], tsv[4096];
    snprintf(rules, sizeof rules, "%s/../../rules", data);
    snprintf(tsv, sizeof tsv, "%s/../rules/wordings.tsv", data);
    int n = w_check_table(rules, tsv, corpus);
    cr_assert_geq(n, 8, "only %d corpus rows", n);
}
