/* What `rules check` reads in a remediation step's PowerShell and in a
 * reference: whether a command changes something, whether a disk repair
 * runs outside the CSV maintenance procedure, whether a value looks like a
 * template left in place, and whether a reference has a public address. */
#ifndef CB_STEPLINT_H
#define CB_STEPLINT_H

#include <stddef.h>

/* The first command of ps that changes something (Set-*, Stop-*, chkdsk /f,
 * setspn -S, a property assignment, ...), copied into out; 0 when every
 * command only reads. */
int cb_ps_changes(const char *ps, char *out, size_t outsz);

/* Whether ps repairs a file system offline (chkdsk /f /r /x, Repair-Volume
 * -SpotFix or -OfflineScanAndFix). */
int cb_ps_offline_repair(const char *ps);

/* Whether ps turns on maintenance for a disk or CSV before the position
 * `before` (NULL: anywhere). */
int cb_ps_maintenance_before(const char *ps, const char *before);

/* Whether ps uses a drive-letter tool (-DriveLetter). */
int cb_ps_drive_letter(const char *ps);

/* A parameter value that looks like a template word left in place
 * (-VMName VM, -Node OTHER-NODE), copied into out; 0 when none. */
int cb_ps_template_value(const char *ps, char *out, size_t outsz);

/* Why a <ref> is not a public citation (no https address, http, a private
 * host, an internal path), or NULL when it is one. */
const char *cb_ref_problem(const char *ref);

#endif
