/*
 * shutdown.h - the facts of an unclean stop that the events carry beyond
 * their own time stamp: when the machine really went down (EventLog 6008
 * writes it at the next boot, as the node's local wall-clock time) and
 * how (Kernel-Power 41's BugcheckCode and PowerButtonTimestamp).
 */
#ifndef CASEBRIEF_SHUTDOWN_H
#define CASEBRIEF_SHUTDOWN_H

#include "casebrief/event.h"

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

#endif
