/*
 * clusterlog.c - Get-ClusterLog output (cluster.log), every part of it.
 *
 * Line: PPPPPPPP.TTTTTTTT::YYYY/MM/DD-HH:MM:SS.mmm LEVL  [COMP] text
 * pid and tid in hex, level padded with spaces, component optional.
 *
 * Windows Server 2016 and later start with sections "[=== Name ===]":
 *   Cluster       header: build, "UTC = localtime + time zone offset; ...
 *                 offset of this machine is N minutes", "The logs were
 *                 generated using local time", "Current node: NAME (n)"
 *   Resources, Groups, Nodes, Networks, Volumes, ...
 *                 CSV-shaped configuration, kept as tables on the source
 *   System, Microsoft-Windows-FailoverClustering/Operational logs, ...
 *                 event channels: "[Channel] pid.tid::time LEVEL message",
 *                 messages continuing on lines without that prefix
 *   Cluster Logs  the debug log proper
 * Earlier versions have only the debug log. Times are UTC unless the
 * header says local time; with its offset they are converted to UTC, and
 * the time basis of the file says which it was. UTF-8, ASCII and UTF-16LE
 * (with or without BOM) are read. See shared/kb/FORMATS.md.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "platform.h"
#include "stream.h"
#include "casebrief/limits.h"
#include "casebrief/parser.h"

#define COMPONENT_MAX 48
#define CHANNEL_MAX 128

enum section {
    SEC_NONE,    /* before any marker: a headerless (2012 R2) debug log */
    SEC_HEADER,  /* [=== Cluster ===] */
    SEC_UNKNOWN, /* a marker whose first line decides config or channel */
    SEC_CONFIG,
    SEC_CHANNEL,
    SEC_BODY     /* [=== Cluster Logs ===] */
};

struct state {
    uint64_t line;
    const char *host, *channel;
    enum section sec;
    char sec_name[128];
    uint64_t sec_line;
    int header_seen, local_time, offset_known;
    long offset_min; /* UTC = local + offset_min */
    struct cb_table *table; /* the configuration section being read */
    /* a channel-section event waits for its continuation lines */
    int pending;
    struct cb_event pend;
    char *msg;
    size_t msg_len, msg_cap;
    /* a line read ahead of its turn (it ended a pending event) */
    char *held;
    size_t held_len, held_cap;
    uint64_t held_line;
    int have_held;
    struct cb_text text; /* p->in while open: text.in */
    /* caches: consecutive lines mostly share the date, and a log uses a
     * few dozen components */
    char last_date[10];
    int64_t last_days;
    struct {
        const char *str; /* interned */
        size_t len;
    } comps[64];
};

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Hex digit values with bit 6 set; 0 for every other byte, so one AND
 * over eight digits says whether all were hex (branch-free). */
#define H(v) (0x40 | (v))
static const unsigned char hex_table[256] = {
    ['0'] = H(0), ['1'] = H(1), ['2'] = H(2), ['3'] = H(3), ['4'] = H(4),
    ['5'] = H(5), ['6'] = H(6), ['7'] = H(7), ['8'] = H(8), ['9'] = H(9),
    ['a'] = H(10), ['b'] = H(11), ['c'] = H(12), ['d'] = H(13),
    ['e'] = H(14), ['f'] = H(15), ['A'] = H(10), ['B'] = H(11),
    ['C'] = H(12), ['D'] = H(13), ['E'] = H(14), ['F'] = H(15),
};
#undef H

static int is_hex(unsigned char c)
{
    return hex_table[c] != 0;
}

/* Eight hex digits at s, or -1. */
static int64_t hex8(const char *s)
{
    uint32_t v = 0;
    unsigned all = 0x40;
    for (int i = 0; i < 8; i++) {
        unsigned t = hex_table[(unsigned char)s[i]];
        all &= t;
        v = v << 4 | (t & 15u);
    }
    return all ? (int64_t)v : -1;
}

/* Parse "<hex>.<hex>::" at s; returns the length consumed or 0. */
static size_t parse_ids(const char *s, size_t n, uint32_t *pid, uint32_t *tid)
{
    /* every Get-ClusterLog version writes eight digits each */
    if (n >= 19 && s[8] == '.' && s[17] == ':' && s[18] == ':') {
        int64_t p = hex8(s), t = hex8(s + 9);
        if (p >= 0 && t >= 0) {
            *pid = (uint32_t)p;
            *tid = (uint32_t)t;
            return 19;
        }
    }
    size_t i = 0;
    uint32_t v = 0;
    int k = 0;
    while (i < n && k < 8 && is_hex((unsigned char)s[i])) {
        v = v << 4 | (hex_table[(unsigned char)s[i]] & 15u);
        i++, k++;
    }
    if (k == 0 || i >= n || s[i] != '.')
        return 0;
    *pid = v;
    i++;
    v = 0;
    k = 0;
    while (i < n && k < 8 && is_hex((unsigned char)s[i])) {
        v = v << 4 | (hex_table[(unsigned char)s[i]] & 15u);
        i++, k++;
    }
    if (k == 0 || i + 2 > n || s[i] != ':' || s[i + 1] != ':')
        return 0;
    *tid = v;
    return i + 2;
}

/* Does the line start like a body line? Used by bid as well. */
static int looks_like_line(const char *s, size_t n)
{
    uint32_t pid, tid;
    size_t k = parse_ids(s, n, &pid, &tid);
    return k && n >= k + 23 && s[k + 4] == '/' && s[k + 7] == '/' &&
           s[k + 10] == '-';
}

static int level_of(const char *w, size_t n)
{
    if (n == 4 && memcmp(w, "INFO", 4) == 0)
        return CB_LEVEL_INFO;
    if (n == 3 && memcmp(w, "ERR", 3) == 0)
        return CB_LEVEL_ERROR;
    if (n == 4 && memcmp(w, "WARN", 4) == 0)
        return CB_LEVEL_WARNING;
    if (n == 3 && memcmp(w, "DBG", 3) == 0)
        return CB_LEVEL_DEBUG;
    if (n == 4 && memcmp(w, "CRIT", 4) == 0)
        return CB_LEVEL_CRITICAL;
    if (n == 4 && memcmp(w, "VERB", 4) == 0)
        return CB_LEVEL_VERBOSE;
    if (n == 5 && memcmp(w, "ERROR", 5) == 0)
        return CB_LEVEL_ERROR;
    return 0;
}

static int bid(const unsigned char *head, size_t len, const char *name)
{
    int b = 0;
    size_t nl = name ? strlen(name) : 0;
    if (nl >= 11 && strcasecmp(name + nl - 11, "cluster.log") == 0)
        b += 8;
    char buf[512];
    const char *s;
    size_t n = cb_text_narrow(head, len, buf, sizeof buf, &s);
    size_t i = 0;
    while (i < n && (s[i] == '\r' || s[i] == '\n' || s[i] == ' '))
        i++;
    s += i;
    n -= i;
    if (n >= 14 && memcmp(s, "[=== Cluster ", 13) == 0)
        b += 32;
    else if (looks_like_line(s, n))
        b += 32;
    return b;
}

static enum cb_status open_(struct cb_parse *p, void **state)
{
    struct state *st = cb_calloc(1, sizeof *st);
    if (!st)
        return CB_E_NOMEM;
    if (cb_stream_open_text(&st->text, p->in, CB_LIMIT_LINE_BYTES) != CB_OK) {
        cb_free(st);
        return CB_E_NOMEM;
    }
    if (cb_text_is_utf16be(st->text.enc)) {
        cb_stream_close_text(&st->text);
        cb_free(st);
        return cb_error_set(&p->err, CB_E_UNSUPPORTED, CB_WHERE_OFFSET, 0,
                            "UTF-16 big-endian cluster.log is not read");
    }
    p->in = st->text.in;
    st->host = p->src->host;
    st->channel = cb_intern_cstr(p->strings, "cluster.log");
    if (!st->channel) {
        p->in = st->text.raw;
        cb_stream_close_text(&st->text);
        cb_free(st);
        return CB_E_NOMEM;
    }
    p->src->origin_is_line = 1;
    *state = st;
    return CB_OK;
}

/* What the file says about its clock, once it is known. */
static void set_time_basis(struct cb_parse *p, struct state *st)
{
    if (!st->header_seen) {
        p->src->time_kind = CB_TK_UTC_ASSUMED;
        p->src->time_basis = "UTC assumed: no header (Windows Server 2012 R2 "
                             "or earlier; Get-ClusterLog writes UTC unless "
                             "-UseLocalTime)";
    } else if (!st->local_time) {
        p->src->time_kind = CB_TK_UTC;
        p->src->time_basis = "UTC (header)";
    } else if (st->offset_known) {
        p->src->time_kind = CB_TK_LOCAL_STATED;
        p->src->time_basis = cb_arena_printf(
            p->arena,
            "local time converted to UTC with the header's offset "
            "(UTC = local %+ld min, at collection; an event across a DST "
            "change may be 1 h off)",
            st->offset_min);
    } else {
        p->src->time_kind = CB_TK_LOCAL;
        p->src->time_basis = "local time per header, offset unknown: taken "
                             "as UTC";
    }
}

static void close_(struct cb_parse *p, void **state)
{
    if (!state || !*state)
        return;
    struct state *st = *state;
    p->in = st->text.raw;
    cb_stream_close_text(&st->text);
    cb_free(st->msg);
    cb_free(st->held);
    cb_free(st);
    *state = NULL;
}

/* Split one CSV line into arena strings; returns the count, or -1 on
 * out of memory. Quotes per RFC 4180, on one line. */
static int split_csv(struct cb_parse *p, const char *s, size_t n,
                     const char **out, int max)
{
    int k = 0;
    size_t i = 0;
    char *buf = cb_arena_alloc(p->arena, n + 1);
    if (!buf)
        return -1;
    size_t b = 0;
    for (;;) {
        size_t start = b;
        if (i < n && s[i] == '"') {
            i++;
            while (i < n) {
                if (s[i] == '"' && i + 1 < n && s[i + 1] == '"') {
                    buf[b++] = '"';
                    i += 2;
                } else if (s[i] == '"') {
                    i++;
                    break;
                } else {
                    buf[b++] = s[i++];
                }
            }
            while (i < n && s[i] != ',')
                buf[b++] = s[i++];
        } else {
            while (i < n && s[i] != ',')
                buf[b++] = s[i++];
        }
        buf[b++] = '\0';
        if (k < max)
            out[k] = buf + start;
        k++; /* counted past max: the caller says what was cut */
        if (i >= n)
            break;
        i++; /* the comma */
    }
    return k;
}

static int config_line(struct cb_parse *p, struct state *st, const char *s,
                       size_t n)
{
    struct cb_table *t = st->table;
    if (t && t->nrows >= CB_LIMIT_CLUSTERLOG_TABLE_ROWS) {
        if (t->rows_cut++ == 0)
            cb_parse_warn(p, CB_WHERE_LINE, st->line,
                          "[=== %s ===] table: rows past %u are counted, "
                          "not kept",
                          t->section, CB_LIMIT_CLUSTERLOG_TABLE_ROWS);
        return 0;
    }
    const char *vals[CB_LIMIT_CLUSTERLOG_COLUMNS];
    int k = split_csv(p, s, n, vals, CB_LIMIT_CLUSTERLOG_COLUMNS);
    if (k < 0)
        return -1;
    if (k > (int)CB_LIMIT_CLUSTERLOG_COLUMNS) {
        cb_parse_warn(p, CB_WHERE_LINE, st->line,
                      "[=== %s ===] table: %d columns, those past %u "
                      "ignored",
                      st->sec_name, k, CB_LIMIT_CLUSTERLOG_COLUMNS);
        k = (int)CB_LIMIT_CLUSTERLOG_COLUMNS;
    }
    const char **copy = cb_arena_alloc(p->arena, (size_t)k * sizeof *copy);
    if (!copy && k)
        return -1;
    memcpy(copy, vals, (size_t)k * sizeof *copy);
    if (!t) {
        t = cb_arena_calloc(p->arena, 1, sizeof *t);
        if (!t)
            return -1;
        t->host = st->host;
        t->section = cb_arena_strdup(p->arena, st->sec_name);
        if (!t->section)
            return -1;
        t->line = st->sec_line;
        t->cols = copy;
        t->ncols = (unsigned)k;
        st->table = t;
        if (p->src->tables_tail)
            p->src->tables_tail->next = t;
        else
            p->src->tables = t;
        p->src->tables_tail = t;
        return 0;
    }
    struct cb_row *r = cb_arena_calloc(p->arena, 1, sizeof *r);
    if (!r)
        return -1;
    r->vals = copy;
    r->nvals = (unsigned)k;
    r->line = st->line;
    if (t->rows_tail)
        t->rows_tail->next = r;
    else
        t->rows = r;
    t->rows_tail = r;
    t->nrows++;
    return 0;
}

/* "[=== Name ===]" */
static void enter_section(struct state *st, const char *s, size_t n)
{
    /* "[===" then the name between blanks, then "===]" */
    size_t a = 4, b = n - 4;
    while (a < b && s[a] == ' ')
        a++;
    while (b > a && s[b - 1] == ' ')
        b--;
    snprintf(st->sec_name, sizeof st->sec_name, "%.*s", (int)(b - a), s + a);
    st->sec_line = st->line;
    st->table = NULL;
    if (strcmp(st->sec_name, "Cluster") == 0) {
        st->sec = SEC_HEADER;
        st->header_seen = 1;
    } else if (strcmp(st->sec_name, "Cluster Logs") == 0) {
        st->sec = SEC_BODY;
    } else {
        st->sec = SEC_UNKNOWN;
    }
}

/* needle (lower case) in s[0..n), ignoring ASCII case; NULL if absent. */
static const char *casemem(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; k <= n && i <= n - k; i++) {
        if (strncasecmp(s + i, needle, k) == 0)
            return s + i;
    }
    return NULL;
}

/* Words of the header's own wording, never a node's name. */
static int reserved_word(const char *s, size_t n)
{
    static const char *const words[] = {"name", "node", "id", "current",
                                        "unknown", "none", "null"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        if (strlen(words[i]) == n && strncasecmp(s, words[i], n) == 0)
            return 1;
    }
    return 0;
}

/*
 * Is s[0..n) a computer name: a NetBIOS name (at most 15 bytes) or the
 * first label of a DNS name (at most 63): letters, digits, '-' and '_',
 * not starting or ending with '-', not all digits, not a header word.
 */
static int valid_node_name(const char *s, size_t n)
{
    if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-' ||
        reserved_word(s, n))
        return 0;
    int letter = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalpha(c) || c == '_' || c == '-')
            letter = 1;
        else if (!isdigit(c))
            return 0;
    }
    return letter;
}

/*
 * The node a "Current node:" line names, in either shape Get-ClusterLog
 * writes: "NAME (n) id (n)" (name first) or "name (NAME) id (n)" (the
 * word "name", the node in parentheses). A DNS name gives its first
 * label. Returns the name's length at *name, or 0 when there is none.
 */
static size_t node_of(const char *s, size_t n, const char **name)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    size_t k = 0;
    while (k < n && s[k] != ' ' && s[k] != '(' && s[k] != '\t')
        k++;
    const char *w = s;
    if (k == 4 && strncasecmp(s, "name", 4) == 0) {
        size_t i = k;
        while (i < n && s[i] == ' ')
            i++;
        if (i >= n || s[i] != '(')
            return 0;
        w = s + i + 1;
        k = 0;
        while (w + k < s + n && w[k] != ')')
            k++;
        if (w + k >= s + n)
            return 0;
    }
    /* "node.contoso.local": the host is the first label */
    const char *dot = memchr(w, '.', k);
    if (dot)
        k = (size_t)(dot - w);
    while (k && (w[k - 1] == ' ' || w[k - 1] == '\t'))
        k--;
    while (k && (*w == ' ' || *w == '\t'))
        w++, k--;
    if (!valid_node_name(w, k))
        return 0;
    *name = w;
    return k;
}

/* "Current node: ...": the file's own statement of its host, which beats
 * the file name (the name may be a copy's). Returns -1 on out of memory. */
static int current_node(struct cb_parse *p, struct state *st, const char *s,
                        size_t n)
{
    const char *w;
    size_t k = node_of(s, n, &w);
    if (k == 0) {
        cb_parse_warn(p, CB_WHERE_LINE, st->line,
                      "'Current node:' line names no valid computer name "
                      "('%.*s'); host kept from the file name",
                      (int)(n > 40 ? 40 : n), s);
        return 0;
    }
    char name[64];
    for (size_t i = 0; i < k; i++)
        name[i] = (char)toupper((unsigned char)w[i]);
    const char *host = cb_intern(p->strings, name, k);
    if (!host)
        return -1;
    if (host == st->host)
        return 0;
    if (st->host[0])
        cb_parse_warn(p, CB_WHERE_LINE, st->line,
                      "file name says host %s, header says %s: %s used "
                      "(the header is written by the node itself; the "
                      "file name may be a renamed copy's)",
                      st->host, host, host);
    st->host = host;
    p->src->host = host;
    p->src->host_rule = "cluster.log header 'Current node:'";
    return 0;
}

/* The offset in "... offset of this machine is -60 minutes, or -1 hours"
 * (or "420 minutes"): 1 and *min, or 0 when the number is not there. */
static int offset_minutes(const char *q, size_t left, long *min)
{
    size_t i = 0;
    while (i < left && q[i] == ' ')
        i++;
    char num[24];
    size_t k = 0;
    if (i < left && (q[i] == '-' || q[i] == '+'))
        num[k++] = q[i++];
    while (i < left && k + 1 < sizeof num && isdigit((unsigned char)q[i]))
        num[k++] = q[i++];
    num[k] = '\0';
    if (k == 0 || !isdigit((unsigned char)num[k - 1]))
        return 0;
    /* a unit other than minutes would be misread */
    while (i < left && q[i] == ' ')
        i++;
    if (left - i >= 3 && strncasecmp(q + i, "min", 3) != 0)
        return 0;
    char *end;
    long v = strtol(num, &end, 10);
    if (*end != '\0' || v <= -24 * 60 || v >= 24 * 60)
        return 0;
    *min = v;
    return 1;
}

static int header_line(struct cb_parse *p, struct state *st, const char *s,
                       size_t n)
{
    /* "The logs were generated using local time" (-UseLocalTime); some
     * builds spell it differently or say UTC outright */
    if (casemem(s, n, "using local time") ||
        casemem(s, n, "in local time"))
        st->local_time = 1;
    else if (casemem(s, n, "generated using utc") ||
             casemem(s, n, "generated using gmt"))
        st->local_time = 0;
    const char *o = casemem(s, n, "offset of this machine is");
    if (o) {
        long v;
        const char *q = o + 25;
        if (offset_minutes(q, n - (size_t)(q - s), &v)) {
            st->offset_min = v;
            st->offset_known = 1;
            p->src->utc_offset_known = 1;
            p->src->utc_offset_min = (int32_t)v;
        } else {
            cb_parse_warn(p, CB_WHERE_LINE, st->line,
                          "UTC offset line not understood");
        }
    }
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    /* "Build Number 17763": the OS build of the node that wrote it */
    if (n - i > 13 && strncasecmp(s + i, "Build Number ", 13) == 0) {
        size_t a = i + 13, b = a;
        while (b < n && b - a < 10 && s[b] >= '0' && s[b] <= '9')
            b++;
        if (b > a && !p->src->os_build) {
            p->src->os_build = cb_arena_strndup(p->arena, s + a, b - a);
            if (!p->src->os_build)
                return -1;
        }
        return 0;
    }
    if (n - i > 13 && strncasecmp(s + i, "Current node:", 13) == 0)
        return current_node(p, st, s + i + 13, n - i - 13);
    return 0;
}

static const char *component(struct cb_parse *p, struct state *st,
                             const char *c, size_t n)
{
    unsigned h = ((unsigned char)c[0] * 31u + (unsigned char)c[n - 1] +
                  (unsigned)n * 7u) & 63u;
    if (st->comps[h].str && st->comps[h].len == n &&
        memcmp(st->comps[h].str, c, n) == 0)
        return st->comps[h].str;
    const char *in = cb_intern(p->strings, c, n);
    if (in) {
        st->comps[h].str = in;
        st->comps[h].len = n;
    }
    return in;
}

/* "[Channel] " at s: length of the channel name (> 0) or 0. */
static size_t channel_prefix(const char *s, size_t n)
{
    if (n < 3 || s[0] != '[')
        return 0;
    size_t j = 1;
    while (j < n && j <= CHANNEL_MAX && s[j] != ']')
        j++;
    if (j >= n || s[j] != ']' || j == 1 || j + 1 >= n || s[j + 1] != ' ')
        return 0;
    return looks_like_line(s + j + 2, n - j - 2) ? j - 1 : 0;
}

enum line_result { LINE_BAD = 0, LINE_EVENT = 1, LINE_NOMEM = -1 };

/*
 * "pid.tid::time LEVEL text" at s into ev (message not copied: *text and
 * *text_len say where it is). with_component: look for "[COMP] ".
 */
static enum line_result parse_line(struct cb_parse *p, struct state *st,
                                   const char *s, size_t n,
                                   struct cb_event *ev, int with_component,
                                   const char **text, size_t *text_len)
{
    uint32_t pid, tid;
    size_t k = parse_ids(s, n, &pid, &tid);
    /* date 23 bytes: YYYY/MM/DD-HH:MM:SS.mmm */
    if (!k || n < k + 23) {
        cb_parse_warn(p, CB_WHERE_LINE, st->line,
                      "not a cluster.log line (expected "
                      "pid.tid::YYYY/MM/DD-HH:MM:SS.mmm)");
        return LINE_BAD;
    }
    const char *t = s + k;
    int y = digits(t, 4), mo = digits(t + 5, 2), d = digits(t + 8, 2);
    int hh = digits(t + 11, 2), mi = digits(t + 14, 2);
    int ss = digits(t + 17, 2), ms = digits(t + 20, 3);
    if (t[4] != '/' || t[7] != '/' || t[10] != '-' || t[13] != ':' ||
        t[16] != ':' || t[19] != '.' || y < 0 || mo < 0 || d < 0 ||
        hh < 0 || mi < 0 || ss < 0 || ms < 0) {
        cb_parse_warn(p, CB_WHERE_LINE, st->line, "bad timestamp");
        return LINE_BAD;
    }
    cb_time ts;
    if (memcmp(t, st->last_date, 10) == 0 && hh < 24 && mi < 60 && ss < 61) {
        ts = ((st->last_days * 86400 + hh * 3600 + mi * 60 + ss) * 1000 +
              ms) * 10000 + CB_TIME_UNIX_EPOCH;
    } else {
        ts = cb_time_from_civil(y, mo, d, hh, mi, ss, ms * 10000);
        if (ts == CB_TIME_NONE) {
            cb_parse_warn(p, CB_WHERE_LINE, st->line,
                          "timestamp out of range");
            return LINE_BAD;
        }
        memcpy(st->last_date, t, 10);
        st->last_days = cb_days_from_civil(y, (unsigned)mo, (unsigned)d);
    }
    uint32_t flags = CB_EV_HAS_PID;
    if (st->local_time && st->offset_known)
        ts += (cb_time)st->offset_min * 60 * 10000000;
    else if (st->local_time || !st->header_seen)
        flags |= CB_EV_TIME_ASSUMED;
    /* level: word after one or more spaces */
    size_t i = k + 23;
    while (i < n && s[i] == ' ')
        i++;
    size_t w = i;
    while (i < n && s[i] != ' ')
        i++;
    int level = level_of(s + w, i - w);
    if (!level) {
        cb_parse_warn(p, CB_WHERE_LINE, st->line,
                      "unknown level '%.*s', taken as info",
                      (int)(i - w > 16 ? 16 : i - w), s + w);
        level = CB_LEVEL_INFO;
    }
    while (i < n && s[i] == ' ')
        i++;
    const char *comp = NULL;
    if (with_component && i < n && s[i] == '[') {
        size_t j = i + 1;
        while (j < n && j - i <= COMPONENT_MAX && s[j] != ']' && s[j] != ' ')
            j++;
        if (j < n && s[j] == ']' && j > i + 1 && j - i - 1 < COMPONENT_MAX) {
            comp = component(p, st, s + i + 1, j - i - 1);
            if (!comp)
                return LINE_NOMEM;
            i = j + 1;
            while (i < n && s[i] == ' ')
                i++;
        }
    }
    memset(ev, 0, sizeof *ev);
    ev->ts = ts;
    ev->flags = flags;
    ev->level = (uint8_t)level;
    ev->pid = pid;
    ev->tid = tid;
    ev->host = st->host;
    ev->channel = st->channel;
    ev->component = comp;
    ev->origin = st->line;
    /* trailing blanks are padding (pasted text, Markdown line breaks) */
    while (n > i && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    *text = s + i;
    *text_len = n - i;
    return LINE_EVENT;
}

static int msg_append(struct state *st, const char *s, size_t n, int sep)
{
    size_t need = st->msg_len + n + 2;
    if (need > (size_t)CB_LIMIT_LINE_BYTES * 4)
        return 0; /* continuation beyond the cap is dropped */
    if (need > st->msg_cap) {
        size_t cap = st->msg_cap ? st->msg_cap : 256;
        while (cap < need)
            cap *= 2;
        char *m = cb_realloc(st->msg, cap);
        if (!m)
            return -1;
        st->msg = m;
        st->msg_cap = cap;
    }
    if (sep)
        st->msg[st->msg_len++] = '\n';
    memcpy(st->msg + st->msg_len, s, n);
    st->msg_len += n;
    st->msg[st->msg_len] = '\0';
    return 0;
}

/* Hand out the pending channel event. */
static enum cb_next emit_pending(struct cb_parse *p, struct state *st,
                                 struct cb_event *ev)
{
    *ev = st->pend;
    st->pending = 0;
    char *m = cb_arena_strndup(p->ev_arena ? p->ev_arena : p->arena,
                               st->msg ? st->msg : "",
                               st->msg_len);
    if (!m)
        return cb_error_set(&p->err, CB_E_NOMEM, CB_WHERE_LINE, st->line,
                            "out of memory"),
               CB_NEXT_FAIL;
    ev->message = m;
    return CB_NEXT_EVENT;
}

/* Keep the current line for the next call (it ends a pending event). */
static int hold(struct state *st, const char *s, size_t n)
{
    if (n + 1 > st->held_cap) {
        size_t cap = n + 1 < 256 ? 256 : n + 1;
        char *h = cb_realloc(st->held, cap);
        if (!h)
            return -1;
        st->held = h;
        st->held_cap = cap;
    }
    memcpy(st->held, s, n);
    st->held[n] = '\0';
    st->held_len = n;
    st->held_line = st->line;
    st->have_held = 1;
    return 0;
}

/*
 * Event channel sections: Windows Server 2016 writes some entries at DBG
 * whatever the event's level was, and then the rendered line may start
 * with that level ("DBG   Error: ...", "DBG   [Warning] ..."). Such a
 * leading level word sets the event's level and leaves the message.
 */
static void own_level(struct cb_event *ev, const char **text, size_t *len)
{
    static const struct {
        const char *word;
        int level;
    } words[] = {
        {"Critical", CB_LEVEL_CRITICAL}, {"Error", CB_LEVEL_ERROR},
        {"Warning", CB_LEVEL_WARNING},   {"Information", CB_LEVEL_INFO},
        {"Verbose", CB_LEVEL_VERBOSE},
    };
    if (ev->level != CB_LEVEL_DEBUG)
        return;
    const char *s = *text;
    size_t n = *len, i = 0;
    int bracket = n && s[0] == '[';
    i += (size_t)bracket;
    for (size_t w = 0; w < sizeof words / sizeof *words; w++) {
        size_t k = strlen(words[w].word);
        if (n - i < k + 1 || memcmp(s + i, words[w].word, k) != 0)
            continue;
        size_t j = i + k;
        if (bracket ? s[j] != ']' : s[j] != ':')
            return;
        j++;
        while (j < n && (s[j] == ' ' || s[j] == '\t'))
            j++;
        ev->level = (uint8_t)words[w].level;
        *text = s + j;
        *len = n - j;
        return;
    }
}

/*
 * Debug-log lines may continue on the lines after them (a resource DLL's
 * multi-line output): indented lines without the pid.tid prefix that
 * follow an event line belong to its message. Peeked, so the common case
 * (no continuation) costs one byte of look-ahead. -1 on out of memory.
 */
static int continuations(struct cb_parse *p, struct state *st,
                         struct cb_event *ev)
{
    for (;;) {
        size_t avail;
        const unsigned char *h = cb_stream_peek(p->in, 1, &avail);
        if (!h || avail < 1 || (h[0] != ' ' && h[0] != '\t'))
            return 0;
        int cut = 0;
        size_t n;
        const char *s = cb_stream_line(p->in, &n, &cut);
        if (!s)
            return 0;
        st->line++;
        if (cut)
            cb_parse_warn(p, CB_WHERE_LINE, st->line,
                          "line longer than %zu bytes, cut", n);
        size_t b = 0;
        while (b < n && (s[b] == ' ' || s[b] == '\t'))
            b++;
        if (b == n)
            continue; /* blank */
        size_t old = strlen(ev->message);
        size_t keep = n;
        if (old + keep + 2 > (size_t)CB_LIMIT_LINE_BYTES * 4)
            continue; /* continuation beyond the cap is dropped */
        char *m = cb_arena_alloc(p->ev_arena ? p->ev_arena : p->arena,
                                 old + keep + 2);
        if (!m)
            return -1;
        memcpy(m, ev->message, old);
        m[old] = '\n';
        memcpy(m + old + 1, s, keep);
        m[old + 1 + keep] = '\0';
        ev->message = m;
    }
}

#define NOMEM()                                                              \
    (cb_error_set(&p->err, CB_E_NOMEM, CB_WHERE_LINE, st->line,              \
                  "out of memory"),                                          \
     CB_NEXT_FAIL)

static enum cb_next next(struct cb_parse *p, void *state, struct cb_event *ev)
{
    struct state *st = state;
    size_t n;
    int cut = 0;
    const char *s;
    for (;;) {
        if (st->have_held) {
            s = st->held;
            n = st->held_len;
            st->line = st->held_line;
            st->have_held = 0;
        } else {
            s = cb_stream_line(p->in, &n, &cut);
            if (!s)
                break;
            st->line++;
            if (cut)
                cb_parse_warn(p, CB_WHERE_LINE, st->line,
                              "line longer than %zu bytes, cut", n);
        }
        size_t mn = n;
        while (mn && (s[mn - 1] == ' ' || s[mn - 1] == '\t'))
            mn--;
        int marker = mn >= 9 && memcmp(s, "[===", 4) == 0 &&
                     memcmp(s + mn - 4, "===]", 4) == 0;
        if (st->pending && n == 0)
            continue; /* blank lines inside a rendered message */
        if (st->pending) {
            int continuation = !marker && n > 0 && !channel_prefix(s, n);
            if (continuation) {
                if (msg_append(st, s, n, 1) != 0)
                    return NOMEM();
                continue;
            }
            if (hold(st, s, n) != 0)
                return NOMEM();
            return emit_pending(p, st, ev);
        }
        if (n == 0)
            continue;
        if (marker) {
            enter_section(st, s, mn);
            if (st->sec == SEC_BODY)
                set_time_basis(p, st);
            continue;
        }
        if (st->sec == SEC_HEADER) {
            if (header_line(p, st, s, n) != 0)
                return NOMEM();
            continue;
        }
        if (st->sec == SEC_UNKNOWN)
            st->sec = channel_prefix(s, n) ? SEC_CHANNEL : SEC_CONFIG;
        if (st->sec == SEC_CONFIG) {
            if (config_line(p, st, s, n) != 0)
                return NOMEM();
            continue;
        }
        if (st->sec == SEC_CHANNEL) {
            size_t cn = channel_prefix(s, n);
            if (!cn) {
                cb_parse_warn(p, CB_WHERE_LINE, st->line,
                              "text before the first event of section "
                              "'%s' ignored",
                              st->sec_name);
                continue;
            }
            const char *text;
            size_t tlen;
            enum line_result r = parse_line(p, st, s + cn + 3, n - cn - 3,
                                            &st->pend, 0, &text, &tlen);
            if (r == LINE_NOMEM)
                return NOMEM();
            if (r == LINE_BAD)
                continue;
            st->pend.channel = cb_intern(p->strings, s + 1, cn);
            if (!st->pend.channel)
                return NOMEM();
            own_level(&st->pend, &text, &tlen);
            st->msg_len = 0;
            if (msg_append(st, text, tlen, 0) != 0)
                return NOMEM();
            st->pending = 1;
            continue;
        }
        /* the debug log, with or without a header before it */
        if (st->sec == SEC_NONE && st->line == 1)
            set_time_basis(p, st);
        const char *text;
        size_t tlen;
        enum line_result r = parse_line(p, st, s, n, ev, 1, &text, &tlen);
        if (r == LINE_NOMEM)
            return NOMEM();
        if (r == LINE_BAD)
            continue;
        char *msg =
            cb_arena_strndup(p->ev_arena ? p->ev_arena : p->arena, text, tlen);
        if (!msg)
            return NOMEM();
        ev->message = msg;
        if (continuations(p, st, ev) != 0)
            return NOMEM();
        return CB_NEXT_EVENT;
    }
    if (st->pending)
        return emit_pending(p, st, ev);
    if (!p->src->time_basis[0])
        set_time_basis(p, st);
    if (p->in->failed) {
        p->err = p->in->err;
        return CB_NEXT_FAIL;
    }
    return CB_NEXT_END;
}

const struct cb_parser_ops cb_parser_clusterlog = {
    .name = "clusterlog",
    .description = "Get-ClusterLog cluster.log: header, configuration, "
                   "event-channel sections and debug log",
    .data_type = "windows:cluster:log",
    .bid = bid,
    .open = open_,
    .next = next,
    .close = close_,
    .events_rewindable = 1, /* only messages go to ev_arena */
};
