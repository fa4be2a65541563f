/*
 * test_shutdown.c - true times and kinds of unclean stops
 * (analyzer/shutdown.c): when EventLog 6008 says the machine went down,
 * read from its localized strings, and what Kernel-Power 41's fields say
 * about how. The string shapes are the ones real logs show: "9:03:23 AM
 * on 6/28/2018" (en-US), "11:59:15 on 21.12.2021" (de-DE), "02:11:03 PM
 * on 2024-11-25", and dates with U+200E marks between their parts as the
 * Event Log service writes them. Expected times are worked out by hand.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "casebrief/event.h"
#include "shutdown.h"
#include "timefmt.h"

static cb_time at(int y, int mo, int d, int h, int mi, int s)
{
    return cb_time_from_civil(y, mo, d, h, mi, s, 0);
}

/* A 6008 whose unnamed data %1 and %2 are time and date. */
static struct cb_event ev6008(struct cb_field f[2], const char *t,
                              const char *d)
{
    f[0] = (struct cb_field){"1", t};
    f[1] = (struct cb_field){"2", d};
    return (struct cb_event){.flags = CB_EV_HAS_EVENT_ID,
                             .event_id = 6008,
                             .provider = "EventLog",
                             .fields = f,
                             .nfields = 2};
}

Test(shutdown, en_us_time_and_date_with_pm)
{
    struct cb_field f[2];
    struct cb_event e = ev6008(f, "9:42:10 PM", "11/14/2024");
    cb_time t;
    cr_assert_eq(cb_6008_local_time(&e, &t), 1);
    cr_assert_eq(t, at(2024, 11, 14, 21, 42, 10));
}

Test(shutdown, converted_with_the_node_offset_gives_utc)
{
    /* the P3 scenario: HV-NODE1 at UTC+2 wrote 9:42:10 PM local, the
     * power went at 19:42:10 UTC, two hours before the boot-time 21:53 */
    struct cb_field f[2];
    struct cb_event e = ev6008(f, "9:42:10 PM", "11/14/2024");
    cb_time local;
    cr_assert(cb_6008_local_time(&e, &local));
    cb_time utc = local - (cb_time)120 * 60 * CB_TICKS_PER_SEC;
    cr_assert_eq(utc, at(2024, 11, 14, 19, 42, 10));
}

Test(shutdown, twelve_am_and_twelve_pm)
{
    struct cb_field f[2];
    cb_time t;
    struct cb_event a = ev6008(f, "12:05:00 AM", "1/2/2024");
    cr_assert(cb_6008_local_time(&a, &t));
    cr_assert_eq(t, at(2024, 1, 2, 0, 5, 0), "12 AM is midnight");
    struct cb_event p = ev6008(f, "12:05:00 PM", "1/2/2024");
    cr_assert(cb_6008_local_time(&p, &t));
    cr_assert_eq(t, at(2024, 1, 2, 12, 5, 0), "12 PM is noon");
}

Test(shutdown, day_first_dates_without_am_pm)
{
    struct cb_field f[2];
    cb_time t;
    struct cb_event de = ev6008(f, "11:59:15", "21.12.2021");
    cr_assert(cb_6008_local_time(&de, &t));
    cr_assert_eq(t, at(2021, 12, 21, 11, 59, 15));
    struct cb_event gb = ev6008(f, "21:42:10", "03/11/2024");
    cr_assert(cb_6008_local_time(&gb, &t));
    cr_assert_eq(t, at(2024, 11, 3, 21, 42, 10), "en-GB: 3 November");
}

Test(shutdown, iso_date_and_left_to_right_marks)
{
    struct cb_field f[2];
    cb_time t;
    struct cb_event iso = ev6008(f, "02:11:03 PM", "2024-11-25");
    cr_assert(cb_6008_local_time(&iso, &t));
    cr_assert_eq(t, at(2024, 11, 25, 14, 11, 3));
    /* U+200E (E2 80 8E) before each part, as Windows writes the date */
    struct cb_event lrm = ev6008(f, "3:28:51 AM",
                                 "\xE2\x80\x8E" "9/\xE2\x80\x8E" "1/"
                                 "\xE2\x80\x8E" "2021");
    cr_assert(cb_6008_local_time(&lrm, &t));
    cr_assert_eq(t, at(2021, 9, 1, 3, 28, 51));
}

Test(shutdown, from_the_message_when_the_data_is_missing)
{
    struct cb_event e = {.flags = CB_EV_HAS_EVENT_ID,
                         .event_id = 6008,
                         .provider = "EventLog",
                         .message = "The previous system shutdown at "
                                    "9:03:23 AM on 6/28/2018 was unexpected."};
    cb_time t;
    cr_assert(cb_6008_local_time(&e, &t));
    cr_assert_eq(t, at(2018, 6, 28, 9, 3, 23));
}

Test(shutdown, not_a_readable_6008)
{
    struct cb_field f[2];
    cb_time t = 0;
    struct cb_event bad = ev6008(f, "25:00:00", "11/14/2024");
    cr_assert_eq(cb_6008_local_time(&bad, &t), 0);
    struct cb_event pm13 = ev6008(f, "13:00:00 PM", "11/14/2024");
    cr_assert_eq(cb_6008_local_time(&pm13, &t), 0);
    struct cb_event other = ev6008(f, "9:42:10 PM", "11/14/2024");
    other.event_id = 6006;
    cr_assert_eq(cb_6008_local_time(&other, &t), 0);
}

/* ---- Kernel-Power 41 ---------------------------------------------------- */

static struct cb_event kp41(struct cb_field f[2], const char *code,
                            const char *button)
{
    f[0] = (struct cb_field){"BugcheckCode", code};
    f[1] = (struct cb_field){"PowerButtonTimestamp", button};
    return (struct cb_event){.flags = CB_EV_HAS_EVENT_ID,
                             .event_id = 41,
                             .provider = "Microsoft-Windows-Kernel-Power",
                             .fields = f,
                             .nfields = 2};
}

Test(shutdown, kp41_zero_and_zero_is_power_loss_or_hard_reset)
{
    struct cb_field f[2];
    struct cb_event e = kp41(f, "0", "0");
    cr_assert_eq(cb_kp41_kind(&e, NULL), CB_STOP_POWER_LOSS);
    cr_assert_str_eq(cb_stop_kind_text(CB_STOP_POWER_LOSS),
                     "power loss or hard reset");
}

Test(shutdown, kp41_bugcheck_code_is_a_crash)
{
    struct cb_field f[2];
    unsigned long code = 0;
    struct cb_event e = kp41(f, "126", "0"); /* 0x7E, as real logs write */
    cr_assert_eq(cb_kp41_kind(&e, &code), CB_STOP_BUGCHECK);
    cr_assert_eq(code, 0x7E);
}

Test(shutdown, kp41_power_button_timestamp_is_the_button)
{
    struct cb_field f[2];
    struct cb_event e = kp41(f, "0", "132847362719245312");
    cr_assert_eq(cb_kp41_kind(&e, NULL), CB_STOP_POWER_BUTTON);
}

Test(shutdown, kp41_without_fields_or_of_another_provider_is_unknown)
{
    struct cb_field f[2];
    struct cb_event e = kp41(f, "0", "0");
    e.nfields = 0;
    cr_assert_eq(cb_kp41_kind(&e, NULL), CB_STOP_UNKNOWN);
    struct cb_event o = kp41(f, "0", "0");
    o.provider = "Other-Provider"; /* id 41 belongs to several providers */
    cr_assert_eq(cb_kp41_kind(&o, NULL), CB_STOP_UNKNOWN);
    cr_assert_null(cb_stop_kind_text(CB_STOP_UNKNOWN));
}

/* ---- outages (cb_stop_outage) -------------------------------------------- */

#include "casebrief/analysis.h"
#include "casebrief/timeline.h"
#include "registry.h"

Test(shutdown, one_boot_gives_one_outage_with_its_6008_time_and_41_verdict)
{
    /* NODE1 at UTC+2 (--tz): routine events until 19:43:30 UTC, a 6008
     * saying 9:42:10 PM local (its time is the last heartbeat: events may
     * follow it), then the boot at 21:53 with Kernel-Power 41 (power loss)
     * written a few seconds before the 6008 */
    struct cb_analysis *an = cb_analysis_create_all(NULL);
    cr_assert_not_null(an);
    an->tz[0] = (struct cb_tz_override){"NODE1", 120};
    an->ntz = 1;
    struct cb_field f6008[2], f41[2];
    struct cb_event ev[6] = {
        {.ts = at(2024, 11, 14, 19, 30, 0), .host = "NODE1"},
        {.ts = at(2024, 11, 14, 19, 43, 30), .host = "NODE1"},
        {.ts = at(2024, 11, 14, 19, 50, 0), .host = "NODE2"},
        {.ts = at(2024, 11, 14, 21, 53, 0), .host = "NODE1"},
    };
    ev[4] = kp41(f41, "0", "0");
    ev[4].ts = at(2024, 11, 14, 21, 53, 5);
    ev[4].host = "NODE1";
    ev[5] = ev6008(f6008, "9:42:10 PM", "11/14/2024");
    ev[5].ts = at(2024, 11, 14, 21, 53, 8);
    ev[5].host = "NODE1";
    struct cb_event *p[6];
    for (int i = 0; i < 6; i++)
        p[i] = &ev[i];
    struct cb_timeline tl = {.events = p, .count = 6, .an = an};
    struct cb_outage o, o41;
    cr_assert_eq(cb_stop_outage(&tl, 5, &o), 1);
    cr_assert_eq(cb_stop_outage(&tl, 4, &o41), 1);
    cr_assert_eq(o.stop, at(2024, 11, 14, 19, 42, 10));
    cr_assert_eq(o.from, at(2024, 11, 14, 19, 43, 30),
                 "the node logged after its 6008 time: from its last event");
    cr_assert_str_eq(o.from_by, "last event before the stop");
    cr_assert_eq(o.to, at(2024, 11, 14, 21, 53, 0), "the first boot event");
    cr_assert_str_eq(o.how, "power loss or hard reset");
    cr_assert_str_eq(o.host, "NODE1");
    /* the 41 of the same boot tells the same outage */
    cr_assert_eq(o41.stop, o.stop);
    cr_assert_eq(o41.from, o.from);
    cr_assert_eq(o41.to, o.to);
    cr_assert_eq(cb_outage_stop_time(&o, 1, ev[5].ts), o.stop);
    /* a node without an earlier event or a 6008 time: nothing known */
    tl.an = NULL;
    struct cb_event *only[1] = {&ev[4]};
    struct cb_timeline one = {.events = only, .count = 1};
    cr_assert_eq(cb_stop_outage(&one, 0, &o), 0);
    cb_analysis_destroy(&an);
}
