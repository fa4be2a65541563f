/*
 * host.h - which node a file belongs to, from the naming conventions of
 * TSS, SDP, the TSS cluster script and Get-ClusterLog.
 */
#ifndef CASEBRIEF_HOST_H
#define CASEBRIEF_HOST_H

#include <stddef.h>

/*
 * Infer the host from a (possibly nested) source path. On success writes
 * the upper-cased name into out, the rule's name into *rule and returns 1;
 * returns 0 when no convention matches.
 */
int cb_host_from_path(const char *path, char *out, size_t size,
                      const char **rule);

#endif
