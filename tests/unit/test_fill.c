/*
 * test_fill.c - placeholders of rule texts filled from a finding
 * (analyzer/fill.c): a value the finding lacks is marked, never left as
 * a hole in the sentence ("The cluster service on  stopped", seen on a
 * bare cluster.log with no host name).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "casebrief/arena.h"
#include "casebrief/rules.h"
#include "fill.h"

static const char *fill(const struct cb_finding *f, const char *tpl,
                        unsigned *unknown)
{
    static struct cb_arena *a;
    if (!a)
        a = cb_arena_create();
    cr_assert_not_null(a);
    const char *s = cb_fill(a, f, NULL, tpl, CB_FILL_TEXT, unknown);
    cr_assert_not_null(s);
    return s;
}

Test(fill, hosts_of_the_finding_joined)
{
    const char *hosts[] = {"HV-A01", "HV-A03"};
    struct cb_finding f = {.hosts = hosts, .nhosts = 2};
    unsigned unknown = 9;
    cr_assert_str_eq(fill(&f, "on {hosts} stopped", &unknown),
                     "on HV-A01, HV-A03 stopped");
    cr_assert_eq(unknown, 0);
}

Test(fill, no_host_is_marked_not_left_blank)
{
    struct cb_finding f = {0};
    unsigned unknown = 0;
    const char *s = fill(&f, "The cluster service on {hosts} stopped",
                         &unknown);
    cr_assert_null(strstr(s, "on  stopped"), "%s", s);
    cr_assert_str_eq(s, "The cluster service on (unknown hosts) stopped");
    cr_assert_eq(unknown, 1);
}
