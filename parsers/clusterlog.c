/*
 * clusterlog.c - Get-ClusterLog output (cluster.log), the debug log body.
 *
 * Line: PPPPPPPP.TTTTTTTT::YYYY/MM/DD-HH:MM:SS.mmm LEVL  [COMP] text
 * pid and tid in hex, level padded with spaces, component optional.
 * Times are UTC unless the 2016+ header says the log was generated using
 * local time. The header, configuration and embedded event-channel
 * sections are recognised and skipped here; see shared/kb/FORMATS.md.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "casebrief/alloc.h"
#include "casebrief/parser.h"

#define COMPONENT_MAX 48

struct state {
    uint64_t line;
    const char *host, *channel;
    int in_section;        /* inside a non-body [=== X ===] section */
    uint64_t section_lines; /* lines skipped in such sections */
    int local_time;
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
    size_t i = 0;
    if (len >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF)
        i = 3;
    while (i < len && (head[i] == '\r' || head[i] == '\n' || head[i] == ' '))
        i++;
    const char *s = (const char *)head + i;
    size_t n = len - i;
    if (n >= 17 && memcmp(s, "[=== Cluster ===]", 17) == 0)
        b += 32;
    else if (looks_like_line(s, n))
        b += 32;
    return b;
}

static enum cb_status open_(struct cb_parse *p, void **state)
{
    size_t avail;
    const unsigned char *h = cb_stream_peek(p->in, 2, &avail);
    if (avail == 2 && ((h[0] == 0xFF && h[1] == 0xFE) ||
                       (h[0] == 0xFE && h[1] == 0xFF)))
        return cb_error_set(&p->err, CB_E_UNSUPPORTED, CB_WHERE_OFFSET, 0,
                            "UTF-16 cluster.log is not read by this version");
    struct state *st = cb_calloc(1, sizeof *st);
    if (!st)
        return CB_E_NOMEM;
    st->host = p->src->host;
    st->channel = cb_intern_cstr(p->strings, "cluster.log");
    if (!st->channel) {
        cb_free(st);
        return CB_E_NOMEM;
    }
    p->src->time_basis = "UTC (Get-ClusterLog default)";
    p->src->origin_is_line = 1;
    *state = st;
    return CB_OK;
}

static void close_(struct cb_parse *p, void **state)
{
    if (!state || !*state)
        return;
    struct state *st = *state;
    if (st->section_lines)
        cb_parse_warn(p, CB_WHERE_NONE, 0,
                      "%llu lines of header, configuration and event-"
                      "channel sections not analysed by this version",
                      (unsigned long long)st->section_lines);
    cb_free(st);
    *state = NULL;
}

/* A section marker "[=== Name ===]". */
static void section(struct state *st, const char *s, size_t n)
{
    const char *name = s + 5;
    size_t k = n >= 10 ? n - 10 : 0;
    st->in_section = !(k == 12 && memcmp(name, "Cluster Logs", 12) == 0);
}

/* "Current node: NAME (n) id (n)": the file's own statement of its host,
 * which beats the file name. Returns -1 on out of memory. */
static int current_node(struct cb_parse *p, struct state *st, const char *s,
                        size_t n)
{
    size_t k = 0;
    while (k < n && k < 64 && s[k] != ' ' && s[k] != '(')
        k++;
    if (k == 0 || k == 64)
        return 0;
    char name[64];
    for (size_t i = 0; i < k; i++)
        name[i] = (char)toupper((unsigned char)s[i]);
    const char *host = cb_intern(p->strings, name, k);
    if (!host)
        return -1;
    if (host == st->host)
        return 0;
    if (st->host[0])
        cb_parse_warn(p, CB_WHERE_LINE, st->line,
                      "file name says host %s, header says %s: header used",
                      st->host, host);
    st->host = host;
    p->src->host = host;
    p->src->host_rule = "cluster.log header 'Current node:'";
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

static enum cb_next next(struct cb_parse *p, void *state, struct cb_event *ev)
{
    struct state *st = state;
    size_t n;
    int cut;
    const char *s;
    while ((s = cb_stream_line(p->in, &n, &cut)) != NULL) {
        st->line++;
        if (st->line == 1 && n >= 3 && (unsigned char)s[0] == 0xEF &&
            (unsigned char)s[1] == 0xBB && (unsigned char)s[2] == 0xBF)
            s += 3, n -= 3;
        if (n == 0)
            continue;
        if (cut)
            cb_parse_warn(p, CB_WHERE_LINE, st->line,
                          "line longer than %zu bytes, cut", n);
        if (n >= 9 && memcmp(s, "[===", 4) == 0 &&
            memcmp(s + n - 4, "===]", 4) == 0) {
            section(st, s, n);
            continue;
        }
        if (st->in_section) {
            if (memmem(s, n, "generated using local time", 26))
                st->local_time = 1;
            if (n > 14 && memcmp(s, "Current node: ", 14) == 0 &&
                current_node(p, st, s + 14, n - 14) != 0)
                return cb_error_set(&p->err, CB_E_NOMEM, CB_WHERE_LINE,
                                    st->line, "out of memory"),
                       CB_NEXT_FAIL;
            st->section_lines++;
            continue;
        }
        uint32_t pid, tid;
        size_t k = parse_ids(s, n, &pid, &tid);
        /* date 23 bytes: YYYY/MM/DD-HH:MM:SS.mmm */
        if (!k || n < k + 23) {
            cb_parse_warn(p, CB_WHERE_LINE, st->line,
                          "not a cluster.log line (expected "
                          "pid.tid::YYYY/MM/DD-HH:MM:SS.mmm)");
            continue;
        }
        const char *t = s + k;
        int y = digits(t, 4), mo = digits(t + 5, 2), d = digits(t + 8, 2);
        int hh = digits(t + 11, 2), mi = digits(t + 14, 2);
        int ss = digits(t + 17, 2), ms = digits(t + 20, 3);
        if (t[4] != '/' || t[7] != '/' || t[10] != '-' || t[13] != ':' ||
            t[16] != ':' || t[19] != '.' || y < 0 || mo < 0 || d < 0 ||
            hh < 0 || mi < 0 || ss < 0 || ms < 0) {
            cb_parse_warn(p, CB_WHERE_LINE, st->line, "bad timestamp");
            continue;
        }
        cb_time ts;
        if (memcmp(t, st->last_date, 10) == 0 && hh < 24 && mi < 60 &&
            ss < 61) {
            ts = ((st->last_days * 86400 + hh * 3600 + mi * 60 + ss) *
                      1000 + ms) * 10000 + CB_TIME_UNIX_EPOCH;
        } else {
            ts = cb_time_from_civil(y, mo, d, hh, mi, ss, ms * 10000);
            if (ts == CB_TIME_NONE) {
                cb_parse_warn(p, CB_WHERE_LINE, st->line,
                              "timestamp out of range");
                continue;
            }
            memcpy(st->last_date, t, 10);
            st->last_days = cb_days_from_civil(y, (unsigned)mo, (unsigned)d);
        }
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
        if (i < n && s[i] == '[') {
            size_t j = i + 1;
            while (j < n && j - i <= COMPONENT_MAX && s[j] != ']' &&
                   s[j] != ' ')
                j++;
            if (j < n && s[j] == ']' && j > i + 1 &&
                j - i - 1 < COMPONENT_MAX) {
                comp = component(p, st, s + i + 1, j - i - 1);
                if (!comp)
                    return cb_error_set(&p->err, CB_E_NOMEM, CB_WHERE_LINE,
                                        st->line, "out of memory"),
                           CB_NEXT_FAIL;
                i = j + 1;
                while (i < n && s[i] == ' ')
                    i++;
            }
        }
        char *msg = cb_arena_strndup(p->arena, s + i, n - i);
        if (!msg) {
            cb_error_set(&p->err, CB_E_NOMEM, CB_WHERE_LINE, st->line,
                         "out of memory");
            return CB_NEXT_FAIL;
        }
        memset(ev, 0, sizeof *ev);
        ev->ts = ts;
        ev->flags = CB_EV_HAS_PID | (st->local_time ? CB_EV_TIME_ASSUMED : 0);
        ev->level = (uint8_t)level;
        ev->pid = pid;
        ev->tid = tid;
        ev->host = st->host;
        ev->channel = st->channel;
        ev->component = comp;
        ev->message = msg;
        ev->origin = st->line;
        return CB_NEXT_EVENT;
    }
    if (st->local_time)
        p->src->time_basis = "local time per header; offset not applied "
                             "by this version";
    if (p->in->failed) {
        p->err = p->in->err;
        return CB_NEXT_FAIL;
    }
    return CB_NEXT_END;
}

const struct cb_parser_ops cb_parser_clusterlog = {
    .name = "clusterlog",
    .description = "Get-ClusterLog cluster.log (debug log body, UTC)",
    .data_type = "windows:cluster:log",
    .bid = bid,
    .open = open_,
    .next = next,
    .close = close_,
};
