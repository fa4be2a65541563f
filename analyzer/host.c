/*
 * host.c - host names from file and folder names (see shared FORMATS.md):
 *
 *   Get-ClusterLog      <NODE>_cluster.log
 *   SDP                 <C>_evt_<short>.{evtx,csv,txt,XML}
 *   TSS file prefix     <C>_<yyMMdd-HHmmss>_<anything>
 *   TSS event logs      <C>-<channel, '/' and ' ' as '-'>.evtx
 *   TSS cluster script  <C>_<LogName, '/' as '_'>.{evtx,XML,Log}
 *   TSS folder / zip    TSSv2_<C>_<yyMMdd-HHmmss>... (any ancestor)
 *
 * The file name is tried before its ancestors; the events' own Computer
 * field overrides all of this later.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "host.h"

/* A computer name as these collectors write it: letters, digits and '-'
 * (NetBIOS names may not hold '_' or '.', which separate the parts). */
static int valid_name(const char *s, size_t n)
{
    if (n == 0 || n > 63)
        return 0;
    int alpha = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) && c != '-')
            return 0;
        alpha |= isalpha(c) != 0;
    }
    return alpha && s[0] != '-';
}

static int put(const char *s, size_t n, char *out, size_t size)
{
    if (!valid_name(s, n) || n + 1 > size)
        return 0;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)toupper((unsigned char)s[i]);
    out[n] = '\0';
    return 1;
}

static int ends_with_ci(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && strncasecmp(s + n - k, suffix, k) == 0;
}

/* "yyMMdd-HHmmss" at s? */
static int is_stamp(const char *s, size_t n)
{
    if (n < 13)
        return 0;
    for (size_t i = 0; i < 13; i++) {
        if (i == 6 ? s[i] != '-' : !isdigit((unsigned char)s[i]))
            return 0;
    }
    return 1;
}

/* Event log channel names as they appear after the computer name. */
static const char *const channel_heads[] = {
    "Microsoft-", "System.", "Application.", "Security.", "Setup.",
    "Windows-PowerShell", "Windows PowerShell", "HardwareEvents.",
    "ForwardedEvents.", "Key-Management-Service.", "Internet-Explorer.",
};

static const char *find_ci(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++) {
        if (strncasecmp(s + i, needle, k) == 0)
            return s + i;
    }
    return NULL;
}

/* Position of the separator sep that precedes a channel head, or NULL. */
static const char *channel_split(const char *s, size_t n, char sep)
{
    const char *best = NULL;
    for (size_t h = 0; h < sizeof channel_heads / sizeof *channel_heads;
         h++) {
        const char *p = s;
        size_t left = n;
        for (;;) {
            const char *q = find_ci(p, left, channel_heads[h]);
            if (!q)
                break;
            if (q > s && q[-1] == sep) {
                if (!best || q - 1 < best)
                    best = q - 1;
                break;
            }
            left -= (size_t)(q + 1 - p);
            p = q + 1;
        }
    }
    return best;
}

static int from_file(const char *b, size_t n, char *out, size_t size,
                     const char **rule)
{
    if (ends_with_ci(b, n, "_cluster.log") &&
        put(b, n - strlen("_cluster.log"), out, size)) {
        *rule = "Get-ClusterLog <NODE>_cluster.log";
        return 1;
    }
    const char *us = memchr(b, '_', n);
    if (us) {
        size_t rest = n - (size_t)(us + 1 - b);
        if (rest >= 4 && strncasecmp(us + 1, "evt_", 4) == 0 &&
            put(b, (size_t)(us - b), out, size)) {
            *rule = "SDP <COMPUTER>_evt_";
            return 1;
        }
        if (is_stamp(us + 1, rest) && put(b, (size_t)(us - b), out, size)) {
            *rule = "TSS <COMPUTER>_<yyMMdd-HHmmss>_";
            return 1;
        }
    }
    const char *dash = channel_split(b, n, '-');
    if (dash && put(b, (size_t)(dash - b), out, size)) {
        *rule = "TSS <COMPUTER>-<channel>.evtx";
        return 1;
    }
    const char *u = channel_split(b, n, '_');
    if (u && put(b, (size_t)(u - b), out, size)) {
        *rule = "TSS cluster script <COMPUTER>_<LogName>";
        return 1;
    }
    return 0;
}

static int from_folder(const char *b, size_t n, char *out, size_t size,
                       const char **rule)
{
    static const char *const heads[] = {"TSSv2_", "TSS_", "SDP_"};
    for (size_t h = 0; h < sizeof heads / sizeof *heads; h++) {
        size_t k = strlen(heads[h]);
        if (n <= k || strncasecmp(b, heads[h], k) != 0)
            continue;
        const char *c = b + k;
        const char *us = memchr(c, '_', n - k);
        size_t cn = us ? (size_t)(us - c) : n - k;
        if (put(c, cn, out, size)) {
            *rule = h == 2 ? "SDP folder SDP_<COMPUTER>_"
                           : "TSS folder TSSv2_<COMPUTER>_<stamp>";
            return 1;
        }
    }
    /* A TSS-prefixed folder: <C>_<yyMMdd-HHmmss>_... */
    const char *us = memchr(b, '_', n);
    if (us && is_stamp(us + 1, n - (size_t)(us + 1 - b)) &&
        put(b, (size_t)(us - b), out, size)) {
        *rule = "TSS folder <COMPUTER>_<yyMMdd-HHmmss>";
        return 1;
    }
    return 0;
}

int cb_host_from_path(const char *path, char *out, size_t size,
                      const char **rule)
{
    /* Components separated by '/', '\\' or '!' (archive nesting). */
    size_t n = strlen(path);
    size_t end = n;
    int first = 1;
    while (end > 0) {
        size_t start = end;
        while (start > 0 && path[start - 1] != '/' &&
               path[start - 1] != '\\' && path[start - 1] != '!')
            start--;
        if (end > start) {
            const char *b = path + start;
            size_t len = end - start;
            if (first ? from_file(b, len, out, size, rule)
                      : from_folder(b, len, out, size, rule))
                return 1;
            /* An archive member's own archive counts as a folder. */
            first = 0;
        }
        if (start == 0)
            break;
        end = start - 1;
    }
    return 0;
}
