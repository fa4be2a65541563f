/*
 * shutdown.h - the facts of an unclean stop that the events carry beyond
 * their own time stamp: when the machine really went down (EventLog 6008
 * writes it at the next boot, as the node's local wall-clock time) and
 * how (Kernel-Power 41's BugcheckCode and PowerButtonTimestamp).
 */
#ifndef CASEBRIEF_SHUTDOWN_H
#define CASEBRIEF_SHUTDOWN_H

#include "casebrief/event.h"
#include "casebrief/rules.h"
#include "casebrief/timeline.h"

/*
 * The local wall-clock time of the shutdown a 6008 event reports: its
 * data %1 (time) and %2 (date), else its message "The previous system
 * shutdown at %1 on %2 was unexpected.". Both are localized strings:
 * "9:42:10 PM" / "11/14/2024" (en-US: month first with AM/PM),
 * "21:42:10" / "14.11.2024" or "14/11/2024" (day first without AM/PM),
 * "2024-11-14"; the invisible left-to-right marks Windows puts in dates
 * are skipped. Returns 1 and *local (ticks of that wall-clock time, as
 * if it were UTC), or 0 when the event is not a readable 6008.
 */
int cb_6008_local_time(const struct cb_event *e, cb_time *local);

enum cb_stop_kind {
    CB_STOP_UNKNOWN = 0, /* not a Kernel-Power 41, or fields missing */
    CB_STOP_POWER_LOSS,  /* BugcheckCode 0, PowerButtonTimestamp 0 */
    CB_STOP_BUGCHECK,    /* BugcheckCode non-zero: a crash */
    CB_STOP_POWER_BUTTON /* PowerButtonTimestamp non-zero */
};

/* How a machine stopped, from a Kernel-Power 41 event; *bugcheck (may
 * be NULL) gets the bug-check code. */
enum cb_stop_kind cb_kp41_kind(const struct cb_event *e,
                               unsigned long *bugcheck);
/* "power loss or hard reset", "bug check (crash)", "power button held",
 * or NULL for CB_STOP_UNKNOWN. */
const char *cb_stop_kind_text(enum cb_stop_kind k);

/*
 * The outage the unclean-stop event i of tl (6008, Kernel-Power 41: both
 * written at the next boot) reports for its host: the stop time from a
 * 6008 of that boot (within 5 minutes of e) converted with the host's
 * offset (tl->an: cb_host_utc_offset), how from a Kernel-Power 41 of that
 * boot, and the span from the node's last event before the stop to its
 * first event after it: the longest silence of the host's events that
 * ends after the stop time, looked for from 10 minutes before it (a day
 * before the boot when the 6008 time is unknown). Returns 1 and *o, or 0
 * when nothing tells when the node stopped (no 6008 time and no earlier
 * event of the host). At most CB_LIMIT_OUTAGE_SCAN events are walked.
 */
int cb_stop_outage(const struct cb_timeline *tl, size_t i,
                   struct cb_outage *o);

/* When the node of an unclean-stop event at ts went down, for comparing
 * nodes: the 6008 time of the outage o (known: cb_stop_outage's result),
 * else ts (the boot: the stop lies anywhere in the silence before). */
cb_time cb_outage_stop_time(const struct cb_outage *o, int known, cb_time ts);

#endif
