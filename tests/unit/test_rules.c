/*
 * test_rules.c - the rule loader (analyzer/rules.c): every problem in a
 * rule file is reported as file:line with a clear message and the file
 * adds no rule; later files replace rules by id; the HRESULT pattern; the
 * shipped knowledge base loads cleanly.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <criterion/criterion.h>
#include <dirent.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "casebrief/casebrief.h"
#include "casebrief/rules.h"

static struct cb_rules *rules;
static struct cb_rule_error *errs;

static void setup(void)
{
    rules = NULL;
    errs = NULL;
}

static void teardown(void)
{
    cb_rule_errors_free(&errs);
    cb_rules_free(&rules);
}

TestSuite(rules, .init = setup, .fini = teardown);

/* Line 1 <rules>, line 2 <rule ...>, the body from line 3. */
#define DOC(ATTRS, BODY)                                                     \
    "<rules family='t'>\n<rule " ATTRS ">\n" BODY "</rule>\n</rules>\n"
#define OK "id='x.a' pattern='P1' severity='high'"
#define TITLE "<title>T</title>\n"
#define MATCH "<match name='A'><message>alpha</message></match>\n"
#define CAUSE "<cause>C</cause>\n"
#define REMEDY "<remediation><step><do>D</do></step></remediation>\n"
#define RULE_BODY(X) TITLE MATCH X CAUSE REMEDY

static enum cb_status load_as(const char *name, const char *xml)
{
    return cb_rules_load_memory(&rules, name, xml, strlen(xml), &errs);
}

static size_t nerrors(void)
{
    size_t n = 0;
    for (const struct cb_rule_error *e = errs; e; e = e->next)
        n++;
    return n;
}

static void dump_errors(void)
{
    for (const struct cb_rule_error *e = errs; e; e = e->next)
        fprintf(stderr, "  %s: %s\n", e->where, e->msg);
}

/* The document is refused: it adds no rule, and one of its errors is at
 * bad.xml:line and contains needle. */
static void expect_error(const char *xml, unsigned line, const char *needle)
{
    cb_rule_errors_free(&errs);
    cb_rules_free(&rules);
    cr_assert_eq(load_as("bad.xml", xml), CB_OK);
    cr_assert_not_null(errs, "no error for:\n%s", xml);
    cr_assert_eq(cb_rules_count(rules), 0, "a file with errors added rules");
    char where[64];
    snprintf(where, sizeof where, "bad.xml:%u", line);
    for (const struct cb_rule_error *e = errs; e; e = e->next) {
        if (strcmp(e->where, where) == 0 && strstr(e->msg, needle))
            return;
    }
    dump_errors();
    cr_assert_fail("no error '%s' at %s for:\n%s", needle, where, xml);
}

static void expect_clean(const char *xml)
{
    cb_rule_errors_free(&errs);
    cb_rules_free(&rules);
    cr_assert_eq(load_as("good.xml", xml), CB_OK);
    if (errs) {
        dump_errors();
        cr_assert_fail("unexpected error %s: %s", errs->where, errs->msg);
    }
    cr_assert_eq(cb_rules_count(rules), 1);
}

Test(rules, a_complete_rule_loads)
{
    expect_clean(DOC(OK " confidence='70'",
                     "<title>\n  Node\n  isolated\n</title>\n"
                     "<summary>{count} times</summary>\n"
                     "<match name='A'><channel>System</channel>"
                     "<event-id>1135</event-id></match>\n"
                     "<match name='B'><channel>Application</channel>"
                     "<channel>System</channel>"
                     "<message>b</message></match>\n"
                     "<correlate type='cooccur' window='5m' group='cluster'>"
                     "<step match='A'/><step match='B'/></correlate>\n"
                     "<adjust match='B' within='10m' by='+10' scope='any'/>\n"
                     CAUSE
                     "<remediation><step><do>D</do><powershell>\n"
                     "    Get-ClusterNode\n"
                     "      | Format-Table\n"
                     "</powershell><warning>W</warning></step></remediation>\n"
                     "<collect><item>logs</item></collect>\n"
                     "<references><ref>KB1</ref><ref>KB2</ref></references>\n"));
    const struct cb_rule *r = cb_rules_at(rules, 0);
    cr_assert_str_eq(cb_rule_id(r), "x.a");
    cr_assert_str_eq(cb_rule_pattern(r), "P1");
    cr_assert_str_eq(cb_rule_title(r), "Node isolated");
    cr_assert_eq(cb_rule_severity(r), CB_SEV_HIGH);
    const char *const *ch;
    cr_assert_eq(cb_rule_channels(r, &ch), 2);
    cr_assert_str_eq(ch[0], "System");
    cr_assert_str_eq(ch[1], "Application");
    cr_assert_null(cb_rules_at(rules, 1));
    cr_assert_str_eq(cb_severity_name(CB_SEV_CRITICAL), "critical");
}

/* ---- structure ---------------------------------------------------------- */

Test(rules, unknown_elements_are_errors)
{
    expect_error(DOC(OK, RULE_BODY("<bogus/>\n")), 5,
                 "unknown element <bogus>");
    expect_error(DOC(OK, TITLE "<match name='A'>\n<colour>red</colour>\n"
                              "</match>\n" CAUSE REMEDY),
                 5, "unknown condition <colour>");
    expect_error("<rules>\n<rulez/>\n</rules>\n", 2,
                 "expected <rule>, not <rulez>");
    expect_error(DOC(OK, TITLE MATCH CAUSE
                     "<remediation>\n<do>D</do>\n</remediation>\n"),
                 7, "expected <step>");
    expect_error(DOC(OK, TITLE MATCH CAUSE
                     "<remediation><step>\n<do>D</do>\n<note>x</note>\n"
                     "</step></remediation>\n"),
                 8, "expected <do>, <powershell> or <warning>");
    expect_error(DOC(OK, RULE_BODY("<collect>\n<ref>x</ref>\n</collect>\n")),
                 6, "expected <item>");
    expect_error(DOC(OK, RULE_BODY("<correlate type='sequence' window='5m'>"
                                   "\n<stage match='A'/>\n</correlate>\n")),
                 6, "expected <step match='NAME'/>");
    expect_error("<rule id='x'/>\n", 1, "root element must be <rules>");
}

Test(rules, unknown_attributes_are_errors)
{
    expect_error(DOC(OK " colour='red'", RULE_BODY("")), 2,
                 "<rule>: unknown attribute 'colour'");
    expect_error(DOC(OK, TITLE "<match name='A' colour='red'><message>a"
                              "</message></match>\n" CAUSE REMEDY),
                 4, "<match>: unknown attribute 'colour'");
    expect_error(DOC(OK, TITLE "<match name='A'>\n<field nam='1'>x</field>"
                              "\n</match>\n" CAUSE REMEDY),
                 5, "<field>: unknown attribute 'nam'");
    expect_error(DOC(OK, RULE_BODY("<correlate type='single' speed='2'>"
                                   "<step match='A'/></correlate>\n")),
                 5, "<correlate>: unknown attribute 'speed'");
    expect_error(DOC(OK, RULE_BODY("<adjust match='A' within='5m' by='+5' "
                                   "factor='2'/>\n")),
                 5, "<adjust>: unknown attribute 'factor'");
}

/* <require> is an <adjust> without by; a match's note is short text. */
Test(rules, require_and_note_are_checked)
{
    expect_error(DOC(OK, RULE_BODY("<require match='A' within='5m' "
                                   "by='+5'/>\n")),
                 5, "<require>: needs match='NAME'");
    expect_error(DOC(OK, RULE_BODY("<require match='B' within='5m'/>\n")),
                 5, "<require>: needs match='NAME'");
    expect_error(DOC(OK, RULE_BODY("<adjust match='A' within='5m'/>\n")),
                 5, "<adjust>: needs match='NAME'");
    expect_error(DOC(OK, TITLE "<match name='A' note=''><message>a"
                              "</message></match>\n" CAUSE REMEDY),
                 4, "note is 1..256 characters");
    const char *ok = DOC(OK, TITLE "<match name='A' note='localized text'>"
                                   "<message>a</message></match>\n"
                                   "<require absent='A' within='5m' "
                                   "scope='any'/>\n" CAUSE REMEDY);
    cb_rule_errors_free(&errs);
    cb_rules_free(&rules);
    cr_assert_eq(cb_rules_load_memory(&rules, "ok.xml", ok, strlen(ok),
                                      &errs),
                 CB_OK);
    cr_assert_null(errs, "%s", errs ? errs->msg : "");
    cr_assert_eq(cb_rules_count(rules), 1);
}

/* clock-skew: no step, a window (the least skew), no match needed */
Test(rules, clock_skew_correlation_is_checked)
{
    cr_assert_eq(load_as("ok.xml", DOC(OK, TITLE "<correlate type="
                                           "'clock-skew' window='5m'/>\n"
                                           CAUSE REMEDY)),
                 CB_OK);
    cr_assert_null(errs, "%s", errs ? errs->msg : "");
    cr_assert_eq(cb_rules_count(rules), 1);
    expect_error(DOC(OK, RULE_BODY("<correlate type='clock-skew'/>\n")), 5,
                 "takes no step and a window");
    expect_error(DOC(OK, RULE_BODY("<correlate type='clock-skew' "
                                   "window='5m'><step match='A'/>"
                                   "</correlate>\n")),
                 5, "takes no step and a window");
    /* only a clock-skew rule may go without a match */
    expect_error(DOC(OK, TITLE CAUSE REMEDY), 2,
                 "needs at least one <match>");
}

Test(rules, rule_attributes_are_checked)
{
    expect_error(DOC("id='x.a' pattern='P1' severity='urgent'", RULE_BODY("")),
                 2, "severity is info, low, medium, high or critical");
    expect_error(DOC("id='x.a' pattern='P1'", RULE_BODY("")), 2,
                 "severity is info, low, medium, high or critical");
    expect_error(DOC("id='x.a' pattern='P1' severity='High'", RULE_BODY("")),
                 2, "severity is");
    static const char *const bad_patterns[] = {
        "id='x.a' pattern='PA' severity='low'",
        "id='x.a' pattern='P0' severity='low'",
        "id='x.a' pattern='p1' severity='low'",
        "id='x.a' pattern='P10' severity='low'",
        "id='x.a' pattern='' severity='low'",
        "id='x.a' severity='low'"};
    for (size_t i = 0; i < sizeof bad_patterns / sizeof *bad_patterns; i++) {
        char xml[512];
        snprintf(xml, sizeof xml, DOC("%s", RULE_BODY("")), bad_patterns[i]);
        expect_error(xml, 2, "pattern is P1..P9");
    }
    expect_error(DOC("pattern='P1' severity='low'", RULE_BODY("")), 2,
                 "<rule> needs an id");
    expect_error(DOC("id='' pattern='P1' severity='low'", RULE_BODY("")), 2,
                 "<rule> needs an id");
    expect_error(DOC(OK " confidence='0'", RULE_BODY("")), 2,
                 "confidence is 1..100");
    expect_error(DOC(OK " confidence='101'", RULE_BODY("")), 2,
                 "confidence is 1..100");
    expect_error(DOC(OK " confidence='high'", RULE_BODY("")), 2,
                 "confidence is 1..100");
}

Test(rules, required_children_are_checked)
{
    expect_error(DOC(OK, MATCH CAUSE REMEDY), 2, "needs a <title>");
    expect_error(DOC(OK, TITLE MATCH REMEDY), 2, "needs a <cause>");
    expect_error(DOC(OK, TITLE MATCH CAUSE), 2, "needs <remediation> steps");
    expect_error(DOC(OK, TITLE MATCH CAUSE "<remediation/>\n"), 2,
                 "needs <remediation> steps");
    expect_error(DOC(OK, TITLE MATCH CAUSE
                     "<remediation>\n<step><warning>w</warning></step>\n"
                     "</remediation>\n"),
                 7, "<step> needs <do>");
    expect_error(DOC(OK, TITLE CAUSE REMEDY), 2, "needs at least one <match>");
    expect_error(DOC(OK, TITLE "<match><message>a</message></match>\n"
                         CAUSE REMEDY),
                 4, "<match> needs a name");
    expect_error(DOC(OK, TITLE "<match name='A'/>\n" CAUSE REMEDY), 4,
                 "<match name='A'> has no condition");

    /* every problem of the file is reported, not only the first */
    cb_rule_errors_free(&errs);
    cr_assert_eq(load_as("bad.xml", DOC("id='x.a' pattern='PZ' "
                                        "severity='urgent'", MATCH)),
                 CB_OK);
    cr_assert_geq(nerrors(), 5, "pattern, severity, title, cause, "
                  "remediation");
    cr_assert_eq(cb_rules_count(rules), 0);
}

/* ---- conditions --------------------------------------------------------- */

Test(rules, bad_regexes_report_the_offset)
{
    expect_error(DOC(OK, TITLE "<match name='A'>\n<message>ab(cd</message>\n"
                              "</match>\n" CAUSE REMEDY),
                 5, "<message>: bad regular expression at offset 5: missing "
                    "closing parenthesis");
    expect_error(DOC(OK, TITLE "<match name='A'>\n<field name='1'>x{3,1}"
                              "</field>\n</match>\n" CAUSE REMEDY),
                 5, "<field>: bad regular expression at offset 5: numbers "
                    "out of order");
    expect_error(DOC(OK, TITLE "<match name='A'>\n\n<path>[a-</path>\n"
                              "</match>\n" CAUSE REMEDY),
                 6, "<path>: bad regular expression at offset 3");
    expect_error(DOC(OK, TITLE "<match name='A'>\n<message>(?&lt;1x&gt;a)"
                              "</message>\n</match>\n" CAUSE REMEDY),
                 5, "<message>: bad regular expression at offset 3");
}

Test(rules, bad_event_ids_levels_and_hresults)
{
    static const char *const bad_ids[] = {"70000", "abc", "9-3", "1135 x",
                                          "5-", "-5", "65536",
                                          "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad_ids / sizeof *bad_ids; i++) {
        char xml[1024];
        snprintf(xml, sizeof xml,
                 DOC(OK, TITLE "<match name='A'>\n<event-id>%s</event-id>\n"
                               "</match>\n" CAUSE REMEDY),
                 bad_ids[i]);
        expect_error(xml, 5, "is not an id or range of ids (0-65535)");
    }
    expect_error(DOC(OK, TITLE "<match name='A'>\n<event-id> </event-id>\n"
                              "</match>\n" CAUSE REMEDY),
                 5, "<event-id>: empty");
    expect_clean(DOC(OK, TITLE "<match name='A'><event-id>0 65535 1-9, 12"
                              "</event-id></match>\n" CAUSE REMEDY));

    expect_error(DOC(OK, TITLE "<match name='A'>\n<level>error fatal</level>"
                              "\n</match>\n" CAUSE REMEDY),
                 5, "<level>: unknown level 'fatal'");
    expect_error(DOC(OK, TITLE "<match name='A'>\n<hresult>0x1FFFFFFFF"
                              "</hresult>\n</match>\n" CAUSE REMEDY),
                 5, "<hresult>: '0x1FFFFFFFF' is not a 32-bit code");
    expect_error(DOC(OK, TITLE "<match name='A'>\n<hresult>access denied"
                              "</hresult>\n</match>\n" CAUSE REMEDY),
                 5, "is not a 32-bit code such as 0x80070020");
    expect_clean(DOC(OK, TITLE "<match name='A'><hresult>2147942432"
                              "</hresult></match>\n" CAUSE REMEDY));
}

/* ---- correlation -------------------------------------------------------- */

#define AB "<match name='A'><message>a</message></match>\n"                 \
           "<match name='B'><message>b</message></match>\n"
#define CORR(X) DOC(OK, TITLE AB X CAUSE REMEDY) /* X on line 6 */

Test(rules, bad_windows_are_errors)
{
    static const char *const bad[] = {"5x", "-1m", "abc", "", "m", "5 m",
                                      "1e30d", "nan", "5mm"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char xml[1024];
        snprintf(xml, sizeof xml,
                 CORR("<correlate type='sequence' window='%s'><step "
                      "match='A'/><step match='B'/></correlate>\n"),
                 bad[i]);
        char needle[64];
        snprintf(needle, sizeof needle, "bad window '%s'", bad[i]);
        expect_error(xml, 6, needle);
    }
    expect_error(CORR("<correlate type='count' min='3'><step match='A'/>"
                      "</correlate>\n"),
                 6, "<correlate type='count'> needs a window");
    expect_error(CORR("<correlate type='absence' window='0s'><step match='A'/>"
                      "<step match='B'/></correlate>\n"),
                 6, "<correlate type='absence'> needs a window");
    static const char *const good[] = {"250ms", "90s", "5m", "2h", "1d",
                                       "1.5h", "30"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        char xml[1024];
        snprintf(xml, sizeof xml,
                 CORR("<correlate type='sequence' window='%s'><step "
                      "match='A'/><step match='B'/></correlate>\n"),
                 good[i]);
        expect_clean(xml);
    }
    expect_error(CORR("<correlate type='sequence' window='5m'>"
                      "<step match='A'/><step match='B'/></correlate>\n"
                      "<adjust match='B' within='soon' by='+5'/>\n"),
                 7, "within='DURATION'");
}

Test(rules, steps_must_name_a_match_of_the_rule)
{
    expect_error(CORR("<correlate type='sequence' window='5m'>\n"
                      "<step match='A'/>\n<step match='C'/>\n"
                      "</correlate>\n"),
                 8, "<correlate>: expected <step match='NAME'/> naming a "
                    "<match> of this rule");
    expect_error(CORR("<correlate type='sequence' window='5m'>\n"
                      "<step match='A'/>\n<step/>\n</correlate>\n"),
                 8, "naming a <match> of this rule");
    expect_error(CORR("<adjust match='C' within='5m' by='+5'/>\n"), 6,
                 "<adjust>: needs match='NAME' or absent='NAME' of this rule");
    expect_error(CORR("<adjust match='A' absent='B' within='5m' by='+5'/>\n"),
                 6, "<adjust>: needs match='NAME' or absent='NAME'");
    expect_error(CORR("<adjust match='A' within='5m'/>\n"), 6,
                 "by='+N' or '-N'");
    expect_error(CORR("<adjust match='A' within='5m' by='+5' "
                      "scope='host'/>\n"),
                 6, "optional scope='same|any'");
}

Test(rules, number_of_steps_per_type)
{
    expect_error(CORR("<correlate type='single'><step match='A'/>"
                      "<step match='B'/></correlate>\n"),
                 6, "<correlate type='single'> takes exactly 1 step");
    expect_error(CORR("<correlate type='single'></correlate>\n"), 6,
                 "<correlate type='single'> takes exactly 1 step");
    expect_error(CORR("<correlate type='count' window='5m' min='2'>"
                      "<step match='A'/><step match='B'/></correlate>\n"),
                 6, "<correlate type='count'> takes exactly 1 step");
    expect_error(CORR("<correlate type='sequence' window='5m'>"
                      "<step match='A'/></correlate>\n"),
                 6, "<correlate type='sequence'> takes 2 or more steps");
    expect_error(CORR("<correlate type='cooccur' window='5m'>"
                      "<step match='A'/></correlate>\n"),
                 6, "<correlate type='cooccur'> takes 2 or more steps");
    expect_error(CORR("<correlate type='absence' window='5m'>"
                      "<step match='A'/></correlate>\n"),
                 6, "<correlate type='absence'> takes exactly 2 steps");
    expect_error(CORR("<correlate type='absence' window='5m'>"
                      "<step match='A'/><step match='B'/><step match='A'/>"
                      "</correlate>\n"),
                 6, "<correlate type='absence'> takes exactly 2 steps");

    /* the engine follows at most 16 steps */
    char xml[4096];
    size_t k = (size_t)snprintf(xml, sizeof xml, "%s",
                                "<rules>\n<rule " OK ">\n" TITLE AB
                                "<correlate type='sequence' window='1h'>\n");
    for (int i = 0; i < 17; i++)
        k += (size_t)snprintf(xml + k, sizeof xml - k, "<step match='%s'/>",
                              i % 2 ? "B" : "A");
    snprintf(xml + k, sizeof xml - k, "%s",
             "</correlate>\n" CAUSE REMEDY "</rule>\n</rules>\n");
    expect_error(xml, 6, "at most 16 steps");
}

Test(rules, correlate_attributes_are_checked)
{
    expect_error(CORR("<correlate type='chain' window='5m'><step match='A'/>"
                      "<step match='B'/></correlate>\n"),
                 6, "type is single, sequence, cooccur, count, absence or "
                    "clock-skew");
    expect_error(CORR("<correlate window='5m'><step match='A'/>"
                      "<step match='B'/></correlate>\n"),
                 6, "type is single");
    expect_error(CORR("<correlate type='cooccur' window='5m' group='rack'>"
                      "<step match='A'/><step match='B'/></correlate>\n"),
                 6, "group is host, cluster or entity:NAME, not 'rack'");
    expect_error(CORR("<correlate type='cooccur' window='5m' group='entity:'>"
                      "<step match='A'/><step match='B'/></correlate>\n"),
                 6, "group is host, cluster or entity:NAME");
    expect_error(CORR("<correlate type='count' window='5m' min='0'>"
                      "<step match='A'/></correlate>\n"),
                 6, "bad min '0'");
    expect_error(CORR("<correlate type='count' window='5m' min='many'>"
                      "<step match='A'/></correlate>\n"),
                 6, "bad min 'many'");
    expect_error(CORR("<correlate type='single' min-hosts='2'>"
                      "<step match='A'/></correlate>\n"),
                 6, "min-hosts is 1..4096, for type='count'");
    expect_error(CORR("<correlate type='count' window='5m' min-hosts='0'>"
                      "<step match='A'/></correlate>\n"),
                 6, "min-hosts is 1..4096");
    expect_error(CORR("<correlate type='sequence' window='5m' "
                      "direction='both'><step match='A'/><step match='B'/>"
                      "</correlate>\n"),
                 6, "direction is after or both, for type='absence'");
    expect_error(CORR("<correlate type='absence' window='5m' "
                      "direction='before'><step match='A'/><step "
                      "match='B'/></correlate>\n"),
                 6, "direction is after or both");
    expect_clean(CORR("<correlate type='absence' window='5m' "
                      "direction='both' group='entity:vm'><step match='A'/>"
                      "<step match='B'/></correlate>\n"));
}

/* ---- XML ---------------------------------------------------------------- */

Test(rules, doctype_and_entities_are_refused)
{
    expect_error("<?xml version='1.0'?>\n<!DOCTYPE rules [\n"
                 "<!ENTITY title 'T'>\n]>\n<rules/>\n",
                 2, "DOCTYPE is not allowed in rule files");
    expect_error("<?xml version='1.0'?>\n\n<!DOCTYPE rules SYSTEM "
                 "'file:///etc/passwd'>\n<rules>&xxe;</rules>\n",
                 3, "DOCTYPE is not allowed");

    /* billion laughs: refused before any expansion */
    char xml[4096];
    size_t k = (size_t)snprintf(xml, sizeof xml,
                                "<?xml version='1.0'?>\n<!DOCTYPE rules [\n"
                                "<!ENTITY lol0 'lol'>\n");
    for (int i = 1; i < 10; i++)
        k += (size_t)snprintf(xml + k, sizeof xml - k,
                              "<!ENTITY lol%d '&lol%d;&lol%d;&lol%d;&lol%d;"
                              "&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;&lol%d;'>\n",
                              i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
                              i - 1, i - 1, i - 1, i - 1);
    snprintf(xml + k, sizeof xml - k, "]>\n<rules>&lol9;</rules>\n");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    expect_error(xml, 2, "DOCTYPE is not allowed");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) +
                  (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    cr_assert_lt(secs, 1.0, "billion laughs took %.2f s", secs);
}

Test(rules, xml_that_is_not_well_formed)
{
    expect_error("<rules>\n<rule id='x'>\n</rules>\n", 3, "mismatched tag");
    expect_error("", 1, "no element found");
    expect_error("<rules>\n<rule id='x' id='y'/>\n</rules>\n", 2,
                 "duplicate attribute");
    expect_error("<rules/>\n<rules/>\n", 2, "junk after document element");
    expect_error("<rules>\n\n<rule id='a & b'/>\n</rules>\n", 3,
                 "not well-formed");
    expect_error(DOC(OK, RULE_BODY("<summary>&nbsp;</summary>\n")), 5,
                 "undefined entity");

    /* nesting: refused beyond 16 levels */
    char xml[1024];
    size_t k = 0;
    for (int i = 0; i < 20; i++)
        k += (size_t)snprintf(xml + k, sizeof xml - k, "<rules>\n");
    for (int i = 0; i < 20; i++)
        k += (size_t)snprintf(xml + k, sizeof xml - k, "</rules>");
    expect_error(xml, 17, "elements nested deeper than 16");
}

Test(rules, duplicate_ids_in_one_file)
{
    expect_error("<rules>\n<rule " OK ">\n" RULE_BODY("") "</rule>\n<rule "
                 OK ">\n" RULE_BODY("") "</rule>\n</rules>\n",
                 8, "rule id 'x.a' used twice in this file");
    /* a rule without id before one with an id: errors, no crash */
    expect_error("<rules>\n<rule pattern='P1' severity='low'>\n" RULE_BODY("")
                 "</rule>\n<rule " OK ">\n" RULE_BODY("")
                 "</rule>\n</rules>\n",
                 2, "<rule> needs an id");
}

Test(rules, a_file_with_errors_adds_none_of_its_rules)
{
    cr_assert_eq(load_as("one.xml", DOC(OK, RULE_BODY(""))), CB_OK);
    cr_assert_null(errs);
    cr_assert_eq(cb_rules_count(rules), 1);
    cr_assert_eq(load_as("two.xml",
                         "<rules>\n<rule id='x.b' pattern='P2' "
                         "severity='low'>\n" RULE_BODY("")
                         "</rule>\n<rule id='x.a' pattern='P2' "
                         "severity='urgent'>\n" RULE_BODY("")
                         "</rule>\n</rules>\n"),
                 CB_OK);
    cr_assert_eq(nerrors(), 1);
    cr_assert_str_eq(errs->where, "two.xml:8");
    cr_assert_eq(cb_rules_count(rules), 1, "x.b must not be added");
    cr_assert_str_eq(cb_rule_id(cb_rules_at(rules, 0)), "x.a");
    cr_assert_eq(cb_rule_severity(cb_rules_at(rules, 0)), CB_SEV_HIGH,
                 "the bad x.a must not replace the good one");
}

/* ---- replacing rules ---------------------------------------------------- */

#define RULE_MSG(ID, TTL, MSG)                                               \
    "<rule id='" ID "' pattern='P1' severity='high'><title>" TTL "</title>" \
    "<match name='m'><message>" MSG "</message></match>" CAUSE REMEDY       \
    "</rule>\n"

Test(rules, a_later_file_replaces_a_rule_with_the_same_id)
{
    cr_assert_eq(load_as("10-ours.xml",
                         "<rules>" RULE_MSG("x.a", "first", "^alpha$")
                         RULE_MSG("x.b", "bee", "^gamma$") "</rules>"),
                 CB_OK);
    cr_assert_eq(load_as("20-team.xml",
                         "<rules>" RULE_MSG("x.a", "second", "^beta$")
                         RULE_MSG("x.c", "sea", "^delta$") "</rules>"),
                 CB_OK);
    cr_assert_null(errs);
    cr_assert_eq(cb_rules_count(rules), 3);
    cr_assert_str_eq(cb_rule_id(cb_rules_at(rules, 0)), "x.a");
    cr_assert_str_eq(cb_rule_title(cb_rules_at(rules, 0)), "second");
    cr_assert_str_eq(cb_rule_id(cb_rules_at(rules, 1)), "x.b");
    cr_assert_str_eq(cb_rule_id(cb_rules_at(rules, 2)), "x.c");

    /* only the replacing rule runs: alpha no longer matches x.a */
    struct cb_event evs[2] = {
        {.ts = 1000 * 10000000LL, .host = "N1", .channel = "System",
         .message = "alpha"},
        {.ts = 1001 * 10000000LL, .host = "N1", .channel = "System",
         .message = "beta"}};
    struct cb_event *ptrs[2] = {&evs[0], &evs[1]};
    struct cb_timeline tl = {.events = ptrs, .count = 2};
    struct cb_findings fs;
    cr_assert_eq(cb_correlate(rules, &tl, &fs), CB_OK);
    cr_assert_eq(fs.count, 1);
    cr_assert_str_eq(fs.items[0].id, "x.a");
    cr_assert_str_eq(fs.items[0].title, "second");
    cr_assert_eq(fs.items[0].nevidence, 1);
    cr_assert_eq(fs.items[0].evidence[0].ev, &evs[1]);
    cb_findings_fini(&fs);
}

static char tmpdir[64];

static void write_file(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static void remove_tmpdir(void)
{
    DIR *d = opendir(tmpdir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", tmpdir, de->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(tmpdir);
}

Test(rules, a_directory_loads_in_name_order)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/cb-rules-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    /* written in the opposite order: 20 must still replace 10 */
    write_file("20-b.xml", "<rules>" RULE_MSG("x.a", "from 20", "b")
                           "</rules>");
    write_file("10-a.xml", "<rules>" RULE_MSG("x.a", "from 10", "a")
                           RULE_MSG("x.z", "zed", "z") "</rules>");
    write_file("30-bad.xml", "<rules>\n<rule id='x.a'/>\n</rules>\n");
    write_file("notes.txt", "not a rule file");
    enum cb_status st = cb_rules_load_dir(&rules, tmpdir, &errs);
    remove_tmpdir();
    cr_assert_eq(st, CB_OK);
    cr_assert_eq(cb_rules_count(rules), 2);
    cr_assert_str_eq(cb_rule_title(cb_rules_at(rules, 0)), "from 20");
    cr_assert_not_null(errs, "30-bad.xml has errors");
    cr_assert(strstr(errs->where, "30-bad.xml:2"), "%s", errs->where);

    cr_assert_eq(cb_rules_load_dir(&rules, "/nonexistent/rules", &errs),
                 CB_E_IO);
    cr_assert_eq(cb_rules_load_file(&rules, "/nonexistent/r.xml", &errs),
                 CB_E_IO);
}

/* ---- HRESULT pattern ---------------------------------------------------- */

static pcre2_code *compile_hr(unsigned long code)
{
    char pat[512];
    size_t n = cb_hresult_pattern(code, pat, sizeof pat);
    cr_assert_gt(n, 0);
    cr_assert_eq(n, strlen(pat));
    int err;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF, &err, &off, NULL);
    cr_assert_not_null(re, "pattern %s does not compile at %zu", pat,
                       (size_t)off);
    return re;
}

static int hr_matches(pcre2_code *re, const char *s)
{
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    int rc = pcre2_match(re, (PCRE2_SPTR)s, PCRE2_ZERO_TERMINATED, 0, 0, md,
                         NULL);
    pcre2_match_data_free(md);
    return rc >= 0;
}

Test(rules, hresult_pattern_matches_every_form)
{
    pcre2_code *re = compile_hr(0x80070020);
    static const char *const yes[] = {
        "0x80070020", "failed: 0x80070020.", "0X80070020", "(0x80070020)",
        "error 80070020", "Error: 80070020", "HRESULT=80070020",
        "status 80070020", "code 80070020", "2147942432", "hr=2147942432",
        "-2147024864", "%%2147942432", "'%%2147942432'",
        "it is being used by another process",
        "BEING USED BY ANOTHER PROCESS"};
    static const char *const no[] = {
        "0x80070021", "21474836320", "12147942432", "21479424321",
        "-21470248640", "0x800700201", "x0x80070020", "80070020",
        "value 80070020", "%%2147942433", "-2147024865", "being used",
        "0x8007002"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        cr_assert(hr_matches(re, yes[i]), "should match: %s", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        cr_assert(!hr_matches(re, no[i]), "should not match: %s", no[i]);
    pcre2_code_free(re);

    /* a code without a known text: numbers only */
    re = compile_hr(0x80004005);
    cr_assert(hr_matches(re, "0x80004005"));
    cr_assert(hr_matches(re, "-2147467259"));
    cr_assert(hr_matches(re, "2147500037"));
    cr_assert(!hr_matches(re, "being used by another process"));
    pcre2_code_free(re);

    re = compile_hr(0x80070005);
    cr_assert(hr_matches(re, "Access is denied."));
    cr_assert(hr_matches(re, "General access denied error"));
    pcre2_code_free(re);

    /* only the low 32 bits count */
    char a[512], b[512];
    cr_assert_gt(cb_hresult_pattern(0x80070020ul, a, sizeof a), 0);
    cr_assert_gt(cb_hresult_pattern(0x80070020ul | (1ul << 32), b, sizeof b),
                 0);
    cr_assert_str_eq(a, b);
}

Test(rules, hresult_pattern_needs_room)
{
    char big[512];
    size_t n = cb_hresult_pattern(0x80070020, big, sizeof big);
    cr_assert_gt(n, 0);
    char small[512];
    cr_assert_eq(cb_hresult_pattern(0x80070020, small, n), 0,
                 "no room for the terminator");
    cr_assert_eq(cb_hresult_pattern(0x80070020, small, n + 1), n);
    cr_assert_str_eq(small, big);
    cr_assert_eq(cb_hresult_pattern(0x80070020, small, 8), 0);
}

/* ---- the shipped knowledge base ----------------------------------------- */

static const char *rules_dir(void)
{
    static char dir[4096];
    const char *samples = getenv("CB_SAMPLES"); /* PROJECT/samples */
    if (samples && strlen(samples) < sizeof dir - 8) {
        snprintf(dir, sizeof dir, "%s", samples);
        char *slash = strrchr(dir, '/');
        if (slash) {
            snprintf(slash, sizeof dir - (size_t)(slash - dir), "/rules");
            return dir;
        }
    }
    return "/work/main/rules";
}

Test(rules, the_shipped_rules_load_without_errors)
{
    const char *dir = rules_dir();
    DIR *d = opendir(dir);
    size_t nxml = 0;
    if (d) {
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            size_t len = strlen(de->d_name);
            nxml += len > 4 && strcmp(de->d_name + len - 4, ".xml") == 0;
        }
        closedir(d);
    }
    if (!nxml)
        cr_skip_test("no rule files in %s yet", dir);
    cr_assert_eq(cb_rules_load_dir(&rules, dir, &errs), CB_OK);
    if (errs) {
        dump_errors();
        cr_assert_fail("%zu errors in %s, first %s: %s", nerrors(), dir,
                       errs->where, errs->msg);
    }
    size_t n = cb_rules_count(rules);
    cr_assert_geq(n, nxml, "every file holds at least one rule");
    for (size_t i = 0; i < n; i++) {
        const struct cb_rule *r = cb_rules_at(rules, i);
        cr_assert_not_null(cb_rule_title(r));
        cr_assert_gt(strlen(cb_rule_title(r)), 0);
        for (size_t j = 0; j < i; j++)
            cr_assert_str_neq(cb_rule_id(r), cb_rule_id(cb_rules_at(rules, j)),
                              "two shipped rules share an id");
    }

    /* and they run over a few events without trouble */
    struct cb_field fld[2] = {{"1", "NODE2"}, {"2", "0x80070020"}};
    struct cb_event evs[3] = {
        {.ts = 1000 * 10000000LL, .host = "N1", .channel = "System",
         .provider = "Microsoft-Windows-FailoverClustering",
         .flags = CB_EV_HAS_EVENT_ID, .event_id = 1135,
         .level = CB_LEVEL_CRITICAL, .fields = fld, .nfields = 2,
         .message = "Cluster node 'NODE2' was removed from the active "
                    "failover cluster membership."},
        {.ts = 1060 * 10000000LL, .host = "N1", .channel = "System",
         .provider = "Microsoft-Windows-FailoverClustering",
         .flags = CB_EV_HAS_EVENT_ID, .event_id = 5120,
         .level = CB_LEVEL_ERROR,
         .message = "Cluster Shared Volume 'Volume1' ('CSV1') has entered "
                    "a paused state because of '(c000020c)'."},
        {.ts = 1070 * 10000000LL, .host = "N2", .channel = "cluster.log",
         .component = "NETFT", .level = CB_LEVEL_INFO,
         .message = "route 10.0.0.1 to 10.0.0.2 lost"}};
    struct cb_event *ptrs[3] = {&evs[0], &evs[1], &evs[2]};
    struct cb_timeline tl = {.events = ptrs, .count = 3};
    struct cb_findings fs;
    cr_assert_eq(cb_correlate(rules, &tl, &fs), CB_OK);
    for (size_t i = 0; i < fs.count; i++) {
        cr_assert_not_null(fs.items[i].summary);
        cr_assert_gt(fs.items[i].nevidence, 0);
    }
    cb_findings_fini(&fs);
}

/* ---- rules check: links, placeholders and unsafe steps (issue 16) ------ */

/* The first lint error containing text, or NULL. */
static const struct cb_rule_error *lint_error_with(const char *text)
{
    for (const struct cb_rule_error *e = errs; e; e = e->next) {
        if (strstr(e->msg, text))
            return e;
    }
    return NULL;
}

#define CHECKED_STEPS(FIX)                                                   \
    "<remediation><step kind='diagnose'><do>Look.</do></step>"              \
    "<step kind='fix'><do>Change.</do><powershell>" FIX                      \
    "</powershell></step></remediation>\n"

Test(rules, check_rejects_a_delete_with_errors_silenced)
{
    const char *xml = DOC(OK, TITLE MATCH CAUSE CHECKED_STEPS(
        "Remove-Item 'C:\\x.avhdx' -ErrorAction SilentlyContinue"));
    cr_assert_eq(load_as("del.xml", xml), CB_OK);
    cr_assert_null(errs, "loading accepts it: only rules check judges");
    cr_assert_geq(cb_rules_lint(rules, &errs), 1);
    const struct cb_rule_error *e = lint_error_with("SilentlyContinue");
    cr_assert_not_null(e);
    cr_assert_str_eq(e->where, "del.xml:6", "the line of the <step>");
}

Test(rules, check_rejects_silenced_errors_in_a_fix_step)
{
    const char *xml = DOC(OK, TITLE MATCH CAUSE CHECKED_STEPS(
        "Stop-VM -Name x -ErrorAction SilentlyContinue"));
    cr_assert_eq(load_as("fix.xml", xml), CB_OK);
    cr_assert_geq(cb_rules_lint(rules, &errs), 1);
    cr_assert_not_null(lint_error_with("a fix step silences errors"));
}

Test(rules, check_rejects_a_placeholder_no_finding_fills)
{
    /* {vm} is not captured by the rule's only regex; {count} always is */
    const char *xml = DOC(OK, TITLE MATCH CAUSE
        "<remediation><step kind='diagnose'><do>{count} for {vm}</do>"
        "</step></remediation>\n");
    cr_assert_eq(load_as("ph.xml", xml), CB_OK);
    cr_assert_eq(cb_rules_lint(rules, &errs), 1);
    cr_assert_not_null(lint_error_with("placeholder {vm}"));
}

Test(rules, check_accepts_a_placeholder_the_rule_captures)
{
    const char *xml = DOC(OK, TITLE
        "<match name='A'><message>(?'vm'\\w+) failed</message></match>\n"
        CAUSE "<remediation><step kind='diagnose'><do>Look at {vm} on "
        "{other_node}</do><powershell>Get-VM -Name '{vm}'</powershell>"
        "</step></remediation>\n");
    cr_assert_eq(load_as("ok.xml", xml), CB_OK);
    cr_assert_eq(cb_rules_lint(rules, &errs), 0);
}

Test(rules, check_wants_every_step_kind_and_checks_before_changes)
{
    const char *xml = DOC(OK, TITLE MATCH CAUSE
        "<remediation><step kind='fix'><do>Change first.</do></step>"
        "<step><do>Unsaid.</do></step></remediation>\n");
    cr_assert_eq(load_as("order.xml", xml), CB_OK);
    cr_assert_eq(cb_rules_lint(rules, &errs), 2);
    cr_assert_not_null(lint_error_with("a fix step comes first"));
    cr_assert_not_null(lint_error_with("needs kind="));
}

Test(rules, check_rejects_a_link_to_no_rule)
{
    const char *xml = DOC(OK, RULE_BODY(
        "<leads-to rule='x.nothing' within='1h'/>\n"));
    cr_assert_eq(load_as("link.xml", xml), CB_OK);
    cr_assert_null(errs);
    cr_assert_geq(cb_rules_lint(rules, &errs), 1);
    cr_assert_not_null(lint_error_with("<leads-to rule='x.nothing'>"));
}

Test(rules, a_link_needs_a_rule_and_a_window)
{
    const char *xml = DOC(OK, RULE_BODY("<leads-to rule='x.b'/>\n"));
    cr_assert_eq(load_as("bad.xml", xml), CB_OK);
    cr_assert_eq(nerrors(), 1);
    cr_assert(strstr(errs->msg, "<leads-to>") != NULL);
}

/* ---- rules check: step kinds, CSV repairs, template values, references
 * (issue 16 #4, second part) ------------------------------------------- */

#define STEPS2(KIND1, PS1, KIND2, PS2)                                       \
    "<remediation><step kind='" KIND1 "'><do>One.</do><powershell>" PS1     \
    "</powershell></step><step kind='" KIND2 "'><do>Two.</do><powershell>"   \
    PS2 "</powershell><warning>W</warning></step></remediation>\n"

Test(rules, check_rejects_a_diagnose_step_that_changes_something)
{
    /* the old P4.destination-unreachable ran winrm quickconfig as a check */
    const char *xml = DOC(OK, TITLE MATCH CAUSE STEPS2(
        "diagnose", "Test-WSMan srv1\nwinrm quickconfig", "fix",
        "Set-Item WSMan:\\localhost\\Client\\TrustedHosts -Value 'srv1'"));
    cr_assert_eq(load_as("kind.xml", xml), CB_OK);
    cr_assert_eq(cb_rules_lint(rules, &errs), 1);
    const struct cb_rule_error *e = lint_error_with("a diagnose step changes");
    cr_assert_not_null(e);
    cr_assert(strstr(e->msg, "winrm") != NULL, "%s", e->msg);
}

Test(rules, check_rejects_a_property_assignment_in_a_diagnose_step)
{
    const char *xml = DOC(OK, TITLE MATCH CAUSE STEPS2(
        "diagnose", "(Get-Cluster).SameSubnetThreshold = 20", "fix",
        "Set-VMHost -MaximumVirtualMachineMigrations 4"));
    cr_assert_eq(load_as("prop.xml", xml), CB_OK);
    cr_assert_eq(cb_rules_lint(rules, &errs), 1);
    cr_assert_not_null(lint_error_with("a property assignment"));
}

Test(rules, check_rejects_a_fix_step_that_only_reads)
{
    /* the old P1 "bring every node to the same patch level" fix ran only
     * Get-HotFix; the old P5.vmms-crashed ended on a listing */
    const char *xml = DOC(OK, TITLE MATCH CAUSE STEPS2(
        "diagnose", "Get-VM | Format-Table Name, State", "fix",
        "Get-HotFix | Sort-Object InstalledOn | Select-Object -Last 10"));
    cr_assert_eq(load_as("reads.xml", xml), CB_OK);
    cr_assert_eq(cb_rules_lint(rules, &errs), 1);
    cr_assert_not_null(lint_error_with("a fix step's PowerShell only reads"));
}

Test(rules, check_reads_commands_after_pipes_and_assignments)
{
    const char *xml = DOC(OK, TITLE MATCH CAUSE STEPS2(
        "diagnose",
        "Get-WinEvent -FilterHashtable @{LogName='System'; Id=41} | "
        "Where-Object Message -match 'x'\nsetspn -L srv1\n"
        "Get-ClusterLog -UseLocalTime -Destination C:\\Temp\n"
        "Invoke-Command -ComputerName n2 { Get-ClusterNode }\n"
        "Repair-Volume -Path 'C:\\ClusterStorage\\Volume1' -Scan",
        "fix", "$a = New-Item -ItemType Directory -Path 'C:\\x'\n"
        "Get-Item -LiteralPath 'C:\\y' | Move-Item -Destination $a.FullName"));
    cr_assert_eq(load_as("pipes.xml", xml), CB_OK);
    int n = cb_rules_lint(rules, &errs);
    if (n)
        dump_errors();
    cr_assert_eq(n, 0, "reads stay reads, the change after a pipe counts");
}

Test(rules, check_rejects_chkdsk_outside_the_csv_maintenance_procedure)
{
    const char *xml = DOC(OK, TITLE MATCH CAUSE STEPS2(
        "diagnose", "Get-ClusterSharedVolume", "fix",
        "chkdsk 'C:\\ClusterStorage\\Volume3' /f /r"));
    cr_assert_eq(load_as("chk.xml", xml), CB_OK);
    cr_assert_eq(cb_rules_lint(rules, &errs), 1);
    cr_assert_not_null(lint_error_with("outside the CSV maintenance"));
}

Test(rules, check_accepts_chkdsk_with_maintenance_on_first)
{
    const char *xml = DOC(OK, TITLE MATCH CAUSE STEPS2(
        "diagnose", "Get-ClusterSharedVolume", "fix",
        "Suspend-ClusterResource -Name '&lt;CSV resource name&gt;'\n"
        "chkdsk 'C:\\ClusterStorage\\Volume3' /f\n"
        "Resume-ClusterResource -Name '&lt;CSV resource name&gt;'"));
    cr_assert_eq(load_as("chkok.xml", xml), CB_OK);
    int n = cb_rules_lint(rules, &errs);
    if (n)
        dump_errors();
    cr_assert_eq(n, 0);
}

Test(rules, check_rejects_drive_letter_tools)
{
    /* the Repair-Volume -DriveLetter D for a disk on a CSV */
    const char *xml = DOC(OK, TITLE MATCH CAUSE STEPS2(
        "diagnose", "Get-ClusterSharedVolume", "fix",
        "Repair-Volume -DriveLetter D -OfflineScanAndFix"));
    cr_assert_eq(load_as("dl.xml", xml), CB_OK);
    cr_assert_geq(cb_rules_lint(rules, &errs), 1);
    cr_assert_not_null(lint_error_with("-DriveLetter"));
}

Test(rules, check_rejects_template_values_left_in_place)
{
    const char *xml = DOC(OK, TITLE MATCH CAUSE STEPS2(
        "diagnose", "Get-VM -Name 'VM'", "fix",
        "Suspend-ClusterNode -Name NODE -Drain -Wait\n"
        "Move-ClusterVirtualMachineRole -Name x -Node OTHER-NODE"));
    cr_assert_eq(load_as("tpl.xml", xml), CB_OK);
    cr_assert_eq(cb_rules_lint(rules, &errs), 2, "one per step");
    cr_assert_not_null(lint_error_with("'-Name VM' looks like a template"));
    cr_assert_not_null(lint_error_with("'-Name NODE' looks like a template"));
}

#define OK_STEPS "<remediation><step kind='diagnose'><do>D</do></step></remediation>\n"

Test(rules, check_wants_every_reference_with_a_public_address)
{
    const char *xml = DOC(OK, TITLE MATCH CAUSE OK_STEPS
        "<references>"
        "<ref>Failover Clustering system log events (Microsoft Learn)</ref>"
        "<ref>Event list: http://learn.microsoft.com/x</ref>"
        "<ref>Service Control Manager events (shared/kb/EVENTIDS.md)</ref>"
        "<ref>Our wiki: https://wiki.corp/x</ref>"
        "<ref>Lab: https://10.0.0.5/kb</ref>"
        "<ref>Troubleshoot cluster issue with Event ID 1135: "
        "https://learn.microsoft.com/en-us/troubleshoot/windows-server/"
        "high-availability/troubleshoot-cluster-event-id-1135</ref>"
        "</references>\n");
    cr_assert_eq(load_as("refs.xml", xml), CB_OK);
    cr_assert_eq(cb_rules_lint(rules, &errs), 5, "all but the last");
    cr_assert_not_null(lint_error_with("has no address"));
    cr_assert_not_null(lint_error_with("http:// address"));
    cr_assert_not_null(lint_error_with("internal path"));
    cr_assert_not_null(lint_error_with("not public"));
    cr_assert_str_eq(lint_error_with("has no address")->where, "refs.xml:7",
                     "the line of <references>");
}

Test(rules, the_shipped_rules_pass_rules_check)
{
    const char *dir = rules_dir();
    cr_assert_eq(cb_rules_load_dir(&rules, dir, &errs), CB_OK);
    cr_assert_null(errs);
    int n = cb_rules_lint(rules, &errs);
    if (n)
        dump_errors();
    cr_assert_eq(n, 0, "%d rules check errors in %s", n, dir);
}
