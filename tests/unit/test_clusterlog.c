/*
 * test_clusterlog.c - the Get-ClusterLog parser (parsers/clusterlog.c) fed
 * through cb_ingest_leaf_memory. Expected times are computed by hand from
 * Unix seconds: FILETIME ticks = unix * 10^7 + 116444736000000000.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "casebrief/casebrief.h"
#include "helpers.h"

/* FILETIME ticks of a Unix second plus milliseconds. */
#define TICKS(unix_s, ms)                                                   \
    ((cb_time)(unix_s) * 10000000LL + (cb_time)(ms) * 10000LL +             \
     116444736000000000LL)

/* Unix seconds at 00:00:00 UTC of some days, worked out by hand from
 * 2024-01-01 = 1704067200 (2024 is a leap year). */
#define D_2024_11_15 1731628800LL /* + (305 + 14) days */
#define D_2024_11_16 1731715200LL
#define D_2024_02_29 1709164800LL /* + (31 + 28) days */
#define D_2000_01_01 946684800LL

#define NAME "HV-NODE1_cluster.log"

static struct cb_analysis *an;

static void teardown(void)
{
    cb_analysis_destroy(&an);
}

TestSuite(clusterlog, .fini = teardown);

/* Parse text as NAME with automatic detection; the one source. */
static const struct cb_source *parse_named(const char *name, const void *data,
                                           size_t len)
{
    an = cb_analysis_create_all(NULL);
    cr_assert_not_null(an);
    cr_assert_eq(cb_ingest_leaf_memory(an, name, data, len, NULL), CB_OK);
    cr_assert_eq(an->nsources, 1u);
    return an->sources[0];
}

static const struct cb_source *parse(const char *text)
{
    const struct cb_source *src = parse_named(NAME, text, strlen(text));
    cr_assert_str_eq(src->format, "clusterlog");
    return src;
}

static const struct cb_event *ev(const struct cb_source *src, size_t i)
{
    cr_assert_lt(i, src->nevents, "event %zu of %llu", i,
                 (unsigned long long)src->nevents);
    return src->events[i];
}

static size_t count_warnings(const struct cb_source *src)
{
    size_t n = 0;
    for (const struct cb_warning *w = src->warnings; w; w = w->next)
        n++;
    return n;
}

/* The warning about line `line` whose message contains needle, or NULL. */
static const struct cb_warning *line_warning(const struct cb_source *src,
                                             uint64_t line, const char *needle)
{
    for (const struct cb_warning *w = src->warnings; w; w = w->next) {
        if (w->where_kind == CB_WHERE_LINE && w->where == line &&
            strstr(w->msg, needle))
            return w;
    }
    return NULL;
}

static void expect_line_warning(const struct cb_source *src, uint64_t line,
                                const char *needle)
{
    cr_assert_not_null(line_warning(src, line, needle),
                       "no warning \"%s\" at line %llu", needle,
                       (unsigned long long)line);
}

/* No warning carries a line number (header notes are CB_WHERE_NONE). */
static void expect_no_line_warnings(const struct cb_source *src)
{
    for (const struct cb_warning *w = src->warnings; w; w = w->next)
        cr_assert_neq(w->where_kind, CB_WHERE_LINE,
                      "unexpected warning at line %llu: %s",
                      (unsigned long long)w->where, w->msg);
}

Test(clusterlog, every_level_word_maps_to_its_level)
{
    const struct cb_source *src = parse(
        "00000a1c.00001f04::2024/11/15-10:15:30.123 INFO  [RCM] i\r\n"
        "00000a1c.00001f04::2024/11/15-10:15:30.124 WARN  [RCM] w\r\n"
        "00000a1c.00001f04::2024/11/15-10:15:30.125 ERR   [RCM] e\r\n"
        "00000a1c.00001f04::2024/11/15-10:15:30.126 DBG   [RCM] d\r\n"
        "00000a1c.00001f04::2024/11/15-10:15:30.127 CRIT  [RCM] c\r\n"
        "00000a1c.00001f04::2024/11/15-10:15:30.128 VERB  [RCM] v\r\n"
        "00000a1c.00001f04::2024/11/15-10:15:30.129 ERROR [RCM] E\r\n");
    static const struct {
        uint8_t level;
        const char *msg;
    } want[] = {
        {CB_LEVEL_INFO, "i"},     {CB_LEVEL_WARNING, "w"},
        {CB_LEVEL_ERROR, "e"},    {CB_LEVEL_DEBUG, "d"},
        {CB_LEVEL_CRITICAL, "c"}, {CB_LEVEL_VERBOSE, "v"},
        {CB_LEVEL_ERROR, "E"},
    };
    cr_assert_eq(src->nevents, 7u);
    for (size_t i = 0; i < 7; i++) {
        cr_assert_eq(ev(src, i)->level, want[i].level, "line %zu", i + 1);
        cr_assert_str_eq(ev(src, i)->message, want[i].msg);
    }
    cr_assert_null(src->warnings);
}

Test(clusterlog, unknown_level_is_info_with_a_warning)
{
    const struct cb_source *src = parse(
        "00000a1c.00001f04::2024/11/15-10:15:30.123 INFO  [RCM] ok\n"
        "00000a1c.00001f04::2024/11/15-10:15:30.124 NOTE  [RCM] odd level\n");
    cr_assert_eq(src->nevents, 2u);
    cr_assert_eq(ev(src, 1)->level, CB_LEVEL_INFO);
    cr_assert_str_eq(ev(src, 1)->component, "RCM");
    cr_assert_str_eq(ev(src, 1)->message, "odd level");
    expect_line_warning(src, 2, "NOTE");
    cr_assert_eq(count_warnings(src), 1u);
}

Test(clusterlog, component_is_taken_out_of_the_message)
{
    const struct cb_source *src = parse(
        "00000a1c.00001f04::2024/11/15-10:15:30.123 INFO  [RCM] rcm::RcmGroup"
        "::Move: moving group 'SQL' to node 2\n"
        "00000a1c.00001f04::2024/11/15-10:15:30.124 INFO  [RCM] second\n"
        "00000b2c.00000c3d::2024/11/15-10:15:30.125 ERR   [RES] Physical Disk "
        "<Cluster Disk 1>: Online failed, status 1168\n"
        "00000a1c.00001f04::2024/11/15-10:15:30.126 INFO  [RCM]   spaced\n"
        "00000a1c.00001f04::2024/11/15-10:15:30.127 INFO  [NETFTAPI]tight\n"
        "00000a1c.00001f04::2024/11/15-10:15:30.128 INFO  [RCM] back\n");
    cr_assert_eq(src->nevents, 6u);
    cr_assert_str_eq(ev(src, 0)->component, "RCM");
    cr_assert_str_eq(ev(src, 0)->message,
                     "rcm::RcmGroup::Move: moving group 'SQL' to node 2");
    cr_assert_str_eq(ev(src, 2)->component, "RES");
    cr_assert_str_eq(ev(src, 2)->message,
                     "Physical Disk <Cluster Disk 1>: Online failed, "
                     "status 1168");
    cr_assert_str_eq(ev(src, 3)->message, "spaced");
    cr_assert_str_eq(ev(src, 4)->component, "NETFTAPI");
    cr_assert_str_eq(ev(src, 4)->message, "tight");
    /* components are interned: one pointer per name */
    const char *rcm = cb_intern_cstr(an->strings, "RCM");
    cr_assert_eq(ev(src, 0)->component, rcm);
    cr_assert_eq(ev(src, 1)->component, rcm);
    cr_assert_eq(ev(src, 3)->component, rcm);
    cr_assert_eq(ev(src, 5)->component, rcm);
    cr_assert_eq(ev(src, 2)->component, cb_intern_cstr(an->strings, "RES"));
    cr_assert_str_eq(ev(src, 5)->message, "back");
    cr_assert_null(src->warnings);
}

Test(clusterlog, text_without_component_is_the_whole_message)
{
    const struct cb_source *src = parse(
        "00000a1c.00001f04::2024/11/15-10:15:30.123 INFO  Cluster service "
        "started\n"
        "00000a1c.00001f04::2024/11/15-10:15:30.124 INFO  [not a component]"
        " text\n"
        "00000a1c.00001f04::2024/11/15-10:15:30.125 INFO  [] empty\n"
        "00000a1c.00001f04::2024/11/15-10:15:30.126 INFO  [AAAAAAAAAAAAAAAA"
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA] too long\n"
        "00000a1c.00001f04::2024/11/15-10:15:30.127 INFO  [RCM unclosed\n"
        "00000a1c.00001f04::2024/11/15-10:15:30.128 INFO  \n");
    cr_assert_eq(src->nevents, 6u);
    cr_assert_null(ev(src, 0)->component);
    cr_assert_str_eq(ev(src, 0)->message, "Cluster service started");
    cr_assert_null(ev(src, 1)->component);
    cr_assert_str_eq(ev(src, 1)->message, "[not a component] text");
    cr_assert_null(ev(src, 2)->component);
    cr_assert_str_eq(ev(src, 2)->message, "[] empty");
    cr_assert_null(ev(src, 3)->component);
    cr_assert_eq(strncmp(ev(src, 3)->message, "[AAAA", 5), 0);
    cr_assert_null(ev(src, 4)->component);
    cr_assert_str_eq(ev(src, 4)->message, "[RCM unclosed");
    cr_assert_null(ev(src, 5)->component);
    cr_assert_str_eq(ev(src, 5)->message, "");
}

Test(clusterlog, pid_and_tid_are_hexadecimal)
{
    const struct cb_source *src = parse(
        "0000ABCD.0000ef01::2024/11/15-10:15:30.123 INFO  [RCM] a\n"
        "a1c.1f04::2024/11/15-10:15:30.123 INFO  [RCM] b\n"
        "FFFFFFFF.00000000::2024/11/15-10:15:30.123 INFO  [RCM] c\n"
        "00000010.00000100::2024/11/15-10:15:30.123 INFO  [RCM] d\n");
    cr_assert_eq(src->nevents, 4u);
    cr_assert_eq(ev(src, 0)->pid, 0xABCDu);
    cr_assert_eq(ev(src, 0)->tid, 0xEF01u);
    cr_assert_eq(ev(src, 1)->pid, 0xA1Cu);
    cr_assert_eq(ev(src, 1)->tid, 0x1F04u);
    cr_assert_eq(ev(src, 2)->pid, 0xFFFFFFFFu);
    cr_assert_eq(ev(src, 2)->tid, 0u);
    cr_assert_eq(ev(src, 3)->pid, 16u);
    cr_assert_eq(ev(src, 3)->tid, 256u);
    for (size_t i = 0; i < 4; i++)
        cr_assert(ev(src, i)->flags & CB_EV_HAS_PID);
}

Test(clusterlog, ids_that_are_not_hex_or_too_long_make_a_bad_line)
{
    const struct cb_source *src = parse(
        "0000a1cg.00001f04::2024/11/15-10:15:30.123 INFO  [RCM] g\n"
        "000000a1c.00001f04::2024/11/15-10:15:30.123 INFO  [RCM] nine\n"
        "00000a1c:00001f04::2024/11/15-10:15:30.123 INFO  [RCM] colon\n"
        "00000a1c.00001f04:2024/11/15-10:15:30.123 INFO  [RCM] one colon\n"
        "00000a1c.00001f04::2024/11/15-10:15:30.123 INFO  [RCM] good\n");
    cr_assert_eq(src->nevents, 1u);
    cr_assert_str_eq(ev(src, 0)->message, "good");
    cr_assert_eq(ev(src, 0)->origin, 5u);
    for (uint64_t l = 1; l <= 4; l++)
        expect_line_warning(src, l, "not a cluster.log line");
}

Test(clusterlog, timestamps_become_exact_filetime_ticks)
{
    const struct cb_source *src = parse(
        "00000a1c.00001f04::2024/11/15-10:15:30.123 INFO  [RCM] a\n"
        "00000a1c.00001f04::2024/11/15-23:59:59.999 INFO  [RCM] b\n"
        "00000a1c.00001f04::2024/11/16-00:00:00.000 INFO  [RCM] c\n"
        "00000a1c.00001f04::2024/11/15-00:00:00.001 INFO  [RCM] d\n"
        "00000a1c.00001f04::2024/02/29-12:00:00.500 INFO  [RCM] e\n"
        "00000a1c.00001f04::1999/12/31-23:59:59.000 INFO  [RCM] f\n"
        "00000a1c.00001f04::2024/11/15-10:15:30.123 INFO  [RCM] g\n");
    cr_assert_eq(src->nevents, 7u);
    const cb_time want[] = {
        TICKS(D_2024_11_15 + 10 * 3600 + 15 * 60 + 30, 123),
        TICKS(D_2024_11_15 + 86399, 999),
        TICKS(D_2024_11_16, 0),
        TICKS(D_2024_11_15, 1),
        TICKS(D_2024_02_29 + 12 * 3600, 500),
        TICKS(D_2000_01_01 - 1, 0),
        TICKS(D_2024_11_15 + 10 * 3600 + 15 * 60 + 30, 123),
    };
    for (size_t i = 0; i < 7; i++)
        cr_assert_eq(ev(src, i)->ts, want[i], "line %zu: %lld, want %lld",
                     i + 1, (long long)ev(src, i)->ts, (long long)want[i]);
    /* the library's own conversion agrees with the hand computation */
    cr_assert_eq(ev(src, 0)->ts,
                 cb_time_from_civil(2024, 11, 15, 10, 15, 30, 1230000));
    cr_assert_eq(src->first, want[5]);
    cr_assert_eq(src->last, want[2]);
    cr_assert_null(src->warnings);
}

Test(clusterlog, out_of_range_time_on_an_already_seen_date_warns)
{
    /* the second line reuses the first line's date */
    const struct cb_source *src = parse(
        "00000a1c.00001f04::2024/11/15-10:15:30.123 INFO  [RCM] a\n"
        "00000a1c.00001f04::2024/11/15-24:00:00.000 INFO  [RCM] hour 24\n"
        "00000a1c.00001f04::2024/11/15-10:60:00.000 INFO  [RCM] minute 60\n"
        "00000a1c.00001f04::2024/11/15-10:15:31.000 INFO  [RCM] b\n");
    cr_assert_eq(src->nevents, 2u);
    cr_assert_str_eq(ev(src, 1)->message, "b");
    cr_assert_eq(ev(src, 1)->ts, TICKS(D_2024_11_15 + 36931, 0));
    expect_line_warning(src, 2, "timestamp");
    expect_line_warning(src, 3, "timestamp");
}

Test(clusterlog, impossible_dates_warn_and_parsing_continues)
{
    const struct cb_source *src = parse(
        "00000a1c.00001f04::2024/02/30-10:00:00.000 INFO  [RCM] feb 30\n"
        "00000a1c.00001f04::2023/02/29-10:00:00.000 INFO  [RCM] not leap\n"
        "00000a1c.00001f04::2024/13/01-10:00:00.000 INFO  [RCM] month 13\n"
        "00000a1c.00001f04::2024/00/10-10:00:00.000 INFO  [RCM] month 0\n"
        "00000a1c.00001f04::2024/02/29-10:00:00.000 INFO  [RCM] leap day\n");
    cr_assert_eq(src->nevents, 1u);
    cr_assert_str_eq(ev(src, 0)->message, "leap day");
    cr_assert_eq(ev(src, 0)->origin, 5u);
    cr_assert_eq(ev(src, 0)->ts, TICKS(D_2024_02_29 + 36000, 0));
    for (uint64_t l = 1; l <= 4; l++)
        expect_line_warning(src, l, "timestamp");
    cr_assert_eq(count_warnings(src), 4u);
}

Test(clusterlog, malformed_timestamps_are_bad_lines)
{
    const struct cb_source *src = parse(
        "00000a1c.00001f04::2024-11-15 10:15:30.123 INFO  [RCM] dashes\n"
        "00000a1c.00001f04::2024/11/15-10:15:30,123 INFO  [RCM] comma\n"
        "00000a1c.00001f04::2024/11/1x-10:15:30.123 INFO  [RCM] letter\n"
        "00000a1c.00001f04::2024/11/15\n"
        "00000a1c.00001f04::2024/11/15-10:15:30.123 INFO  [RCM] fine\n");
    cr_assert_eq(src->nevents, 1u);
    cr_assert_eq(ev(src, 0)->origin, 5u);
    expect_line_warning(src, 1, "timestamp");
    expect_line_warning(src, 2, "timestamp");
    expect_line_warning(src, 3, "timestamp");
    expect_line_warning(src, 4, "not a cluster.log line");
}

Test(clusterlog, crlf_and_lf_give_the_same_events)
{
    const char *lf =
        "00000a1c.00001f04::2024/11/15-10:15:30.123 INFO  [RCM] one\n"
        "00000a1c.00001f04::2024/11/15-10:15:31.000 WARN  [NM] two words\n";
    const char *crlf =
        "00000a1c.00001f04::2024/11/15-10:15:30.123 INFO  [RCM] one\r\n"
        "00000a1c.00001f04::2024/11/15-10:15:31.000 WARN  [NM] two words\r\n";
    const char *mixed =
        "00000a1c.00001f04::2024/11/15-10:15:30.123 INFO  [RCM] one\r\n"
        "00000a1c.00001f04::2024/11/15-10:15:31.000 WARN  [NM] two words";
    const char *texts[] = {lf, crlf, mixed};
    for (size_t t = 0; t < 3; t++) {
        const struct cb_source *src = parse(texts[t]);
        cr_assert_eq(src->nevents, 2u, "text %zu", t);
        cr_assert_str_eq(ev(src, 0)->message, "one");
        cr_assert_str_eq(ev(src, 1)->message, "two words");
        cr_assert_str_eq(ev(src, 1)->component, "NM");
        cr_assert_eq(ev(src, 1)->level, CB_LEVEL_WARNING);
        cr_assert_eq(ev(src, 1)->ts, TICKS(D_2024_11_15 + 36931, 0));
        cr_assert_eq(ev(src, 0)->origin, 1u);
        cr_assert_eq(ev(src, 1)->origin, 2u);
        cr_assert_null(src->warnings);
        cb_analysis_destroy(&an);
    }
}

Test(clusterlog, events_carry_host_channel_and_source)
{
    const struct cb_source *src = parse(
        "00000a1c.00001f04::2024/11/15-10:15:30.123 INFO  [RCM] x\n");
    cr_assert_str_eq(src->host, "HV-NODE1");
    cr_assert(src->origin_is_line);
    cr_assert_str_eq(src->data_type, "windows:cluster:log");
    const struct cb_event *e = ev(src, 0);
    cr_assert_eq(e->host, src->host);
    cr_assert_eq(e->host, cb_intern_cstr(an->strings, "HV-NODE1"));
    cr_assert_eq(e->channel, cb_intern_cstr(an->strings, "cluster.log"));
    cr_assert_eq(e->source, src);
    cr_assert_null(e->provider);
    cr_assert_eq(e->flags & CB_EV_HAS_RECORD_ID, 0u);
    /* no header: a 2012 R2 log, whose clock is UTC only by assumption */
    cr_assert_neq(e->flags & CB_EV_TIME_ASSUMED, 0u);
    cr_assert_not_null(strstr(src->time_basis, "no header"), "%s",
                       src->time_basis);
}

Test(clusterlog, blank_lines_and_utf8_bom_keep_line_numbers)
{
    const struct cb_source *src = parse(
        "\xEF\xBB\xBF"
        "00000a1c.00001f04::2024/11/15-10:15:30.123 INFO  [RCM] first\r\n"
        "\r\n"
        "\n"
        "00000a1c.00001f04::2024/11/15-10:15:30.124 INFO  [RCM] fourth\r\n");
    cr_assert_eq(src->nevents, 2u);
    cr_assert_eq(ev(src, 0)->origin, 1u);
    cr_assert_str_eq(ev(src, 0)->message, "first");
    cr_assert_eq(ev(src, 0)->pid, 0xA1Cu, "BOM not taken as part of the id");
    cr_assert_eq(ev(src, 1)->origin, 4u);
    cr_assert_null(src->warnings);
}

Test(clusterlog, header_sections_are_skipped_and_body_lines_numbered)
{
    const char *text =
        "[=== Cluster ===]\r\n"                                     /* 1 */
        "UTC= localtime + time zone offset; with daylight savings, the "
        "time zone offset of this machine is -60 minutes.\r\n"     /* 2 */
        "\r\n"                                                      /* 3 */
        "Current node: HV-NODE1 (1) id (1)\r\n"                     /* 4 */
        "[=== Resources ===]\r\n"                                   /* 5 */
        "Name,Type,State,OwnerGroup\r\n"                            /* 6 */
        "\"Cluster IP Address\",\"IP Address\",\"Online\","
        "\"Cluster Group\"\r\n"                                     /* 7 */
        "[=== System ===]\r\n"                                      /* 8 */
        "[System] 00000244.00001b48::2024/11/15-09:00:00.000 "
        "ERROR  Cluster node 'HV-NODE2' was removed\r\n"            /* 9 */
        "continuation of that message\r\n"                          /* 10 */
        "[=== Cluster Logs ===]\r\n"                                /* 11 */
        "00000a1c.00001f04::2024/11/15-10:15:30.123 INFO  [RCM] "
        "body one\r\n"                                              /* 12 */
        "not a body line\r\n"                                       /* 13 */
        "00000a1c.00001f04::2024/11/15-10:15:31.000 ERR   [NM] "
        "body two\r\n";                                             /* 14 */
    const struct cb_source *src = parse(text);
    /* the System section's event (lines 9-10 joined), then the body */
    cr_assert_eq(src->nevents, 3u);
    const struct cb_event *sys = ev(src, 0);
    cr_assert_eq(sys->channel, cb_intern_cstr(an->strings, "System"));
    cr_assert_str_eq(sys->message, "Cluster node 'HV-NODE2' was removed\n"
                                   "continuation of that message");
    cr_assert_eq(sys->origin, 9u);
    cr_assert_eq(sys->level, CB_LEVEL_ERROR);
    cr_assert_eq(sys->pid, 0x244u);
    cr_assert_null(sys->component, "no component parsing in channels");
    cr_assert_eq(sys->ts, TICKS(D_2024_11_15 + 9 * 3600, 0),
                 "no 'local time' line: the header's offset is not applied");
    cr_assert_str_eq(ev(src, 1)->message, "body one");
    cr_assert_eq(ev(src, 1)->origin, 12u);
    cr_assert_str_eq(ev(src, 2)->message, "body two");
    cr_assert_eq(ev(src, 2)->origin, 14u);
    cr_assert_eq(ev(src, 2)->level, CB_LEVEL_ERROR);
    cr_assert_str_eq(src->time_basis, "UTC (header)");
    /* the only warning is the bad body line */
    expect_line_warning(src, 13, "not a cluster.log line");
    cr_assert_eq(count_warnings(src), 1u);
    /* the Resources section is kept as a table: header + one row */
    const struct cb_table *t = src->tables;
    cr_assert_not_null(t);
    cr_assert_str_eq(t->section, "Resources");
    cr_assert_eq(t->line, 5u);
    cr_assert_eq(t->ncols, 4u);
    cr_assert_str_eq(t->cols[3], "OwnerGroup");
    cr_assert_eq(t->nrows, 1u);
    cr_assert_eq(t->rows->nvals, 4u);
    cr_assert_str_eq(t->rows->vals[0], "Cluster IP Address", "unquoted");
    cr_assert_str_eq(t->rows->vals[3], "Cluster Group");
    cr_assert_eq(t->rows->line, 7u);
    cr_assert_str_eq(t->host, "HV-NODE1");
    cr_assert_null(t->next, "the System section is not a table");
    cr_assert_eq(ev(src, 1)->flags & CB_EV_TIME_ASSUMED, 0u);
}

Test(clusterlog, local_time_with_offset_is_converted_to_utc)
{
    const struct cb_source *src = parse(
        "[=== Cluster ===]\r\n"
        "UTC = localtime + time zone offset; with daylight savings, the "
        "time zone offset of this machine is -60 minutes, or -1 hours\r\n"
        "The logs were generated using local time\r\n"
        "[=== Cluster Logs ===]\r\n"
        "00000a1c.00001f04::2024/11/15-10:15:30.123 INFO  [RCM] x\r\n");
    cr_assert_eq(src->nevents, 1u);
    /* 10:15:30.123 local at UTC+1: UTC = local - 60 min = 09:15:30.123 */
    cr_assert_eq(ev(src, 0)->ts, TICKS(D_2024_11_15 + 9 * 3600 + 15 * 60 + 30,
                                       123));
    cr_assert_eq(ev(src, 0)->flags & CB_EV_TIME_ASSUMED, 0u,
                 "a stated offset is not an assumption");
    cr_assert_not_null(strstr(src->time_basis, "-60 min"), "%s",
                       src->time_basis);
}

Test(clusterlog, channel_event_at_end_of_file_keeps_its_continuation)
{
    const struct cb_source *src = parse(
        "[=== Cluster ===]\n"
        "[=== Microsoft-Windows-FailoverClustering/Operational logs ===]\n"
        "[Microsoft-Windows-FailoverClustering/Operational] "
        "00000244.00001b48::2024/11/15-09:00:00.000 WARN   first\n"
        "second\n"
        "\n"
        "third\n");
    cr_assert_eq(src->nevents, 1u);
    cr_assert_str_eq(ev(src, 0)->channel,
                     "Microsoft-Windows-FailoverClustering/Operational");
    cr_assert_str_eq(ev(src, 0)->message, "first\nsecond\nthird",
                     "blank lines inside a message are dropped");
    cr_assert_eq(ev(src, 0)->level, CB_LEVEL_WARNING);
}

Test(clusterlog, header_alone_is_detected_without_the_file_name)
{
    const char *text = "[=== Cluster ===]\n"
                       "Current node: HV-NODE1 (1) id (1)\n"
                       "[=== Cluster Logs ===]\n"
                       "00000a1c.00001f04::2024/11/15-10:15:30.123 INFO  "
                       "[RCM] x\n";
    const struct cb_source *src = parse_named("report.txt", text,
                                              strlen(text));
    cr_assert_str_eq(src->format, "clusterlog");
    cr_assert_eq(src->nevents, 1u);
    cr_assert_eq(ev(src, 0)->origin, 4u);
    /* no naming convention in report.txt: the header names the node */
    cr_assert_str_eq(src->host, "HV-NODE1");
    cr_assert_str_eq(src->host_rule, "cluster.log header 'Current node:'");
    cr_assert_str_eq(ev(src, 0)->host, "HV-NODE1");
}

Test(clusterlog, header_node_beats_file_name_and_says_so)
{
    const char *text = "[=== Cluster ===]\n"
                       "Current node: hv-node2 (2) id (2)\n"
                       "[=== Cluster Logs ===]\n"
                       "00000a1c.00001f04::2024/11/15-10:15:30.123 INFO  "
                       "[RCM] x\n";
    const struct cb_source *src =
        parse_named("HV-NODE1_cluster.log", text, strlen(text));
    cr_assert_str_eq(src->host, "HV-NODE2", "upper-cased, from the header");
    cr_assert_str_eq(ev(src, 0)->host, "HV-NODE2");
    const struct cb_warning *w = src->warnings;
    cr_assert_not_null(w);
    cr_assert_eq(w->where_kind, CB_WHERE_LINE);
    cr_assert_eq(w->where, 2u, "the Current node line");
    cr_assert(strstr(w->msg, "HV-NODE1") && strstr(w->msg, "HV-NODE2"),
              "both names in: %s", w->msg);
}

Test(clusterlog, local_time_header_marks_events_as_assumed)
{
    const struct cb_source *src = parse(
        "[=== Cluster ===]\n"
        "The logs were generated using local time\n"
        "[=== Cluster Logs ===]\n"
        "00000a1c.00001f04::2024/11/15-10:15:30.123 INFO  [RCM] x\n");
    cr_assert_eq(src->nevents, 1u);
    cr_assert(ev(src, 0)->flags & CB_EV_TIME_ASSUMED);
    cr_assert_not_null(strstr(src->time_basis, "local"));
    expect_no_line_warnings(src);
}

Test(clusterlog, bad_lines_warn_with_their_line_and_parsing_continues)
{
    const struct cb_source *src = parse(
        "00000a1c.00001f04::2024/11/15-10:15:30.123 INFO  [RCM] one\n"
        "garbage that is not a log line\n"
        "00000a1c.00001f04::2024/11/15-10:15:30.200 INFO  [RCM] three\n"
        "\x01\x02\xff\xfe binary junk\n"
        "00000a1c.00001f04::2024/11/15-10:15:30.300 INFO  [RCM] five\n");
    cr_assert_eq(src->nevents, 3u);
    cr_assert_eq(ev(src, 0)->origin, 1u);
    cr_assert_eq(ev(src, 1)->origin, 3u);
    cr_assert_str_eq(ev(src, 1)->message, "three");
    cr_assert_eq(ev(src, 2)->origin, 5u);
    expect_line_warning(src, 2, "not a cluster.log line");
    expect_line_warning(src, 4, "not a cluster.log line");
    cr_assert_eq(count_warnings(src), 2u);
    cr_assert_eq(src->nwarnings, 2u);
}

Test(clusterlog, many_bad_lines_are_counted_and_parsing_goes_on)
{
    size_t cap = 100 * 16 + 256;
    char *text = malloc(cap);
    size_t n = 0;
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(text + n, cap - n, "junk %d\n", i);
    n += (size_t)snprintf(text + n, cap - n,
                          "00000a1c.00001f04::2024/11/15-10:15:30.123 INFO  "
                          "[RCM] survivor\n");
    const struct cb_source *src = parse_named(NAME, text, n);
    cr_assert_eq(src->nevents, 1u);
    cr_assert_str_eq(ev(src, 0)->message, "survivor");
    cr_assert_eq(ev(src, 0)->origin, 101u);
    cr_assert_eq(src->nwarnings, 100u);
    cr_assert_eq(count_warnings(src), (size_t)CB_LIMIT_WARNINGS_PER_SOURCE);
    free(text);
}

Test(clusterlog, line_longer_than_the_stream_buffer_is_cut_and_next_parses)
{
    /* memory streams hold at most 1 MiB: a line over that is cut */
    const char *head = "00000a1c.00001f04::2024/11/15-10:15:30.123 INFO  "
                       "[RCM] ";
    const char *after = "00000a1c.00001f04::2024/11/15-10:15:31.000 WARN  "
                        "[RCM] after the long line\r\n";
    size_t fill = (1u << 20) + 1000;
    size_t cap = strlen(head) + fill + strlen(after) + 256;
    char *text = malloc(cap);
    size_t n = (size_t)snprintf(text, cap, "%s",
                                "00000a1c.00001f04::2024/11/15-10:15:29.000 "
                                "INFO  [RCM] before\r\n");
    memcpy(text + n, head, strlen(head));
    n += strlen(head);
    memset(text + n, 'A', fill);
    n += fill;
    memcpy(text + n, "\r\n", 2);
    n += 2;
    memcpy(text + n, after, strlen(after));
    n += strlen(after);
    const struct cb_source *src = parse_named(NAME, text, n);
    free(text);
    expect_line_warning(src, 2, "cut");
    cr_assert_eq(ev(src, 0)->origin, 1u);
    cr_assert_str_eq(ev(src, 0)->message, "before");
    /* the cut line keeps its first 1 MiB: a prefix of the A's */
    cr_assert_eq(src->nevents, 3u);
    const struct cb_event *cut = ev(src, 1);
    cr_assert_eq(cut->origin, 2u);
    size_t ml = strlen(cut->message);
    cr_assert_eq(ml + strlen(head), (size_t)1 << 20);
    cr_assert_eq(cut->message[0], 'A');
    cr_assert_eq(cut->message[ml - 1], 'A');
    const struct cb_event *next = ev(src, 2);
    cr_assert_eq(next->origin, 3u);
    cr_assert_str_eq(next->message, "after the long line");
    cr_assert_eq(next->level, CB_LEVEL_WARNING);
    cr_assert_eq(next->ts, TICKS(D_2024_11_15 + 36931, 0));
    cr_assert_eq(count_warnings(src), 1u);
}

/* UTF-16LE of an ASCII string, optionally with a BOM; caller frees. */
static unsigned char *utf16le(const char *ascii, int bom, size_t *len)
{
    size_t n = strlen(ascii);
    unsigned char *o = malloc(2 * n + 2);
    size_t k = 0;
    if (bom) {
        o[k++] = 0xFF;
        o[k++] = 0xFE;
    }
    for (size_t i = 0; i < n; i++) {
        o[k++] = (unsigned char)ascii[i];
        o[k++] = 0;
    }
    *len = k;
    return o;
}

Test(clusterlog, utf16le_with_and_without_bom_is_read)
{
    const char *text =
        "[=== Cluster ===]\r\n"
        "Current node: HV-NODE3 (3) id (3)\r\n"
        "[=== Cluster Logs ===]\r\n"
        "00000a1c.00001f04::2024/11/15-10:15:30.123 ERR   [RHS] wide\r\n";
    for (int bom = 0; bom < 2; bom++) {
        size_t len;
        unsigned char *u = utf16le(text, bom, &len);
        const struct cb_source *src = parse_named("any.log", u, len);
        cr_assert_str_eq(src->format, "clusterlog", "bom=%d", bom);
        cr_assert_eq(src->nevents, 1u, "bom=%d", bom);
        cr_assert_str_eq(ev(src, 0)->message, "wide");
        cr_assert_str_eq(ev(src, 0)->component, "RHS");
        cr_assert_eq(ev(src, 0)->origin, 4u);
        cr_assert_str_eq(src->host, "HV-NODE3");
        cr_assert_eq(src->bytes, len, "bytes counted before conversion");
        cr_assert_null(src->warnings);
        free(u);
        cb_analysis_destroy(&an);
    }
}

Test(clusterlog, utf16_lone_surrogate_becomes_replacement_character)
{
    size_t len;
    unsigned char *u = utf16le(
        "00000a1c.00001f04::2024/11/15-10:15:30.123 INFO  [RCM] aXb\n", 1,
        &len);
    /* replace the 'X' (after the BOM, at index 56 of the text) with a
     * lone high surrogate D800 */
    size_t at = 2 + 2 * 56;
    cr_assert_eq(u[at], 'X');
    u[at] = 0x00;
    u[at + 1] = 0xD8;
    const struct cb_source *src = parse_named(NAME, u, len);
    cr_assert_eq(src->nevents, 1u);
    cr_assert_str_eq(ev(src, 0)->message, "a\xEF\xBF\xBD" "b");
    free(u);
}

Test(clusterlog, utf16_big_endian_is_refused_with_a_warning)
{
    static const unsigned char be[] = {0xFE, 0xFF, 0, '0', 0, '0', 0, '\n'};
    const struct cb_source *src = parse_named(NAME, be, sizeof be);
    cr_assert_eq(src->nevents, 0u);
    cr_assert_not_null(src->warnings);
    cr_assert_not_null(strstr(src->warnings->msg, "UTF-16"));
    cr_assert(has_warning(an, NAME), "bundle-level warning names the file");
}

Test(clusterlog, empty_and_blank_input_give_no_events_and_no_warnings)
{
    const struct cb_source *src = parse_named(NAME, "", 0);
    cr_assert_eq(src->nevents, 0u);
    cr_assert_null(src->warnings);
    cb_analysis_destroy(&an);
    src = parse("\r\n\n\r\n");
    cr_assert_eq(src->nevents, 0u);
    cr_assert_null(src->warnings);
}

Test(clusterlog, body_line_is_detected_under_an_unrelated_name)
{
    const char *line = "00000a1c.00001f04::2024/11/15-10:15:30.123 INFO  "
                       "[RCM] x\r\n";
    const struct cb_parser_ops *ops = (const void *)1;
    struct cb_error err = {0};
    cr_assert_eq(cb_parser_detect((const unsigned char *)line, strlen(line),
                                  "notes.txt", &ops, &err),
                 CB_OK);
    cr_assert_eq(ops, cb_parser_find("clusterlog"));
    /* also behind a UTF-8 BOM and leading blank lines */
    const char *bom = "\xEF\xBB\xBF\r\n\r\n00000a1c.00001f04::2024/11/15-"
                      "10:15:30.123 INFO  [RCM] x\r\n";
    ops = NULL;
    cr_assert_eq(cb_parser_detect((const unsigned char *)bom, strlen(bom),
                                  "x.dat", &ops, &err),
                 CB_OK);
    cr_assert_eq(ops, cb_parser_find("clusterlog"));
    /* and through ingest: parsed, although the name says nothing */
    const struct cb_source *src = parse_named("random.txt", line,
                                              strlen(line));
    cr_assert_str_eq(src->format, "clusterlog");
    cr_assert_eq(src->nevents, 1u);
}

Test(clusterlog, random_text_is_unknown_format)
{
    const char *text = "Dear customer,\r\nplease find the logs attached.\r\n"
                       "12:30 meeting; 2024/11/15 follow-up\r\n";
    const struct cb_parser_ops *ops = (const void *)1;
    struct cb_error err = {0};
    cr_assert_eq(cb_parser_detect((const unsigned char *)text, strlen(text),
                                  "notes.txt", &ops, &err),
                 CB_E_UNKNOWN_FORMAT);
    cr_assert_null(ops);
    cr_assert_eq(err.code, CB_E_UNKNOWN_FORMAT);
    ops = (const void *)1;
    cr_assert_eq(cb_parser_detect((const unsigned char *)"", 0, "empty.bin", &ops, &err),
                 CB_E_UNKNOWN_FORMAT);
    cr_assert_null(ops);
    /* through ingest the file is listed but not parsed */
    const struct cb_source *src = parse_named("notes.txt", text,
                                              strlen(text));
    cr_assert_str_eq(src->format, "unknown");
    cr_assert_eq(src->nevents, 0u);
}

Test(clusterlog, file_name_alone_is_enough_to_bid)
{
    const char *text = "garbage first line\n";
    const struct cb_parser_ops *ops = NULL;
    struct cb_error err = {0};
    cr_assert_eq(cb_parser_detect((const unsigned char *)text, strlen(text),
                                  "HV-NODE1_Cluster.LOG", &ops, &err),
                 CB_OK);
    cr_assert_eq(ops, cb_parser_find("clusterlog"));
    const struct cb_parser_ops *c = cb_parser_find("clusterlog");
    int by_name = c->bid((const unsigned char *)text, strlen(text),
                         "HV-NODE1_cluster.log");
    const char *body = "00000a1c.00001f04::2024/11/15-10:15:30.123 INFO  x\n";
    int by_line = c->bid((const unsigned char *)body, strlen(body), "x.txt");
    int by_both = c->bid((const unsigned char *)body, strlen(body),
                         "HV-NODE1_cluster.log");
    cr_assert_gt(by_name, 0);
    cr_assert_gt(by_line, by_name, "content is stronger evidence");
    cr_assert_gt(by_both, by_line);
}

/* Regression: the UTF-16 converter wrote a whole character even when the
 * line reader asked for one or two bytes (a long line filling the buffer),
 * overrunning it. A line of 1.2 M euro signs (3 bytes each in UTF-8) must
 * be cut with a warning and the next line still read. */
Test(clusterlog, utf16_line_longer_than_the_buffer_is_cut_safely)
{
    const char *tail = "\n00000a1c.00001f04::2024/11/15-10:15:30.123 INFO  "
                       "[RCM] after\n";
    size_t nchars = 1200000, tl = strlen(tail);
    size_t len = 2 + 4 + 2 * nchars + 2 * tl;
    unsigned char *u = malloc(len);
    cr_assert_not_null(u);
    size_t k = 0;
    u[k++] = 0xFF;
    u[k++] = 0xFE;
    /* two ASCII bytes first, so that the buffer's last free byte is
     * reached with a 3-byte character pending */
    for (int i = 0; i < 2; i++) {
        u[k++] = 'a';
        u[k++] = 0;
    }
    for (size_t i = 0; i < nchars; i++) {
        u[k++] = 0xAC; /* U+20AC */
        u[k++] = 0x20;
    }
    for (size_t i = 0; i < tl; i++) {
        u[k++] = (unsigned char)tail[i];
        u[k++] = 0;
    }
    const struct cb_source *src = parse_named(NAME, u, len);
    cr_assert_eq(src->nevents, 1u);
    cr_assert_str_eq(ev(src, 0)->message, "after");
    cr_assert_eq(ev(src, 0)->origin, 2u);
    int cut = 0;
    for (const struct cb_warning *w = src->warnings; w; w = w->next)
        cut |= w->where_kind == CB_WHERE_LINE && w->where == 1 &&
               strstr(w->msg, "cut") != NULL;
    cr_assert(cut, "the long line is reported as cut");
    free(u);
}

/* issue 19 #9: a configuration section of 2 M rows made a 142 MB report,
 * and columns past 256 were cut without a word. Rows past the cap are
 * counted (one warning at the first), columns past it warned about. */
Test(clusterlog, configuration_tables_are_capped_with_a_warning)
{
    size_t cap = CB_LIMIT_CLUSTERLOG_TABLE_ROWS, extra = 7;
    size_t cols = CB_LIMIT_CLUSTERLOG_COLUMNS + 4;
    size_t size = 256 + (cap + extra) * 32 + cols * 8;
    char *text = malloc(size), *p = text;
    cr_assert_not_null(text);
    p += sprintf(p, "[=== Cluster ===]\r\nCurrent node: HV-NODE1 (1) id (1)\r\n"
                    "[=== Resources ===]\r\n"); /* lines 1-3 */
    for (size_t c = 0; c < cols; c++) /* line 4: the header */
        p += sprintf(p, c ? ",C%zu" : "C%zu", c);
    p += sprintf(p, "\r\n");
    for (size_t r = 0; r < cap + extra; r++) /* lines 5.. */
        p += sprintf(p, "\"Res %zu\",Online\r\n", r);
    const struct cb_source *src = parse(text);
    const struct cb_table *t = src->tables;
    cr_assert_not_null(t);
    cr_expect_eq(t->ncols, CB_LIMIT_CLUSTERLOG_COLUMNS);
    cr_expect_str_eq(t->cols[CB_LIMIT_CLUSTERLOG_COLUMNS - 1], "C255");
    cr_expect_eq(t->nrows, cap);
    cr_expect_eq(t->rows_cut, extra);
    cr_expect_str_eq(t->rows_tail->vals[0], "Res 9999");
    expect_line_warning(src, 4, "260 columns, those past 256 ignored");
    expect_line_warning(src, 5 + cap, "rows past 10000 are counted, not kept");
    cr_expect_eq(count_warnings(src), 2u);
    free(text);
}

/* ---- issue 15: the shapes Get-ClusterLog writes in the field ----------
 * Sources for the shapes below: Microsoft's KB articles quoted in
 * shared/corpus/realworld (12_msdocs_physical_disk_clusterlog.txt: "ERR
 * [RES]", "WARN [RCM]"; 10_...: "[=== SBL Disks ===]" and its row), and
 * a public PowerShell cluster.log section parser (found with the search
 * tool by "Current node: name (") that matches the header lines
 * `^Current node: name \((.+)\) id \(\d+\)$` and
 * `^UTC = localtime \+ time zone offset;the time zone offset of this
 * machine is (.+)$`, and body lines as `(.{4})\s{2}` levels (four
 * characters then two blanks: "ERR   [RES]", "INFO  [RCM]"), and lists the
 * sections Resources, Groups, Group Sets, Resource Types, Affinity Rules,
 * Nodes, Networks, Network Interfaces, Volumes, Volume Logs, SBL Disks,
 * Certificates, Performance, System, the FailoverClustering/Operational,
 * ClusterAwareUpdating and DiagnosticVerbose channels, Cluster Logs. The
 * fixtures are ours, written in those shapes. */

#define BODY1 "00000a1c.00001f04::2024/11/15-10:15:30.123 INFO  [RCM] x\r\n"

/* The bug: "name (NODE)" gave every event the host "NAME". */
Test(clusterlog, current_node_name_in_parentheses_form)
{
    const char *text = "[=== Cluster ===]\r\n"
                       "Build Number 14393\r\n"
                       "Current node: name (HV-NODE3) id (3)\r\n"
                       "[=== Cluster Logs ===]\r\n" BODY1;
    const struct cb_source *src =
        parse_named("report.txt", text, strlen(text));
    cr_assert_str_eq(src->format, "clusterlog");
    cr_assert_str_eq(src->host, "HV-NODE3");
    cr_assert_str_eq(ev(src, 0)->host, "HV-NODE3");
    cr_assert_eq(count_warnings(src), 0u);
}

Test(clusterlog, current_node_name_first_form_and_fqdn)
{
    const char *text = "[=== Cluster ===]\r\n"
                       "Current node: hv-node4.contoso.local (4) id (4)\r\n"
                       "[=== Cluster Logs ===]\r\n" BODY1;
    const struct cb_source *src =
        parse_named("report.txt", text, strlen(text));
    cr_assert_str_eq(src->host, "HV-NODE4", "first DNS label, upper case");
}

/* The three nodes of one SDP bundle stay three hosts, each with its own
 * stated offset. */
Test(clusterlog, three_nodes_in_the_parenthesised_form_stay_apart)
{
    const char *names[] = {"N1", "N2", "N3"};
    an = cb_analysis_create_all(NULL);
    for (int i = 0; i < 3; i++) {
        char text[512], path[64];
        snprintf(text, sizeof text,
                 "[=== Cluster ===]\r\n"
                 "UTC = localtime + time zone offset;the time zone offset of "
                 "this machine is %d minutes\r\n"
                 "Current node: name (%s) id (%d)\r\n"
                 "[=== Cluster Logs ===]\r\n" BODY1,
                 -60 * (i + 1), names[i], i + 1);
        snprintf(path, sizeof path, "sdp/%s_cluster.log", names[i]);
        cr_assert_eq(cb_ingest_leaf_memory(an, path, text, strlen(text),
                                           NULL),
                     CB_OK);
    }
    cr_assert_eq(an->nsources, 3u);
    for (int i = 0; i < 3; i++) {
        cr_assert_str_eq(an->sources[i]->host, names[i]);
        cr_assert_eq(an->sources[i]->utc_offset_min, -60 * (i + 1));
        cr_assert_null(an->sources[i]->warnings, "file and header agree");
    }
}

Test(clusterlog, header_words_and_invalid_names_are_never_a_host)
{
    static const char *const lines[] = {
        "Current node: name (1) id (1)",       /* digits only */
        "Current node: name () id (1)",        /* empty */
        "Current node: node (2) id (2)",       /* a header word */
        "Current node: id (2)",                /* a header word */
        "Current node: name (bad*name) id (2)", /* not a host name */
        "Current node: -NODE (1) id (1)",      /* leading hyphen */
        "Current node: ",                      /* nothing */
    };
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
        char text[512];
        snprintf(text, sizeof text,
                 "[=== Cluster ===]\r\n%s\r\n[=== Cluster Logs ===]\r\n" BODY1,
                 lines[i]);
        const struct cb_source *src = parse(text);
        cr_assert_str_eq(src->host, "HV-NODE1", "%s: file name kept",
                         lines[i]);
        cr_assert_str_eq(ev(src, 0)->host, "HV-NODE1");
        expect_line_warning(src, 2, "names no valid computer name");
        cr_assert_eq(count_warnings(src), 1u, "%s", lines[i]);
        cb_analysis_destroy(&an);
    }
}

Test(clusterlog, header_and_file_name_disagree_in_one_warning_saying_why)
{
    const char *text = "[=== Cluster ===]\r\n"
                       "Current node: name (HV-NODE2) id (2)\r\n"
                       "[=== Cluster Logs ===]\r\n" BODY1;
    const struct cb_source *src = parse(text);
    cr_assert_str_eq(src->host, "HV-NODE2");
    cr_assert_eq(count_warnings(src), 1u);
    const struct cb_warning *w = line_warning(src, 2, "HV-NODE2 used");
    cr_assert_not_null(w);
    cr_assert_not_null(strstr(w->msg, "file name says host HV-NODE1"));
    cr_assert_not_null(strstr(w->msg, "written by the node itself"));
}

/* Offset line variants; UTC = local + offset. */
Test(clusterlog, offset_line_variants)
{
    static const struct {
        const char *line;
        long min;
    } v[] = {
        {"UTC = localtime + time zone offset; with daylight savings, the "
         "time zone offset of this machine is -60 minutes, or -1 hours", -60},
        {"UTC = localtime + time zone offset;the time zone offset of this "
         "machine is 420 minutes", 420},
        {"UTC= localtime + time zone offset; the time zone offset of this "
         "machine is -330 minutes, or -5.5 hours", -330},
        {"UTC = localtime + time zone offset; with daylight savings, the "
         "time zone offset of this machine is  +60 minutes", 60},
    };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        char text[512];
        snprintf(text, sizeof text,
                 "[=== Cluster ===]\r\n%s\r\n"
                 "The logs were generated using local time\r\n"
                 "[=== Cluster Logs ===]\r\n" BODY1,
                 v[i].line);
        const struct cb_source *src = parse(text);
        cr_assert(src->utc_offset_known, "%s", v[i].line);
        cr_assert_eq(src->utc_offset_min, v[i].min, "%s", v[i].line);
        /* 10:15:30.123 local + offset = UTC */
        cr_assert_eq(ev(src, 0)->ts,
                     TICKS(D_2024_11_15 + 10 * 3600 + 15 * 60 + 30 +
                               v[i].min * 60,
                           123),
                     "%s", v[i].line);
        cr_assert_eq(src->time_kind, CB_TK_LOCAL_STATED);
        cr_assert_eq(count_warnings(src), 0u);
        cb_analysis_destroy(&an);
    }
}

Test(clusterlog, offset_in_hours_only_is_not_misread_as_minutes)
{
    const struct cb_source *src = parse(
        "[=== Cluster ===]\r\n"
        "UTC = localtime + time zone offset; the time zone offset of this "
        "machine is -1 hours\r\n"
        "[=== Cluster Logs ===]\r\n" BODY1);
    cr_assert_not(src->utc_offset_known);
    expect_line_warning(src, 2, "UTC offset line not understood");
}

Test(clusterlog, local_time_note_in_any_case_and_utc_note)
{
    const struct cb_source *src = parse(
        "[=== Cluster ===]\r\n"
        "the logs were generated using Local Time\r\n"
        "[=== Cluster Logs ===]\r\n" BODY1);
    cr_assert_eq(src->time_kind, CB_TK_LOCAL);
    cb_analysis_destroy(&an);
    src = parse("[=== Cluster ===]\r\n"
                "The logs were generated using UTC\r\n"
                "[=== Cluster Logs ===]\r\n" BODY1);
    cr_assert_eq(src->time_kind, CB_TK_UTC);
    cr_assert_eq(ev(src, 0)->flags & CB_EV_TIME_ASSUMED, 0u);
}

Test(clusterlog, header_less_2012r2_log_is_utc_assumed)
{
    const struct cb_source *src = parse(
        "00001668.00001e3c::2024/11/15-10:15:30.123 ERR   [RES] Physical "
        "Disk <Cluster Disk 1>: Failed to get partition size, status 3\r\n"
        "00001920.00000808::2024/11/15-10:15:30.200 WARN  [RCM] "
        "ResourceControl(STORAGE_GET_DIRTY) to Cluster Disk 1 returned "
        "5023.\r\n");
    cr_assert_eq(src->nevents, 2u);
    cr_assert_eq(src->time_kind, CB_TK_UTC_ASSUMED);
    cr_assert(ev(src, 0)->flags & CB_EV_TIME_ASSUMED);
    cr_assert_str_eq(ev(src, 0)->component, "RES");
    cr_assert_eq(ev(src, 1)->level, CB_LEVEL_WARNING);
}

/* Every section is kept: unknown ones as tables, with no warning; a
 * marker with trailing blanks is still a marker. */
Test(clusterlog, every_section_is_read_and_unknown_ones_are_tables)
{
    const char *text =
        "[=== Cluster ===]\r\n"                                       /* 1 */
        "Current node: name (HV-NODE1) id (1)\r\n"                    /* 2 */
        "[=== Affinity Rules ===]\r\n"                                /* 3 */
        "Name,RuleType,Groups\r\n"                                    /* 4 */
        "[=== SBL Disks ===]   \r\n"                                  /* 5 */
        "DiskId,DeviceNumber,IsSblCacheDevice,HasSeekPenalty,"
        "NumPaths,PathId,CacheDeviceId,DiskState,BindingAttributes,"
        "DirtyPages,DirtySlots,IsMaintenanceMode,IsOrphan,Manufacturer,"
        "ProductId,Serial,Revision,PoolId,HealthCounters,\r\n"        /* 6 */
        " {0a1b2c3d-0000-4000-8000-000000000001},3,false,true,1,48,"
        "{0a1b2c3d-0000-4000-8000-000000000002},"
        "CacheDiskStateInitializedAndBound,1,8087,54,false,false,"
        "VENDOR,MODEL1000,SER0001,A21D,"
        "{0a1b2c3d-0000-4000-8000-000000000003},"
        "[R/M 0 R/U 0 R/T 0 W/M 0 W/U 0 W/T 0],\r\n"                  /* 7 */
        "[=== Something New In vNext ===]\r\n"                        /* 8 */
        "free text that is not CSV at all\r\n"                        /* 9 */
        "[=== Cluster Logs ===]\r\n"                                  /* 10 */
        BODY1;
    const struct cb_source *src = parse(text);
    cr_assert_eq(src->nevents, 1u);
    cr_assert_eq(count_warnings(src), 0u);
    const struct cb_table *t = src->tables;
    cr_assert_str_eq(t->section, "Affinity Rules");
    cr_assert_eq(t->nrows, 0u);
    t = t->next;
    cr_assert_str_eq(t->section, "SBL Disks", "trailing blanks trimmed");
    cr_assert_eq(t->nrows, 1u);
    cr_assert_str_eq(t->cols[7], "DiskState");
    cr_assert_str_eq(t->rows->vals[7], "CacheDiskStateInitializedAndBound");
    t = t->next;
    cr_assert_str_eq(t->section, "Something New In vNext");
    cr_assert_str_eq(t->cols[0], "free text that is not CSV at all");
    cr_assert_null(t->next);
}

/* Level padded to five characters, single-spaced, no component. */
Test(clusterlog, level_padding_and_lines_without_component)
{
    const struct cb_source *src = parse(
        "00000a1c.00001f04::2024/11/15-10:15:30.001 ERR   [RES] a\r\n"
        "00000a1c.00001f04::2024/11/15-10:15:30.002 INFO  [RCM] b\r\n"
        "00000a1c.00001f04::2024/11/15-10:15:30.003 WARN  [QUORUM] c\r\n"
        "00000a1c.00001f04::2024/11/15-10:15:30.004 DBG   [NETFTAPI] d\r\n"
        "00000a1c.00001f04::2024/11/15-10:15:30.005 ERR [RES] e\r\n"
        "00000a1c.00001f04::2024/11/15-10:15:30.006 ERR   Quorum lost "
        "because the cluster could not communicate with a majority\r\n");
    static const struct {
        int level;
        const char *comp, *msg;
    } want[] = {
        {CB_LEVEL_ERROR, "RES", "a"},       {CB_LEVEL_INFO, "RCM", "b"},
        {CB_LEVEL_WARNING, "QUORUM", "c"},  {CB_LEVEL_DEBUG, "NETFTAPI", "d"},
        {CB_LEVEL_ERROR, "RES", "e"},
        {CB_LEVEL_ERROR, NULL,
         "Quorum lost because the cluster could not communicate with a "
         "majority"},
    };
    cr_assert_eq(src->nevents, 6u);
    for (size_t i = 0; i < 6; i++) {
        const struct cb_event *e = ev(src, i);
        cr_assert_eq(e->level, want[i].level, "line %zu", i + 1);
        if (want[i].comp)
            cr_assert_str_eq(e->component, want[i].comp);
        else
            cr_assert_null(e->component);
        cr_assert_str_eq(e->message, want[i].msg);
        cr_assert_eq(e->ts, TICKS(D_2024_11_15 + 10 * 3600 + 15 * 60 + 30,
                                  (int)i + 1));
    }
    cr_assert_eq(count_warnings(src), 0u);
}

/* Windows Server 2016 logs channel entries at DBG; a leading level word
 * on the line is the event's own level. */
Test(clusterlog, channel_entries_at_dbg_keep_their_own_level)
{
    const struct cb_source *src = parse(
        "[=== Cluster ===]\r\n"
        "[=== System ===]\r\n"
        "[System] 00000244.00001b48::2024/11/15-09:00:00.000 DBG   "
        "Critical: Cluster node 'HV-NODE2' was removed from the active "
        "failover cluster membership.\r\n"
        "[System] 00000244.00001b48::2024/11/15-09:00:01.000 DBG   "
        "[Warning] Cluster network 'Cluster Network 1' is partitioned.\r\n"
        "[System] 00000244.00001b48::2024/11/15-09:00:02.000 DBG   "
        "Errors were logged\r\n"
        "[System] 00000244.00001b48::2024/11/15-09:00:03.000 ERR   "
        "Error: stays as it is\r\n");
    cr_assert_eq(src->nevents, 4u);
    cr_assert_eq(ev(src, 0)->level, CB_LEVEL_CRITICAL);
    cr_assert_str_eq(ev(src, 0)->message,
                     "Cluster node 'HV-NODE2' was removed from the active "
                     "failover cluster membership.");
    cr_assert_eq(ev(src, 1)->level, CB_LEVEL_WARNING);
    cr_assert_str_eq(ev(src, 1)->message,
                     "Cluster network 'Cluster Network 1' is partitioned.");
    cr_assert_eq(ev(src, 2)->level, CB_LEVEL_DEBUG, "no level word");
    cr_assert_str_eq(ev(src, 2)->message, "Errors were logged");
    cr_assert_eq(ev(src, 3)->level, CB_LEVEL_ERROR);
    cr_assert_str_eq(ev(src, 3)->message, "Error: stays as it is",
                     "only DBG lines are read for a level");
}

Test(clusterlog, indented_lines_continue_a_debug_log_message)
{
    const struct cb_source *src = parse(
        "00000a1c.00001f04::2024/11/15-10:15:30.001 ERR   [RES] first\r\n"
        "    detail one\r\n"
        "\tdetail two\r\n"
        "   \r\n"
        "00000a1c.00001f04::2024/11/15-10:15:30.002 INFO  [RCM] second\r\n"
        "not indented: a bad line\r\n");
    cr_assert_eq(src->nevents, 2u);
    cr_assert_str_eq(ev(src, 0)->message,
                     "first\n    detail one\n\tdetail two");
    cr_assert_eq(ev(src, 1)->origin, 5u, "line numbers count continuations");
    expect_line_warning(src, 6, "not a cluster.log line");
    cr_assert_eq(count_warnings(src), 1u);
}
