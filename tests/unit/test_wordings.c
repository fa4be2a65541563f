/*
 * test_wordings.c - every matcher takes the wordings it is meant for
 * (tests/rules/wordings.tsv, the rows written here from Microsoft Learn
 * articles and public cluster.log excerpts; see wordings.h).
 */
#include "helpers.h"
#include "wordings.h"

Test(wordings, matchers_take_their_wordings)
{
    const char *data = getenv("CB_TEST_DATA");
    cr_assert_not_null(data);
    char rules[4096], tsv[4096];
    snprintf(rules, sizeof rules, "%s/../../rules", data);
    snprintf(tsv, sizeof tsv, "%s/../rules/wordings.tsv", data);
    int n = w_check_table(rules, tsv, NULL);
    cr_assert_geq(n, 30, "only %d rows", n);
}
