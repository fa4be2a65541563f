/*
 * test_correlate.c - the correlation engine (analyzer/correlate.c): rules
 * written inline, events built by hand in time order, and every finding
 * checked exactly (count, first, last, hosts, entities, evidence roles)
 * against what the input dictates.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <criterion/criterion.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "helpers.h"
#include "casebrief/casebrief.h"
#include "casebrief/rules.h"

#define SEC 10000000LL
#define MIN (60 * SEC)
#define NOID UINT32_MAX
#define MAXEV 512
#define MAXF 4

static const char H1[] = "NODE1";
static const char H2[] = "NODE2";
static const char H3[] = "NODE3";

static struct cb_event pool[MAXEV];
static struct cb_event *ptrs[MAXEV];
static struct cb_field fpool[MAXEV][MAXF];
static size_t nev;
static struct cb_rules *rules;
static struct cb_findings fs;

static cb_time T0;

static void setup(void)
{
    T0 = cb_time_from_civil(2024, 11, 15, 10, 0, 0, 0);
    nev = 0;
    rules = NULL;
    memset(&fs, 0, sizeof fs);
}

static void teardown(void)
{
    cb_findings_fini(&fs);
    cb_rules_free(&rules);
}

TestSuite(correlate, .init = setup, .fini = teardown);

/* ---- rules -------------------------------------------------------------- */

#define RULE(ATTRS, BODY)                                                    \
    "<rule " ATTRS "><title>T</title>" BODY "<cause>C</cause>"               \
    "<remediation><step><do>D</do></step></remediation></rule>"
#define RULES(X) "<rules>" X "</rules>"

static void load(const char *xml)
{
    cb_rules_free(&rules);
    struct cb_rule_error *errs = NULL;
    cr_assert_eq(cb_rules_load_memory(&rules, "test.xml", xml, strlen(xml),
                                      &errs),
                 CB_OK);
    if (errs)
        cr_assert_fail("rule error %s: %s", errs->where, errs->msg);
    cr_assert_gt(cb_rules_count(rules), 0);
}

/* ---- events ------------------------------------------------------------- */

static struct cb_event *ev_full(cb_time ts, const char *host,
                                const char *channel, const char *provider,
                                uint32_t id, unsigned level,
                                const char *component, const char *msg)
{
    cr_assert_lt(nev, MAXEV);
    if (nev)
        cr_assert_geq(ts, ptrs[nev - 1]->ts, "events must be in time order");
    struct cb_event *e = &pool[nev];
    memset(e, 0, sizeof *e);
    e->ts = ts;
    e->host = host;
    e->channel = channel;
    e->provider = provider;
    if (id != NOID) {
        e->event_id = id;
        e->flags |= CB_EV_HAS_EVENT_ID;
    }
    e->level = (uint8_t)level;
    e->component = component;
    e->message = msg;
    e->fields = fpool[nev];
    e->nfields = 0;
    ptrs[nev++] = e;
    return e;
}

/* A System event of FailoverClustering without id. */
static struct cb_event *E(cb_time ts, const char *host, const char *msg)
{
    return ev_full(ts, host, "System", "Microsoft-Windows-FailoverClustering",
                   NOID, CB_LEVEL_INFO, NULL, msg);
}

static struct cb_event *EI(cb_time ts, const char *host, uint32_t id,
                           const char *msg)
{
    return ev_full(ts, host, "System", "Microsoft-Windows-FailoverClustering",
                   id, CB_LEVEL_ERROR, NULL, msg);
}

static void field(struct cb_event *e, const char *name, const char *value)
{
    size_t i = (size_t)(e - pool);
    cr_assert_lt(e->nfields, MAXF);
    fpool[i][e->nfields].name = name;
    fpool[i][e->nfields].value = value;
    e->nfields++;
}

static void clear(void)
{
    nev = 0;
    cb_findings_fini(&fs);
}

static void run_into(struct cb_findings *out)
{
    struct cb_timeline tl = {.events = ptrs, .count = nev};
    cr_assert_eq(cb_correlate(rules, &tl, out), CB_OK);
}

static void run(void)
{
    cb_findings_fini(&fs);
    run_into(&fs);
}

/* ---- checking findings -------------------------------------------------- */

static const struct cb_finding *F(size_t i)
{
    cr_assert_lt(i, fs.count, "finding %zu of %zu", i, fs.count);
    return &fs.items[i];
}

static const struct cb_finding *by_id(const char *id)
{
    const struct cb_finding *f = NULL;
    for (size_t i = 0; i < fs.count; i++) {
        if (strcmp(fs.items[i].id, id) == 0) {
            cr_assert_null(f, "rule %s has more than one finding", id);
            f = &fs.items[i];
        }
    }
    cr_assert_not_null(f, "no finding for rule %s", id);
    return f;
}

static size_t findings_of(const char *id)
{
    size_t n = 0;
    for (size_t i = 0; i < fs.count; i++)
        n += strcmp(fs.items[i].id, id) == 0;
    return n;
}

static void expect(const struct cb_finding *f, const char *id, size_t count,
                   cb_time first, cb_time last)
{
    cr_assert_str_eq(f->id, id);
    cr_assert_eq(f->count, count, "%s: count %zu, expected %zu", id,
                 f->count, count);
    cr_assert_eq(f->first, first, "%s: first off by %lld ticks", id,
                 (long long)(f->first - first));
    cr_assert_eq(f->last, last, "%s: last off by %lld ticks", id,
                 (long long)(f->last - last));
}

/* Hosts, NULL-terminated, in the expected (sorted) order. */
static void expect_hosts(const struct cb_finding *f, ...)
{
    va_list ap;
    va_start(ap, f);
    size_t n = 0;
    for (const char *h; (h = va_arg(ap, const char *)) != NULL; n++) {
        cr_assert_lt(n, f->nhosts, "fewer hosts than expected");
        cr_assert_str_eq(f->hosts[n], h);
    }
    va_end(ap);
    cr_assert_eq(f->nhosts, n, "%zu hosts, expected %zu", f->nhosts, n);
}

/* Evidence as pairs (event, role), NULL-terminated, in order. */
static void expect_evidence(const struct cb_finding *f, ...)
{
    va_list ap;
    va_start(ap, f);
    size_t n = 0;
    for (const struct cb_event *e;
         (e = va_arg(ap, const struct cb_event *)) != NULL; n++) {
        const char *role = va_arg(ap, const char *);
        cr_assert_lt(n, f->nevidence, "fewer evidence than expected");
        cr_assert_eq(f->evidence[n].ev, e, "evidence %zu: wrong event (%s)",
                     n, f->evidence[n].ev->message);
        cr_assert_str_eq(f->evidence[n].role, role);
    }
    va_end(ap);
    cr_assert_eq(f->nevidence, n, "%zu evidence, expected %zu", f->nevidence,
                 n);
}

/* Entities as pairs (name, value), NULL-terminated, in order. */
static void expect_entities(const struct cb_finding *f, ...)
{
    va_list ap;
    va_start(ap, f);
    size_t n = 0;
    for (const char *name; (name = va_arg(ap, const char *)) != NULL; n++) {
        const char *value = va_arg(ap, const char *);
        cr_assert_lt(n, f->nentities, "fewer entities than expected");
        cr_assert_str_eq(f->entities[n].name, name);
        cr_assert_str_eq(f->entities[n].value, value);
    }
    va_end(ap);
    cr_assert_eq(f->nentities, n, "%zu entities, expected %zu", f->nentities,
                 n);
}

/* ---- grouping and order in sequences ------------------------------------ */

#define AB_MATCHES                                                           \
    "<match name='A'><message>^alpha</message></match>"                     \
    "<match name='B'><message>^beta</message></match>"

#define SEQ_AB(GROUP)                                                        \
    RULES(RULE("id='seq' pattern='P1' severity='high'",                      \
               AB_MATCHES "<correlate type='sequence' window='5m' group='"   \
               GROUP "'><step match='A'/><step match='B'/></correlate>"))

#define COOCCUR_AB                                                           \
    RULES(RULE("id='co' pattern='P1' severity='high'",                       \
               AB_MATCHES "<correlate type='cooccur' window='5m'>"           \
               "<step match='A'/><step match='B'/></correlate>"))

Test(correlate, host_grouped_sequence_needs_both_steps_on_one_host)
{
    struct cb_event *a = E(T0, H1, "alpha");
    struct cb_event *b = E(T0 + MIN, H2, "beta");

    load(SEQ_AB("host"));
    run();
    cr_assert_eq(fs.count, 0, "A on NODE1 then B on NODE2 is no host "
                 "sequence");

    load(SEQ_AB("cluster"));
    run();
    cr_assert_eq(fs.count, 1);
    expect(F(0), "seq", 1, T0, T0 + MIN);
    expect_hosts(F(0), "NODE1", "NODE2", NULL);
    expect_evidence(F(0), a, "A", b, "B", NULL);
    cr_assert_eq(F(0)->severity, CB_SEV_HIGH);
    cr_assert_eq(F(0)->confidence, 60); /* the default */
    cr_assert_eq(F(0)->nentities, 0);

    /* a B on the same host later in the window completes it */
    struct cb_event *b1 = E(T0 + 2 * MIN, H1, "beta");
    load(SEQ_AB("host"));
    run();
    cr_assert_eq(fs.count, 1);
    expect(F(0), "seq", 1, T0, T0 + 2 * MIN);
    expect_hosts(F(0), "NODE1", NULL);
    expect_evidence(F(0), a, "A", b1, "B", NULL);
}

Test(correlate, ordered_sequence_refuses_b_before_a_cooccur_accepts)
{
    struct cb_event *b = E(T0, H1, "beta");
    struct cb_event *a = E(T0 + MIN, H1, "alpha");

    load(SEQ_AB("host"));
    run();
    cr_assert_eq(fs.count, 0, "B then A is not the sequence A, B");

    load(COOCCUR_AB);
    run();
    cr_assert_eq(fs.count, 1);
    expect(F(0), "co", 1, T0, T0 + MIN);
    expect_evidence(F(0), b, "B", a, "A", NULL);
    expect_hosts(F(0), "NODE1", NULL);
}

Test(correlate, sequence_window_bound_is_inclusive)
{
    load(SEQ_AB("host"));
    struct cb_event *a = E(T0, H1, "alpha");
    struct cb_event *b = E(T0 + 5 * MIN, H1, "beta");
    run();
    cr_assert_eq(fs.count, 1, "B exactly one window after A fires");
    expect(F(0), "seq", 1, T0, T0 + 5 * MIN);
    expect_evidence(F(0), a, "A", b, "B", NULL);

    clear();
    E(T0, H1, "alpha");
    E(T0 + 5 * MIN + 1, H1, "beta");
    run();
    cr_assert_eq(fs.count, 0, "one tick beyond the window does not fire");

    /* cooccur: the same bound on both sides of the first step */
    load(COOCCUR_AB);
    clear();
    b = E(T0 - 5 * MIN, H1, "beta");
    a = E(T0, H1, "alpha");
    run();
    cr_assert_eq(fs.count, 1);
    expect(F(0), "co", 1, T0 - 5 * MIN, T0);
    expect_evidence(F(0), b, "B", a, "A", NULL);

    clear();
    E(T0 - 5 * MIN - 1, H1, "beta");
    E(T0, H1, "alpha");
    E(T0 + 5 * MIN + 1, H1, "beta");
    run();
    cr_assert_eq(fs.count, 0);
}

Test(correlate, sequence_every_step_within_window_of_the_first)
{
    load(RULES(RULE("id='seq3' pattern='P2' severity='medium'",
                    AB_MATCHES "<match name='C'><message>^gamma</message>"
                    "</match><correlate type='sequence' window='5m'>"
                    "<step match='A'/><step match='B'/><step match='C'/>"
                    "</correlate>")));
    E(T0, H1, "alpha");
    E(T0 + 3 * MIN, H1, "beta");
    E(T0 + 5 * MIN + 1, H1, "gamma"); /* 2m after B, but 5m+1 after A */
    run();
    cr_assert_eq(fs.count, 0);

    clear();
    struct cb_event *a = E(T0, H1, "alpha");
    struct cb_event *b = E(T0 + 3 * MIN, H1, "beta");
    struct cb_event *c = E(T0 + 5 * MIN, H1, "gamma");
    run();
    cr_assert_eq(fs.count, 1);
    expect(F(0), "seq3", 1, T0, T0 + 5 * MIN);
    expect_evidence(F(0), a, "A", b, "B", c, "C", NULL);

    /* C before B does not count even inside the window */
    clear();
    E(T0, H1, "alpha");
    E(T0 + MIN, H1, "gamma");
    E(T0 + 2 * MIN, H1, "beta");
    run();
    cr_assert_eq(fs.count, 0);
}

Test(correlate, sixteen_step_sequence_fires)
{
    char xml[8192];
    size_t k = (size_t)snprintf(xml, sizeof xml,
                                "<rules><rule id='s16' pattern='P1' "
                                "severity='low'><title>T</title>");
    for (int i = 0; i < 16; i++)
        k += (size_t)snprintf(xml + k, sizeof xml - k,
                              "<match name='S%d'><message>^s%d$</message>"
                              "</match>", i, i);
    k += (size_t)snprintf(xml + k, sizeof xml - k,
                          "<correlate type='sequence' window='1h'>");
    for (int i = 0; i < 16; i++)
        k += (size_t)snprintf(xml + k, sizeof xml - k,
                              "<step match='S%d'/>", i);
    snprintf(xml + k, sizeof xml - k,
             "</correlate><cause>C</cause><remediation><step><do>D</do>"
             "</step></remediation></rule></rules>");
    load(xml);
    static char msgs[16][8];
    for (int i = 0; i < 16; i++) {
        snprintf(msgs[i], sizeof msgs[i], "s%d", i);
        E(T0 + i * MIN, H1, msgs[i]);
    }
    run();
    cr_assert_eq(fs.count, 1);
    expect(F(0), "s16", 1, T0, T0 + 15 * MIN);
    cr_assert_eq(F(0)->nevidence, 16);
    cr_assert_str_eq(F(0)->evidence[15].role, "S15");
}

/* ---- counts over a sliding window --------------------------------------- */

#define COUNT3                                                               \
    RULES(RULE("id='cnt' pattern='P3' severity='medium'",                    \
               "<match name='hit'><message>^hit</message></match>"          \
               "<correlate type='count' window='10m' min='3'>"               \
               "<step match='hit'/></correlate>"))

Test(correlate, count_window_never_reaches_past_its_bound)
{
    load(COUNT3);
    E(T0, H1, "hit");
    E(T0 + 5 * MIN, H1, "hit");
    E(T0 + 10 * MIN + 1, H1, "hit");
    run();
    cr_assert_eq(fs.count, 0, "3 hits over 10m + 1 tick are not 3 in 10m");

    clear();
    struct cb_event *h0 = E(T0, H1, "hit");
    struct cb_event *h1 = E(T0 + 5 * MIN, H1, "hit");
    struct cb_event *h2 = E(T0 + 10 * MIN, H1, "hit");
    run();
    cr_assert_eq(fs.count, 1, "3 hits spanning exactly 10m fire");
    expect(F(0), "cnt", 3, T0, T0 + 10 * MIN);
    expect_evidence(F(0), h0, "hit", h1, "hit", h2, "hit", NULL);
    expect_hosts(F(0), "NODE1", NULL);

    /* every 6m: any 10m window holds only 2 */
    clear();
    for (int i = 0; i < 4; i++)
        E(T0 + i * 6 * MIN, H1, "hit");
    run();
    cr_assert_eq(fs.count, 0);

    /* 3 hits on different hosts do not add up under host grouping */
    clear();
    E(T0, H1, "hit");
    E(T0 + MIN, H2, "hit");
    E(T0 + 2 * MIN, H1, "hit");
    run();
    cr_assert_eq(fs.count, 0);
}

Test(correlate, count_episodes_count_each_hit_once)
{
    load(COUNT3);
    for (int i = 0; i < 4; i++)
        E(T0 + i * MIN, H1, "hit");     /* 0..3m: fires at 2m and 3m */
    for (int i = 0; i < 3; i++)
        E(T0 + (30 + i) * MIN, H1, "hit"); /* 30..32m: a second episode */
    E(T0 + 50 * MIN, H1, "hit");         /* alone: nothing */
    run();
    cr_assert_eq(fs.count, 2);
    expect(F(0), "cnt", 4, T0, T0 + 3 * MIN);
    cr_assert_eq(F(0)->nevidence, 4);
    expect(F(1), "cnt", 3, T0 + 30 * MIN, T0 + 32 * MIN);
    expect_evidence(F(1), ptrs[4], "hit", ptrs[5], "hit", ptrs[6], "hit",
                    NULL);
}

Test(correlate, count_min_hosts_needs_distinct_hosts)
{
    load(RULES(RULE("id='mh' pattern='P3' severity='high'",
                    "<match name='hit'><message>^hit</message></match>"
                    "<correlate type='count' window='10m' min='2' "
                    "min-hosts='2' group='cluster'><step match='hit'/>"
                    "</correlate>")));
    E(T0, H1, "hit");
    E(T0 + MIN, H1, "hit");
    run();
    cr_assert_eq(fs.count, 0, "2 hits on one host are not 2 hosts");

    struct cb_event *c = E(T0 + 2 * MIN, H2, "hit");
    run();
    cr_assert_eq(fs.count, 1);
    expect(F(0), "mh", 3, T0, T0 + 2 * MIN);
    expect_hosts(F(0), "NODE1", "NODE2", NULL);
    expect_evidence(F(0), ptrs[0], "hit", ptrs[1], "hit", c, "hit", NULL);

    clear();
    E(T0, H1, "hit");
    E(T0 + 10 * MIN + 1, H2, "hit");
    run();
    cr_assert_eq(fs.count, 0, "two hosts, but not within one window");
}

/* ---- equal timestamps ---------------------------------------------------- */

Test(correlate, identical_timestamps_follow_timeline_order)
{
    load(SEQ_AB("host"));
    struct cb_event *a = E(T0, H1, "alpha");
    struct cb_event *b = E(T0, H1, "beta");
    run();
    cr_assert_eq(fs.count, 1, "A then B at the same tick is a sequence");
    expect(F(0), "seq", 1, T0, T0);
    expect_evidence(F(0), a, "A", b, "B", NULL);

    /* B listed before A at the same tick: the engine takes the timeline
     * order as the order of events, so B did not follow A. */
    clear();
    E(T0, H1, "beta");
    E(T0, H1, "alpha");
    run();
    cr_assert_eq(fs.count, 0, "B before A in the timeline, equal times: "
                 "no sequence");

    /* cooccur does not care about the order */
    load(COOCCUR_AB);
    run();
    cr_assert_eq(fs.count, 1);
    expect(F(0), "co", 1, T0, T0);
    cr_assert_eq(F(0)->nevidence, 2);
}

/* ---- absence ------------------------------------------------------------ */

#define ABSENCE(DIR)                                                         \
    RULES(RULE("id='abs' pattern='P4' severity='medium'",                    \
               AB_MATCHES "<correlate type='absence' window='10m'" DIR ">"   \
               "<step match='A'/><step match='B'/></correlate>"))

Test(correlate, absence_judged_only_where_data_covers_the_window)
{
    load(ABSENCE(""));
    E(T0, H1, "alpha");
    E(T0 + 10 * MIN - 1, H1, "filler");
    run();
    cr_assert_eq(fs.count, 0, "data ends before A + window: not judged");

    clear();
    struct cb_event *a = E(T0, H1, "alpha");
    E(T0 + 10 * MIN, H1, "filler");
    run();
    cr_assert_eq(fs.count, 1, "data reaching A + window is enough");
    expect(F(0), "abs", 1, T0, T0);
    expect_evidence(F(0), a, "A", NULL);
    expect_hosts(F(0), "NODE1", NULL);

    clear();
    E(T0, H1, "alpha");
    E(T0 + 3 * MIN, H1, "beta");
    E(T0 + 20 * MIN, H1, "filler");
    run();
    cr_assert_eq(fs.count, 0, "B within the window");

    clear();
    E(T0, H1, "alpha");
    E(T0 + 10 * MIN, H1, "beta");
    E(T0 + 20 * MIN, H1, "filler");
    run();
    cr_assert_eq(fs.count, 0, "B exactly at the bound counts");

    clear();
    E(T0, H1, "alpha");
    E(T0 + 10 * MIN + 1, H1, "beta");
    E(T0 + 20 * MIN, H1, "filler");
    run();
    cr_assert_eq(fs.count, 1, "B one tick too late");

    clear();
    E(T0, H1, "alpha");
    E(T0 + 3 * MIN, H2, "beta");
    E(T0 + 20 * MIN, H1, "filler");
    run();
    cr_assert_eq(fs.count, 1, "B on another host does not count");

    clear();
    E(T0 - 3 * MIN, H1, "beta");
    E(T0, H1, "alpha");
    E(T0 + 20 * MIN, H1, "filler");
    run();
    cr_assert_eq(fs.count, 1, "direction after: B before A does not count");

    clear();
    E(T0, H1, "beta");
    E(T0, H1, "alpha");
    E(T0 + 20 * MIN, H1, "filler");
    run();
    cr_assert_eq(fs.count, 1, "B at A's tick but before it in the timeline");

    clear();
    E(T0, H1, "alpha");
    E(T0, H1, "beta");
    E(T0 + 20 * MIN, H1, "filler");
    run();
    cr_assert_eq(fs.count, 0, "B at A's tick after it in the timeline");

    clear();
    E(T0, H1, "alpha");
    E(T0 + 5 * MIN, H1, "filler");
    E(T0 + 20 * MIN, H2, "filler");
    run();
    cr_assert_eq(fs.count, 0, "NODE1's logs end before A + window: another "
                              "node's later data does not judge it");

    clear();
    E(T0 - 20 * MIN, H2, "filler");
    E(T0 - 5 * MIN, H1, "filler");
    E(T0, H1, "alpha");
    E(T0 + 20 * MIN, H1, "filler");
    load(ABSENCE(" direction='both'"));
    run();
    cr_assert_eq(fs.count, 0, "both ways: NODE1's logs start after "
                              "A - window");
}

Test(correlate, absence_in_both_directions)
{
    load(ABSENCE(" direction='both'"));
    E(T0 - 20 * MIN, H1, "filler");
    E(T0 - 3 * MIN, H1, "beta");
    E(T0, H1, "alpha");
    E(T0 + 20 * MIN, H1, "filler");
    run();
    cr_assert_eq(fs.count, 0, "B before A counts with direction both");

    clear();
    E(T0 - 20 * MIN, H1, "filler");
    E(T0 - 10 * MIN - 1, H1, "beta");
    struct cb_event *a = E(T0, H1, "alpha");
    E(T0 + 20 * MIN, H1, "filler");
    run();
    cr_assert_eq(fs.count, 1, "B one tick before the window");
    expect(F(0), "abs", 1, T0, T0);
    expect_evidence(F(0), a, "A", NULL);

    clear();
    E(T0, H1, "alpha");
    E(T0 + 20 * MIN, H1, "filler");
    run();
    cr_assert_eq(fs.count, 0, "data does not reach back a window: not "
                 "judged");

    clear();
    E(T0 - 10 * MIN, H1, "filler");
    E(T0, H1, "alpha");
    E(T0 + 10 * MIN, H1, "filler");
    run();
    cr_assert_eq(fs.count, 1, "data covering exactly both sides");
}

Test(correlate, absence_occurrences_merge_into_episodes)
{
    load(ABSENCE(""));
    E(T0, H1, "alpha");
    E(T0 + 5 * MIN, H1, "alpha");
    E(T0 + 40 * MIN, H1, "alpha");
    E(T0 + 60 * MIN, H1, "filler");
    run();
    cr_assert_eq(fs.count, 2);
    expect(F(0), "abs", 2, T0, T0 + 5 * MIN);
    expect(F(1), "abs", 1, T0 + 40 * MIN, T0 + 40 * MIN);
}

/* ---- entities ----------------------------------------------------------- */

Test(correlate, entity_grouping_ignores_case_and_reports_captures)
{
    load(RULES(RULE("id='ent' pattern='P5' severity='high'",
                    "<summary>VM {vm} failed ({error}) {count}x on {hosts} "
                    "from {first}; {volume}</summary>"
                    "<match name='A'><message>^VM '(?&lt;vm&gt;[^']+)' "
                    "started</message></match>"
                    "<match name='B'><message>^VM '(?'vm'[^']+)' failed: "
                    "(?'error'.+)$</message></match>"
                    "<correlate type='sequence' window='10m' "
                    "group='entity:vm'><step match='A'/><step match='B'/>"
                    "</correlate>")));
    struct cb_event *a1 = E(T0, H1, "VM 'VM01' started");
    E(T0 + MIN, H1, "VM 'VM02' started");
    struct cb_event *b1 = E(T0 + 2 * MIN, H2, "VM 'vm01' failed: disk");
    E(T0 + 3 * MIN, H2, "VM 'VM03' failed: net");
    run();
    cr_assert_eq(fs.count, 1);
    expect(F(0), "ent", 1, T0, T0 + 2 * MIN);
    expect_hosts(F(0), "NODE1", "NODE2", NULL);
    expect_evidence(F(0), a1, "A", b1, "B", NULL);
    /* 'VM01' and 'vm01' are one entity: the first spelling is kept */
    expect_entities(F(0), "error", "disk", "vm", "VM01", NULL);
    cr_assert_str_eq(F(0)->summary, "VM VM01 failed (disk) 1x on NODE1, "
                     "NODE2 from 2024-11-15 10:00:00 UTC; (unknown volume)");

    load(RULES(RULE("id='ent1' pattern='P5' severity='high'",
                    "<match name='A'><message>^VM '(?'vm'[^']+)' started"
                    "</message></match>"
                    "<correlate type='single' group='entity:vm'>"
                    "<step match='A'/></correlate>")));
    clear();
    a1 = E(T0, H1, "VM 'VM01' started");
    struct cb_event *a2 = E(T0 + MIN, H2, "VM 'vm01' started");
    struct cb_event *a3 = E(T0 + 2 * MIN, H1, "VM 'VM02' started");
    run();
    cr_assert_eq(fs.count, 2);
    expect(F(0), "ent1", 2, T0, T0 + MIN);
    expect_entities(F(0), "vm", "VM01", NULL);
    expect_evidence(F(0), a1, "A", a2, "A", NULL);
    expect_hosts(F(0), "NODE1", "NODE2", NULL);
    expect(F(1), "ent1", 1, T0 + 2 * MIN, T0 + 2 * MIN);
    expect_entities(F(1), "vm", "VM02", NULL);
    expect_evidence(F(1), a3, "A", NULL);
}

/* ---- episodes of single ------------------------------------------------- */

#define SINGLE(ATTRS)                                                        \
    RULES(RULE("id='one' pattern='P2' severity='low'",                       \
               "<match name='A'><message>^alpha</message></match>"          \
               "<correlate type='single'" ATTRS "><step match='A'/>"         \
               "</correlate>"))

Test(correlate, single_splits_episodes_at_the_window)
{
    load(SINGLE(" window='10m'"));
    E(T0, H1, "alpha");
    E(T0 + 5 * MIN, H1, "alpha");
    E(T0 + 15 * MIN, H1, "alpha");          /* gap exactly 10m: same */
    E(T0 + 25 * MIN + 1, H1, "alpha");      /* gap 10m + 1: a new one */
    run();
    cr_assert_eq(fs.count, 2);
    expect(F(0), "one", 3, T0, T0 + 15 * MIN);
    expect_evidence(F(0), ptrs[0], "A", ptrs[1], "A", ptrs[2], "A", NULL);
    expect(F(1), "one", 1, T0 + 25 * MIN + 1, T0 + 25 * MIN + 1);
    expect_evidence(F(1), ptrs[3], "A", NULL);

    load(SINGLE(""));
    run();
    cr_assert_eq(fs.count, 1, "without a window: one finding");
    expect(F(0), "one", 4, T0, T0 + 25 * MIN + 1);

    /* default correlation (no <correlate>) is the same */
    load(RULES(RULE("id='dflt' pattern='P2' severity='low'",
                    "<match name='A'><message>^alpha</message></match>")));
    run();
    cr_assert_eq(fs.count, 1);
    expect(F(0), "dflt", 4, T0, T0 + 25 * MIN + 1);

    /* min per episode: the lone occurrence is dropped */
    load(SINGLE(" window='10m' min='2'"));
    clear();
    E(T0, H1, "alpha");
    E(T0 + 5 * MIN, H1, "alpha");
    E(T0 + 30 * MIN, H1, "alpha");
    run();
    cr_assert_eq(fs.count, 1);
    expect(F(0), "one", 2, T0, T0 + 5 * MIN);

    /* host grouping: one finding per host */
    load(SINGLE(""));
    clear();
    E(T0, H2, "alpha");
    E(T0 + MIN, H1, "alpha");
    E(T0 + 2 * MIN, H2, "alpha");
    run();
    cr_assert_eq(fs.count, 2);
    expect(F(0), "one", 2, T0, T0 + 2 * MIN);
    expect_hosts(F(0), "NODE2", NULL);
    expect(F(1), "one", 1, T0 + MIN, T0 + MIN);
    expect_hosts(F(1), "NODE1", NULL);
}

Test(correlate, evidence_keeps_first_and_latest_24)
{
    load(SINGLE(""));
    for (int i = 0; i < 30; i++)
        E(T0 + i * SEC, H1, "alpha");
    run();
    cr_assert_eq(fs.count, 1);
    expect(F(0), "one", 30, T0, T0 + 29 * SEC);
    cr_assert_eq(F(0)->nevidence, 24);
    for (int i = 0; i < 12; i++) {
        cr_assert_eq(F(0)->evidence[i].ev, ptrs[i]);
        cr_assert_eq(F(0)->evidence[12 + i].ev, ptrs[18 + i]);
    }
}

/* ---- adjust ------------------------------------------------------------- */

#define ADJ(ID, CONF, ADJUST)                                                \
    RULE("id='" ID "' pattern='P1' severity='high' confidence='" CONF "'",   \
         "<match name='A'><message>^alpha</message></match>"                \
         "<match name='C'><message>^corrob</message></match>"               \
         "<match name='D'><message>^delta</message></match>" ADJUST)

Test(correlate, adjust_raises_lowers_and_clamps_confidence)
{
    load(RULES(
        ADJ("any", "60", "<adjust match='C' within='10m' by='+25' "
                         "scope='any'/>")
        ADJ("same", "60", "<adjust match='C' within='10m' by='+25'/>")
        ADJ("samehost", "60", "<adjust match='D' within='10m' by='+25' "
                              "scope='same'/>")
        ADJ("hi", "90", "<adjust match='C' within='10m' by='+25' "
                        "scope='any'/>")
        ADJ("lo", "10", "<adjust match='C' within='10m' by='-25' "
                        "scope='any'/>")
        ADJ("absent", "60", "<adjust absent='D' within='1h' by='-20' "
                            "scope='any'/>")
        ADJ("notabsent", "60", "<adjust absent='C' within='10m' by='-20' "
                               "scope='any'/>")
        ADJ("far", "60", "<adjust match='C' within='4m' by='+25' "
                         "scope='any'/>")
        ADJ("two", "50", "<adjust match='C' within='10m' by='+30' "
                         "scope='any'/><adjust absent='D' within='1h' "
                         "by='+15' scope='any'/>")));
    struct cb_event *a = E(T0, H1, "alpha");
    struct cb_event *c = E(T0 + 5 * MIN, H2, "corrob");
    struct cb_event *d = E(T0 + 8 * MIN, H1, "delta");
    (void)d;
    run();
    cr_assert_eq(fs.count, 9);

    const struct cb_finding *f = by_id("any");
    cr_assert_eq(f->confidence, 85);
    expect(f, "any", 1, T0, T0); /* corroboration is not part of the span */
    expect_evidence(f, a, "A", c, "C", NULL);
    expect_hosts(f, "NODE1", NULL);

    f = by_id("same");
    cr_assert_eq(f->confidence, 60, "C on another host, scope same");
    expect_evidence(f, a, "A", NULL);

    f = by_id("samehost");
    cr_assert_eq(f->confidence, 85, "D on the same host");
    expect_evidence(f, a, "A", d, "D", NULL);

    cr_assert_eq(by_id("hi")->confidence, 100, "clamped at 100");
    cr_assert_eq(by_id("lo")->confidence, 1, "clamped at 1");

    /* D exists within the hour (8m after): absent='D' does not apply */
    cr_assert_eq(by_id("absent")->confidence, 60);
    cr_assert_eq(by_id("notabsent")->confidence, 60);
    cr_assert_eq(by_id("far")->confidence, 60, "C 5m away, within 4m");
    cr_assert_eq(by_id("two")->confidence, 80);

    /* without D: absent='D' applies */
    clear();
    E(T0, H1, "alpha");
    run();
    cr_assert_eq(by_id("absent")->confidence, 40);
    cr_assert_eq(by_id("notabsent")->confidence, 40);
    cr_assert_eq(by_id("two")->confidence, 65);
    cr_assert_eq(by_id("any")->confidence, 60);
    expect_evidence(by_id("absent"), ptrs[0], "A", NULL);
}

/* <require>: the adjust's condition, but without it there is no finding
 * (one explanation per event: the more specific rule needs its context) */
Test(correlate, require_drops_a_finding_without_its_condition)
{
    load(RULES(ADJ("need", "60", "<require match='C' within='10m' "
                                 "scope='any'/>")
               ADJ("notnear", "60", "<require absent='C' within='10m' "
                                    "scope='any'/>")
               ADJ("needD", "60", "<require match='D' within='1m' "
                                  "scope='any'/>")));
    struct cb_event *a = E(T0, H1, "alpha");
    struct cb_event *c = E(T0 + 5 * MIN, H2, "corrob");
    E(T0 + 8 * MIN, H1, "delta"); /* 8 minutes away: outside 1m */
    run();
    cr_assert_eq(fs.count, 1, "only 'need' holds");
    const struct cb_finding *f = by_id("need");
    cr_assert_eq(f->confidence, 60, "a requirement does not move it");
    expect_evidence(f, a, "A", c, "C", NULL);
    cr_assert_eq(findings_of("notnear"), 0);
    cr_assert_eq(findings_of("needD"), 0);

    clear();
    E(T0, H1, "alpha");
    run();
    cr_assert_eq(fs.count, 1);
    cr_assert_eq(findings_of("notnear"), 1, "no C: the absence holds");
}

/* What a corroborating event names (the failed network) becomes an entity
 * of the finding; {name?text} shows text and the value only when there is
 * one; a matcher's note is the entity "matched". */
Test(correlate, corroboration_names_entities_and_optional_placeholders)
{
    load(RULES(RULE("id='iso' pattern='P1' severity='high'",
                    "<summary>node {node}{network? on network }"
                    "{matched?; }{nope?; never }</summary>"
                    "<match name='A'><message>^removed (?'node'\\S+)"
                    "</message></match>"
                    "<match name='A' note='by id only'><message>^entfernt "
                    "(?'node'\\S+)</message></match>"
                    "<match name='N'><message>^network '(?'network'[^']+)'"
                    "</message></match>"
                    "<adjust match='N' within='10m' by='+10' scope='any'/>")));
    E(T0, H1, "removed N2");
    E(T0 + MIN, H2, "network 'Cluster Network 2' failed");
    E(T0 + 2 * MIN, H3, "network 'Cluster Network 3' failed");
    run();
    cr_assert_eq(fs.count, 1);
    const struct cb_finding *f = F(0);
    cr_assert_eq(f->confidence, 70);
    expect_entities(f, "network", "Cluster Network 2", "network",
                    "Cluster Network 3", "node", "N2", NULL);
    cr_assert_str_eq(f->summary,
                     "node N2 on network Cluster Network 2, Cluster Network 3");
    expect_hosts(f, "NODE1", NULL); /* corroboration adds no host */

    clear();
    E(T0, H1, "entfernt N2");
    run();
    f = F(0);
    expect_entities(f, "matched", "by id only", "node", "N2", NULL);
    cr_assert_str_eq(f->summary, "node N2; by id only");
}

/* ---- match conditions --------------------------------------------------- */

#define CLUSTER1(ID, MATCH)                                                  \
    RULE("id='" ID "' pattern='P1' severity='low'",                          \
         "<match name='m'>" MATCH "</match><correlate type='single' "        \
         "group='cluster'><step match='m'/></correlate>")

Test(correlate, event_ids_in_lists_and_ranges)
{
    load(RULES(CLUSTER1("list", "<event-id>1135 1126-1130</event-id>")
               CLUSTER1("wide", "<event-id>1-5000</event-id>")
               CLUSTER1("comma", "<event-id>1069,1205</event-id>")
               CLUSTER1("idmsg", "<event-id>1135</event-id>"
                                 "<message>removed</message>")));
    static const uint32_t ids[] = {1125, 1126, 1128, 1130, 1131, 1135,
                                   1136, 4999, 5000, 5001, 1069, 1205,
                                   70000};
    int i = 0;
    for (; i < (int)(sizeof ids / sizeof *ids); i++)
        EI(T0 + i * SEC, H1, ids[i], "x");
    struct cb_event *noflag = EI(T0 + i * SEC, H1, 1135, "removed");
    noflag->flags = 0; /* an event id of 1135 without the flag is no id */
    struct cb_event *both = EI(T0 + (i + 1) * SEC, H1, 1135, "removed");
    run();
    const struct cb_finding *f = by_id("list");
    cr_assert_eq(f->count, 5);
    expect_evidence(f, ptrs[1], "m", ptrs[2], "m", ptrs[3], "m", ptrs[5],
                    "m", both, "m", NULL);
    f = by_id("wide");
    cr_assert_eq(f->count, 12, "1-5000 (not 5001, 70000 or no id)");
    f = by_id("comma");
    expect_evidence(f, ptrs[10], "m", ptrs[11], "m", NULL);
    f = by_id("idmsg");
    expect(f, "idmsg", 1, both->ts, both->ts);
    expect_evidence(f, both, "m", NULL);
}

Test(correlate, level_component_provider_channel_conditions)
{
    load(RULES(CLUSTER1("lvl", "<level>error critical</level>")
               CLUSTER1("comp", "<component>RCM</component>")
               CLUSTER1("compmsg", "<component>NM</component>"
                                   "<message>down</message>")
               CLUSTER1("prov", "<provider>Microsoft-Windows-Hyper-V-VMMS"
                                "</provider>")
               CLUSTER1("chan", "<channel>Application</channel>")
               CLUSTER1("chans", "<channel>Setup</channel>"
                                 "<channel>Application</channel>")
               CLUSTER1("combo", "<channel>System</channel><provider>X"
                                 "</provider><level>warning</level>")));
    const char *fc = "Microsoft-Windows-FailoverClustering";
    struct cb_event *e[10];
    e[0] = ev_full(T0, H1, "System", fc, 1, CB_LEVEL_ERROR, NULL, "x");
    e[1] = ev_full(T0 + 1, H1, "system", fc, 1, CB_LEVEL_CRITICAL, NULL,
                   "x");
    e[2] = ev_full(T0 + 2, H1, "System", "X", 1, CB_LEVEL_WARNING, NULL,
                   "x");
    e[3] = ev_full(T0 + 3, H1, "application", "X", 1, CB_LEVEL_WARNING,
                   NULL, "x");
    e[4] = ev_full(T0 + 4, H1, "cluster.log", NULL, NOID, CB_LEVEL_INFO,
                   "rcm", "x");
    e[5] = ev_full(T0 + 5, H1, "cluster.log", NULL, NOID, CB_LEVEL_INFO,
                   "NM", "x");
    e[6] = ev_full(T0 + 6, H1, "cluster.log", NULL, NOID, CB_LEVEL_INFO,
                   "NM", "interface down");
    e[7] = ev_full(T0 + 7, H1, "System", "microsoft-windows-hyper-v-vmms",
                   1, CB_LEVEL_INFO, NULL, "x");
    e[8] = ev_full(T0 + 8, H1, "System", NULL, 1, CB_LEVEL_INFO, NULL, "x");
    e[9] = ev_full(T0 + 9, H1, "Setup", fc, 1, CB_LEVEL_VERBOSE, NULL, "x");
    run();
    cr_assert_eq(fs.count, 7);
    expect_evidence(by_id("lvl"), e[0], "m", e[1], "m", NULL);
    expect_evidence(by_id("comp"), e[4], "m", NULL);
    expect_evidence(by_id("compmsg"), e[6], "m", NULL);
    expect_evidence(by_id("prov"), e[7], "m", NULL);
    expect_evidence(by_id("chan"), e[3], "m", NULL);
    expect_evidence(by_id("chans"), e[3], "m", e[9], "m", NULL);
    expect_evidence(by_id("combo"), e[2], "m", NULL);
}

Test(correlate, field_conditions_on_named_and_unnamed_fields)
{
    load(RULES(CLUSTER1("named", "<field name='VmName'>^VM01$</field>")
               CLUSTER1("unnamed", "<field name='1'>^NODE2$</field>")
               CLUSTER1("any", "<field>^needle$</field>")
               CLUSTER1("both", "<field name='VmName'>^VM0</field>"
                                "<field name='Status'>^failed$</field>")
               CLUSTER1("capture", "<field name='VmName'>^(?'vm'VM\\d+)$"
                                   "</field>")));
    struct cb_event *e[9];
    e[0] = E(T0, H1, "");
    field(e[0], "VmName", "VM01");
    e[1] = E(T0 + 1, H1, "");
    field(e[1], "vmname", "VM01"); /* field names compare without case */
    e[2] = E(T0 + 2, H1, "");
    field(e[2], "VmName", "VM011");
    e[3] = E(T0 + 3, H1, "VmName: VM01"); /* the message is no field */
    e[4] = E(T0 + 4, H1, "");
    field(e[4], "1", "NODE2");
    e[5] = E(T0 + 5, H1, "");
    field(e[5], "1", "NODE1");
    field(e[5], "2", "NODE2");
    field(e[5], "Other", "needle");
    e[6] = E(T0 + 6, H1, "needle");
    e[7] = E(T0 + 7, H1, "");
    field(e[7], "VmName", "VM02");
    field(e[7], "Status", "failed");
    e[8] = E(T0 + 8, H1, "");
    field(e[8], "Status", "failed");
    field(e[8], "VmName", "VM03");
    field(e[8], "Status", "ok");
    run();
    expect_evidence(by_id("named"), e[0], "m", e[1], "m", NULL);
    expect_evidence(by_id("unnamed"), e[4], "m", NULL);
    expect_evidence(by_id("any"), e[5], "m", NULL);
    /* each condition may be met by any field of that name */
    expect_evidence(by_id("both"), e[7], "m", e[8], "m", NULL);
    const struct cb_finding *f = by_id("capture");
    cr_assert_eq(f->count, 5);
    expect_entities(f, "vm", "VM01", "vm", "VM011", "vm", "VM02", "vm",
                    "VM03", NULL);
    cr_assert_eq(fs.count, 5);
}

Test(correlate, hresult_in_every_representation_and_near_misses)
{
    load(RULES(CLUSTER1("hr", "<hresult>0x80070020</hresult>")));
    struct cb_event *p[8];
    p[0] = E(T0, H1, "The operation failed with error 0x80070020.");
    p[1] = E(T0 + 1, H1, "");
    field(p[1], "ErrorCode", "%%2147942432");
    p[2] = E(T0 + 2, H1, "Error -2147024864 was returned");
    p[3] = E(T0 + 3, H1, "The process cannot access the file because it is "
                         "being used by another process.");
    p[4] = E(T0 + 4, H1, "hr=2147942432");
    p[5] = E(T0 + 5, H1, "Error code: 80070020");
    p[6] = E(T0 + 6, H1, "FAILED 0X80070020");
    p[7] = E(T0 + 7, H1, "");
    field(p[7], "1", "C:\\x.vhdx");
    field(p[7], "2", "0x80070020");
    /* near misses */
    E(T0 + 10, H1, "error 0x80070021");
    E(T0 + 11, H1, "value 21474836320");
    E(T0 + 12, H1, "0x800700201");
    E(T0 + 13, H1, "-21470248640");
    E(T0 + 14, H1, "12147942432");
    E(T0 + 15, H1, "80070020 without a keyword");
    struct cb_event *n = E(T0 + 16, H1, "");
    field(n, "ErrorCode", "%%2147942433");
    E(T0 + 17, H1, "being used by another");
    run();
    cr_assert_eq(fs.count, 1);
    const struct cb_finding *f = F(0);
    expect(f, "hr", 8, T0, T0 + 7);
    expect_evidence(f, p[0], "m", p[1], "m", p[2], "m", p[3], "m", p[4],
                    "m", p[5], "m", p[6], "m", p[7], "m", NULL);
}

Test(correlate, hresult_texts_with_alternatives_and_decimal_codes)
{
    load(RULES(CLUSTER1("denied", "<hresult>0x80070005</hresult>")
               CLUSTER1("dec", "<hresult>2147942432</hresult>")));
    struct cb_event *a = E(T0, H1, "Access is denied.");
    struct cb_event *b = E(T0 + 1, H1, "General access denied error");
    struct cb_event *c = E(T0 + 2, H1, "");
    field(c, "Error", "%%2147942405");
    E(T0 + 3, H1, "access was denied");
    struct cb_event *d = E(T0 + 4, H1, "in use: 0x80070020");
    run();
    cr_assert_eq(fs.count, 2);
    expect_evidence(by_id("denied"), a, "m", b, "m", c, "m", NULL);
    expect_evidence(by_id("dec"), d, "m", NULL);
}

Test(correlate, alternative_that_captures_describes_the_hit)
{
    /* the event meets both alternatives; whichever the engine tries
     * first, the entity captured by the other is reported */
    load(RULES(RULE("id='cap' pattern='P1' severity='high'",
                    "<summary>node {node}</summary>"
                    "<match name='removed'><event-id>1135</event-id>"
                    "</match><match name='removed'><message>node "
                    "'(?'node'[^']+)' was removed</message></match>"
                    "<correlate type='single' group='cluster'>"
                    "<step match='removed'/></correlate>")));
    struct cb_event *e = EI(T0, H1, 1135, "Cluster node 'N2' was removed");
    run();
    cr_assert_eq(fs.count, 1);
    expect(F(0), "cap", 1, T0, T0);
    expect_evidence(F(0), e, "removed", NULL);
    expect_entities(F(0), "node", "N2", NULL);
    cr_assert_str_eq(F(0)->summary, "node N2");
}

/* Matchers with the same conditions may be evaluated once for all rules;
 * matchers that differ in a single condition must stay apart. */
Test(correlate, matchers_differing_in_one_condition_stay_apart)
{
    load(RULES(CLUSTER1("m01", "<message>^x</message>")
               CLUSTER1("m02", "<message>^x</message><level>error</level>")
               CLUSTER1("m03", "<message>^x</message><channel>Application"
                               "</channel>")
               CLUSTER1("m04", "<message>^x</message><provider>P2"
                               "</provider>")
               CLUSTER1("m05", "<message>^x</message><field name='A'>1"
                               "</field>")
               CLUSTER1("m06", "<message>^x</message><field name='B'>1"
                               "</field>")
               CLUSTER1("m07", "<message>^x</message><event-id>7"
                               "</event-id>")
               CLUSTER1("m08", "<message>^x</message><component>RCM"
                               "</component>")
               CLUSTER1("m09", "<path>^x</path>")
               CLUSTER1("m10", "<field>^x</field>")
               CLUSTER1("m11", "<message>(?i)^X</message>")
               CLUSTER1("m12", "<message>^x</message><field name='A'>2"
                               "</field>")
               CLUSTER1("m13", "<message>^x</message><level>warning"
                               "</level>")
               CLUSTER1("m14", "<message>^x</message><event-id>7 8"
                               "</event-id>")));
    const char *sys = "System", *p1 = "P1";
    struct cb_event *e[13];
    e[0] = ev_full(T0, H1, sys, p1, NOID, CB_LEVEL_INFO, NULL, "x");
    e[1] = ev_full(T0 + 1, H1, sys, p1, NOID, CB_LEVEL_ERROR, NULL, "x");
    e[2] = ev_full(T0 + 2, H1, "Application", p1, NOID, CB_LEVEL_INFO, NULL,
                   "x");
    e[3] = ev_full(T0 + 3, H1, sys, "P2", NOID, CB_LEVEL_INFO, NULL, "x");
    e[4] = ev_full(T0 + 4, H1, sys, p1, NOID, CB_LEVEL_INFO, NULL, "x");
    field(e[4], "A", "1");
    e[5] = ev_full(T0 + 5, H1, sys, p1, NOID, CB_LEVEL_INFO, NULL, "x");
    field(e[5], "B", "1");
    e[6] = ev_full(T0 + 6, H1, sys, p1, 7, CB_LEVEL_INFO, NULL, "x");
    e[7] = ev_full(T0 + 7, H1, sys, p1, NOID, CB_LEVEL_INFO, "RCM", "x");
    e[8] = ev_full(T0 + 8, H1, sys, p1, NOID, CB_LEVEL_INFO, NULL, "y");
    field(e[8], "F", "x");
    e[9] = ev_full(T0 + 9, H1, sys, p1, NOID, CB_LEVEL_INFO, NULL, "X");
    e[10] = ev_full(T0 + 10, H1, sys, p1, NOID, CB_LEVEL_WARNING, NULL, "x");
    e[11] = ev_full(T0 + 11, H1, sys, p1, NOID, CB_LEVEL_INFO, NULL, "x");
    field(e[11], "A", "2");
    e[12] = ev_full(T0 + 12, H1, sys, p1, 8, CB_LEVEL_INFO, NULL, "x");
    run();
    cr_assert_eq(fs.count, 14);
    expect_evidence(by_id("m01"), e[0], "m", e[1], "m", e[2], "m", e[3], "m",
                    e[4], "m", e[5], "m", e[6], "m", e[7], "m", e[10], "m",
                    e[11], "m", e[12], "m", NULL);
    expect_evidence(by_id("m02"), e[1], "m", NULL);
    expect_evidence(by_id("m03"), e[2], "m", NULL);
    expect_evidence(by_id("m04"), e[3], "m", NULL);
    expect_evidence(by_id("m05"), e[4], "m", NULL);
    expect_evidence(by_id("m06"), e[5], "m", NULL);
    expect_evidence(by_id("m07"), e[6], "m", NULL);
    expect_evidence(by_id("m08"), e[7], "m", NULL);
    expect_evidence(by_id("m09"), e[0], "m", e[1], "m", e[2], "m", e[3], "m",
                    e[4], "m", e[5], "m", e[6], "m", e[7], "m", e[8], "m",
                    e[10], "m", e[11], "m", e[12], "m", NULL);
    expect_evidence(by_id("m10"), e[8], "m", NULL);
    expect_evidence(by_id("m11"), e[0], "m", e[1], "m", e[2], "m", e[3], "m",
                    e[4], "m", e[5], "m", e[6], "m", e[7], "m", e[9], "m",
                    e[10], "m", e[11], "m", e[12], "m", NULL);
    expect_evidence(by_id("m12"), e[11], "m", NULL);
    expect_evidence(by_id("m13"), e[10], "m", NULL);
    expect_evidence(by_id("m14"), e[6], "m", e[12], "m", NULL);
}

Test(correlate, identical_matchers_in_two_rules_and_two_steps)
{
    load(RULES(RULE("id='one' pattern='P1' severity='high'",
                    "<match name='a'><message>^alpha</message></match>")
               RULE("id='two' pattern='P1' severity='high'",
                    "<match name='first'><message>^alpha</message></match>"
                    "<match name='again'><message>^alpha</message></match>"
                    "<correlate type='sequence' window='5m'>"
                    "<step match='first'/><step match='again'/>"
                    "</correlate>")));
    struct cb_event *a1 = E(T0, H1, "alpha");
    run();
    cr_assert_eq(fs.count, 1, "one event is not a sequence of two");
    expect_evidence(by_id("one"), a1, "a", NULL);

    struct cb_event *a2 = E(T0 + MIN, H1, "alpha");
    run();
    cr_assert_eq(fs.count, 2);
    expect(by_id("one"), "one", 2, T0, T0 + MIN);
    /* a1 then a2; a2 starts a chain too but has no later 'again' */
    const struct cb_finding *f = by_id("two");
    expect(f, "two", 1, T0, T0 + MIN);
    expect_evidence(f, a1, "first", a2, "again", NULL);
}

Test(correlate, path_regex_on_a_field_or_the_message)
{
    load(RULES(CLUSTER1("path", "<path>_[0-9A-F-]{36}\\.avhdx\\b</path>")));
    struct cb_event *a = E(T0, H1, "");
    field(a, "Path",
          "C:\\VMs\\VM01_0A1B2C3D-0000-1111-2222-333344445555.avhdx");
    struct cb_event *b = E(T0 + 1, H1, "merge of D:\\x_0A1B2C3D-0000-1111-"
                                       "2222-333344445555.avhdx failed");
    struct cb_event *c = E(T0 + 2, H1, "");
    field(c, "Path",
          "C:\\VMs\\VM01_0a1b2c3d-0000-1111-2222-333344445555.avhdx");
    struct cb_event *d = E(T0 + 3, H1, "");
    field(d, "Path",
          "C:\\VMs\\VM01_0A1B2C3D-0000-1111-2222-333344445555.vhdx");
    (void)c, (void)d;
    run();
    cr_assert_eq(fs.count, 1);
    expect_evidence(F(0), a, "m", b, "m", NULL);
}

Test(correlate, alternatives_give_one_hit_per_event)
{
    load(RULES(RULE("id='alt' pattern='P1' severity='high'",
                    "<match name='removed'><event-id>1135</event-id>"
                    "</match><match name='removed'><message>removed from "
                    "(?'what'membership)</message></match>"
                    "<match name='removed'><component>NM</component>"
                    "<message>removed</message></match>"
                    "<correlate type='single' group='cluster'>"
                    "<step match='removed'/></correlate>")));
    struct cb_event *both = EI(T0, H1, 1135, "node removed from membership");
    struct cb_event *id = EI(T0 + 1, H1, 1135, "x");
    struct cb_event *txt = E(T0 + 2, H2, "node removed from membership");
    struct cb_event *all3 = ev_full(T0 + 3, H2, "System", NULL, 1135,
                                    CB_LEVEL_INFO, "NM",
                                    "removed from membership");
    run();
    cr_assert_eq(fs.count, 1);
    expect(F(0), "alt", 4, T0, T0 + 3);
    expect_evidence(F(0), both, "removed", id, "removed", txt, "removed",
                    all3, "removed", NULL);
    expect_hosts(F(0), "NODE1", "NODE2", NULL);
}

/* ---- ranking, determinism, hostile text --------------------------------- */

Test(correlate, findings_sorted_by_severity_confidence_time)
{
    load(RULES(
        RULE("id='low90' pattern='P1' severity='low' confidence='90'",
             "<match name='m'><message>^low90</message></match>")
        RULE("id='high50' pattern='P1' severity='high' confidence='50'",
             "<match name='m'><message>^high50</message></match>")
        RULE("id='high80late' pattern='P1' severity='high' confidence='80'",
             "<match name='m'><message>^high80late</message></match>")
        RULE("id='high80' pattern='P1' severity='high' confidence='80'",
             "<match name='m'><message>^high80$</message></match>")
        RULE("id='crit10' pattern='P1' severity='critical' confidence='10'",
             "<match name='m'><message>^crit10</message></match>")
        RULE("id='info99' pattern='P1' severity='info' confidence='99'",
             "<match name='m'><message>^info99</message></match>")));
    E(T0, H1, "info99");
    E(T0 + MIN, H1, "high50");
    E(T0 + 2 * MIN, H1, "high80");
    E(T0 + 3 * MIN, H1, "low90");
    E(T0 + 4 * MIN, H1, "crit10");
    E(T0 + 5 * MIN, H1, "high80late");
    run();
    static const char *const order[] = {"crit10", "high80", "high80late",
                                        "high50", "low90", "info99"};
    cr_assert_eq(fs.count, 6);
    for (size_t i = 0; i < 6; i++)
        cr_assert_str_eq(F(i)->id, order[i], "position %zu", i);
}

static void same_findings(const struct cb_findings *x,
                          const struct cb_findings *y)
{
    cr_assert_eq(x->count, y->count);
    for (size_t i = 0; i < x->count; i++) {
        const struct cb_finding *a = &x->items[i], *b = &y->items[i];
        cr_assert_str_eq(a->id, b->id);
        cr_assert_eq(a->count, b->count);
        cr_assert_eq(a->first, b->first);
        cr_assert_eq(a->last, b->last);
        cr_assert_eq(a->confidence, b->confidence);
        cr_assert_str_eq(a->summary, b->summary);
        cr_assert_eq(a->nhosts, b->nhosts);
        for (size_t k = 0; k < a->nhosts; k++)
            cr_assert_str_eq(a->hosts[k], b->hosts[k]);
        cr_assert_eq(a->nentities, b->nentities);
        for (size_t k = 0; k < a->nentities; k++) {
            cr_assert_str_eq(a->entities[k].name, b->entities[k].name);
            cr_assert_str_eq(a->entities[k].value, b->entities[k].value);
        }
        cr_assert_eq(a->nevidence, b->nevidence);
        for (size_t k = 0; k < a->nevidence; k++) {
            cr_assert_eq(a->evidence[k].ev, b->evidence[k].ev);
            cr_assert_str_eq(a->evidence[k].role, b->evidence[k].role);
        }
    }
}

static const char det_xml[] = RULES(
        RULE("id='d.seq' pattern='P1' severity='high'",
             "<summary>{vm} {count} {hosts}</summary>"
             "<match name='A'><message>^start (?'vm'\\w+)</message></match>"
             "<match name='B'><message>^fail (?'vm'\\w+)</message></match>"
             "<match name='C'><message>^noise</message></match>"
             "<correlate type='sequence' window='3m' group='entity:vm'>"
             "<step match='A'/><step match='B'/></correlate>"
             "<adjust match='C' within='2m' by='+7' scope='any'/>")
        RULE("id='d.cnt' pattern='P3' severity='medium'",
             "<match name='n'><message>^noise</message></match>"
             "<correlate type='count' window='2m' min='3' min-hosts='2' "
             "group='cluster'><step match='n'/></correlate>")
        RULE("id='d.one' pattern='P2' severity='medium'",
             "<match name='f'><message>^fail</message></match>"
             "<correlate type='single' window='90s'><step match='f'/>"
             "</correlate>")
        RULE("id='d.abs' pattern='P4' severity='low'",
             "<match name='A'><message>^start (?'vm'\\w+)</message></match>"
             "<match name='B'><message>^fail (?'vm'\\w+)</message></match>"
             "<correlate type='absence' window='2m' group='entity:vm'>"
             "<step match='A'/><step match='B'/></correlate>"));

Test(correlate, same_input_gives_identical_findings)
{
    load(det_xml);
    static const char *const hosts[] = {H1, H2, H3};
    static const char *const msgs[] = {
        "start vm1", "start VM2", "fail vm2", "fail Vm1", "noise",
        "noise", "start vm3", "fail vm3", "other"};
    uint32_t seed = 12345;
    cb_time t = T0;
    for (int i = 0; i < 300; i++) {
        seed = seed * 1103515245u + 12345u;
        t += (cb_time)((seed >> 8) % 40) * SEC; /* equal times too */
        seed = seed * 1103515245u + 12345u;
        E(t, hosts[(seed >> 8) % 3], msgs[(seed >> 12) % 9]);
    }
    run();
    cr_assert_gt(fs.count, 4, "the input should give several findings");
    for (const char *const *id = (const char *const[]){"d.seq", "d.cnt",
                                                       "d.one", "d.abs",
                                                       NULL};
         *id; id++)
        cr_assert_gt(findings_of(*id), 0, "no finding for %s", *id);
    struct cb_findings again;
    run_into(&again);
    same_findings(&fs, &again);
    cb_findings_fini(&again);

    /* a rule set loaded afresh gives the same too */
    struct cb_rules *other = NULL;
    struct cb_rule_error *errs = NULL;
    cr_assert_eq(cb_rules_load_memory(&other, "again.xml", det_xml,
                                      strlen(det_xml), &errs),
                 CB_OK);
    cr_assert_null(errs);
    struct cb_timeline tl = {.events = ptrs, .count = nev};
    cr_assert_eq(cb_correlate(other, &tl, &again), CB_OK);
    same_findings(&fs, &again);
    cb_findings_fini(&again);
    cb_rules_free(&other);
}

/* 100 KB of text that makes these patterns backtrack without end: the
 * nested ones exhaust the JIT stack, the flat ones the match limit; the
 * event gives no hit, and the next events still match normally. */
Test(correlate, hostile_regex_stops_at_the_match_limit)
{
    load(RULES(RULE("id='bt1' pattern='P1' severity='high'",
                    "<match name='m'><message>^(a|aa)+$</message></match>")
               RULE("id='bt2' pattern='P1' severity='high'",
                    "<match name='m'><message>(?:a+)+\\d+b</message>"
                    "</match>")
               RULE("id='bt3' pattern='P1' severity='high'",
                    "<match name='m'><message>a*a*a*a*a*\\db</message>"
                    "</match>")
               RULE("id='bt4' pattern='P1' severity='high'",
                    "<match name='m'><field>^(\\w+\\s?)*$</field></match>")));
    size_t len = 100 * 1024;
    char *ha = malloc(len + 1), *hb = malloc(len + 1), *hw = malloc(len + 1);
    cr_assert(ha && hb && hw);
    memset(ha, 'a', len);
    ha[len - 1] = '!';
    ha[len] = '\0';
    memset(hb, 'a', len);
    hb[len - 2] = 'c';
    hb[len - 1] = 'b';
    hb[len] = '\0';
    for (size_t i = 0; i < len; i++)
        hw[i] = i % 7 == 6 ? ' ' : 'w';
    hw[len - 1] = '!';
    hw[len] = '\0';
    E(T0, H1, ha);
    E(T0 + 1, H1, hb);
    struct cb_event *w = E(T0 + 2, H1, "");
    field(w, "1", hw);
    struct cb_event *a = E(T0 + 3, H1, "aaaa");
    struct cb_event *b = E(T0 + 4, H1, "aa1b");
    struct cb_event *ok = E(T0 + 5, H1, "");
    field(ok, "1", "two words");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    run();
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) +
                  (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    cr_assert_lt(secs, 5.0, "hostile text took %.2f s", secs);
    cr_assert_eq(fs.count, 4);
    expect_evidence(by_id("bt1"), a, "m", NULL);
    expect_evidence(by_id("bt2"), b, "m", NULL);
    expect_evidence(by_id("bt3"), b, "m", NULL);
    expect_evidence(by_id("bt4"), ok, "m", NULL);
    free(ha);
    free(hb);
    free(hw);
}

/* Whatever shortcut the engine takes before running a regex (literal
 * prefilters, indexes), a message matches a rule exactly when PCRE2 says
 * the rule's regex matches it. Patterns chosen to trip literal
 * extraction: escapes that stand for other characters, POSIX classes,
 * inline options in mid-pattern, extended mode, quoting, back references,
 * case-blind non-ASCII text. */
static const char *const diff_patterns[] = {
    "\\x41BCDE", "\\x{41}BCDE", "\\101BCDE", "\\o{101}BCDE",
    "\\N{U+0041}BCDE", "\\cAbcdef", "[[:digit:]]abcde",
    "[[:alpha:]]{2}xyzw", "[\\]]abcde", "foo(?i)BARBAZ", "ab(?i)CDEFG",
    "(?i:ab)cdefg", "(?i)échec total", "(?i)VOLUME1", "(?x) foo bar baz",
    "(?x)abcd\\ efgh", "\\Qa.b|cdef\\E", "\\Qab\\Ecdef", "abc\\Qdef",
    "a\\Ebcdef", "(?<q>['\"])quoted\\k<q>", "(a)\\1bcde", "abcd|wxyz",
    "x{2}yyyy", "colou?r value", "(?#note)abcdef", "(*UCP)abcde",
    "abcd\\Kefgh", "(?s)abcd.efg", "(?m)^abcde$", "abcde{0}",
    "\\babcde\\b", "ab\\ cd efgh", "\\p{Lu}abcde", "(?|(a)|(b))cdefg",
    "(?i)\\x41bcde", "(?-i)ABCDE",
    "^Cluster node '(?'node'[^']+)' was removed", "(?i)cluster\\s+node",
    "abc(?=defg)", "abcd(?!efgh)",
    "(?i)straSSe", "a\\x{2019}bcde", "\\Aabcde", "[a-c]{3}defg",
    "abcde|wxyz", "(?i)ABCDE|wxyz", "abcde|", "|abcde", "abcde|x",
    "ab\\|cdefg", "[|]abcde", "(abc|def)ghij", "abcde(?#|)",
    "abcd(?i)|WXYZ", "abcde|(?i)WXYZ", "(?i)abcde|(?-i)WXYZ",
    "abcde|w(?i)XYZ", "[[:^alpha:]]abcde", "(?:abcde)+", "(?:abcde)?zz"};

static const char *const diff_messages[] = {
    "ABCDE", "xABCDEx", "AbCDE", "abcde", "Abcde", "\x01" "bcdef",
    "1abcde", "zzxyzw", "]abcde", "fooBARBAZ", "foobarbaz", "FOObarbaz",
    "abCDEFG", "abcdefg", "ABcdefg", "ABCDEFG", "ÉCHEC TOTAL",
    "échec total", "Échec Total", "volume1", "VOLUME1", "foobarbaz",
    "a.b|cdef", "abcdef", "abcdefgh", "'quoted'", "\"quoted'", "aabcde",
    "wxyz", "xxyyyy", "color value", "colour value", "colouur value",
    "abcd\nefg", "abcd\nabcde\nx", "abcd efgh", "ab cd efgh", "Xabcde",
    "acdefg", "bcdefg", "Cluster node 'N1' was removed",
    "CLUSTER   NODE", "abcdefg", "abcdefgh", "strasse", "STRASSE",
    "a\xe2\x80\x99" "bcde", "abcde e", "bbbdefg", "x abcde",
    "ab|cdefg", "|abcde", "defghij", "zzz", "wxyz", "WXYZ", "wXyZ",
    "abcdeabcde", "?abcde"};

static void xml_escape(char *out, size_t size, const char *s)
{
    size_t k = 0;
    for (; *s && k + 6 < size; s++) {
        const char *r = *s == '<' ? "&lt;" : *s == '>' ? "&gt;"
                        : *s == '&' ? "&amp;" : NULL;
        if (r) {
            k += (size_t)snprintf(out + k, size - k, "%s", r);
        } else {
            out[k++] = *s;
        }
    }
    out[k] = '\0';
}

Test(correlate, prefilters_never_change_what_a_regex_matches)
{
    const size_t np = sizeof diff_patterns / sizeof *diff_patterns;
    const size_t nm = sizeof diff_messages / sizeof *diff_messages;
    size_t cap = 64 * 1024, k = 0;
    char *xml = malloc(cap);
    cr_assert_not_null(xml);
    k += (size_t)snprintf(xml + k, cap - k, "<rules>");
    for (size_t i = 0; i < np; i++) {
        char esc[256];
        xml_escape(esc, sizeof esc, diff_patterns[i]);
        k += (size_t)snprintf(xml + k, cap - k,
                              "<rule id='p%02zu' pattern='P1' "
                              "severity='low'><title>T</title><match "
                              "name='m'><message>%s</message></match>"
                              "<correlate type='single' group='cluster'>"
                              "<step match='m'/></correlate><cause>C"
                              "</cause><remediation><step><do>D</do>"
                              "</step></remediation></rule>",
                              i, esc);
        cr_assert_lt(k, cap);
    }
    snprintf(xml + k, cap - k, "</rules>");
    load(xml);
    free(xml);
    cr_assert_eq(cb_rules_count(rules), np);
    for (size_t j = 0; j < nm; j++)
        E(T0 + (cb_time)j * SEC, H1, diff_messages[j]);
    run();

    pcre2_match_data *md = pcre2_match_data_create(64, NULL);
    size_t firing = 0;
    for (size_t i = 0; i < np; i++) {
        int err;
        PCRE2_SIZE off;
        pcre2_code *re = pcre2_compile((PCRE2_SPTR)diff_patterns[i],
                                       PCRE2_ZERO_TERMINATED,
                                       PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
                                       &err, &off, NULL);
        cr_assert_not_null(re, "pattern %s", diff_patterns[i]);
        const struct cb_event *want[MAXEV];
        size_t nwant = 0;
        for (size_t j = 0; j < nm; j++) {
            if (pcre2_match(re, (PCRE2_SPTR)diff_messages[j],
                            PCRE2_ZERO_TERMINATED, 0, 0, md, NULL) >= 0)
                want[nwant++] = ptrs[j];
        }
        pcre2_code_free(re);
        char id[8];
        snprintf(id, sizeof id, "p%02zu", i);
        size_t nf = findings_of(id);
        /* expect, not assert: list every pattern that differs */
        cr_expect_eq(nf, nwant ? 1 : 0, "pattern %s: %zu findings, PCRE2 "
                     "matches %zu messages", diff_patterns[i], nf, nwant);
        if (!nwant)
            continue;
        firing++;
        if (nf != 1)
            continue;
        const struct cb_finding *f = by_id(id);
        cr_expect_eq(f->count, nwant, "pattern %s: %zu hits, PCRE2 matches "
                     "%zu messages", diff_patterns[i], f->count, nwant);
        /* evidence: every hit up to 24, else the first and last 12 */
        for (size_t w = 0; w < f->nevidence; w++) {
            size_t x = nwant <= 24 || w < 12 ? w : nwant - 24 + w;
            cr_expect_eq(f->evidence[w].ev, want[x],
                         "pattern %s: evidence %zu is '%s', expected '%s'",
                         diff_patterns[i], w, f->evidence[w].ev->message,
                         want[x]->message);
        }
    }
    pcre2_match_data_free(md);
    cr_assert_eq(firing, np, "every pattern should match some message");
}

Test(correlate, empty_timeline_and_no_rules_give_no_findings)
{
    load(SINGLE(""));
    run();
    cr_assert_eq(fs.count, 0);
    cr_assert_not_null(fs.arena);
    E(T0, H1, "beta");
    run();
    cr_assert_eq(fs.count, 0);
}

/* ---- same-within ---------------------------------------------------------- */

Test(correlate, same_within_counts_one_failure_logged_twice_once)
{
    load(RULES(RULE("id='one' pattern='P3' severity='high'",
                    AB_MATCHES "<correlate type='single' same-within='2m'>"
                    "<step match='A'/></correlate>")));
    /* three attempts a night apart, each logged by two logs a few
     * seconds apart; the third logged three times */
    struct cb_event *a1 = E(T0, H1, "alpha vmms");
    struct cb_event *a2 = E(T0 + 5 * SEC, H1, "alpha worker");
    E(T0 + 5 * SEC, H2, "alpha other node"); /* its own group */
    E(T0 + 60 * MIN, H1, "alpha vmms");
    E(T0 + 61 * MIN, H1, "alpha worker");
    E(T0 + 120 * MIN, H1, "alpha vmms");
    E(T0 + 120 * MIN + 30 * SEC, H1, "alpha worker");
    E(T0 + 120 * MIN + 90 * SEC, H1, "alpha ha");
    run();
    cr_assert_eq(fs.count, 2);
    const struct cb_finding *f1 = F(0)->hosts[0] == H1 ? F(0) : F(1);
    cr_assert_eq(f1->count, 3, "three attempts, not %zu events", f1->count);
    cr_assert_eq(f1->nevidence, 7, "every event stays evidence");
    cr_assert_eq(f1->evidence[0].ev, a1);
    cr_assert_eq(f1->evidence[1].ev, a2);
}

Test(correlate, same_within_only_for_single)
{
    cb_rules_free(&rules);
    struct cb_rule_error *errs = NULL;
    const char *xml = RULES(RULE(
        "id='x' pattern='P1' severity='low'",
        AB_MATCHES "<correlate type='count' window='5m' min='2' "
        "same-within='1m'><step match='A'/></correlate>"));
    cb_rules_load_memory(&rules, "t.xml", xml, strlen(xml), &errs);
    cr_assert_not_null(errs);
    cr_assert_not_null(strstr(errs->msg, "same-within"), "%s", errs->msg);
    cb_rule_errors_free(&errs);
}

/* ---- the keeper ----------------------------------------------------------
 * What an analysis keeps of routine cluster.log lines: exactly the lines
 * some matcher takes (the scan's own test; 2: with the lines around
 * them), plus what the report shows on its own (1): warnings and above,
 * and lines of an event channel. */

Test(correlate, keeper_keeps_what_a_rule_or_the_report_needs)
{
    load(RULES(CLUSTER1("comp", "<component>RCM</component>"
                                "<message>failed</message>")
               CLUSTER1("txt", "<message>^Lost quorum</message>")
               CLUSTER1("id", "<event-id>1135</event-id>")));
    struct cb_keeper *k = cb_keeper_create(rules);
    cr_assert_not_null(k);
    const char *cl = "cluster.log";
    static const struct {
        const char *channel, *component, *msg;
        uint32_t id;
        unsigned level;
        int keep;
    } c[] = {
        {"cluster.log", "RCM", "resource failed", NOID, CB_LEVEL_INFO, 2},
        {"cluster.log", "RCM", "resource online", NOID, CB_LEVEL_INFO, 0},
        {"cluster.log", "NM", "resource failed", NOID, CB_LEVEL_INFO, 0},
        {"cluster.log", NULL, "Lost quorum now", NOID, CB_LEVEL_INFO, 2},
        {"cluster.log", NULL, "x Lost quorum", NOID, CB_LEVEL_INFO, 0},
        {"cluster.log", "RCM", "idle", NOID, CB_LEVEL_DEBUG, 0},
        {"cluster.log", "RCM", "idle", NOID, CB_LEVEL_VERBOSE, 0},
        {"cluster.log", "NM", "idle", NOID, CB_LEVEL_WARNING, 1},
        {"cluster.log", "NM", "idle", NOID, CB_LEVEL_ERROR, 1},
        {"cluster.log", "NM", "idle", NOID, CB_LEVEL_CRITICAL, 1},
        {"cluster.log", "NM", "idle", NOID, 0, 1}, /* level not known */
        /* a warning a rule takes: kept with its context */
        {"cluster.log", "RCM", "resource failed", NOID, CB_LEVEL_ERROR, 2},
        {"cluster.log", NULL, "Lost quorum", NOID, CB_LEVEL_WARNING, 2},
        {"System", NULL, "idle", NOID, CB_LEVEL_INFO, 1},
        /* an event channel's line a rule takes: 3, so that the memory
         * budget knows it for evidence, without context (issue 19 #2) */
        {"System", NULL, "Lost quorum now", NOID, CB_LEVEL_INFO, 3},
        {"cluster.log", NULL, "idle", 1135, CB_LEVEL_INFO, 2},
        {"cluster.log", NULL, "idle", 1136, CB_LEVEL_INFO, 0},
        /* the memo of one event's literals must not leak into the next */
        {"cluster.log", "RCM", "resource failed", NOID, CB_LEVEL_INFO, 2},
        {"cluster.log", "RCM", "resource fine", NOID, CB_LEVEL_INFO, 0},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        struct cb_event *e =
            ev_full(T0 + (cb_time)i, H1, c[i].channel[0] == 'c' ? cl : "System",
                    NULL, c[i].id, c[i].level, c[i].component, c[i].msg);
        cr_assert_eq(cb_keeper_wants(k, e), c[i].keep, "case %zu: %s", i,
                     c[i].msg);
        /* the rule named when the budget drops such a line */
        const char *why = cb_keeper_rule(k, e);
        if (c[i].keep >= 2)
            cr_assert_not_null(why, "case %zu", i);
        else
            cr_assert_null(why, "case %zu: %s", i, why);
    }
    struct cb_event *q = ev_full(T0 + 100, H1, cl, NULL, NOID, CB_LEVEL_INFO,
                                 NULL, "Lost quorum now");
    cr_assert_str_eq(cb_keeper_rule(k, q), "txt");
    q = ev_full(T0 + 101, H1, cl, NULL, NOID, CB_LEVEL_INFO, "RCM",
                "it failed");
    cr_assert_str_eq(cb_keeper_rule(k, q), "comp");
    cb_keeper_free(&k);
    cr_assert_null(k);
    cr_assert_null(cb_keeper_create(NULL));
}

/* ---- unclean stops compared by shutdown time (issue 16 #3) -------------
 * EventLog 6008 is written at the boot after an unclean stop; its two
 * unnamed Data give the stop as the node's wall-clock time ("9:42:10 PM",
 * "11/14/2024": the shape of "The previous system shutdown at 9:03:23 AM
 * on 6/28/2018 was unexpected." in Microsoft's articles). The nodes here
 * run at UTC+2 (a --tz override on the analysis the timeline points to). */

#define STOP_RULES                                                           \
    RULES(RULE("id='X.down' pattern='P6' severity='high' confidence='80'",                \
               "<match name='dirty'><provider>EventLog</provider>"           \
               "<event-id>6008</event-id></match>"                           \
               "<correlate type='single' window='15m' group='host' "         \
               "time='stop'><step match='dirty'/></correlate>")              \
          RULE("id='X.together' pattern='P6' severity='critical' confidence='80'",        \
               "<match name='dirty'><provider>EventLog</provider>"           \
               "<event-id>6008</event-id></match>"                           \
               "<correlate type='count' window='30m' min='2' min-hosts='2' " \
               "group='cluster' time='stop'><step match='dirty'/>"           \
               "</correlate>"))

static struct cb_event *ev6008(cb_time boot, const char *host,
                               const char *local_time, const char *date)
{
    struct cb_event *e = ev_full(boot, host, "System", "EventLog", 6008,
                                 CB_LEVEL_ERROR, NULL, NULL);
    field(e, "1", local_time);
    field(e, "2", date);
    return e;
}

static struct cb_analysis *utc_plus_2(void)
{
    struct cb_analysis *an = analysis(NULL);
    cr_assert_not_null(an);
    an->tz[0] = (struct cb_tz_override){NULL, 120};
    an->ntz = 1;
    return an;
}

static void run_with(struct cb_analysis *an)
{
    cb_findings_fini(&fs);
    struct cb_timeline tl = {.events = ptrs, .count = nev, .an = an};
    cr_assert_eq(cb_correlate(rules, &tl, &fs), CB_OK);
}

Test(correlate, nodes_that_died_together_and_booted_hours_apart_are_one_event)
{
    load(STOP_RULES);
    struct cb_analysis *an = utc_plus_2();
    cb_time t19 = cb_time_from_civil(2024, 11, 14, 19, 0, 0, 0);
    E(t19, H1, "routine");
    E(t19 + 2 * MIN, H2, "routine");
    /* both lost power at 19:42 UTC (21:42 local); NODE1 was back at
     * 21:53, NODE2 only at 01:10 the next day */
    ev6008(cb_time_from_civil(2024, 11, 14, 21, 53, 8, 0), H1, "9:42:10 PM",
           "11/14/2024");
    ev6008(cb_time_from_civil(2024, 11, 15, 1, 10, 0, 0), H2, "9:43:03 PM",
           "11/14/2024");
    run_with(an);
    const struct cb_finding *f = by_id("X.together");
    cr_assert_eq(f->nhosts, 2);
    cr_assert_eq(f->first, cb_time_from_civil(2024, 11, 14, 19, 42, 10, 0),
                 "first: when NODE1 went down, not its boot");
    cr_assert_eq(f->last, cb_time_from_civil(2024, 11, 14, 19, 43, 3, 0));
    /* the outages: from the 6008 time (the nodes' last events were
     * earlier) to the first event after the stop, the boot */
    cr_assert_eq(f->noutages, 2);
    cr_assert_str_eq(f->outages[0].host, H1);
    cr_assert_eq(f->outages[0].from, f->first);
    cr_assert_eq(f->outages[0].stop, f->first);
    cr_assert_str_eq(f->outages[0].from_by, "EventLog 6008");
    cr_assert_eq(f->outages[0].to,
                 cb_time_from_civil(2024, 11, 14, 21, 53, 8, 0));
    cr_assert_str_eq(f->outages[1].host, H2);
    cr_assert_eq(f->outages[1].to,
                 cb_time_from_civil(2024, 11, 15, 1, 10, 0, 0));
    cb_analysis_destroy(&an);
}

Test(correlate, nodes_rebooted_hours_apart_are_not_one_event)
{
    load(STOP_RULES);
    struct cb_analysis *an = utc_plus_2();
    /* the boots are ten minutes apart, but NODE1 went down at 15:00 UTC
     * and NODE2 at 21:42 UTC: by boot time they would pair */
    ev6008(cb_time_from_civil(2024, 11, 14, 21, 50, 0, 0), H1, "5:00:00 PM",
           "11/14/2024");
    ev6008(cb_time_from_civil(2024, 11, 14, 22, 0, 0, 0), H2, "11:42:00 PM",
           "11/14/2024");
    run_with(an);
    cr_assert_eq(findings_of("X.together"), 0);
    cr_assert_eq(findings_of("X.down"), 2);
    cb_analysis_destroy(&an);
}

Test(correlate, without_a_6008_time_the_stop_is_not_guessed)
{
    /* no offset known: the 6008 strings cannot be converted, the boot
     * stays the time compared; the outage still spans the silence from
     * the node's last event to the boot */
    load(STOP_RULES);
    cb_time t = cb_time_from_civil(2024, 11, 14, 19, 0, 0, 0);
    E(t, H1, "routine");
    E(t + 40 * MIN, H1, "last before the stop");
    E(t + 2 * 60 * MIN + 52 * MIN, H1, "boot");
    ev6008(t + 2 * 60 * MIN + 53 * MIN, H1, "9:42:10 PM", "11/14/2024");
    run();
    const struct cb_finding *f = by_id("X.down");
    cr_assert_eq(f->first, t + 2 * 60 * MIN + 53 * MIN);
    cr_assert_eq(f->noutages, 1);
    cr_assert_eq(f->outages[0].from, t + 40 * MIN);
    cr_assert_eq(f->outages[0].to, t + 2 * 60 * MIN + 52 * MIN);
    cr_assert_eq(f->outages[0].stop, CB_TIME_NONE);
    cr_assert_str_eq(f->outages[0].from_by, "last event before the stop");
}

/* ---- one episode, one finding (issue 16 #1) ----------------------------- */

Test(correlate, one_episode_found_for_two_entities_is_one_finding)
{
    load(RULES(RULE("id='R.susp' pattern='P2' severity='high' confidence='70'",
                    "<summary>Replication of {vm} suspended</summary>"
                    "<match name='s'><event-id>32086</event-id>"
                    "<message>suspended replication for virtual machine "
                    "'(?'vm'[^']+)'</message></match>"
                    "<correlate type='single' window='30m' group='entity:vm'>"
                    "<step match='s'/></correlate>")));
    EI(T0, H1, 32086, "suspended replication for virtual machine 'FS01'");
    EI(T0 + 4 * SEC, H1, 32086,
       "suspended replication for virtual machine 'EXCH01'");
    /* the same VM name on another host, and a third VM hours later: not
     * the same episode */
    EI(T0 + 5 * SEC, H2, 32086,
       "suspended replication for virtual machine 'SQL01'");
    EI(T0 + 5 * 60 * MIN, H1, 32086,
       "suspended replication for virtual machine 'WEB01'");
    run();
    cr_assert_eq(findings_of("R.susp"), 3);
    const struct cb_finding *m = NULL;
    for (size_t i = 0; i < fs.count; i++)
        if (fs.items[i].nentities == 2)
            m = &fs.items[i];
    cr_assert_not_null(m, "FS01 and EXCH01 in one finding");
    cr_assert_eq(m->count, 2);
    cr_assert_eq(m->nevidence, 2, "the evidence of both");
    cr_assert_eq(m->first, T0);
    cr_assert_eq(m->last, T0 + 4 * SEC);
    cr_assert_str_eq(m->summary, "Replication of EXCH01, FS01 suspended");
}

Test(correlate, a_finding_whose_events_a_linked_finding_holds_is_absorbed)
{
    /* X.together leads to X.down: each node's own finding repeats events
     * the power event already holds */
    const char *xml = RULES(
        RULE("id='X.down' pattern='P6' severity='high' confidence='80'",
             "<match name='dirty'><provider>EventLog</provider>"
             "<event-id>6008</event-id></match>"
             "<correlate type='single' window='15m' group='host'>"
             "<step match='dirty'/></correlate>")
        RULE("id='X.together' pattern='P6' severity='critical' confidence='80'",
             "<match name='dirty'><provider>EventLog</provider>"
             "<event-id>6008</event-id></match>"
             "<correlate type='count' window='30m' min='2' min-hosts='2' "
             "group='cluster'><step match='dirty'/></correlate>"
             "<leads-to rule='X.down' within='30m'/>")
        RULE("id='X.alone' pattern='P6' severity='high' confidence='80'",
             "<match name='dirty'><provider>EventLog</provider>"
             "<event-id>6008</event-id></match>"
             "<correlate type='single' window='15m' group='host'>"
             "<step match='dirty'/></correlate>"));
    load(xml);
    ev6008(T0, H1, "x", "y");
    ev6008(T0 + 1 * MIN, H2, "x", "y");
    ev6008(T0 + 5 * 60 * MIN, H3, "x", "y"); /* alone, hours later */
    run();
    cr_assert_eq(findings_of("X.together"), 1);
    cr_assert_eq(findings_of("X.down"), 1, "NODE1's and NODE2's merged in; "
                                           "NODE3's stays");
    cr_assert_str_eq(by_id("X.down")->hosts[0], H3);
    cr_assert_eq(by_id("X.together")->count, 2);
    /* X.alone has no link from X.together: it stays, three times */
    cr_assert_eq(findings_of("X.alone"), 3);
}

/* ---- a suspended replica without a System log (issue 16 follow-up) ------ */

#define REPLICA_RULES                                                        \
    RULES(RULE("id='P.shut' pattern='P2' severity='high' confidence='70'",                \
               "<match name='s'><event-id>32086</event-id></match>"          \
               "<match name='down'><channel>System</channel>"                \
               "<event-id>1074</event-id></match>"                           \
               "<correlate type='single' window='30m' group='host'>"         \
               "<step match='s'/></correlate>"                               \
               "<require match='down' within='30m' scope='any'/>")           \
          RULE("id='P.unknown' pattern='P2' severity='high' confidence='45'",             \
               "<match name='s'><event-id>32086</event-id></match>"          \
               "<match name='down'><channel>System</channel>"                \
               "<event-id>1074</event-id></match>"                           \
               "<correlate type='single' window='30m' group='host'>"         \
               "<step match='s'/></correlate>"                               \
               "<require absent='down' within='30m' scope='any'/>"           \
               "<require uncovered='down' within='30m' scope='any'/>")       \
          RULE("id='P.failing' pattern='P2' severity='medium' confidence='60'",           \
               "<match name='s'><event-id>32086</event-id></match>"          \
               "<match name='down'><channel>System</channel>"                \
               "<event-id>1074</event-id></match>"                           \
               "<correlate type='single' window='30m' group='host'>"         \
               "<step match='s'/></correlate>"                               \
               "<require absent='down' within='30m' scope='any'/>"           \
               "<require covered='down' within='30m' scope='any'/>"))

static struct cb_event *vmms(cb_time t, const char *host, uint32_t id)
{
    return ev_full(t, host, "Microsoft-Windows-Hyper-V-VMMS-Admin",
                   "Microsoft-Windows-Hyper-V-VMMS", id, CB_LEVEL_ERROR,
                   NULL, "m");
}

Test(correlate, suspended_replica_without_a_system_log_is_still_a_finding)
{
    load(REPLICA_RULES);
    vmms(T0, H1, 32000);
    vmms(T0 + 60 * MIN, H1, 32086);
    vmms(T0 + 120 * MIN, H1, 32000);
    run();
    cr_assert_eq(fs.count, 1, "one explanation: the unknown one");
    cr_assert_eq(by_id("P.unknown")->confidence, 45);
}

Test(correlate, with_a_system_log_the_replica_is_explained_either_way)
{
    load(REPLICA_RULES);
    /* System covers the hour around it, no shutdown: failing */
    E(T0, H1, "routine");
    vmms(T0 + 60 * MIN, H1, 32086);
    E(T0 + 120 * MIN, H1, "routine");
    run();
    cr_assert_eq(fs.count, 1);
    by_id("P.failing");
    /* a planned restart 5 minutes before: the shutdown explanation */
    clear();
    E(T0, H1, "routine");
    EI(T0 + 55 * MIN, H1, 1074, "restart");
    vmms(T0 + 60 * MIN, H1, 32086);
    E(T0 + 120 * MIN, H1, "routine");
    run();
    cr_assert_eq(fs.count, 1);
    by_id("P.shut");
    /* System only after the suspension: it cannot tell */
    clear();
    vmms(T0 + 60 * MIN, H1, 32086);
    E(T0 + 70 * MIN, H1, "routine");
    run();
    cr_assert_eq(fs.count, 1);
    by_id("P.unknown");
}
