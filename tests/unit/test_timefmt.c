/*
 * test_timefmt.c - time as text (analyzer/timefmt.c). Every expected
 * string is written out by hand from the calendar, not taken from the
 * code under test.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "casebrief/event.h"
#include "timefmt.h"

#define SEC CB_TICKS_PER_SEC

static const char *ms(cb_time t, char sep)
{
    static char b[CB_TIMEFMT_MAX];
    cb_timefmt_ms(t, sep, b, sizeof b);
    return b;
}

static const char *iso(cb_time t)
{
    static char b[CB_TIMEFMT_MAX];
    cb_time_format_iso(t, b, sizeof b);
    return b;
}

static cb_time at(int y, int mo, int d, int h, int mi, int s, int frac)
{
    cb_time t = cb_time_from_civil(y, mo, d, h, mi, s, frac);
    cr_assert_neq(t, CB_TIME_NONE, "%d-%d-%d", y, mo, d);
    return t;
}

Test(timefmt, iso_of_the_filetime_and_unix_epochs)
{
    cr_assert_str_eq(iso(0), "1601-01-01T00:00:00.000000+00:00");
    cr_assert_str_eq(iso(CB_TIME_UNIX_EPOCH),
                     "1970-01-01T00:00:00.000000+00:00");
    /* half a second before 1970: the floor, not the truncation */
    cr_assert_str_eq(iso(CB_TIME_UNIX_EPOCH - SEC / 2),
                     "1969-12-31T23:59:59.500000+00:00");
}

Test(timefmt, milliseconds_cut_not_rounded)
{
    cb_time t = at(2024, 11, 15, 1, 58, 12, 9059999);
    cr_assert_str_eq(ms(t, ' '), "2024-11-15 01:58:12.905");
    cr_assert_str_eq(ms(t, 'T'), "2024-11-15T01:58:12.905");
}

Test(timefmt, leap_years)
{
    /* 2024 and 2000 (divisible by 400) have a 29 February; 1900 does
     * not: the day after 28 February 1900 is 1 March */
    cr_assert_str_eq(ms(at(2024, 2, 29, 23, 59, 59, 9990000), ' '),
                     "2024-02-29 23:59:59.999");
    cr_assert_str_eq(ms(at(2000, 2, 28, 12, 0, 0, 0) + 86400 * SEC, ' '),
                     "2000-02-29 12:00:00.000");
    cr_assert_eq(cb_time_from_civil(1900, 2, 29, 0, 0, 0, 0), CB_TIME_NONE);
    cr_assert_str_eq(ms(at(1900, 2, 28, 12, 0, 0, 0) + 86400 * SEC, ' '),
                     "1900-03-01 12:00:00.000");
    cr_assert_str_eq(ms(at(2023, 12, 31, 0, 0, 0, 0) + 86400 * SEC, ' '),
                     "2024-01-01 00:00:00.000");
}

Test(timefmt, years_past_9999_keep_their_digits)
{
    cb_time t = at(30000, 1, 1, 0, 0, 0, 0);
    cr_assert_str_eq(iso(t), "30000-01-01T00:00:00.000000+00:00");
    cr_assert_str_eq(ms(t, ' '), "30000-01-01 00:00:00.000");
}

Test(timefmt, offsets_east_and_west)
{
    char b[16];
    cb_timefmt_offset(60, b, sizeof b);
    cr_assert_str_eq(b, "+01:00");
    cb_timefmt_offset(0, b, sizeof b);
    cr_assert_str_eq(b, "+00:00");
    cb_timefmt_offset(-330, b, sizeof b);
    cr_assert_str_eq(b, "-05:30");
    cb_timefmt_offset(-30, b, sizeof b);
    cr_assert_str_eq(b, "-00:30");
    cb_timefmt_offset(345, b, sizeof b); /* Nepal */
    cr_assert_str_eq(b, "+05:45");
}

Test(timefmt, local_time_is_a_fixed_shift_without_dst)
{
    /* the night Europe moves its clocks: the offset given is the one
     * applied, before and after 01:00 UTC alike */
    cr_assert_str_eq(
        ms(cb_timefmt_local(at(2024, 3, 31, 0, 30, 0, 0), 60), ' '),
        "2024-03-31 01:30:00.000");
    cr_assert_str_eq(
        ms(cb_timefmt_local(at(2024, 3, 31, 1, 30, 0, 0), 60), ' '),
        "2024-03-31 02:30:00.000");
    /* west of UTC across midnight and the year */
    cr_assert_str_eq(
        ms(cb_timefmt_local(at(2024, 1, 1, 3, 0, 0, 0), -300), ' '),
        "2023-12-31 22:00:00.000");
    /* east across the leap day */
    cr_assert_str_eq(
        ms(cb_timefmt_local(at(2024, 2, 28, 20, 0, 0, 0), 330), ' '),
        "2024-02-29 01:30:00.000");
}

static const char *dur(cb_time from, cb_time to)
{
    static char b[CB_TIMEFMT_MAX];
    cb_timefmt_duration(from, to, b, sizeof b);
    return b;
}

Test(timefmt, durations_for_a_person)
{
    cb_time t = at(2024, 5, 1, 0, 0, 0, 0);
    cr_assert_str_eq(dur(t, t), "0.000 s");
    cr_assert_str_eq(dur(t, t + SEC + SEC / 4), "1.250 s");
    cr_assert_str_eq(dur(t, t + 60 * SEC - 10000), "59.999 s");
    cr_assert_str_eq(dur(t, t + 60 * SEC), "1 min 0 s");
    cr_assert_str_eq(dur(t, t + (3 * 3600 + 12 * 60 + 59) * SEC), "3 h 12 min");
    cr_assert_str_eq(dur(t, t + (86400 + 3 * 3600 + 59 * 60) * SEC), "1 d 3 h");
    cr_assert_str_eq(dur(t + SEC, t), "0.000 s"); /* backwards */
}

static const char *cached(struct cb_timefmt_cache *c, cb_time t)
{
    static char b[CB_TIMEFMT_MAX];
    size_t n = cb_timefmt_iso_cached(c, t, b);
    cr_assert_lt(n, sizeof b);
    b[n] = '\0';
    return b;
}

Test(timefmt, cached_iso_follows_days_seconds_and_going_back)
{
    struct cb_timefmt_cache c;
    cb_timefmt_cache_init(&c);
    cb_time t = at(2024, 2, 28, 23, 59, 59, 1234560);
    cr_assert_str_eq(cached(&c, t), "2024-02-28T23:59:59.123456+00:00");
    /* same second, other fraction */
    cr_assert_str_eq(cached(&c, t + 5000000),
                     "2024-02-28T23:59:59.623456+00:00");
    /* next second is the next (leap) day */
    cr_assert_str_eq(cached(&c, t + SEC), "2024-02-29T00:00:00.123456+00:00");
    /* back a day, then before 1970, then a five-digit year */
    cr_assert_str_eq(cached(&c, t), "2024-02-28T23:59:59.123456+00:00");
    cr_assert_str_eq(cached(&c, CB_TIME_UNIX_EPOCH - 10),
                     "1969-12-31T23:59:59.999999+00:00");
    cr_assert_str_eq(cached(&c, at(30000, 1, 1, 0, 0, 1, 0)),
                     "30000-01-01T00:00:01.000000+00:00");
    cr_assert_str_eq(cached(&c, t), "2024-02-28T23:59:59.123456+00:00");
}

Test(timefmt, cached_iso_equals_the_plain_form_over_a_sweep)
{
    struct cb_timefmt_cache c;
    cb_timefmt_cache_init(&c);
    /* strides that cross seconds, days and months in both directions */
    cb_time t = at(1999, 12, 30, 22, 0, 0, 0);
    for (int i = 0; i < 20000; i++) {
        t += (i % 7 == 0 ? -1 : 1) * (cb_time)(i % 13) * 3797 * SEC / 10 + 1;
        char want[CB_TIMEFMT_MAX];
        cb_time_format_iso(t, want, sizeof want);
        cr_assert_str_eq(cached(&c, t), want, "step %d", i);
    }
}
