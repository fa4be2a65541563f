/*
 * evtx_text.c - `wevtutil qe <log> /f:text` exports:
 *
 *   Event[0]:
 *     Log Name: System
 *     Source: Microsoft-Windows-FailoverClustering
 *     Date: 2019-07-11T20:38:02.960
 *     Event ID: 1135
 *     Task: Node Mgr
 *     Level: Critical
 *     Opcode: Info
 *     Keyword: N/A
 *     User: S-1-5-18
 *     User Name: NT AUTHORITY\SYSTEM
 *     Computer: HV-NODE1.contoso.local
 *     Description:
 *   Cluster node 'HV-NODE2' was removed from the active failover ...
 *
 * The description runs over as many lines as it takes, until the next
 * "Event[N]:" line; its lines are joined with LF, blank lines around it
 * dropped. N is the position in the export, not the EventRecordID, so
 * events carry no record id. The Date has no zone: it is the exporting
 * machine's local time, which the file does not state, so it is taken as
 * UTC and the event flagged CB_EV_TIME_ASSUMED (a date with Z or an
 * offset is used as given). The header's Task, Opcode, Keyword, User and
 * Computer are the record's System part, not its data: the Computer gives
 * the host, the others are dropped, and the record has no fields (the
 * export holds none of its EventData). Labels are the English ones; a localized
 * export is reported, not guessed at. Encodings: UTF-8 with or without
 * BOM, UTF-16LE (redirected output in some shells) read through a
 * conversion to UTF-8. Spec: shared/kb/FORMATS.md, "Event text exports".
 */
#include <string.h>

#include "alloc.h"
#include "platform.h"
#include "stream.h"
#include "casebrief/limits.h"
#include "casebrief/parser.h"
#include "export_common.h"

static const char BASIS_ASSUMED[] =
    "local time of the exporting machine, assumed UTC";

struct state {
    struct cb_text text; /* read from text.in */
    uint64_t line;
    uint64_t preamble; /* non-blank lines before the first record */
    int in_record, in_desc;
    struct cb_event ev;
    int have_date;
    char *desc;
    size_t desc_len, desc_cap;
    unsigned desc_blank; /* blank lines held back (dropped if trailing) */
    int desc_cut;
    int zoned_only; /* every date so far carried a zone */
    uint64_t unknown_labels;
    int level_warned;
};

static int is_blank_line(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return 0;
    }
    return 1;
}

/* "Event[123]:" at column 0, trailing blanks allowed. */
static int record_start(const char *s, size_t n)
{
    if (n < 9 || memcmp(s, "Event[", 6) != 0)
        return 0;
    size_t i = 6;
    while (i < n && i < 26 && s[i] >= '0' && s[i] <= '9')
        i++;
    if (i == 6 || i + 1 >= n || s[i] != ']' || s[i + 1] != ':')
        return 0;
    return is_blank_line(s + i + 2, n - i - 2);
}

static int level_of(const char *s, size_t n)
{
    static const struct {
        const char *name;
        int level;
    } names[] = {
        {"Information", CB_LEVEL_INFO},
        {"Informational", CB_LEVEL_INFO},
        {"Warning", CB_LEVEL_WARNING},
        {"Error", CB_LEVEL_ERROR},
        {"Critical", CB_LEVEL_CRITICAL},
        {"Verbose", CB_LEVEL_VERBOSE},
        {"0", CB_LEVEL_INFO},
        {"1", CB_LEVEL_CRITICAL},
        {"2", CB_LEVEL_ERROR},
        {"3", CB_LEVEL_WARNING},
        {"4", CB_LEVEL_INFO},
        {"5", CB_LEVEL_VERBOSE},
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        if (strlen(names[i].name) == n && memcmp(s, names[i].name, n) == 0)
            return names[i].level;
    }
    return 0;
}

static void start_record(struct state *st)
{
    memset(&st->ev, 0, sizeof st->ev);
    st->ev.level = CB_LEVEL_INFO;
    st->ev.origin = st->line;
    st->in_record = 1;
    st->in_desc = 0;
    st->have_date = 0;
    st->desc_len = 0;
    st->desc_blank = 0;
    st->desc_cut = 0;
}

static enum cb_next nomem(struct cb_parse *p, const struct state *st)
{
    cb_error_set(&p->err, CB_E_NOMEM, CB_WHERE_LINE, st->line, "out of memory");
    return CB_NEXT_FAIL;
}

/* Append n bytes to the description; -1 on out of memory. */
static int desc_put(struct cb_parse *p, struct state *st, const char *s,
                    size_t n)
{
    if (st->desc_cut)
        return 0;
    if (st->desc_len + n > CB_LIMIT_EVTX_TEXT_DESCRIPTION) {
        st->desc_cut = 1;
        cb_parse_warn(p, CB_WHERE_LINE, st->ev.origin,
                      "description of the record at line %llu is longer "
                      "than %zu bytes; cut",
                      (unsigned long long)st->ev.origin,
                      (size_t)CB_LIMIT_EVTX_TEXT_DESCRIPTION);
        return 0;
    }
    return cb_export_append(&st->desc, &st->desc_len, &st->desc_cap, s, n,
                            1);
}

/* One line of the description: blank lines are held back, so that those
 * at the end are dropped and those inside are kept. */
static int desc_line(struct cb_parse *p, struct state *st, const char *s,
                     size_t n)
{
    if (is_blank_line(s, n)) {
        if (st->desc_len)
            st->desc_blank++;
        return 0;
    }
    if (st->desc_len) {
        for (unsigned i = 0; i <= st->desc_blank; i++) {
            if (desc_put(p, st, "\n", 1) != 0)
                return -1;
        }
    }
    st->desc_blank = 0;
    return desc_put(p, st, s, n);
}

static const char *name_of(struct cb_parse *p, const char *s, size_t n,
                           int *oom)
{
    if (n == 0)
        return NULL;
    if (n > CB_LIMIT_EXPORT_NAME_BYTES)
        n = CB_LIMIT_EXPORT_NAME_BYTES;
    const char *r = cb_intern(p->strings, s, n);
    if (!r)
        *oom = 1;
    return r;
}

/* "  Label: value" of the record's header; -1 on out of memory. */
static int header_line(struct cb_parse *p, struct state *st, const char *s,
                       size_t n)
{
    if (is_blank_line(s, n))
        return 0;
    const char *colon = memchr(s, ':', n);
    size_t kn = colon ? (size_t)(colon - s) : n;
    const char *k = cb_export_trim(s, &kn);
    size_t vn = colon ? n - (size_t)(colon - s) - 1 : 0;
    const char *v = colon ? cb_export_trim(colon + 1, &vn) : "";
#define IS(lit) (kn == sizeof lit - 1 && memcmp(k, lit, kn) == 0)
    int oom = 0;
    if (!colon) {
        /* not a label: fall through to the unknown-label report */
    } else if (IS("Description")) {
        st->in_desc = 1;
        return desc_line(p, st, v, vn);
    } else if (IS("Log Name")) {
        st->ev.channel = name_of(p, v, vn, &oom);
        return oom ? -1 : 0;
    } else if (IS("Source")) {
        st->ev.provider = name_of(p, v, vn, &oom);
        return oom ? -1 : 0;
    } else if (IS("Date")) {
        int zoned;
        if (cb_export_parse_time(v, vn, &st->ev.ts, &zoned)) {
            st->have_date = 1;
            if (!zoned) {
                st->ev.flags |= CB_EV_TIME_ASSUMED;
                st->zoned_only = 0;
            }
        } else {
            cb_parse_warn(p, CB_WHERE_LINE, st->line, "bad Date '%.*s'",
                          (int)(vn > 40 ? 40 : vn), v);
        }
        return 0;
    } else if (IS("Event ID")) {
        uint64_t id = 0;
        size_t i = 0;
        while (i < vn && v[i] >= '0' && v[i] <= '9' && id <= UINT32_MAX)
            id = id * 10 + (uint64_t)(v[i++] - '0');
        if (i == vn && i > 0 && id <= UINT32_MAX) {
            st->ev.event_id = (uint32_t)id;
            st->ev.flags |= CB_EV_HAS_EVENT_ID;
        } else {
            cb_parse_warn(p, CB_WHERE_LINE, st->line, "bad Event ID '%.*s'",
                          (int)(vn > 20 ? 20 : vn), v);
        }
        return 0;
    } else if (IS("Level")) {
        int level = level_of(v, vn);
        if (!level && vn && !st->level_warned) {
            st->level_warned = 1;
            cb_parse_warn(p, CB_WHERE_LINE, st->line,
                          "level '%.*s' not known (localized export?); "
                          "taken as information",
                          (int)(vn > 30 ? 30 : vn), v);
        }
        st->ev.level = (uint8_t)(level ? level : CB_LEVEL_INFO);
        return 0;
    } else if (IS("Computer")) {
        return cb_export_host(p->strings, v, vn, &st->ev.host);
    } else if (IS("Task") || IS("Opcode") || IS("Keyword") ||
               IS("Keywords") || IS("User") || IS("User Name")) {
        /* the record's System part, not its data: never a field (a
         * rule matching any field took Opcode "Info" or the SID for a
         * node's name) */
        return 0;
    }
#undef IS
    if (st->unknown_labels++ == 0)
        cb_parse_warn(p, CB_WHERE_LINE, st->line,
                      "header label '%.*s' not understood (localized "
                      "export?); such lines are ignored",
                      (int)(kn > 40 ? 40 : kn), k);
    return 0;
}

/* The record read so far into *ev; CB_NEXT_END when it is skipped. */
static enum cb_next finish(struct cb_parse *p, struct state *st,
                           struct cb_event *ev)
{
    st->in_record = 0;
    if (!st->have_date) {
        cb_parse_warn(p, CB_WHERE_LINE, st->ev.origin,
                      "record at line %llu has no usable Date; skipped",
                      (unsigned long long)st->ev.origin);
        return CB_NEXT_END;
    }
    *ev = st->ev;
    ev->message =
        st->desc_len ? cb_arena_strndup(p->arena, st->desc, st->desc_len) : "";
    if (!ev->message)
        return nomem(p, st);
    return CB_NEXT_EVENT;
}

static enum cb_next next(struct cb_parse *p, void *state, struct cb_event *ev)
{
    struct state *st = state;
    const char *s;
    size_t n;
    int cut;
    while ((s = cb_stream_line(st->text.in, &n, &cut)) != NULL) {
        st->line++;
        if (cut)
            cb_parse_warn(p, CB_WHERE_LINE, st->line,
                          "line longer than %zu bytes, cut", n);
        if (record_start(s, n)) {
            enum cb_next r = st->in_record ? finish(p, st, ev) : CB_NEXT_END;
            start_record(st);
            if (r != CB_NEXT_END)
                return r;
            continue;
        }
        if (!st->in_record) {
            if (!is_blank_line(s, n))
                st->preamble++;
            continue;
        }
        int r = st->in_desc ? desc_line(p, st, s, n) : header_line(p, st, s, n);
        if (r != 0)
            return nomem(p, st);
    }
    if (st->in_record) {
        enum cb_next r = finish(p, st, ev);
        if (r != CB_NEXT_END)
            return r;
    }
    if (st->text.in->failed) {
        p->err = st->text.in->err;
        return CB_NEXT_FAIL;
    }
    return CB_NEXT_END;
}

static void close_(struct cb_parse *p, void **state);

static enum cb_status open_(struct cb_parse *p, void **state)
{
    struct state *st = cb_calloc(1, sizeof *st);
    if (!st)
        return CB_E_NOMEM;
    *state = st;
    st->zoned_only = 1;
    if (cb_stream_open_text(&st->text, p->in, CB_LIMIT_LINE_BYTES) != CB_OK) {
        close_(p, state);
        return CB_E_NOMEM;
    }
    if (cb_text_is_utf16be(st->text.enc)) {
        close_(p, state);
        return cb_error_set(&p->err, CB_E_UNSUPPORTED, CB_WHERE_OFFSET, 0,
                            "UTF-16BE event text is not read by this "
                            "version");
    }
    p->src->time_basis = BASIS_ASSUMED;
    p->src->time_kind = CB_TK_LOCAL;
    p->src->origin_is_line = 1;
    return CB_OK;
}

static void close_(struct cb_parse *p, void **state)
{
    if (!state || !*state)
        return;
    struct state *st = *state;
    if (st->preamble)
        cb_parse_warn(p, CB_WHERE_NONE, 0,
                      "%llu lines before the first Event[N]: skipped",
                      (unsigned long long)st->preamble);
    if (st->unknown_labels > 1)
        cb_parse_warn(p, CB_WHERE_NONE, 0,
                      "%llu header lines not understood in all",
                      (unsigned long long)st->unknown_labels);
    if (st->zoned_only && p->src->nevents) {
        p->src->time_basis = "UTC (every Date carries a zone)";
        p->src->time_kind = CB_TK_UTC;
    }
    cb_stream_close_text(&st->text);
    cb_free(st->desc);
    cb_free(st);
    *state = NULL;
}

static int bid(const unsigned char *head, size_t len, const char *name)
{
    (void)name;
    char narrow[256];
    const char *s;
    size_t n = cb_text_narrow(head, len, narrow, sizeof narrow, &s);
    size_t i = 0;
    while (i < n && (s[i] == '\r' || s[i] == '\n' || s[i] == ' '))
        i++;
    size_t e = i;
    while (e < n && s[e] != '\r' && s[e] != '\n')
        e++;
    if (!record_start(s + i, e - i))
        return 0;
    return cb_memmem(s + e, n - e, "Log Name:", 9) ? 48 : 40;
}

const struct cb_parser_ops cb_parser_evtx_text = {
    .name = "evtx-text",
    .description = "event text export (wevtutil qe /f:text)",
    .data_type = "windows:evtx:record",
    .bid = bid,
    .open = open_,
    .next = next,
    .close = close_,
};
